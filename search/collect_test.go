package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// TestCollectAsBleve: hitList.collect gives exactly what Bleve's search of
// segment.Query(q) gives (the same ids in the same order, the same scores
// to the bit), for every page size and offset, on a corpus with many tied
// scores (identical articles), for searches and suggestions, with and
// without the stop-only matches kept; and a done context fails it as it
// fails Bleve's search.
func TestCollectAsBleve(t *testing.T) {
	fsys, err := synth.Corpus(600, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 { // ties: the same text, in index order
		fsys[fmt.Sprintf("en/same/twin-%02d.md", i)] = article(fmt.Sprintf("twin-%02d", i), "How do I return an order?", `"send an order back"`, "Return the order from the orders page within 30 days.")
	}
	e := testEngine(t, fsys)
	texts := []string{"return an order", "order", "how do i return my order", "refund", "the", "retur", "send back", "zzzz", "what is the"}
	for i, q := range devQueries(t) {
		if i%25 == 0 {
			texts = append(texts, q.Query)
		}
	}
	ctx := context.Background()
	checked := 0
	compare := func(t *testing.T) {
		_, err := e.withLocale("en", func(v *index.View) error {
			for i, text := range texts {
				for _, asYouType := range []bool{false, true} {
					mq := testQuery(e, v, text, asYouType)
					if mq == nil {
						continue
					}
					mq = e.filtered(mq, Request{Audience: Audience(i % 4)})
					for _, page := range [][2]int{{1, 0}, {5, 0}, {10, 0}, {10, 10}, {20, 0}, {7, 3}, {10, 30}, {50, 0}, {3, 1000}} {
						size, from := page[0], page[1]
						for _, keep := range []bool{false, true} {
							mq.top = size + from
							mq.stopRule, mq.keepStop = true, keep
							collect := size
							if keep {
								collect *= 2
							}
							what := fmt.Sprintf("%q (as you type %v, size %d from %d, keep stop %v)", text, asYouType, collect, from, keep)
							// Scorch may merge in the background between
							// the two searches, which renumbers the
							// documents: a real difference stays on every try.
							for try := 0; ; try++ {
								msg := collectDiff(ctx, v, mq, collect, from)
								if msg == "" {
									break
								}
								if try == 20 {
									t.Fatalf("%s: %s", what, msg)
								}
								time.Sleep(50 * time.Millisecond)
							}
							checked++
						}
					}
				}
			}

			// A done context: Bleve's error, for both.
			mq := e.buildQuery(v, e.analyse(v, "return an order", false, Staff), index.TextFields)
			mq.top = 10
			done, cancel := context.WithCancel(ctx)
			cancel()
			_, werr := v.Bleve.SearchInContext(done, bleve.NewSearchRequestOptions(segment.Query(mq), 10, 0, false))
			hl := takeHits()
			defer hl.release()
			err := hl.collect(done, v, mq, 10, 0)
			if !errors.Is(werr, context.Canceled) || !errors.Is(err, context.Canceled) {
				t.Errorf("done context: %v, want %v", err, werr)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("built", compare)

	// Changed and removed articles leave deleted documents in the
	// segments, and the changes are new segments: document numbers run
	// across them.
	n := 0
	for name := range fsys {
		switch n % 5 {
		case 0:
			delete(fsys, name)
		case 1:
			f := *fsys[name]
			f.Data = append(append([]byte{}, f.Data...), "\n\nUpdated: return an order from the orders page.\n"...)
			fsys[name] = &f
		}
		n++
	}
	if _, err := e.ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("updated", compare)
	if checked < 600 {
		t.Fatalf("only %d pages compared", checked)
	}
}

// collectDiff runs q through Bleve's search and through hitList.collect and
// says how their hits differ ("" when they do not).
func collectDiff(ctx context.Context, v *index.View, mq *matchQuery, size, from int) string {
	want, err := v.Bleve.SearchInContext(ctx, bleve.NewSearchRequestOptions(segment.Query(mq), size, from, false))
	if err != nil {
		return err.Error()
	}
	wantStop := mq.stopDocs
	mq.stopDocs = nil
	hl := takeHits()
	defer hl.release()
	if err := hl.collect(ctx, v, mq, size, from); err != nil {
		return err.Error()
	}
	if len(hl.hits) != len(want.Hits) {
		return fmt.Sprintf("%d hits, want %d", len(hl.hits), len(want.Hits))
	}
	for j, h := range hl.hits {
		w := want.Hits[j]
		if h.ID != w.ID || math.Float64bits(h.Score) != math.Float64bits(w.Score) || uint64(h.Doc) != w.IndexInternalID.Value() {
			return fmt.Sprintf("hit %d is %s (doc %d) %v, want %s (doc %d) %v", j, h.ID, h.Doc, h.Score, w.ID, w.IndexInternalID.Value(), w.Score)
		}
		if wantStop[h.Doc] != mq.stopDocs[h.Doc] {
			return fmt.Sprintf("hit %s stop-only %v, want %v", h.ID, mq.stopDocs[h.Doc], wantStop[h.Doc])
		}
	}
	return ""
}
