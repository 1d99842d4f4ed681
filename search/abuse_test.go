package search

import (
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/index"
)

// randomWords returns n random lower-case words of 8 to 20 letters: none is
// a word of the language or of the articles, so each one would go to the
// typo corrector.
func randomWords(r *rand.Rand, n int) string {
	words := make([]string, n)
	for i := range words {
		b := make([]byte, 8+r.IntN(13))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(b)
	}
	return strings.Join(words, " ")
}

// The typo corrector's work is bounded per query: of 32 random unknown
// words only the first maxTypoLookups are looked up, a word longer than
// maxTypoRunes never is, and ordinary misspellings are still corrected.
func TestTypoWorkIsBounded(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/invoice.md": article("invoice-find", "Where is my invoice?", `"download an invoice"`, "Invoices are in My account."),
		"en/a/refund.md":  article("refund-status", "Where is my refund?", "", "Refunds take five days."),
	}
	e := testEngine(t, fsys)
	r := rand.New(rand.NewPCG(1, 2))
	_, err := e.withLocale("en", func(v *index.View) error {
		q := randomWords(r, 32)
		p := e.analyse(v, normalise(q), false, Staff)
		if len(p.words) < 32 {
			t.Fatalf("%d words analysed, want at least 32", len(p.words))
		}
		if p.typoWork > maxTypoLookups {
			t.Errorf("%d typo look-ups for 32 random words, want at most %d", p.typoWork, maxTypoLookups)
		}
		if p.typoSteps > maxTypoSteps {
			t.Errorf("%d automaton steps, want at most %d", p.typoSteps, maxTypoSteps)
		}
		if p.typoWork != maxTypoLookups {
			t.Errorf("%d typo look-ups, want the bound %d (the test no longer reaches it)", p.typoWork, maxTypoLookups)
		}
		long := strings.Repeat("invoice", 3) + "x" // 22 letters
		if p := e.analyse(v, long, false, Anonymous); p.typoWork != 0 || len(p.corrections) != 0 {
			t.Errorf("%q: %d look-ups, corrections %v: longer than %d letters, want none", long, p.typoWork, p.corrections, maxTypoRunes)
		}
		if p := e.analyse(v, "where is my invoce", false, Anonymous); len(p.corrections) != 1 || p.corrections[0].To != "invoice" {
			t.Errorf("a plain typo: corrections %v, want invoce → invoice", p.corrections)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
