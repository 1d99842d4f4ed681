package search

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// docHit is a hit before it becomes a Hit: its article's id, its document
// number in the snapshot searched (the stop-only rule reads it) and its
// score, the query's and then the rerank's.
type docHit struct {
	ID    string
	Doc   uint32
	Score float64
}

// hitList is one search's hits and the array they live in, taken from a
// pool and given back once the search has made its result: a search used
// to get a fresh pool of Bleve's document matches (a few hundred bytes
// each) and a result around them.
type hitList struct {
	hits  []*docHit
	store []docHit
	// a search's space for a hit's body tokens and their terms (the
	// snippets and reasons), kept with the list
	toks []span
	body map[string]bool
}

var hitLists = sync.Pool{New: func() any { return new(hitList) }}

func takeHits() *hitList { return hitLists.Get().(*hitList) }

// release gives the list back; nothing of it may be used after.
func (l *hitList) release() {
	if cap(l.store) > 1024 {
		return // a rare deep page's list is not kept
	}
	clear(l.hits[:cap(l.hits)])
	clear(l.store)
	clear(l.toks[:cap(l.toks)])
	clear(l.body)
	l.hits, l.store, l.toks = l.hits[:0], l.store[:0], l.toks[:0]
	if cap(l.toks) > 4096 {
		l.toks = nil
	}
	hitLists.Put(l)
}

// collect runs q on the view's index and sets l.hits to its hits as Bleve's
// search would give them for bleve.NewSearchRequestOptions(segment.Query(q),
// size, from, false): ordered by its top-N collector (score descending, ties
// by the order in which the matches were handed to it, which is document
// order: see segment.Matcher), the first from skipped, at most size kept,
// with their ids. Bleve's generic path around that (a collector, a pool of
// document matches and a result per search, and the stored-field loading of
// each hit) was a fifth of a search's garbage.
func (l *hitList) collect(ctx context.Context, v *index.View, q *matchQuery, size, from int) error {
	return segment.Read(v.Bleve, func(s *segment.Snapshot) error {
		docs, err := q.Match(ctx, s)
		if err != nil {
			return err
		}
		// Bleve's collector returns the context's error when it is done
		// before the first match is taken (and checks again every 1,024:
		// here they are taken all at once).
		if err := ctx.Err(); err != nil {
			return err
		}
		// search.CompareScoreDescending, the hit number being the
		// position in docs, which is document order
		slices.SortFunc(docs, func(a, b segment.Match) int {
			if a.Score < b.Score {
				return 1
			}
			if a.Score > b.Score {
				return -1
			}
			return cmp.Compare(a.Doc, b.Doc)
		})
		docs = docs[min(from, len(docs)):]
		docs = docs[:min(size, len(docs))]
		l.store = slices.Grow(l.store[:0], len(docs))
		l.hits = slices.Grow(l.hits[:0], len(docs))
		for _, d := range docs {
			b, err := s.DocID(d.Doc)
			if err != nil {
				return err
			}
			var id string
			if a, ok := v.ArticleByID(b); ok {
				id = a.ID // the article's own copy of the id
			} else {
				id = string(b)
			}
			l.store = append(l.store, docHit{ID: id, Doc: d.Doc, Score: d.Score})
		}
		for i := range l.store {
			l.hits = append(l.hits, &l.store[i])
		}
		return nil
	})
}
