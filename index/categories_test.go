package index_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// TestCountCategoriesMatchesBleve: the category counts taken while a search
// runs are those of Bleve's doc-value facet over the same query, before and
// after incremental updates (new segments, moved and deleted documents).
func TestCountCategoriesMatchesBleve(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{}
	cats := []string{"orders", "refunds", "delivery", "payments"}
	for i := range 40 {
		fsys[fmt.Sprintf("en/%s/a%d.md", cats[i%len(cats)], i)] = article(fmt.Sprintf("Question %d about my order", i), "Where is my parcel? Refund or delivery.")
	}
	ix, err := index.Open(ctx, t.TempDir(), fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	check := func(step string) {
		t.Helper()
		l, _ := ix.Locale("en")
		err := l.Read(func(v *index.View) error {
			for _, word := range []string{"order", "parcel", "question", "nothing"} {
				q := query.NewTermQuery(word)
				q.SetField(index.FieldTitle)
				if word == "parcel" {
					q.SetField(index.FieldBody)
				}
				want := bleve.NewSearchRequestOptions(q, 3, 0, false)
				want.AddFacet("c", bleve.NewFacetRequest(index.FieldCategory, 50))
				wr, err := v.Bleve.Search(want)
				if err != nil {
					return err
				}
				var wantCounts []index.CategoryCount
				for _, tf := range wr.Facets["c"].Terms.Terms() {
					wantCounts = append(wantCounts, index.CategoryCount{Category: tf.Term, Count: tf.Count})
				}
				cq, counts := countCategories(v, q)
				gr, err := v.Bleve.Search(bleve.NewSearchRequestOptions(cq, 3, 0, false))
				if err != nil {
					return err
				}
				got := counts.Top(50)
				if word == "order" && len(wantCounts) < 4 {
					t.Fatalf("%s: the test query matches too little: %v", step, wantCounts)
				}
				if gr.Total != wr.Total || !reflect.DeepEqual(got, wantCounts) {
					t.Errorf("%s, %q: counted %v (total %d), Bleve's facet %v (total %d)", step, word, got, gr.Total, wantCounts, wr.Total)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("built")

	// Move articles between categories, delete some, add some.
	later := time.Now().Add(time.Second)
	for i := range 6 {
		delete(fsys, fmt.Sprintf("en/%s/a%d.md", cats[i%len(cats)], i))
		fsys[fmt.Sprintf("en/claims/a%d.md", i)] = &fstest.MapFile{Data: article(fmt.Sprintf("Question %d about my order, moved", i), "A claim for my parcel.").Data, ModTime: later}
	}
	delete(fsys, "en/payments/a7.md")
	fsys["en/reviews/new.md"] = &fstest.MapFile{Data: article("A new order question", "Review the parcel.").Data, ModTime: later}
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check("after an update")
	fsys["en/reviews/new.md"] = &fstest.MapFile{Data: article("A changed order question", "Review it.").Data, ModTime: later.Add(time.Second)}
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a second update")
}

// countCategories wraps q so that running it counts every document it
// matches by category with a CategoryCounter, as search's term-at-a-time
// query counts its matches.
func countCategories(v *index.View, q query.Query) (query.Query, *index.CategoryCounts) {
	cc := v.CategoryCounter()
	return &countingQuery{q: q, cc: cc}, cc.Counts()
}

type countingQuery struct {
	q  query.Query
	cc *index.CategoryCounter
}

func (q *countingQuery) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	snap, err := segment.Open(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := q.cc.Start(ctx, snap); err != nil {
		return nil, err
	}
	s, err := q.q.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	return &countingSearcher{Searcher: s, cc: q.cc}, nil
}

// countingSearcher counts the documents its searcher returns; the collector
// counts the same ones into the search's total.
type countingSearcher struct {
	search.Searcher
	cc *index.CategoryCounter
}

func (s *countingSearcher) count(d *search.DocumentMatch) {
	s.cc.Add(uint32(d.IndexInternalID.Value()))
}

func (s *countingSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil {
		s.count(d)
	}
	return d, err
}

func (s *countingSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil {
		s.count(d)
	}
	return d, err
}
