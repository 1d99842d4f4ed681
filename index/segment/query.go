package segment

import (
	"cmp"
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Matcher runs a whole query at once over one snapshot, as a Bleve query
// (see Query).
type Matcher interface {
	// Match returns the documents the query keeps, in ascending document
	// order, with their scores.
	Match(ctx context.Context, s *Snapshot) ([]Match, error)
}

// Match is a matched document and its score.
type Match struct {
	Doc   uint32
	Score float64
}

// Query makes m a Bleve query: when Bleve builds its searcher, m runs, and
// its matches go to Bleve's collector in document order, so paging, ties
// (the lower document first), the total and the external ids are Bleve's.
func Query(m Matcher) query.Query { return matcherQuery{m} }

type matcherQuery struct{ m Matcher }

func (q matcherQuery) Searcher(ctx context.Context, r bindex.IndexReader, _ mapping.IndexMapping, _ bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := Open(ctx, r)
	if err != nil {
		return nil, err
	}
	docs, err := q.m.Match(ctx, s)
	if err != nil {
		return nil, err
	}
	return &matchSearcher{docs: docs}, nil
}

// matchSearcher hands a Matcher's matches to Bleve's collector.
type matchSearcher struct {
	docs []Match
	i    int
}

func (s *matchSearcher) match(ctx *bsearch.SearchContext) *bsearch.DocumentMatch {
	if s.i >= len(s.docs) {
		return nil
	}
	d := s.docs[s.i]
	s.i++
	rv := ctx.DocumentMatchPool.Get()
	rv.IndexInternalID = bindex.NewIndexInternalID(rv.IndexInternalID, uint64(d.Doc))
	rv.Score = d.Score
	return rv
}

func (s *matchSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	return s.match(ctx), nil
}

func (s *matchSearcher) Advance(ctx *bsearch.SearchContext, id bindex.IndexInternalID) (*bsearch.DocumentMatch, error) {
	want := id.Value()
	i, _ := slices.BinarySearchFunc(s.docs[s.i:], want, func(d Match, w uint64) int { return cmp.Compare(uint64(d.Doc), w) })
	s.i += i
	return s.match(ctx), nil
}

func (s *matchSearcher) Close() error               { return nil }
func (s *matchSearcher) Weight() float64            { return 1 }
func (s *matchSearcher) SetQueryNorm(float64)       {}
func (s *matchSearcher) Count() uint64              { return uint64(len(s.docs)) }
func (s *matchSearcher) Min() int                   { return 0 }
func (s *matchSearcher) Size() int                  { return 64 + 16*cap(s.docs) }
func (s *matchSearcher) DocumentMatchPoolSize() int { return 1 }
