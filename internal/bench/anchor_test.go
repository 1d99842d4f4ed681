package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnchorAnswers builds the plain Bleve anchor on a tiny corpus: one
// segment, a title match above a body match, id and title in the answer,
// each locale searching its own articles, a bad locale a 400.
func TestAnchorAnswers(t *testing.T) {
	dir := t.TempDir()
	write := func(p, text string) {
		t.Helper()
		p = filepath.Join(dir, "content", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("en/orders/refund-time.md", "---\ntitle: How long does a refund take?\n---\n\nMoney goes back to your card.\n")
	write("en/orders/cancel.md", "---\nid: cancel-order\ntitle: Cancel an order\n---\n\nBefore it ships you can cancel; a refund follows.\n")
	write("es/pedidos/reembolso.md", "---\ntitle: ¿Cuánto tarda un reembolso?\n---\n\nEl dinero vuelve a tu tarjeta.\n")
	write("en/orders/_category.yaml", "title: Orders\n")
	ix, segs, docs, err := buildAnchor(t.Context(), filepath.Join(dir, "content"), filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if segs != 1 || docs != 3 {
		t.Errorf("%d docs in %d segments, want 3 in 1", docs, segs)
	}
	srv := httptest.NewServer(anchorHandler(ix, nil))
	defer srv.Close()
	search := func(q, locale string, want int) []anchorHit {
		t.Helper()
		res, err := http.Get(srv.URL + "/search?q=" + strings.ReplaceAll(q, " ", "+") + "&locale=" + locale)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("%q: %d, want %d", q, res.StatusCode, want)
		}
		var out struct{ Hits []anchorHit }
		json.NewDecoder(res.Body).Decode(&out)
		return out.Hits
	}
	hits := search("refund", "en", 200)
	if len(hits) != 2 || hits[0] != (anchorHit{"refund-time", "How long does a refund take?"}) || hits[1].ID != "cancel-order" {
		t.Errorf("refund: %+v, want the title match first, then the body match", hits)
	}
	if hits := search("reembolso", "es", 200); len(hits) != 1 || hits[0].ID != "reembolso" {
		t.Errorf("reembolso: %+v", hits)
	}
	if hits := search("reembolso", "en", 200); len(hits) != 0 {
		t.Errorf("Spanish word in English: %+v", hits)
	}
	search("refund", "fr", 400)
}

// TestDistinctStream: every bundled question once, then generated ones up
// to n, no two alike, the same for the same seed.
func TestDistinctStream(t *testing.T) {
	bundled := []benchQuery{{"where is my invoice", "en"}, {"Where is my invoice ", "en"}, {"factura", "es"}}
	a, err := distinctStream(bundled, 5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := distinctStream(bundled, 5000, 1)
	if len(a) != 5000 || len(b) != 5000 {
		t.Fatalf("got %d and %d questions, want 5000", len(a), len(b))
	}
	seen := map[benchQuery]bool{}
	locales := map[string]int{}
	for i, q := range a {
		k := benchQuery{strings.ToLower(q.q), q.locale}
		if seen[k] {
			t.Fatalf("%q twice", q.q)
		}
		seen[k] = true
		locales[q.locale]++
		if b[i] != q {
			t.Fatalf("not deterministic at %d: %q, %q", i, q, b[i])
		}
	}
	if !seen[benchQuery{"where is my invoice", "en"}] || !seen[benchQuery{"factura", "es"}] {
		t.Error("a bundled question is missing")
	}
	if locales["es"] < 1000 || locales["en"] < 2500 {
		t.Errorf("locales: %v, want about two thirds English", locales)
	}
}
