package index

import (
	"slices"
	"testing"
)

// TestEnglishStemmer: the stemmer meets a word ending in a doubled
// consonant with its "-ed" and "-ing" forms ("adding an item" and "add
// items") and a word with its irregular forms ("paid", "forgotten"), still
// undoes a doubling added by the suffix, and leaves alone a form that is a
// word of its own ("left", "found").
func TestEnglishStemmer(t *testing.T) {
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
		"pay paid paying":           {"pai", "pai", "pai"},
		"forget forgot forgotten":   {"forget", "forget", "forget"},
		"buy bought":                {"bui", "bui"},
		"left found":                {"left", "found"},
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
