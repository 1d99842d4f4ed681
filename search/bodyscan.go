package search

import (
	"strings"
	gounicode "unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

// bodyQuery is what one request looks for in article bodies: the body terms
// of the plan's groups and of their words (deflection checks both), and the
// as-you-type prefixes, which match the lower-cased, folded surface of a word.
type bodyQuery struct {
	terms    map[string]bool
	marks    map[string]bool // the terms snippets mark: the groups' only
	prefixes []string
	// probes are lower-case strings such that every body token whose term
	// is in terms, or whose surface starts with a prefix, starts with one
	// of them (see index.StemProbe): the scan analyses only the words that do.
	probes []string
	first  [256]bool // first bytes of the probes
	// start is the bytes a token scanBody analyses can start at: a probe's
	// first byte in either ASCII case, and every non-ASCII byte (probeAt
	// cannot tell those).
	start [256]bool
	seen  map[string]bool
}

// newBodyQuery returns the plan's body query, made in the plan (it goes
// with it when the plan is released): its maps were a tenth of what a
// search's analysis made.
func newBodyQuery(p *plan) *bodyQuery {
	q := &p.bq
	q.reset()
	for _, g := range p.groups {
		for _, t := range g.body {
			q.terms[t] = true
			q.marks[t] = true
		}
		if g.word != nil && g.word.body != "" {
			q.terms[g.word.body] = true
		}
		if g.prefix != "" {
			q.prefixes = append(q.prefixes, g.prefix)
		}
	}
	seen := q.seen
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			q.probes = append(q.probes, s)
		}
	}
	for t := range q.terms {
		add(index.StemProbe(t))
	}
	for _, pre := range q.prefixes {
		add(pre)
	}
	q.indexProbes()
	return q
}

// indexProbes sets first and start from the probes.
func (q *bodyQuery) indexProbes() {
	for _, p := range q.probes {
		q.first[p[0]] = true
	}
	for c := range 256 {
		lc := c
		if c >= 'A' && c <= 'Z' {
			lc += 'a' - 'A'
		}
		q.start[c] = c >= utf8.RuneSelf || q.first[lc]
	}
}

// reset empties q, keeping its maps and lists.
func (q *bodyQuery) reset() {
	if q.terms == nil {
		q.terms, q.marks, q.seen = map[string]bool{}, map[string]bool{}, map[string]bool{}
	}
	clear(q.terms)
	clear(q.marks)
	clear(q.seen)
	clear(q.prefixes[:cap(q.prefixes)])
	clear(q.probes[:cap(q.probes)])
	q.prefixes, q.probes = q.prefixes[:0], q.probes[:0]
	q.first = [256]bool{}
	q.start = [256]bool{}
}

// match reports whether body token s of text is one the query looks for.
func (q *bodyQuery) match(text string, s span) bool {
	if q.terms[s.term] {
		return true
	}
	if len(q.prefixes) > 0 {
		surface := content.Fold(strings.ToLower(text[s.start:s.end]))
		for _, pre := range q.prefixes {
			if strings.HasPrefix(surface, pre) {
				return true
			}
		}
	}
	return false
}

// bodyMatches returns, in text order, the body tokens of a (as the body
// analyzer gives them, with their offsets) that q looks for: everything
// snippets, reasons and deflection need from the body. With the English or
// Spanish analyzer (wm is not nil: artCache.windows) only the words that can match
// are analysed (scanBody); else the whole body is, once, and kept in the
// article cache. The tokens are appended to out.
func bodyMatches(an index.Analyzers, wm *windowMemo, a *content.Article, at *artTerms, q *bodyQuery, out []span) []span {
	if wm != nil {
		return scanBody(an.Body, wm, a.Text, q, out)
	}
	for _, s := range at.bodySpans(an, a) {
		if q.match(a.Text, s) {
			out = append(out, s)
		}
	}
	return out
}

// spanTerms is the set of the terms of spans.
func spanTerms(spans []span) map[string]bool {
	return spanTermsInto(make(map[string]bool, len(spans)), spans)
}

// spanTermsInto empties m and fills it with the terms of spans.
func spanTermsInto(m map[string]bool, spans []span) map[string]bool {
	clear(m)
	for _, s := range spans {
		m[s.term] = true
	}
	return m
}

