package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/marketplace/helpcentre/index/segment"
)

// postingsCache keeps decoded posting lists of the terms searches use: the
// document numbers and each posting's BM25 score before the query weight
// (what scorer.TermQueryScorer computes from a posting's frequency and norm).
// A help centre's questions come back to the same few hundred words
// ("order", "refund", "invoice"), and reading a posting through the index
// costs some 70 ns (a roaring-bitmap step and a varint decode of its
// frequency and norm) where reading it here costs a few. Lists belong to one
// index snapshot (its document numbers and statistics); scorch replaces the
// snapshot after every change and merge, and the old snapshot's lists go
// with it. The cache is bounded by postings per snapshot, in two
// generations: a list not used for a generation is dropped.
type postingsCache struct {
	mu    sync.Mutex
	snaps map[segment.Key]*snapPostings
	limit int // postings per generation
}

// Postings in one generation of one snapshot's lists: 12 bytes each, so
// 768<<10 is 9 MiB; at most two generations are held.
const postingsPerGeneration = 768 << 10

func newPostingsCache(limit int) *postingsCache {
	return &postingsCache{snaps: map[segment.Key]*snapPostings{}, limit: limit}
}

// snapPostings are one snapshot's cached lists.
type snapPostings struct {
	lists *generations[termKey, *postingList] // weighed in postings
	// prefixes are the terms each as-you-type prefix expanded to (key:
	// field and prefix), weighed in terms: reading them walks the field's
	// dictionary (vellum's iterator), a third of a suggestion's garbage.
	prefixes *generations[termKey, prefixExpansion]
}

// prefixExpansion is what a prefix expanded to: its terms, or Bleve's
// error for a prefix with too many (tooManyTermsError).
type prefixExpansion struct {
	terms []string
	err   error
}

// prefixTermsPerGeneration bounds one generation of a snapshot's prefix
// expansions: 64Ki terms are ~2 MB with their strings.
const prefixTermsPerGeneration = 64 << 10

// prefixTerms appends to buf the field's terms that start with prefix (see
// the function prefixTerms), from the cache when it has them: the cache
// keeps its own copy of each list, and of the error of a prefix with too
// many terms; other errors are not kept.
func (sp *snapPostings) prefixTerms(s *segment.Snapshot, field, prefix string, buf []string, seen map[string]bool) ([]string, error) {
	if sp == nil { // no cache for this snapshot
		return prefixTerms(s, field, prefix, buf, seen)
	}
	if e, ok := sp.prefixes.lookup(termKey{field, prefix}); ok {
		return append(buf, e.terms...), e.err
	}
	terms, err := prefixTerms(s, field, prefix, buf, seen)
	var tooMany *tooManyTermsError
	switch {
	case err == nil:
		sp.prefixes.add(termKey{field, strings.Clone(prefix)}, prefixExpansion{terms: slices.Clone(terms)})
	case errors.As(err, &tooMany):
		sp.prefixes.add(termKey{field, strings.Clone(prefix)}, prefixExpansion{err: err})
	}
	return terms, err
}

type termKey struct{ field, term string }

// postingList is one term's postings in one field, as of one snapshot.
type postingList struct {
	df   uint64    // documents with the term (Bleve's count, for its idf)
	docs []uint32  // document numbers, ascending
	base []float64 // each posting's score before the query weight
}

// forSnapshot returns the lists of snapshot s, or nil when s has no
// identity to key on.
func (c *postingsCache) forSnapshot(s *segment.Snapshot) *snapPostings {
	if c == nil {
		return nil
	}
	key, ok := s.Key()
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sp, ok := c.snaps[key]
	if !ok {
		for k := range c.snaps {
			if !k.Live() {
				delete(c.snaps, k) // its snapshot is gone
			}
		}
		sp = &snapPostings{lists: newGenerations[termKey](c.limit, func(pl *postingList) int { return len(pl.docs) }),
			prefixes: newGenerations[termKey](prefixTermsPerGeneration, func(e prefixExpansion) int { return len(e.terms) + 1 })}
		c.snaps[key] = sp
	}
	return sp
}

// maxCachedPostings is the longest list kept: a longer one (a word in a
// good part of 100,000 articles) is read from the index each time. Caching
// those, a few searches' lists filled a generation, every search read its
// lists again into new arrays, and the garbage cost more than the reads.
const maxCachedPostings = 16 << 10

// get returns the term's list, reading it from r (and keeping it) when it is
// not cached; or, for a list too long to keep, the open reader instead. The
// lists of one snapshot are read with its own statistics, so idf and avgLen
// are those every search of the snapshot uses.
func (sp *snapPostings) get(ctx context.Context, s *segment.Snapshot, field, term string, idf func(df uint64) float64, avgLen float64) (*postingList, *segment.Postings, error) {
	var long *segment.Postings // a list too long to keep, open
	pl, err := sp.lists.get(termKey{field, term}, func() (*postingList, error) {
		tfr, err := s.Postings(ctx, field, term, true)
		if err != nil {
			return nil, err
		}
		if tfr.Count() > maxCachedPostings {
			long = tfr
			return nil, errLongList
		}
		pl, err := readPostings(tfr, idf, avgLen)
		if cerr := tfr.Close(); err == nil {
			err = cerr
		}
		return pl, err
	})
	if long != nil {
		return nil, long, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return pl, nil, nil
}

// errLongList tells generations not to keep a list (see maxCachedPostings).
var errLongList = errors.New("search: posting list too long to cache")

// readPostings decodes a term's postings with their base scores.
func readPostings(ps *segment.Postings, idf func(df uint64) float64, avgLen float64) (*postingList, error) {
	pl := &postingList{df: ps.Count()}
	l := leaf{idf: idf(pl.df), avgLen: avgLen, weight: 1}
	pl.docs = make([]uint32, 0, pl.df)
	pl.base = make([]float64, 0, pl.df)
	for {
		p, ok, err := ps.Next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return pl, nil
		}
		pl.docs = append(pl.docs, p.Doc)
		pl.base = append(pl.base, l.score(p.Freq, p.Norm))
	}
}
