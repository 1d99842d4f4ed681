package search

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// lazyOr is a disjunction for the clauses that never drive a search: the
// common words' scoring clauses and the excluded visibilities, which a
// boolean searcher only advances to each document its driving clauses
// match. It scores exactly as Bleve's disjunction (the sum of the matching
// clauses' scores times matching/all clauses) but it is lazy: Bleve's
// disjunction searchers answer Advance by also stepping every clause that
// matched to its next posting (scoring it) and keep their clauses in a heap
// ordered by byte comparisons; at 10,000 articles that was two thirds of a
// search's time in Bleve. lazyOr moves a clause only when a document at or
// past its position is asked for.
type lazyOr struct {
	clauses []query.Query
}

func newLazyOr(clauses []query.Query) *lazyOr { return &lazyOr{clauses: clauses} }

func (q *lazyOr) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s := &lazyOrSearcher{subs: make([]bsearch.Searcher, 0, len(q.clauses))}
	for _, c := range q.clauses {
		sub, err := c.Searcher(ctx, r, m, opts)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.subs = append(s.subs, sub)
	}
	s.currs = make([]*bsearch.DocumentMatch, len(s.subs))
	s.started = make([]bool, len(s.subs))
	// as NewDisjunctionSearcher does; a boolean query above sets its own
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

type lazyOrSearcher struct {
	subs    []bsearch.Searcher
	currs   []*bsearch.DocumentMatch // each clause's current match; nil before its first or after its last
	started []bool
	last    bindex.IndexInternalID // the document returned last
}

// Advance returns the first document at or after id that a clause matches.
func (s *lazyOrSearcher) Advance(ctx *bsearch.SearchContext, id bindex.IndexInternalID) (*bsearch.DocumentMatch, error) {
	for i, sub := range s.subs {
		c := s.currs[i]
		if c != nil && c.IndexInternalID.Compare(id) >= 0 {
			continue
		}
		if c == nil && s.started[i] {
			continue // exhausted
		}
		if c != nil {
			ctx.DocumentMatchPool.Put(c)
		}
		s.started[i] = true
		n, err := sub.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.currs[i] = n
	}
	return s.match(ctx), nil
}

// Next returns the first document after the one returned last.
func (s *lazyOrSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	for i, sub := range s.subs {
		c := s.currs[i]
		if s.started[i] && (c == nil || s.last == nil || !c.IndexInternalID.Equals(s.last)) {
			continue
		}
		if c != nil {
			ctx.DocumentMatchPool.Put(c)
		}
		s.started[i] = true
		n, err := sub.Next(ctx)
		if err != nil {
			return nil, err
		}
		s.currs[i] = n
	}
	return s.match(ctx), nil
}

// match scores the smallest current document as DisjunctionQueryScorer
// does, in clause order, leaving the clauses where they are.
func (s *lazyOrSearcher) match(ctx *bsearch.SearchContext) *bsearch.DocumentMatch {
	var lo bindex.IndexInternalID
	for _, c := range s.currs {
		if c != nil && (lo == nil || c.IndexInternalID.Compare(lo) < 0) {
			lo = c.IndexInternalID
		}
	}
	if lo == nil {
		s.last = s.last[:0]
		return nil
	}
	var sum float64
	n := 0
	for _, c := range s.currs {
		if c != nil && c.IndexInternalID.Equals(lo) {
			sum += c.Score
			n++
		}
	}
	rv := ctx.DocumentMatchPool.Get()
	rv.IndexInternalID = append(rv.IndexInternalID[:0], lo...)
	rv.Score = sum * (float64(n) / float64(len(s.subs)))
	s.last = append(s.last[:0], lo...)
	return rv
}

func (s *lazyOrSearcher) Close() error {
	var err error
	for _, sub := range s.subs {
		if e := sub.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

func (s *lazyOrSearcher) Weight() float64 {
	var w float64
	for _, sub := range s.subs {
		w += sub.Weight()
	}
	return w
}

func (s *lazyOrSearcher) SetQueryNorm(n float64) {
	for _, sub := range s.subs {
		sub.SetQueryNorm(n)
	}
}

func (s *lazyOrSearcher) Count() uint64 {
	var n uint64
	for _, sub := range s.subs {
		n += sub.Count()
	}
	return n
}

func (s *lazyOrSearcher) Min() int { return 0 }

func (s *lazyOrSearcher) Size() int {
	n := 64 + 16*len(s.subs)
	for _, sub := range s.subs {
		n += sub.Size()
	}
	return n
}

func (s *lazyOrSearcher) DocumentMatchPoolSize() int {
	n := 1
	for _, sub := range s.subs {
		n += sub.DocumentMatchPoolSize()
	}
	return n
}
