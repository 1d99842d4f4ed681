package content

import (
	"bufio"
	"bytes"
	"strings"
)

// SynonymRule is one line of a locale's synonyms.txt, in the Solr format:
//
//	money back, reimbursement => refund    (one-way: the left side also means the right)
//	bill, invoice, receipt                 (equivalent: each means all the others)
type SynonymRule struct {
	From       []string `json:"from"`
	To         []string `json:"to"`
	Equivalent bool     `json:"equivalent"`
	Line       int      `json:"line"`
	// Class is the word list on the left ("@places"), when there is one:
	// such a rule fires only in a question about its right side's topic
	// (a city named in "what is the weather in Paris" is no question
	// about delivering there).
	Class string `json:"class,omitempty"`
}

// SynonymFile is the name of the per-locale synonym file, at <locale>/synonyms.txt.
const SynonymFile = "synonyms.txt"

func parseSynonyms(path, locale string, data []byte) ([]SynonymRule, Diagnostics) {
	var rules []SynonymRule
	var ds Diagnostics
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if from, to, ok := strings.Cut(l, "=>"); ok {
			f, t := splitTerms(from), splitTerms(to)
			if len(f) == 0 || len(t) == 0 {
				ds = append(ds, errorf(path, line, "a rule needs words on both sides of =>"))
				continue
			}
			if bad := classTerm(t); bad != "" {
				ds = append(ds, errorf(path, line, "%s names a list of words: it can only stand on the left of =>", bad))
				continue
			}
			if bad := classTerm(f); bad != "" {
				if bad != PlaceClass {
					ds = append(ds, errorf(path, line, "unknown word list %s (the one there is: %s)", bad, PlaceClass))
					continue
				}
				var rest []string
				for _, x := range f {
					if x != PlaceClass {
						rest = append(rest, x)
					}
				}
				f = append(rest, placeNames(locale)...)
				rules = append(rules, SynonymRule{From: f, To: t, Line: line, Class: bad})
				continue
			}
			rules = append(rules, SynonymRule{From: f, To: t, Line: line})
			continue
		}
		terms := splitTerms(l)
		if bad := classTerm(terms); bad != "" {
			ds = append(ds, errorf(path, line, "%s names a list of words: it can only stand on the left of =>", bad))
			continue
		}
		if len(terms) < 2 {
			ds = append(ds, errorf(path, line, "an equivalence needs at least two comma-separated words"))
			continue
		}
		rules = append(rules, SynonymRule{From: terms, To: terms, Equivalent: true, Line: line})
	}
	if err := sc.Err(); err != nil {
		ds = append(ds, errorf(path, line, "cannot read: %v", err))
	}
	return rules, ds
}

func splitTerms(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.ToLower(strings.Join(strings.Fields(t), " ")); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// classTerm returns the first term that names a word list ("@places"), or "".
func classTerm(terms []string) string {
	for _, t := range terms {
		if strings.HasPrefix(t, "@") {
			return t
		}
	}
	return ""
}
