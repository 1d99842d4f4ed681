package search

import (
	"slices"
	"testing"

	"github.com/marketplace/helpcentre/index"
)

// TestWindowPackedAsAnalyzed: a window remembered packed (its terms pieces
// of one string with the window) has the tokens analyzeWindow gives it, on
// windows of both locales' analyzers: stemmed, lower-cased, folded,
// possessive, empty, punctuation only.
func TestWindowPackedAsAnalyzed(t *testing.T) {
	windows := []string{"order", "Orders,", "deliveries.", "customer's", "Café", "¿Dónde", "está?", "contraseñas", "", "...", "(refund)", "e\u0301", "12kg", "U.S.A.", "ÖRDER", "İstanbul", "don't", "x\u200dy"}
	n := 0
	for _, locale := range []string{"en", "es"} {
		im, err := index.NewMapping(locale)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"body", "question"} {
			an := im.AnalyzerNamed(name)
			if an == nil && name == "body" {
				an = im.AnalyzerNamed(locale)
			}
			if an == nil {
				continue
			}
			for _, w := range windows {
				key, got := analyzeWindowPacked(an, w)
				want := analyzeWindow(an, w)
				n++
				if key != w || !slices.Equal(got, want) {
					t.Errorf("%s %s %q: %q %v, want %v", locale, name, w, key, got, want)
				}
			}
		}
	}
	if n != 4*len(windows) {
		t.Errorf("%d windows compared, want %d", n, 4*len(windows))
	}
}
