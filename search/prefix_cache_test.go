package search

import (
	"errors"
	"slices"
	"testing"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// A snapshot's cached prefix expansions are the dictionary's, term for term
// and in its order, and so is the error of a prefix with too many terms;
// asked again, the cache answers, into the caller's array.
func TestPrefixTermsCached(t *testing.T) {
	fsys, err := synth.Corpus(300, 3)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine(t, fsys)
	// A low limit, so that some prefixes have too many terms (it is
	// process-wide: put back after).
	segment.SetMaxClauses(200)
	defer segment.SetMaxClauses(MaxClauses)
	_, err = e.withLocale("en", func(v *index.View) error {
		return segment.Read(v.Bleve, func(s *segment.Snapshot) error {
			sp := newPostingsCache(postingsPerGeneration).forSnapshot(s)
			if sp == nil {
				t.Fatal("the snapshot has no cache")
			}
			seen := map[string]bool{}
			tooMany := false
			for _, field := range []string{index.FieldSuggest, index.FieldTitle, index.FieldBody} {
				for _, prefix := range []string{"r", "ret", "retu", "ord", "inv", "zzq", "a", ""} { // "": every term
					want, werr := prefixTerms(s, field, prefix, nil, seen)
					if werr != nil {
						want = nil
					}
					var tm *tooManyTermsError
					tooMany = tooMany || errors.As(werr, &tm)
					for i, buf := range [][]string{nil, make([]string, 0, 4)} {
						got, gerr := sp.prefixTerms(s, field, prefix, buf, seen)
						if gerr != nil {
							got = nil
						}
						if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) || !slices.Equal(got, want) {
							t.Fatalf("%s %q, call %d: %d terms (%v), the dictionary %d (%v)", field, prefix, i+1, len(got), gerr, len(want), werr)
						}
						if _, ok := sp.prefixes.lookup(termKey{field, prefix}); !ok {
							t.Errorf("%s %q: not kept after call %d", field, prefix, i+1)
						}
					}
				}
			}
			if !tooMany {
				t.Error("no prefix had too many terms: the test does not check that error's keeping")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
