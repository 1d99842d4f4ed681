package search_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

var (
	bundledOnce sync.Once
	bundled     *index.Index // closed and removed by TestMain
	bundledDir  string
	bundledEng  *search.Engine
	bundledErr  error
)

// bundledEngine indexes the bundled articles once for the deflection tests.
func bundledEngine(t *testing.T) *search.Engine {
	t.Helper()
	bundledOnce.Do(func() {
		bundledDir, bundledErr = os.MkdirTemp("", "hc-deflect-")
		if bundledErr != nil {
			return
		}
		bundled, bundledErr = index.Open(context.Background(), bundledDir, content.Bundled(), nil)
		bundledEng = search.New(bundled, search.DefaultOptions())
	})
	if bundledErr != nil {
		t.Fatal(bundledErr)
	}
	return bundledEng
}

func deflect(t *testing.T, req search.DeflectRequest) *search.Deflection {
	t.Helper()
	d, err := bundledEngine(t).Deflect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeflectAnswers(t *testing.T) {
	for _, c := range []struct {
		subject, body, locale, want string
	}{
		{"where is my invoce", "", "en", "invoice-find"},
		{"Refund", "I sent the parcel back two weeks ago and I still have not received my money. When will I get my refund?", "en", ""},
		{"cancel my order", "", "en", "order-cancel"},
		{"", "Hello, I need to cancel my order please, I ordered the wrong thing yesterday.", "en", "order-cancel"},
		{"cancelar mi pedido", "", "es", "order-cancel"},
	} {
		d := deflect(t, search.DeflectRequest{Subject: c.subject, Body: c.body, Locale: c.locale})
		if len(d.Suggestions) == 0 {
			t.Errorf("%q %q: no suggestion", c.subject, c.body)
			continue
		}
		if len(d.Suggestions) > search.MaxDeflect {
			t.Errorf("%q: %d suggestions", c.subject, len(d.Suggestions))
		}
		if d.Threshold != search.DefaultOptions().DeflectThreshold {
			t.Errorf("threshold %v", d.Threshold)
		}
		var got []string
		for i, s := range d.Suggestions {
			got = append(got, s.ID)
			if s.Confidence < d.Threshold || s.Confidence > 1 || s.Title == "" || s.URL == "" || s.Why.Summary == "" || s.Snippet == "" {
				t.Errorf("%q: suggestion %+v", c.subject, s)
			}
			if i > 0 && s.Confidence > d.Suggestions[i-1].Confidence {
				t.Errorf("%q: confidences out of order", c.subject)
			}
		}
		if c.want != "" && !contains(got, c.want) {
			t.Errorf("%q %q: got %v, want %s among them", c.subject, c.body, got, c.want)
		}
	}
}

func TestDeflectTypoReported(t *testing.T) {
	d := deflect(t, search.DeflectRequest{Subject: "where is my invoce"})
	if d.Corrected != "where is my invoice" {
		t.Errorf("corrected %q", d.Corrected)
	}
	if len(d.Suggestions) == 0 || !strings.Contains(d.Suggestions[0].Why.Summary, `"invoce" as "invoice"`) {
		t.Errorf("why: %+v", d.Suggestions)
	}
}

// Messages the articles do not answer get nothing rather than whatever
// shares a word with them.
func TestDeflectOutOfScope(t *testing.T) {
	for _, q := range []struct{ text, locale string }{
		{"I want a pizza", "en"}, {"hello", "en"}, {"what's the weather", "en"},
		{"thanks", "en"}, {"", "en"}, {"hola", "es"}, {"quiero una pizza", "es"},
	} {
		d := deflect(t, search.DeflectRequest{Subject: q.text, Locale: q.locale})
		if len(d.Suggestions) != 0 {
			t.Errorf("%q: got %s (%.2f)", q.text, d.Suggestions[0].ID, d.Suggestions[0].Confidence)
		}
		if d.Suggestions == nil {
			t.Errorf("%q: nil suggestions (JSON null)", q.text)
		}
	}
}

// A long body is cut, not rejected, even beyond the search's byte limit.
func TestDeflectLongBody(t *testing.T) {
	body := "I would like to return the shoes I bought, they are too small. " + strings.Repeat("Thank you very much for your help. ", 200)
	d := deflect(t, search.DeflectRequest{Subject: "Return", Body: body})
	if !d.Truncated || len(d.Query) > search.DefaultOptions().MaxQueryBytes {
		t.Errorf("truncated %v, query of %d bytes", d.Truncated, len(d.Query))
	}
	if len(d.Suggestions) == 0 || !strings.HasPrefix(d.Suggestions[0].ID, "return") {
		t.Errorf("got %+v", d.Suggestions)
	}
	huge := strings.Repeat("x", 1<<20)
	if _, err := bundledEngine(t).Deflect(context.Background(), search.DeflectRequest{Subject: huge, Body: huge}); err != nil {
		t.Errorf("1 MB subject and body: %v", err)
	}
}

func TestDeflectMaxAndErrors(t *testing.T) {
	d := deflect(t, search.DeflectRequest{Subject: "refund", Max: 1})
	if len(d.Suggestions) > 1 {
		t.Errorf("max 1: got %d", len(d.Suggestions))
	}
	if _, err := bundledEngine(t).Deflect(context.Background(), search.DeflectRequest{Subject: "refund", Locale: "xx"}); err == nil {
		t.Error("unknown locale: no error")
	}
}

// BenchmarkDeflect10k runs the bitext dev questions through Deflect against
// 10,000 articles; compare with BenchmarkSearch10kNoFacets.
func BenchmarkDeflect10k(b *testing.B) {
	e := search.New(index10k(b), search.DefaultOptions())
	qs := devQueries(b)
	measure(b, func(ctx context.Context, i int) error {
		_, err := e.Deflect(ctx, search.DeflectRequest{Subject: qs[i%len(qs)].Query, Locale: "en"})
		return err
	})
}

// BenchmarkDeflect10kLong is the same with a subject and a long body.
func BenchmarkDeflect10kLong(b *testing.B) {
	e := search.New(index10k(b), search.DefaultOptions())
	qs := devQueries(b)
	measure(b, func(ctx context.Context, i int) error {
		body := "Hello, I hope you can help me. " + qs[(i+1)%len(qs)].Query + ". I have been a customer for years and never had a problem before, thanks in advance for your answer."
		_, err := e.Deflect(ctx, search.DeflectRequest{Subject: qs[i%len(qs)].Query, Body: body, Locale: "en"})
		return err
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Off-topic questions get no suggestion: a city named in a question about
// the weather is no question about delivering there, and articles matched
// on "in", "the" and "is" alone are no answer.
func TestDeflectOffTopicShowsNothing(t *testing.T) {
	for _, q := range []string{
		"what is the weather in Paris tomorrow",
		"who won the football match last night",
		"hello",
	} {
		d := deflect(t, search.DeflectRequest{Subject: q, Locale: "en"})
		for _, s := range d.Suggestions {
			t.Errorf("%q: suggested %s (confidence %.2f, %s)", q, s.ID, s.Confidence, s.Why.Summary)
		}
	}
	// nor does the help centre's search list anything for the weather or
	// a greeting (matched on "what", "is", "the", "in" alone before)
	for _, q := range []string{"what is the weather in Paris tomorrow", "hello"} {
		res, err := bundledEngine(t).Search(context.Background(), search.Request{Query: q, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("%q: search lists %d articles", q, res.Total)
		}
	}
	// and as-you-type suggestions never list a title matched on its stop
	// words alone ("Who pays for return shipping?" for "who won the …")
	for _, q := range []string{"who won the football match last night", "what is the weather in Paris tomorrow", "hello"} {
		sg, err := bundledEngine(t).Suggest(context.Background(), q, "en", search.Anonymous, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sg {
			if s.ID == "return-conditions" || q != "who won the football match last night" {
				t.Errorf("%q: suggests %s", q, s.ID)
			}
		}
	}
	// the same place in a question about delivery still reaches the delivery countries
	d := deflect(t, search.DeflectRequest{Subject: "do you deliver to Paris", Locale: "en"})
	if len(d.Suggestions) == 0 || d.Suggestions[0].ID != "delivery-options" {
		t.Errorf("do you deliver to Paris: %+v, want delivery-options first", d.Suggestions)
	}
}

// A reason never cites a stop word as evidence.
func TestWhyListsNoStopWords(t *testing.T) {
	res, err := bundledEngine(t).Search(context.Background(), search.Request{Query: "where is my invoce", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	stop := map[string]bool{"where": true, "is": true, "my": true}
	if res.Total > 12 || len(res.Hits) != min(res.Total, 10) {
		t.Errorf("total %d, %d hits: articles matched on stop words alone are listed", res.Total, len(res.Hits))
	}
	for _, h := range res.Hits {
		if len(h.Why.Matched) == 0 {
			t.Errorf("%s: listed on stop words alone", h.Article.ID)
		}
		for _, m := range h.Why.Matched {
			if stop[m.Word] {
				t.Errorf("%s: why cites %q (%s)", h.Article.ID, m.Word, h.Why.Summary)
			}
		}
	}
}
