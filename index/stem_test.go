package index

import (
	"slices"
	"testing"
)

// TestEnglishStemmerDoubledFinal: the stemmer meets a word ending in a
// doubled consonant with its "-ed" and "-ing" forms ("adding an item" and
// "add items"), and still undoes a doubling added by the suffix.
func TestEnglishStemmerDoubledFinal(t *testing.T) {
	im, err := NewMapping("en")
	if err != nil {
		t.Fatal(err)
	}
	an, err := analyzersOf(im, "en")
	if err != nil {
		t.Fatal(err)
	}
	terms := func(s string) []string {
		var out []string
		for _, tok := range an.Body.Analyze([]byte(s)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	for in, want := range map[string][]string{
		"add adding added adds":     {"add", "add", "add", "add"},
		"staff staffed staffing":    {"staff", "staff", "staff"},
		"hopping shipped stopped":   {"hop", "ship", "stop"},
		"shipping addresses filled": {"ship", "address", "fill"},
	} {
		if got := terms(in); !slices.Equal(got, want) {
			t.Errorf("body terms of %q = %v, want %v", in, got, want)
		}
		var q []string
		for _, tok := range an.Question.Analyze([]byte(in)) {
			q = append(q, string(tok.Term))
		}
		if !slices.Equal(q, want) {
			t.Errorf("question terms of %q = %v, want %v", in, q, want)
		}
	}
}
