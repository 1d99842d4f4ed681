package synth_test

import (
	"testing"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
)

// TestCorpusIsClean: generated articles load without a single problem, in
// both locales, and the corpus is the same for the same seed.
func TestCorpusIsClean(t *testing.T) {
	fsys, err := synth.Corpus(2000, 7)
	if err != nil {
		t.Fatal(err)
	}
	set, _, err := content.NewLoader(fsys).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Diagnostics) > 0 {
		t.Fatalf("%d problems, first: %s", len(set.Diagnostics), set.Diagnostics[0])
	}
	locales := map[string]int{}
	for k := range set.Articles {
		locales[k.Locale]++
	}
	if locales["en"] < 1300 || locales["es"] < 650 {
		t.Errorf("articles per locale: %v", locales)
	}
	again, _ := synth.Corpus(2000, 7)
	for p, f := range fsys {
		if g, ok := again[p]; !ok || string(g.Data) != string(f.Data) {
			t.Fatalf("same seed, different corpus at %s", p)
		}
	}
}
