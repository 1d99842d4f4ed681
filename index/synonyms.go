package index

import (
	"slices"

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

// interner hands out one copy of each string: a locale's rules repeat the
// same few hundred words across thousands of phrases ("order", "refund"),
// and each copy was an object of its own the collector marked on every cycle.
type interner map[string]string

func (in interner) of(b []byte) string {
	if s, ok := in[string(b)]; ok { // the lookup converts without allocating
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// synonymWords are the folded words of every phrase that triggers a rule:
// such a word is known to the search even when no article uses it, so it is
// never "corrected" into an article word before its rule can fire.
func synonymWords(an Analyzers, rules []content.SynonymRule, in interner) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		for _, p := range r.From {
			for _, t := range an.Suggest.Analyze([]byte(p)) {
				out[in.of(t.Term)] = true
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
	in := interner{}
	set := synonymSet{rules: compileRules(an, rules, in), words: synonymWords(an, rules, in)}
	// The refs of every first term are windows of one array, in rule order.
	count := map[string]int{}
	n := 0
	for _, r := range set.rules {
		for _, p := range r.From {
			count[p.Question[0]]++
			n++
		}
	}
	refs := make([]SynonymRef, n)
	set.starts = make(map[string][]SynonymRef, len(count))
	for ri, r := range set.rules {
		for fi, p := range r.From {
			first := p.Question[0]
			got, ok := set.starts[first]
			if !ok {
				c := count[first]
				got, refs = refs[:0:c], refs[c:]
			}
			set.starts[first] = append(got, SynonymRef{ri, fi})
		}
	}
	return set
}

// compileRules analyses every phrase of the rules. The phrases of all rules
// are one array and their terms another, interned: each phrase's Question
// and Body are windows of it, capped at their length (Body is Question's
// window when the two analyzers agree). At 10,000 articles the ~2,300
// phrases were some 45,000 small objects the collector marked on every cycle.
func compileRules(an Analyzers, rules []content.SynonymRule, in interner) []Synonym {
	type window struct{ q0, q1, b0, b1 int }
	var (
		terms   []string
		windows []window
		texts   []string
	)
	kept := make([][2]int, len(rules)) // phrases kept per rule: From, To
	phrases := func(ts []string) int {
		n := 0
		for _, t := range ts {
			q0 := len(terms)
			for _, tok := range an.Question.Analyze([]byte(t)) {
				terms = append(terms, in.of(tok.Term))
			}
			q1 := len(terms)
			if q1 == q0 {
				continue
			}
			for _, tok := range an.Body.Analyze([]byte(t)) {
				terms = append(terms, in.of(tok.Term))
			}
			b0, b1 := q1, len(terms)
			if slices.Equal(terms[q0:q1], terms[b0:b1]) {
				terms, b0, b1 = terms[:q1], q0, q1
			}
			windows = append(windows, window{q0, q1, b0, b1})
			texts = append(texts, t)
			n++
		}
		return n
	}
	for i, r := range rules {
		kept[i][0] = phrases(r.From)
		kept[i][1] = phrases(r.To)
	}
	terms = slices.Clip(terms)
	all := make([]Phrase, len(windows))
	for i, w := range windows {
		all[i] = Phrase{Text: texts[i], Question: terms[w.q0:w.q1:w.q1]}
		if w.b1 > w.b0 {
			all[i].Body = terms[w.b0:w.b1:w.b1]
		}
	}
	out := make([]Synonym, len(rules))
	k := 0
	for i, r := range rules {
		f, t := kept[i][0], kept[i][1]
		out[i] = Synonym{From: all[k : k+f : k+f], To: all[k+f : k+f+t : k+f+t], Line: r.Line, Class: r.Class}
		k += f + t
	}
	return out
}
