package index

import (
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
)

// TestCompileSynonymsAsBefore compares the compiled rules, whose phrases and
// terms share arrays and interned strings, with each phrase analysed into
// slices of its own (as they were), on the generated corpus's rules in both
// locales and on odd phrases (one that analyses to nothing, one the body
// analyzer stems differently, a repeated first word).
func TestCompileSynonymsAsBefore(t *testing.T) {
	set := generatedSet(t, 200)
	for _, locale := range []string{"en", "es"} {
		an := localeAnalyzers(t, locale)
		rules := append([]content.SynonymRule{
			{From: []string{"...", "Orders shipped", "orders"}, To: []string{"", "parcels delivered"}, Line: 1, Class: "@x"},
			{From: []string{"!!"}, To: []string{"order"}, Line: 2},
		}, set.Synonyms[locale]...)
		if len(rules) < 50 {
			t.Fatalf("%s: only %d rules", locale, len(rules))
		}
		got := compileSynonyms(an, rules)
		want := compileSynonymsApart(an, rules)
		if !reflect.DeepEqual(got.rules, want.rules) {
			t.Fatalf("%s: rules differ", locale)
		}
		if !reflect.DeepEqual(got.starts, want.starts) || !reflect.DeepEqual(got.words, want.words) {
			t.Fatalf("%s: starts or words differ", locale)
		}
	}
}

// compileSynonymsApart is compileSynonyms as it was.
func compileSynonymsApart(an Analyzers, rules []content.SynonymRule) synonymSet {
	analyse := func(a analysis.Analyzer, s string) []string {
		var out []string
		for _, t := range a.Analyze([]byte(s)) {
			out = append(out, string(t.Term))
		}
		return out
	}
	phrases := func(texts []string) []Phrase {
		ps := make([]Phrase, 0, len(texts))
		for _, t := range texts {
			if q := analyse(an.Question, t); len(q) > 0 {
				ps = append(ps, Phrase{Text: t, Question: q, Body: analyse(an.Body, t)})
			}
		}
		return ps
	}
	set := synonymSet{starts: map[string][]SynonymRef{}, words: map[string]bool{}}
	for _, r := range rules {
		set.rules = append(set.rules, Synonym{From: phrases(r.From), To: phrases(r.To), Line: r.Line, Class: r.Class})
		for _, p := range r.From {
			for _, t := range an.Suggest.Analyze([]byte(p)) {
				set.words[string(t.Term)] = true
			}
		}
	}
	for ri, r := range set.rules {
		for fi, p := range r.From {
			set.starts[p.Question[0]] = append(set.starts[p.Question[0]], SynonymRef{ri, fi})
		}
	}
	return set
}
