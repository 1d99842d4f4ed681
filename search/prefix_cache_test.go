package search

import (
	"slices"
	"testing"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// A snapshot's cached prefix expansions are the dictionary's, term for term
// and in its order; asked again, the cache answers with the same list.
func TestPrefixTermsCached(t *testing.T) {
	fsys, err := synth.Corpus(300, 3)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine(t, fsys)
	_, err = e.withLocale("en", func(v *index.View) error {
		return segment.Read(v.Bleve, func(s *segment.Snapshot) error {
			sp := newPostingsCache(postingsPerGeneration).forSnapshot(s)
			if sp == nil {
				t.Fatal("the snapshot has no cache")
			}
			seen := map[string]bool{}
			for _, field := range []string{index.FieldSuggest, index.FieldTitle, index.FieldBody} {
				for _, prefix := range []string{"r", "ret", "retu", "ord", "inv", "zzq", "a"} {
					want, werr := prefixTerms(s, field, prefix, nil, seen)
					got, gerr := sp.prefixTerms(s, field, prefix, seen)
					if (werr == nil) != (gerr == nil) || !slices.Equal(got, want) {
						t.Fatalf("%s %q: cached %d terms (%v), the dictionary %d (%v)", field, prefix, len(got), gerr, len(want), werr)
					}
					again, _ := sp.prefixTerms(s, field, prefix, seen)
					if len(got) > 0 && &again[0] != &got[0] {
						t.Errorf("%s %q: read from the dictionary again, not from the cache", field, prefix)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
