package search

import (
	"html/template"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

const snippetBytes = 200

// snippetIn picks the passage of the article body that holds the most distinct
// query terms and marks them. It works on the article text in memory, so the
// index needs neither stored fields nor term vectors (Bleve's highlighter
// decodes the term positions of every matching document: at 10,000
// articles, ~12.5 ms of CPU a request against ~1.6 ms without). toks are the
// body tokens the request looks for (bodyMatches), in text order; q marks
// its groups' terms and prefixes. It is written in ar, when it is not nil
// (see resultArena).
func snippetIn(ar *resultArena, a *content.Article, toks []span, q *bodyQuery) template.HTML {
	if ar == nil {
		return template.HTML(appendSnippet(nil, a, toks, q))
	}
	from := len(ar.text)
	ar.text = appendSnippet(ar.text, a, toks, q)
	return template.HTML(ar.str(from))
}

// appendSnippet appends a's snippet (see snippetIn) to b.
func appendSnippet(b []byte, a *content.Article, toks []span, q *bodyQuery) []byte {
	text := a.Text
	if text == "" {
		return b
	}
	type hit struct {
		start, end int
		key        string
	}
	var hitBuf [32]hit
	hits := hitBuf[:0]
	for _, t := range toks {
		key := t.term
		ok := q.marks[key]
		if !ok && len(q.prefixes) > 0 {
			surface := strings.ToLower(text[t.start:t.end])
			for _, pre := range q.prefixes {
				if strings.HasPrefix(content.Fold(surface), pre) {
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
		end := cutAt(text, snippetBytes)
		b = slices.Grow(b, end+8)
		b = appendEscaped(b, text[:end])
		if end < len(text) {
			b = append(b, " …"...)
		}
		return b
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
	b = slices.Grow(b, bestEnd-bestStart+64)
	if bestStart > 0 {
		b = append(b, "… "...)
	}
	pos := bestStart
	for _, h := range hits {
		if h.start < bestStart || h.end > bestEnd {
			continue
		}
		b = appendEscaped(b, text[pos:h.start])
		b = append(b, "<mark>"...)
		b = appendEscaped(b, text[h.start:h.end])
		b = append(b, "</mark>"...)
		pos = h.end
	}
	b = appendEscaped(b, text[pos:bestEnd])
	if bestEnd < len(text) {
		b = append(b, " …"...)
	}
	return b
}

// appendEscaped appends s to b as html.EscapeString escapes it, with
// newlines as spaces (a snippet is one line).
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		case '\n':
			esc = " "
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
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

// explainIn says which words of the query were found in which fields of
// a; body holds the terms of the body tokens the request looks for. The
// reason's matches and summary are written in ar, when it is not nil.
func explainIn(ar *resultArena, a *content.Article, at *artTerms, body map[string]bool, p *plan) Why {
	fieldHas := func(f, t string) bool {
		if f == index.FieldBody {
			return body[t]
		}
		return at.has(f, t)
	}
	var suggest string // the title and aliases folded, when a prefix needs them

	// The fields of each group first (bits in index.TextFields order), so
	// that Matched is made at its size.
	var maskBuf [64]int
	masks := maskBuf[:0]
	if len(p.groups) > len(maskBuf) {
		masks = make([]int, 0, len(p.groups))
	}
	matched := 0
	for _, g := range p.groups {
		var mask int
		if g.stop && g.prefix == "" {
			// a stop word is no evidence ("in", "the", "is")
			masks = append(masks, 0)
			continue
		}
		for i, f := range index.TextFields {
			terms := g.body
			if f == index.FieldTitle || f == index.FieldAliases || f == index.FieldTags {
				terms = g.question
			}
			// a synonym phrase is found when all its words are
			// ("cash on delivery" is not "delivery")
			all := g.synonym != nil && len(terms) > 1
			for j, t := range terms {
				if !fieldHas(f, t) {
					if all {
						break
					}
					continue
				}
				if !all || j == len(terms)-1 {
					mask |= 1 << i
					break
				}
			}
		}
		if mask == 0 && g.prefix != "" && suggest == "" {
			suggest = strings.ToLower(content.Fold(a.Title + "\n" + strings.Join(a.Aliases, "\n")))
		}
		if mask == 0 && g.prefix != "" && prefixIn(suggest, g.prefix) {
			mask = asYouTypeMask
		}
		if mask != 0 {
			matched++
		}
		masks = append(masks, mask)
	}

	why := Why{Corrections: p.corrections, Synonyms: nil}
	if ar != nil {
		ar.matches = slices.Grow(ar.matches, matched)
		n := len(ar.matches)
		why.Matched = ar.matches[n : n : n+matched]
		from := len(ar.text)
		ar.text = appendReasons(ar.text, from, &why, p, masks)
		ar.matches = ar.matches[:n+len(why.Matched)]
		why.Summary = strings.TrimPrefix(ar.str(from), "; ")
	} else {
		why.Matched = make([]Match, 0, matched)
		var buf [128]byte // the summary's, copied out
		why.Summary = strings.TrimPrefix(string(appendReasons(buf[:0], 0, &why, p, masks)), "; ")
	}
	return why
}

// appendReasons adds to why the matches of the groups whose masks are set
// (into why.Matched's capacity) and their synonyms, and appends the
// summary to b, whose summary starts at from.
func appendReasons(b []byte, from int, why *Why, p *plan, masks []int) []byte {
	for gi, g := range p.groups {
		mask := masks[gi]
		if mask == 0 {
			continue
		}
		label := g.label
		if g.word != nil && g.word.corrected {
			label = g.word.word
		}
		fields := matchFields[mask]
		why.Matched = append(why.Matched, Match{Word: label, Fields: fields})
		if g.synonym != nil {
			why.Synonyms = append(why.Synonyms, *g.synonym)
		}
		if len(b) == from {
			b = append(b, "Matched "...)
		} else {
			b = append(b, "; "...)
		}
		b = strconv.AppendQuote(b, label)
		b = append(b, " in "...)
		for i, f := range fields {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, f...)
		}
	}
	for _, c := range p.corrections {
		b = appendPair(b, "; read ", c.From, " as ", c.To)
	}
	for _, s := range why.Synonyms {
		b = appendPair(b, "; ", s.From, " also means ", s.To)
	}
	return b
}

// appendPair appends lead, from quoted, mid and to quoted.
func appendPair(b []byte, lead, from, mid, to string) []byte {
	b = append(b, lead...)
	b = strconv.AppendQuote(b, from)
	b = append(b, mid...)
	return strconv.AppendQuote(b, to)
}

// matchFields[mask] lists the text fields whose bits (in index.TextFields
// order) are set in mask, or the as-you-type title alone: made once, so that
// a reason's fields cost nothing per hit. Callers must not modify them.
var matchFields = func() [][]string {
	out := make([][]string, 1<<len(index.TextFields)+1)
	for mask := 1; mask < 1<<len(index.TextFields); mask++ {
		for i, f := range index.TextFields {
			if mask&(1<<i) != 0 {
				out[mask] = append(out[mask], f)
			}
		}
	}
	out[asYouTypeMask] = []string{"title (as you type)"}
	return out
}()

var asYouTypeMask = 1 << len(index.TextFields)

func prefixIn(text, prefix string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\n' || r == '?' || r == ',' || r == '.' }) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}
