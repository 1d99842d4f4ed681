package index

import (
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
)

// Synonym is a synonym rule with each phrase analysed the way the index
// analysed the fields, so it can be matched against an analysed query and
// expanded into terms for every field.
type Synonym struct {
	From []Phrase // phrases that trigger the rule
	To   []Phrase // phrases added to the query (for an equivalence, all of them)
	Line int
	// Class is the word list the rule was written with ("@places"), or
	// "": such a rule is conditional on the question's topic.
	Class string
}

// Phrase is one side of a rule: the text as the editor wrote it and its terms
// under the question analyzer (titles, aliases, tags) and the body analyzer.
type Phrase struct {
	Text     string
	Question []string
	Body     []string
}

func analyse(an analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range an.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// synonymWords are the folded words of every phrase that triggers a rule:
// such a word is known to the search even when no article uses it, so it is
// never "corrected" into an article word before its rule can fire.
func synonymWords(an Analyzers, rules []content.SynonymRule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		for _, p := range r.From {
			for _, t := range an.Suggest.Analyze([]byte(p)) {
				out[string(t.Term)] = true
			}
		}
	}
	return out
}

// SynonymRef names one triggering phrase: View.Synonyms[Rule].From[From].
type SynonymRef struct{ Rule, From int }

// synonymSet is a locale's compiled rules with their lookups.
type synonymSet struct {
	rules  []Synonym
	starts map[string][]SynonymRef
	words  map[string]bool
}

func compileSynonyms(an Analyzers, rules []content.SynonymRule) synonymSet {
	set := synonymSet{rules: compileRules(an, rules), starts: map[string][]SynonymRef{}, words: synonymWords(an, rules)}
	for ri, r := range set.rules {
		for fi, p := range r.From {
			set.starts[p.Question[0]] = append(set.starts[p.Question[0]], SynonymRef{ri, fi})
		}
	}
	return set
}

func compileRules(an Analyzers, rules []content.SynonymRule) []Synonym {
	out := make([]Synonym, 0, len(rules))
	phrases := func(texts []string) []Phrase {
		ps := make([]Phrase, 0, len(texts))
		for _, t := range texts {
			if q := analyse(an.Question, t); len(q) > 0 {
				ps = append(ps, Phrase{Text: t, Question: q, Body: analyse(an.Body, t)})
			}
		}
		return ps
	}
	for _, r := range rules {
		out = append(out, Synonym{From: phrases(r.From), To: phrases(r.To), Line: r.Line, Class: r.Class})
	}
	return out
}
