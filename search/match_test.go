package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// bleveQuery is the Bleve query q stands for, built from Bleve's own
// queries: the reference matchQuery must score exactly as.
func (q *matchQuery) bleveQuery() query.Query {
	disj := func(cs []clause) query.Query {
		var qs []query.Query
		done := map[int]bool{}
		for _, c := range cs {
			if c.unit != 0 {
				// a synonym phrase: a conjunction of its terms
				if !done[c.unit] {
					done[c.unit] = true
					var conj []query.Query
					for _, d := range cs {
						if d.unit == c.unit {
							conj = append(conj, fieldTerm(d.field, d.term, d.boost))
						}
					}
					qs = append(qs, query.NewConjunctionQuery(conj))
				}
				continue
			}
			if c.prefix {
				p := query.NewPrefixQuery(c.term)
				p.SetField(c.field)
				p.SetBoost(c.boost)
				qs = append(qs, p)
				continue
			}
			qs = append(qs, fieldTerm(c.field, c.term, c.boost))
		}
		return query.NewDisjunctionQuery(qs)
	}
	bq := &query.BooleanQuery{Must: disj(q.drive)}
	if len(q.common) > 0 {
		bq.Should = disj(q.common)
	}
	if len(q.not) > 0 {
		var nots []query.Query
		for _, t := range q.not {
			nots = append(nots, fieldTerm(q.notField, t, 0))
		}
		bq.MustNot = query.NewDisjunctionQuery(nots)
	}
	if q.filter != "" {
		bq.AddFilter(fieldTerm(q.filterField, q.filter, 0))
	}
	return bq
}

// TestMatchQueryScoresAsBleve: the term-at-a-time query gives the same
// matches, total, order and scores as the Bleve query it stands for, with
// its posting lists cached and read from the index, on the
// bundled articles and on a generated corpus large enough for common words
// to be score-only, before and after incremental updates left deleted
// documents in the segments; for searches, suggestions (prefixes),
// category filters and every audience.
func TestMatchQueryScoresAsBleve(t *testing.T) {
	fsys, err := synth.Corpus(1500, 3)
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.FamilyTie = -1 // a dis_max Bleve has not (see TestSynonymFamilyCountsOnce)
	e := testEngineOpts(t, fsys, o)
	ix := e.ix
	qs := devQueries(t)
	var texts []string
	for i, q := range qs {
		if i%3 == 0 {
			texts = append(texts, q.Query)
		}
	}
	texts = append(texts, "factura", "devolver un pedido", "reembolso", "contraseña olvidada", "zzzz", "the", "ordr")

	compare := func(t *testing.T) {
		t.Helper()
		checked := 0
		for _, locale := range []string{"en", "es"} {
			e.withLocale(locale, func(v *index.View) error {
				seen := map[string]bool{}
				var cats []string
				v.Each(func(a *content.Article) {
					if !seen[a.Category] {
						seen[a.Category] = true
						cats = append(cats, a.Category)
					}
				})
				sort.Strings(cats)
				for i, text := range texts {
					for _, asYouType := range []bool{false, true} {
						mq := testQuery(e, v, text, asYouType)
						if mq == nil {
							continue
						}
						req := Request{Audience: Audience(i % 4)}
						if i%5 == 0 && len(cats) > 0 {
							req.Category = cats[i%len(cats)]
						}
						mq = e.filtered(mq, req)
						// Scorch merges in the background, which changes
						// the statistics of the documents an update
						// deleted: compare on one snapshot, the same
						// before and after.
						uncached := *mq
						uncached.cache = nil
						// Only the best reach the collector: the same page,
						// the total and the facet counted beside it.
						topped := *mq
						var got, gotUncached, gotTop, want ranked
						for try := 0; ; try++ {
							want = run(t, v, mq.bleveQuery())
							got, gotUncached = run(t, v, segment.Query(mq)), run(t, v, segment.Query(&uncached))
							topped.top, topped.facets = 20, v.CategoryCounter()
							gotTop = run(t, v, segment.Query(&topped))
							// A merge between two of the runs changes
							// how ties order: run all again until one
							// snapshot answered them all (a real
							// difference stays for every try).
							again := run(t, v, mq.bleveQuery())
							stable := sameResults(want, again) == "" && sameResults(got, want) == "" && sameResults(gotUncached, want) == ""
							if stable || try == 20 {
								break
							}
							time.Sleep(50 * time.Millisecond)
						}
						checked++
						if msg := sameResults(got, want); msg != "" {
							t.Fatalf("%s %q (as you type %v, %+v): %s", locale, text, asYouType, req, msg)
						}
						if msg := sameResults(gotUncached, want); msg != "" {
							t.Fatalf("%s %q (as you type %v, %+v), postings not cached: %s", locale, text, asYouType, req, msg)
						}
						gotTop.total = uint64(topped.total)
						if msg := sameResults(gotTop, want); msg != "" {
							t.Fatalf("%s %q (as you type %v, %+v), best 20 only: %s", locale, text, asYouType, req, msg)
						}
						counted := 0
						for _, c := range topped.facets.Counts().Top(1000) {
							counted += c.Count
						}
						if counted != topped.total {
							t.Fatalf("%s %q: facets count %d matches, want %d", locale, text, counted, topped.total)
						}
					}
				}
				return nil
			})
		}
		if checked < 200 {
			t.Fatalf("only %d queries compared", checked)
		}
	}
	t.Run("built", compare)

	// Change and remove articles: their old documents stay in the
	// segments as deleted ones until a merge.
	n := 0
	for name, file := range fsys {
		if !strings.HasSuffix(name, ".md") || strings.Contains(name, "/_") {
			continue
		}
		switch n % 7 {
		case 0:
			delete(fsys, name)
		case 1:
			file.Data = append(append([]byte{}, file.Data...), []byte("\n\nUpdated: refunds and invoices are now on the order page.\n")...)
		}
		n++
		if n > 140 {
			break
		}
	}
	if _, err := ix.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Run("updated", compare)
}

