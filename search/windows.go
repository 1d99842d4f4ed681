package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"github.com/marketplace/helpcentre/index"
)

// perToken reports whether an is the Unicode word tokenizer followed by
// token filters that each work on one token at a time, the filters of the
// English and Spanish analyzers of titles, aliases, tags, headings and
// bodies. Such an analyzer gives a text's tokens window by window
// (windowTerms): the word rules always break before a space and after a
// newline, and after a space followed by a character that does not attach
// to it (breaksAfterSpace), and a token's term depends on its surface only.
func perToken(an analysis.Analyzer) bool {
	da, ok := an.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return false
	}
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); !ok {
		return false
	}
	for _, f := range da.TokenFilters {
		switch f.(type) {
		case *en.PossessiveFilter, *lowercase.LowerCaseFilter, *stop.StopTokensFilter, *porter.PorterStemmer,
			index.EnglishStemmer, *es.SpanishNormalizeFilter, *es.SpanishLightStemmerFilter:
		default:
			return false
		}
	}
	return true
}

// windowTerms appends the terms an gives text, in order, as an.Analyze
// would, analysing it a window at a time through wm (see perToken; an must
// be such an analyzer): a title's words are mostly words other titles have,
// and a window remembered costs a map look-up where analysing it costs
// Bleve's word segmenter. A window is what lies between a space or newline
// and the next, merged with the one before where the word rules could join
// across the space.
func windowTerms(an analysis.Analyzer, wm *windowMemo, text string, out []string) []string {
	w0 := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != ' ' && c != '\n' {
			continue
		}
		if c == ' ' && i+1 < len(text) {
			if r, _ := utf8.DecodeRuneInString(text[i+1:]); !breaksAfterSpace(r) {
				continue
			}
		}
		if i > w0 {
			for _, t := range wm.analyze(an, text[w0:i]) {
				out = append(out, t.term)
			}
		}
		w0 = i + 1
	}
	for _, t := range wm.analyze(an, text[w0:]) {
		out = append(out, t.term)
	}
	return out
}