// scannable reports whether an is one of the analyzers scanBody can stand
// in for: the Unicode word tokenizer, then filters that each work on one
// token at a time, and a stem that starts like the lower-cased word it came
// from (index.StemProbe). Then a token's term depends on its own surface
// only, a word's first letters bound its term, and a token can be analysed
// alone (scanBody). Two are: Bleve's English analyzer as the index uses it
// (the possessive, lower-case, stop word and Porter, or
// index.EnglishStemmer, filters) and Bleve's Spanish one (lower-case, stop
// words, accents folded to their vowel, the light stemmer, which takes at
// most two letters off the end and rewrites only what becomes the stem's
// last: "luces" → "luz"). Spanish bodies were analysed whole on every
// article cache miss: a third of the never-repeating stream's CPU.
func scannable(an analysis.Analyzer) bool {
	da, ok := an.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return false
	}
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); !ok {
		return false
	}
	f := da.TokenFilters
	switch len(f) {
	case 4:
		if _, ok := f[0].(*lowercase.LowerCaseFilter); ok {
			_, ok1 := f[1].(*stop.StopTokensFilter)
			_, ok2 := f[2].(*es.SpanishNormalizeFilter)
			_, ok3 := f[3].(*es.SpanishLightStemmerFilter)
			return ok1 && ok2 && ok3
		}
		_, ok0 := f[0].(*en.PossessiveFilter)
		_, ok1 := f[1].(*lowercase.LowerCaseFilter)
		_, ok2 := f[2].(*stop.StopTokensFilter)
		_, ok3 := f[3].(*porter.PorterStemmer)
		_, ok4 := f[3].(index.EnglishStemmer)
		return ok0 && ok1 && ok2 && (ok3 || ok4)
	}
	return false
}

// scanBody finds the tokens of text that q looks for without analysing all
// of it. It visits every place a token can start (the start, after a byte
// that is not an ASCII letter or digit, at a non-ASCII character: in ASCII
// the Unicode word rules never break between letters and digits, nor before
// '_'), keeps those where one of q's probes starts (ignoring ASCII case;
// where a non-ASCII character comes first it cannot tell, and keeps the
// place), and analyses only the word around each: from just after the
// space or newline before it to the space or newline after it. The word
// rules always break after a newline, before a space or newline, and after
// a space followed by anything but a space, a combining mark or a format
// character (breaksAfterSpace; else the window starts at the line), and
// the segmenter starts afresh at each token, so the window's tokens are the
// whole text's tokens between those offsets, with the same terms
// (TestScanBody compares both on every article of the corpus).
//
// The words are analysed through wm, which remembers the analysis of the
// commonest ones.
func scanBody(an analysis.Analyzer, wm *windowMemo, text string, q *bodyQuery, out []span) []span {
	covered := 0 // text before this has been analysed
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !q.start[c] {
			// An ASCII byte no probe starts with (in either case): probeAt
			// says no there. One look-up per byte, where most bytes of a
			// body end: the scan was a third of a never-repeating search.
			continue
		}
		if i > 0 && c < utf8.RuneSelf && isAlnum(text[i-1]) {
			continue
		}
		if i < covered || c == ' ' || c == '\n' || !q.probeAt(text, i) {
			continue
		}
		// The word's ends, by hand: strings.IndexAny builds its byte set
		// on every call, and the space is seldom more than a word away.
		w0 := i
		for w0 > 0 && text[w0-1] != ' ' && text[w0-1] != '\n' {
			w0--
		}
		if r, _ := utf8.DecodeRuneInString(text[w0:]); !breaksAfterSpace(r) {
			w0 = strings.LastIndexByte(text[:i], '\n') + 1
		}
		w0 = max(w0, covered)
		w1 := i
		for w1 < len(text) && text[w1] != ' ' && text[w1] != '\n' {
			w1++
		}
		for _, t := range wm.analyze(an, text[w0:w1]) {
			s := span{t.term, w0 + int(t.start), w0 + int(t.end)}
			if q.match(text, s) {
				out = append(out, s)
			}
		}
		covered = w1
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// probeAt reports whether a token starting at text[i] may start with one of
// q's probes, ASCII case ignored; a non-ASCII byte of the text where a probe
// is compared could be anything once lower-cased, so it counts as a match.
func (q *bodyQuery) probeAt(text string, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !q.first[c] {
			return false
		}
	}
next:
	for _, p := range q.probes {
		for j := 0; j < len(p); j++ {
			if i+j >= len(text) {
				continue next
			}
			c := text[i+j]
			if c >= utf8.RuneSelf {
				return true
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != p[j] {
				continue next
			}
		}
		return true
	}
	return false
}

// breaksAfterSpace reports whether the Unicode word rules (UAX #29) always
// break between a space and r: every rule that joins across a space is for
// two spaces (WB3d) or for a character that attaches to the one before it,
// Extend, Format or ZWJ (WB4): combining marks (Mn, Me, Mc), format
// characters (Cf, ZWJ among them) and the emoji skin-tone modifiers. Such a
// window starts at the line instead. Before this, any non-ASCII character
// sent its window to the line: a "›" in "My orders ›" had whole paragraphs
// analysed on every search.
func breaksAfterSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return true // (never a space: the window starts after the last one)
	}
	if gounicode.IsSpace(r) || gounicode.In(r, gounicode.Mn, gounicode.Me, gounicode.Mc, gounicode.Cf) {
		return false
	}
	return r < 0x1F3FB || r > 0x1F3FF
}