type ranked struct {
	ids    []string
	scores []float64
	total  uint64
}

func run(t *testing.T, v *index.View, q query.Query) ranked {
	t.Helper()
	res, err := v.Bleve.Search(bleve.NewSearchRequestOptions(q, 20, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	r := ranked{total: res.Total}
	for _, h := range res.Hits {
		r.ids = append(r.ids, h.ID)
		r.scores = append(r.scores, h.Score)
	}
	return r
}

// sameResults compares two result lists: the same total and scores (to
// 1e-9, relative: Bleve's heap disjunction adds in another order), and the
// same ids where the scores differ.
func sameResults(got, want ranked) string {
	if got.total != want.total || len(got.ids) != len(want.ids) {
		return fmt.Sprintf("total %d, %d hits; want %d and %d", got.total, len(got.ids), want.total, len(want.ids))
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	for i := range got.ids {
		if !close(got.scores[i], want.scores[i]) {
			return fmt.Sprintf("hit %d (%s): score %v, want %v (%s)", i, got.ids[i], got.scores[i], want.scores[i], want.ids[i])
		}
	}
	// ids may differ only within runs of equal scores
	for i := 0; i < len(got.ids); {
		j := i + 1
		for j < len(got.ids) && close(got.scores[j], got.scores[i]) {
			j++
		}
		a, b := append([]string{}, got.ids[i:j]...), append([]string{}, want.ids[i:j]...)
		sort.Strings(a)
		sort.Strings(b)
		if j < len(got.ids) || j == i+1 { // a run cut by the page can hold others
			if strings.Join(a, " ") != strings.Join(b, " ") {
				return fmt.Sprintf("hits %v, want %v", got.ids, want.ids)
			}
		}
		i = j
	}
	return ""
}

func fieldTerm(field, term string, boost float64) *query.TermQuery {
	t := query.NewTermQuery(term)
	t.SetField(field)
	if boost > 0 {
		t.SetBoost(boost)
	}
	return t
}

// testQuery is the query a search (or, asYouType, a suggestion) of text
// runs, as staff see it; nil when nothing in text can match.
func testQuery(e *Engine, v *index.View, text string, asYouType bool) *matchQuery {
	p := e.analyse(v, normalise(text), asYouType, Staff)
	fields := index.TextFields
	if asYouType {
		fields = suggestFields
	}
	return e.buildQuery(v, p, fields)
}
