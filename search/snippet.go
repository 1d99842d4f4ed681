package search

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

const snippetBytes = 200

// snippet picks the passage of the article body that holds the most distinct
// query terms and marks them. It works on the article text in memory, so the
// index needs neither stored fields nor term vectors (NOTES.md: Bleve's
// highlighter decodes positions of every matching document). toks are the
// body tokens the request looks for (bodyMatches), in text order.
func snippet(a *content.Article, toks []span, p *plan) template.HTML {
	text := a.Text
	if text == "" {
		return ""
	}
	terms := map[string]bool{}
	var prefixes []string
	for _, g := range p.groups {
		for _, t := range g.body {
			terms[t] = true
		}
		if g.prefix != "" {
			prefixes = append(prefixes, g.prefix)
		}
	}
	type hit struct {
		start, end int
		key        string
	}
	var hits []hit
	for _, t := range toks {
		key := t.term
		ok := terms[key]
		if !ok && len(prefixes) > 0 {
			surface := strings.ToLower(text[t.start:t.end])
			for _, pre := range prefixes {
				if strings.HasPrefix(index.Fold(surface), pre) {
					ok, key = true, pre
					break
				}
			}
		}
		if ok {
			hits = append(hits, hit{t.start, t.end, key})
		}
	}
	if len(hits) == 0 {
		return template.HTML(html.EscapeString(lead(text, snippetBytes)))
	}
	bestStart, bestEnd, bestScore := 0, 0, -1
	for _, h := range hits {
		start := passageStart(text, h.start)
		end := cutAt(text, start+snippetBytes)
		seen := map[string]bool{}
		n := 0
		for _, o := range hits {
			if o.start >= start && o.end <= end {
				seen[o.key] = true
				n++
			}
		}
		if score := len(seen)*10 + n; score > bestScore {
			bestStart, bestEnd, bestScore = start, end, score
		}
	}
	var b strings.Builder
	if bestStart > 0 {
		b.WriteString("… ")
	}
	pos := bestStart
	for _, h := range hits {
		if h.start < bestStart || h.end > bestEnd {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:h.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[h.start:h.end]))
		b.WriteString("</mark>")
		pos = h.end
	}
	b.WriteString(html.EscapeString(text[pos:bestEnd]))
	if bestEnd < len(text) {
		b.WriteString(" …")
	}
	return template.HTML(strings.ReplaceAll(b.String(), "\n", " "))
}

// passageStart backs up from off to the start of its sentence when that is
// close, else to a word boundary a little before it.
func passageStart(text string, off int) int {
	lo := max(0, off-80)
	for i := off - 1; i >= lo; i-- {
		if text[i] == '\n' || (i+1 < len(text) && (text[i] == '.' || text[i] == '?' || text[i] == '!' || text[i] == ':') && text[i+1] == ' ') {
			return skipSpace(text, i+1)
		}
	}
	if lo == 0 {
		return 0
	}
	start := max(0, off-40)
	for start > 0 && start < off && text[start-1] != ' ' {
		start++
	}
	for start < len(text) && !utf8.RuneStart(text[start]) {
		start++
	}
	return start
}

func skipSpace(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\n') {
		i++
	}
	return i
}

// cutAt returns an end offset at or before n on a word boundary.
func cutAt(text string, n int) int {
	if n >= len(text) {
		return len(text)
	}
	for i := n; i > n-40 && i > 0; i-- {
		if text[i] == ' ' || text[i] == '\n' {
			return i
		}
	}
	for n < len(text) && !utf8.RuneStart(text[n]) {
		n--
	}
	return n
}

func lead(text string, n int) string {
	end := cutAt(text, n)
	s := strings.ReplaceAll(text[:end], "\n", " ")
	if end < len(text) {
		s += " …"
	}
	return s
}

// explain says which words of the query were found in which fields of a;
// body holds the terms of the body tokens the request looks for.
func explain(a *content.Article, at *artTerms, body map[string]bool, p *plan) Why {
	why := Why{Matched: []Match{}, Corrections: p.corrections, Synonyms: nil}
	fieldTerms := func(f string) map[string]bool {
		if f == index.FieldBody {
			return body
		}
		return at.fields[f]
	}
	var suggest string // the title and aliases folded, when a prefix needs them

	var parts []string
	for _, g := range p.groups {
		var fields []string
		for _, f := range index.TextFields {
			terms := g.body
			if f == index.FieldTitle || f == index.FieldAliases || f == index.FieldTags {
				terms = g.question
			}
			for _, t := range terms {
				if fieldTerms(f)[t] {
					fields = append(fields, f)
					break
				}
			}
		}
		if len(fields) == 0 && g.prefix != "" && suggest == "" {
			suggest = strings.ToLower(index.Fold(a.Title + "\n" + strings.Join(a.Aliases, "\n")))
		}
		if len(fields) == 0 && g.prefix != "" && prefixIn(suggest, g.prefix) {
			fields = append(fields, "title (as you type)")
		}
		if len(fields) == 0 {
			continue
		}
		label := g.label
		if g.word != nil && g.word.corrected {
			label = g.word.word
		}
		why.Matched = append(why.Matched, Match{Word: label, Fields: fields})
		if g.synonym != nil {
			why.Synonyms = append(why.Synonyms, *g.synonym)
		}
		parts = append(parts, fmt.Sprintf("%q in %s", label, strings.Join(fields, ", ")))
	}
	var b strings.Builder
	if len(parts) > 0 {
		b.WriteString("Matched " + strings.Join(parts, "; "))
	}
	for _, c := range p.corrections {
		fmt.Fprintf(&b, "; read %q as %q", c.From, c.To)
	}
	for _, s := range why.Synonyms {
		fmt.Fprintf(&b, "; %q also means %q", s.From, s.To)
	}
	why.Summary = strings.TrimPrefix(b.String(), "; ")
	return why
}

func prefixIn(text, prefix string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '?' || r == ',' || r == '.' }) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}