// windowMemo remembers the analysis of short windows of body text (a word
// and the punctuation around it): a help centre's words repeat, and
// analysing one alone costs more than looking it up. Bleve's analysis of a
// text depends on the text only, so a remembered one is the analysis. It
// keeps two generations (see generations): clearing it whole when full made
// every search after that analyse its windows again.
type windowMemo struct {
	g *generations[string, []wtoken]
}

// wtoken is a token of a window, with offsets in the window.
type wtoken struct {
	term       string
	start, end int32
}

const (
	windowMemoSize = 1 << 15 // windows per generation
	windowMemoLen  = 48      // longer windows are analysed, not remembered
)

func newWindowMemo() *windowMemo {
	return &windowMemo{g: newGenerations[string](windowMemoSize, func([]wtoken) int { return 1 })}
}

func (wm *windowMemo) analyze(an analysis.Analyzer, w string) []wtoken {
	if len(w) > windowMemoLen {
		return analyzeWindow(an, w)
	}
	toks, _ := wm.g.getKeyed(w, func() (string, []wtoken, error) {
		key, toks := analyzeWindowPacked(an, w) // w is a piece of an article's text: copied
		return key, toks, nil
	})
	return toks
}

// analyzeWindowPacked is analyzeWindow for the memo: the window and its
// tokens' terms are one string (a term spelled as the window has it is a
// piece of the window, others follow it), returned with the window's copy
// in it as the key. A remembered window was a key, an array and a string
// per term; under load the memo holds tens of thousands.
func analyzeWindowPacked(an analysis.Analyzer, w string) (string, []wtoken) {
	var key string
	var toks []wtoken
	analyze(an, []byte(w), func(ts analysis.TokenStream) {
		asIs := func(t *analysis.Token) bool {
			return t.Start >= 0 && t.Start <= t.End && t.End <= len(w) && string(t.Term) == w[t.Start:t.End]
		}
		n := len(w)
		for _, t := range ts {
			if !asIs(t) {
				n += len(t.Term)
			}
		}
		var b strings.Builder
		b.Grow(n)
		b.WriteString(w)
		for _, t := range ts {
			if !asIs(t) {
				b.Write(t.Term)
			}
		}
		buf, off := b.String(), len(w)
		key = buf[:len(w)]
		toks = make([]wtoken, len(ts))
		for i, t := range ts {
			term := ""
			if asIs(t) {
				term = buf[t.Start:t.End]
			} else {
				term, off = buf[off:off+len(t.Term)], off+len(t.Term)
			}
			toks[i] = wtoken{term, int32(t.Start), int32(t.End)}
		}
	})
	if toks == nil { // (analyze calls fn: never)
		key = strings.Clone(w)
	}
	return key, toks
}

func analyzeWindow(an analysis.Analyzer, w string) []wtoken {
	var toks []wtoken
	analyze(an, []byte(w), func(ts analysis.TokenStream) {
		toks = make([]wtoken, len(ts))
		for i, t := range ts {
			toks[i] = wtoken{string(t.Term), int32(t.Start), int32(t.End)}
		}
	})
	return toks
}
