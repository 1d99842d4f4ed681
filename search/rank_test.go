package search

import (
	"context"
	"fmt"
	"os"
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

func article(id, title, aliases, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(fmt.Sprintf("---\nid: %s\ntitle: %q\naliases: [%s]\n---\n\n%s\n", id, title, aliases, body))}
}

func testEngine(t testing.TB, fsys fstest.MapFS) *Engine {
	return testEngineOpts(t, fsys, DefaultOptions())
}

func testEngineOpts(t testing.TB, fsys fstest.MapFS, o Options) *Engine {
	t.Helper()
	ix, err := index.Open(context.Background(), t.TempDir(), fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return New(ix, o)
}

// devQueries reads the bitext dev questions.
func devQueries(t testing.TB) []EvalQuery {
	t.Helper()
	f, err := os.Open("testdata/bitext/queries_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQueries(f, "dev")
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func ids(res *Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Article.ID)
	}
	return out
}

// The rerank moves ahead an article whose own question the query covers,
// past one with a higher Bleve score whose questions it barely touches.
func TestRerankPrefersCoveredQuestion(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/policy.md":  article("refund-policy", "What is the refund policy?", `"refund rules"`, "Refunds are issued for returned items."),
		"en/a/request.md": article("refund-request", "How do I ask for a refund?", `"request a refund for my order"`, "Ask for a refund on the order page."),
		"en/a/other.md":   article("delivery", "How long does delivery take?", "", "Delivery takes two days."),
	}
	e := testEngine(t, fsys)
	_, err := e.withLocale("en", func(v *index.View) error {
		p := e.analyse(v, "refund rules", false, Staff)
		hits := []*docHit{
			{ID: "refund-request", Score: 1.0},
			{ID: "refund-policy", Score: 0.7},
			{ID: "delivery", Score: 0.1},
		}
		e.rerank(v, p, hits, 10)
		if hits[0].ID != "refund-policy" || hits[2].ID != "delivery" {
			t.Errorf("reranked: %s %s %s", hits[0].ID, hits[1].ID, hits[2].ID)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("scores out of order")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Pages stay consistent when the first ones are reranked: every hit once,
// whatever the page size.
func TestRerankPaging(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := range 25 {
		id := fmt.Sprintf("a%02d", i)
		fsys["en/a/"+id+".md"] = article(id, fmt.Sprintf("Order question %d", i), fmt.Sprintf(`"order topic %d"`, i), fmt.Sprintf("Your order %s.", id))
	}
	e := testEngine(t, fsys)
	all, err := e.Search(context.Background(), Request{Query: "order question", Locale: "en", PerPage: 30})
	if err != nil {
		t.Fatal(err)
	}
	want := ids(all)
	if len(want) != 25 {
		t.Fatalf("%d hits, want 25", len(want))
	}
	for _, per := range []int{3, 5, 7, 10, 12} {
		var got []string
		for page := 1; len(got) < len(want); page++ {
			res, err := e.Search(context.Background(), Request{Query: "order question", Locale: "en", PerPage: per, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				break
			}
			got = append(got, ids(res)...)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("per page %d: %v, want %v", per, got, want)
		}
	}
}

func TestSplitJoinedWords(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/pay.md": article("payment-methods", "Which payment options can I use?", "", "Pay by card or bank transfer."),
	}
	e := testEngine(t, fsys)
	res, err := e.Search(context.Background(), Request{Query: "allowed paymentoptions", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Corrected != "allowed payment options" {
		t.Errorf("corrected = %q", res.Corrected)
	}
	if got := ids(res); len(got) == 0 || got[0] != "payment-methods" {
		t.Errorf("hits = %v", got)
	}
}

func TestArtCacheBounded(t *testing.T) {
	c := newArtCache(4)
	for i := range 20 {
		a := &content.Article{ID: fmt.Sprint(i)}
		c.terms.get(a, func() (*artTerms, error) { return &artTerms{}, nil })
		if n := c.terms.len(); n > 8 {
			t.Fatalf("cache holds %d entries, at most 8", n)
		}
	}
}

func TestConcurrentSearches(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := range 30 {
		id := fmt.Sprintf("a%02d", i)
		fsys["en/a/"+id+".md"] = article(id, fmt.Sprintf("How do I change order %d?", i), `"modify my order"`, "Change the order in your account.")
	}
	e := testEngine(t, fsys)
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 50 {
				_, err = e.Search(context.Background(), Request{Query: fmt.Sprintf("chnage my order %d", (g*50+i)%30), Locale: "en"})
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// A place name no article contains reaches the article on where we deliver
// through an @places rule, is never "corrected" into an article word, and
// the reason names the rule.
func TestPlacesReachDeliveryCountries(t *testing.T) {
	fsys := fstest.MapFS{
		"en/delivery/countries.md": article("delivery-options", "Where do we deliver?", `"which countries do you ship to"`, "Shops deliver to the countries shown at checkout."),
		"en/orders/order.md":       article("order-place", "How do I place an order?", `"how to buy"`, "Add items to the basket and order them."),
		"en/news/tornado.md":       article("weather", "Storm delays", `"tornado warning"`, "Severe weather delays parcels."),
		"en/delivery/late.md":      article("delivery-late", "My order is late", "", "Parcels take three to five days."),
	}
	q := Request{Query: "can I order from Toronto"}
	has := func(res *Result) bool {
		for _, id := range ids(res) {
			if id == "delivery-options" {
				return true
			}
		}
		return false
	}
	res, err := testEngine(t, fsys).Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if has(res) {
		t.Fatalf("without the rule: hits %v, want no delivery-options", ids(res))
	}
	fsys["en/synonyms.txt"] = &fstest.MapFile{Data: []byte("@places => countries we deliver to\n")}
	res, err = testEngine(t, fsys).Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if !has(res) {
		t.Fatalf("hits %v, want delivery-options", ids(res))
	}
	if res.Corrected != "" {
		t.Errorf("corrected to %q: a place is not a typo", res.Corrected)
	}
	var syn []SynonymUse
	for _, h := range res.Hits {
		if h.Article.ID == "delivery-options" {
			syn = h.Why.Synonyms
		}
	}
	if len(syn) != 1 || syn[0].From != "toronto" || syn[0].To != "countries we deliver to" {
		t.Errorf("why.synonyms = %+v", syn)
	}
	// A place in a question about something else is no question about
	// delivering there: the rule, written with a word list, fires only
	// when the question's other words are of its topic (or it has none).
	e := testEngine(t, fsys)
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"is there a tornado warning in Toronto tomorrow", false},
		{"Toronto", true},
		{"do you ship to Toronto", true},
	} {
		res := runQuery(t, e, c.q)
		if got := has(res); got != c.want {
			t.Errorf("%q: delivery-options among %v is %v, want %v", c.q, ids(res), got, c.want)
		}
	}
}

// A word of the language that no article uses is the customer's own word,
// not a typo: it is left as typed (and so finds nothing), while a misspelling
// is still corrected; the same in Spanish, accents aside.
func TestRealWordsAreNotTypos(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/return.md": article("return-how", "How do I return an item?", `"returning a parcel"`, "Returning is free within 30 days."),
		"en/a/bill.md":   article("invoice-find", "Where is my invoice?", "", "Invoices are in My account."),
		"es/a/pass.md":   article("restablecer", "Restablecer la contraseña", "", "Pulsa ¿Has olvidado tu contraseña?"),
	}
	e := testEngine(t, fsys)
	for _, c := range []struct{ locale, q, corrected string }{
		{"en", "is Messi retiring", ""},                     // "retiring" is a word, not "returning" misspelt
		{"en", "where is my invoce", "where is my invoice"}, // a typo
		{"es", "contraseña olvidada", ""},                   // "olvidada" is Spanish
		{"es", "contrasenia", "contraseña"},                 // a typo, in the articles' spelling
	} {
		res, err := e.Search(context.Background(), Request{Query: c.q, Locale: c.locale, NoFallback: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Corrected != c.corrected {
			t.Errorf("%s %q: corrected = %q, want %q", c.locale, c.q, res.Corrected, c.corrected)
		}
	}
}

// Words of asking ("want", "help") weigh little: the article about the
// topic of the question wins over one whose own words are the request's.
func TestFillerWordsWeighLittle(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/help.md":   article("help", "Get help from our team", `"I want to talk to someone"`, "Our team helps you by chat."),
		"en/a/cancel.md": article("order-cancel", "How do I cancel an order?", `"cancel my purchase"`, "Cancel the order from its page."),
	}
	q := "I want help to cancel"
	if got := ids(runQuery(t, testEngine(t, fsys), q)); len(got) == 0 || got[0] != "order-cancel" {
		t.Errorf("%q: %v, want order-cancel first", q, got)
	}
	o := DefaultOptions()
	o.FillerWeight = 1
	if got := ids(runQuery(t, testEngineOpts(t, fsys, o), q)); len(got) == 0 || got[0] != "help" {
		t.Errorf("%q at full weight: %v, want help first (the test no longer shows the weight at work)", q, got)
	}
}

func runQuery(t *testing.T, e *Engine, q string) *Result {
	t.Helper()
	res, err := e.Search(context.Background(), Request{Query: q, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
