package search

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/segment"

	"github.com/marketplace/helpcentre/content"
)

// tokenBuf is the space one analysis makes its tokens in (see analyze).
type tokenBuf struct {
	text   []byte
	toks   []analysis.Token
	stream analysis.TokenStream
}

var tokenBufs = sync.Pool{New: func() any { return new(tokenBuf) }}

// analyze calls fn with an.Analyze(text): the same tokens, but made in
// pooled space when an is a DefaultAnalyzer with Bleve's Unicode tokenizer.
// Bleve's tokenizer makes a token array and a stream per call (some 300
// bytes for one word, a few KB for a deflection's question), and its ASCII
// folding makes sixteen bytes of runes per byte of text even when there is
// nothing to fold; a query's text is analysed on every search. The tokens
// (and their terms) are valid only during fn.
func analyze(an analysis.Analyzer, text []byte, fn func(analysis.TokenStream)) {
	da, ok := an.(*analysis.DefaultAnalyzer)
	if !ok {
		fn(an.Analyze(text))
		return
	}
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); !ok {
		fn(an.Analyze(text))
		return
	}
	b := tokenBufs.Get().(*tokenBuf)
	defer b.release()
	// DefaultAnalyzer.Analyze, with the tokenizer's work done here.
	input := text
	for _, cf := range da.CharFilters {
		if _, ok := cf.(*asciifolding.AsciiFoldingFilter); ok && len(input) > 0 && content.IsASCII(input) {
			// nothing to fold: the filter gives a copy of its input
			b.text = append(b.text[:0], input...)
			input = b.text
			continue
		}
		input = cf.Filter(input)
	}
	tokens := b.tokenize(input)
	for _, tf := range da.TokenFilters {
		tokens = tf.Filter(tokens)
	}
	fn(tokens)
}

// tokenize is unicode.UnicodeTokenizer's Tokenize, the tokens made in b.
func (b *tokenBuf) tokenize(input []byte) analysis.TokenStream {
	b.toks = b.toks[:0]
	seg := segment.NewWordSegmenterDirect(input)
	start, pos := 0, 1
	for seg.Segment() {
		bs := seg.Bytes()
		end := start + len(bs)
		if seg.Type() != segment.None {
			b.toks = append(b.toks, analysis.Token{Term: bs, Start: start, End: end, Position: pos, Type: tokenType(seg.Type())})
			pos++
		}
		start = end
	}
	b.stream = b.stream[:0]
	for i := range b.toks {
		b.stream = append(b.stream, &b.toks[i])
	}
	return b.stream
}

// tokenType is the Unicode tokenizer's type of a segment (its convertType).
func tokenType(t int) analysis.TokenType {
	switch t {
	case segment.Ideo, segment.Kana:
		return analysis.Ideographic
	case segment.Number:
		return analysis.Numeric
	}
	return analysis.AlphaNumeric
}

func (b *tokenBuf) release() {
	if cap(b.toks) > 4096 || cap(b.text) > 1<<16 {
		return // a rare huge text's space is not kept
	}
	clear(b.toks[:cap(b.toks)])
	clear(b.stream[:cap(b.stream)])
	tokenBufs.Put(b)
}
