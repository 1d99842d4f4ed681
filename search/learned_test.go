package search_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// table is a fixed learned table.
type table map[string]map[string]map[string]float64

func (t table) Associations(locale string) map[string]map[string]float64 { return t[locale] }

func top(t *testing.T, e *search.Engine, q string, n int) []string {
	t.Helper()
	res, err := e.Search(context.Background(), search.Request{Query: q, Locale: "en", NoSnippets: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits[:min(n, len(res.Hits))] {
		out = append(out, h.Article.ID)
	}
	return out
}

func TestQueryKeyWords(t *testing.T) {
	e := bundledEngine(t)
	for q, want := range map[string]string{
		"I want to cancel my ordr 12345 on March 3": "cancel order",
		"ｃａｎｃｅｌ u pls":                              "cancel",
		"how do I":                                  "",
		"Refunds, refund!":                          "refund",
	} {
		if got := domain.AssociationKey(e.QueryKeyWords("en", q)); got != want {
			t.Errorf("%q: got key %q, want %q", q, got, want)
		}
	}
	if got := e.QueryKeyWords("xx", "cancel"); got != nil {
		t.Errorf("unknown locale: %q", got)
	}
}

// visitors makes n visitors (each from their own address) search q and
// click and find helpful article, or flood from one address when client
// is set.
func visitors(start time.Time, prefix, q, article string, n int, client string) []domain.SearchEvent {
	var log []domain.SearchEvent
	for i := range n {
		v := fmt.Sprintf("%s-v%d", prefix, i)
		c := client
		if c == "" {
			c = fmt.Sprintf("%s-c%d", prefix, i)
		}
		at := start.Add(time.Duration(i) * time.Minute)
		id := fmt.Sprintf("%s-q%d", prefix, i)
		pos := 1
		log = append(log,
			domain.SearchEvent{Type: domain.SearchQuery, At: at, QueryID: id, Visitor: v, Client: c, Locale: "en", Query: q, Source: "search"},
			domain.SearchEvent{Type: domain.SearchClick, At: at.Add(5 * time.Second), QueryID: id, Visitor: v, Client: c, Article: article, Position: &pos},
			domain.SearchEvent{Type: domain.SearchHelpful, At: at.Add(30 * time.Second), QueryID: id, Visitor: v, Client: c, Article: article})
	}
	return log
}

func learn(t *testing.T, e *search.Engine, log []domain.SearchEvent, now time.Time) table {
	t.Helper()
	slices.SortStableFunc(log, func(a, b domain.SearchEvent) int { return a.At.Compare(b.At) })
	return table(domain.LearnedTable(domain.Learn(log, e.QueryKeyWords, domain.DefaultLearnParams(), now)))
}

// Five head questions flooded from one address (300 clicks and votes each,
// by one visitor, then by 300 visitor ids) for an unrelated article: the
// flood counts once, and their top results do not move.
func TestLearnedFloodMovesNothing(t *testing.T) {
	e := bundledEngine(t)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	head := []string{"how do I cancel my order", "where is my package", "I want a refund", "I forgot my password", "change my shipping address"}
	const unrelated = "newsletter-subscribe"
	var log []domain.SearchEvent
	for i, q := range head {
		for j := range 300 { // one visitor, one address, 300 searches
			log = append(log, visitors(start.Add(time.Duration(i*300+j)*time.Second), fmt.Sprintf("one%d-%d", i, j), q, unrelated, 1, "flood")...)
			log[len(log)-3].Visitor, log[len(log)-2].Visitor, log[len(log)-1].Visitor = "flooder", "flooder", "flooder"
		}
		log = append(log, visitors(start.Add(time.Hour), fmt.Sprintf("many%d", i), q, unrelated, 300, "flood")...)
	}
	learned := learn(t, e, log, start.Add(24*time.Hour))
	with := e.WithLearned(learned)
	for _, q := range head {
		before, after := top(t, e, q, 5), top(t, with, q, 5)
		if !slices.Equal(before, after) {
			t.Errorf("%q: top 5 %v, after the flood %v", q, before, after)
		}
		if slices.Contains(after[:3], unrelated) {
			t.Errorf("%q: the flooded article is in the top 3: %v", q, after)
		}
	}
}

// What five visitors taught about one phrasing lifts the article for a new
// phrasing with the same content words, and for one sharing some of them;
// "not helpful" from five visitors lowers it.
func TestLearnedGeneralises(t *testing.T) {
	e := bundledEngine(t)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	q, other, partial := "money back for my purchase", "purchase money back please", "money back"
	before := top(t, e, other, 10)
	// an article the search ranks last of those both phrasings find
	// (learning lifts what a search finds, it does not add to it)
	found := top(t, e, partial, 10)
	want := ""
	for _, id := range before {
		if slices.Contains(found, id) {
			want = id
		}
	}
	learned := learn(t, e, visitors(start, "a", q, want, 5, ""), start.Add(time.Hour))
	with := e.WithLearned(learned)
	if got := top(t, with, other, 1); len(got) == 0 || got[0] != want {
		t.Errorf("%q: top %v, want %s first (before: %v)", other, got, want, before)
	}
	if got := top(t, with, partial, 3); !slices.Contains(got, want) {
		t.Errorf("%q: top 3 %v, want %s among them", partial, got, want)
	}
	first := top(t, e, "cancel my order", 1)[0]
	var neg []domain.SearchEvent
	for _, ev := range visitors(start, "n", "cancel my order", first, 5, "") {
		if ev.Type == domain.SearchHelpful {
			ev.Type = domain.SearchNotHelpful
		}
		neg = append(neg, ev)
	}
	if got := top(t, e.WithLearned(learn(t, e, neg, start.Add(time.Hour))), "cancel my order", 1); got[0] == first {
		t.Errorf("not helpful from five visitors: %s still first", first)
	}
}

// A low-information question (one content word, or only an order number)
// gets the popularity prior of what visitors asking such things opened.
func TestLearnedLowInformationPrior(t *testing.T) {
	e := bundledEngine(t)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	before := top(t, e, "order", 10)
	want := before[len(before)-1]
	var log []domain.SearchEvent
	for i, q := range []string{"order 1234", "order #5678", "order?", "my order", "order 42"} {
		log = append(log, visitors(start.Add(time.Duration(i)*time.Hour), fmt.Sprintf("l%d", i), q, want, 2, "")...)
	}
	learned := learn(t, e, log, start.Add(6*time.Hour))
	if len(learned["en"][domain.LowInformationKey]) == 0 {
		t.Fatalf("no low-information prior learned: %v", learned)
	}
	if got := top(t, e.WithLearned(learned), "order 99999", 3); !slices.Contains(got, want) {
		t.Errorf("order 99999: top 3 %v, want %s among them (before: %v)", got, want, before)
	}
}

// An empty table, or one with nothing for the query, changes no score.
func TestLearnedEmptyChangesNothing(t *testing.T) {
	e := bundledEngine(t)
	other := table{"en": {"zzz": {"newsletter-subscribe": 5}}}
	for _, l := range []search.Learned{table{}, other} {
		with := e.WithLearned(l)
		f, err := os.Open("testdata/bitext/queries_dev.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		qs, err := search.ReadQueries(f, "dev")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs[:100] {
			a, err := e.Search(context.Background(), search.Request{Query: q.Query, Locale: "en", NoSnippets: true})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := with.Search(context.Background(), search.Request{Query: q.Query, Locale: "en", NoSnippets: true})
			if len(a.Hits) != len(b.Hits) || a.Total != b.Total {
				t.Fatalf("%q: %d hits, with the table %d", q.Query, len(a.Hits), len(b.Hits))
			}
			for i := range a.Hits {
				if a.Hits[i].Article.ID != b.Hits[i].Article.ID || a.Hits[i].Score != b.Hits[i].Score {
					t.Fatalf("%q: hit %d %s %v, with the table %s %v", q.Query, i, a.Hits[i].Article.ID, a.Hits[i].Score, b.Hits[i].Article.ID, b.Hits[i].Score)
				}
			}
		}
	}
}
