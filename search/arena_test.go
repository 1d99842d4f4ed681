package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/search"
)

// A released result's arrays are reused by the next search; the next
// search's page is the same as a fresh one's, and the released result is
// emptied (not left pointing at text another search now writes).
func TestResultRelease(t *testing.T) {
	e := bundledEngine(t)
	ctx := context.Background()
	req := search.Request{Query: "how do I return a damaged item", Locale: "en"}
	page := func(res *search.Result) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.Article.ID+"|"+strings.Clone(string(h.Snippet))+"|"+strings.Clone(h.Why.Summary))
		}
		return out
	}
	first, err := e.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := page(first)
	if len(want) == 0 || !strings.Contains(want[0], "<mark>") || !strings.Contains(want[0], "Matched ") {
		t.Fatalf("a page without snippets or reasons to check: %q", want)
	}
	first.Release()
	if first.Hits != nil || first.Total != 0 {
		t.Errorf("a released result still has %d hits, total %d", len(first.Hits), first.Total)
	}
	first.Release() // twice is harmless
	for _, q := range []string{"invoice", "contact customer service", req.Query} {
		res, err := e.Search(ctx, search.Request{Query: q, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if q == req.Query {
			if got := page(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the same search after a release:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		res.Release()
	}
	// Fewer allocations a search when results are released.
	if raceEnabled {
		return
	}
	kept := testing.AllocsPerRun(50, func() {
		if _, err := e.Search(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
	released := testing.AllocsPerRun(50, func() {
		res, err := e.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		res.Release()
	})
	if released >= kept {
		t.Errorf("%v allocations a released search against %v kept: the arena is not reused", released, kept)
	}
}

// A released deflection gives back its suggestions' array and their
// snippets; a suggestion copied out before keeps its reason and its
// article's fields (the session keeps them) after the next deflection has
// reused the arrays; the next deflection is the same as before.
func TestDeflectionRelease(t *testing.T) {
	e := bundledEngine(t)
	ctx := context.Background()
	req := search.DeflectRequest{Subject: "my parcel arrived damaged, I want a refund", Locale: "en"}
	d, err := e.Deflect(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Suggestions) == 0 || d.Suggestions[0].Snippet == "" {
		t.Fatalf("no suggestion with a snippet to check: %+v", d.Suggestions)
	}
	kept := d.Suggestions[0]
	snip, why, title := strings.Clone(string(kept.Snippet)), strings.Clone(kept.Why.Summary), strings.Clone(kept.Title)
	d.Release()
	if len(d.Suggestions) != 0 {
		t.Errorf("after Release: %d suggestions, want none", len(d.Suggestions))
	}
	d.Release()
	again, err := e.Deflect(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(again.Suggestions[0].Snippet); got != snip {
		t.Errorf("the same deflection after a release: %q, want %q", got, snip)
	}
	if kept.Why.Summary != why || kept.Title != title {
		t.Errorf("a suggestion kept from a released deflection: reason %q, title %q; want %q, %q", kept.Why.Summary, kept.Title, why, title)
	}
	again.Release()
}

// Searches that run at once, each releasing its result, each get their own
// page: an arena is never shared between two results in use.
func TestResultReleaseConcurrent(t *testing.T) {
	e := bundledEngine(t)
	ctx := context.Background()
	qs := []string{"how do I return a damaged item", "invoice", "contact customer service", "refund not received",
		"change delivery address", "cancel my order", "warranty claim", "pago rechazado"}
	page := func(res *search.Result) string {
		var b strings.Builder
		for _, h := range res.Hits {
			b.WriteString(h.Article.ID + "|" + string(h.Snippet) + "|" + h.Why.Summary + "\n")
			for _, m := range h.Why.Matched {
				b.WriteString(m.Word + ":" + strings.Join(m.Fields, ",") + ";")
			}
		}
		return b.String()
	}
	want := map[string]string{}
	for _, q := range qs {
		res, err := e.Search(ctx, search.Request{Query: q, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		want[q] = page(res) // copied out by the builder
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 100 {
				q := qs[(g+i)%len(qs)]
				res, err := e.Search(ctx, search.Request{Query: q, Locale: "en"})
				if err != nil {
					errs <- err
					return
				}
				if got := page(res); got != want[q] {
					errs <- fmt.Errorf("%q at once with others:\n%s\nwant\n%s", q, got, want[q])
					return
				}
				res.Release()
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
