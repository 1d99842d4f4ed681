package index

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// EnglishStemmerName is the English stemmer of titles, aliases, tags,
// headings and bodies: Porter's, after mapping a form Porter would not meet
// with its word onto the word (forms_en.txt, see forms/gen.go): an irregular
// inflection ("paid" → "pay", "forgotten" → "forget"), and the "-ed" and
// "-ing" forms of a word that ends in a doubled consonant, which Porter
// undoes after taking off the suffix ("adding" was "ad" while "add" stays
// "add", so "adding an item" never met "add items"). Each stem still starts
// like the word it came from (StemProbe).
const EnglishStemmerName = "stemmer_porter_en_mended"

//go:generate go run forms/gen.go -out forms_en.txt

//go:embed forms_en.txt
var formsText string

// forms maps a word form onto the word it is stemmed as, read from
// formsText on first use.
var forms = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(formsText, "\n") {
		if a, b, ok := strings.Cut(l, " "); ok && a != "" && a[0] != '#' {
			m[a] = b
		}
	}
	return m
})

// registerStemmer makes EnglishStemmerName known to Bleve's registry, once:
// Bleve looks the name up when it builds a mapping's analyzers, so every
// path that builds or opens an index calls it first.
var registerStemmer = sync.OnceValue(func() error {
	return registry.RegisterTokenFilter(EnglishStemmerName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return EnglishStemmer{}, nil
	})
})

// StemProbe is the start of a Porter stem (or an EnglishStemmer one) that
// the lower-cased word it was stemmed from starts with: all but the last two
// letters, at least the first. Porter's rules rewrite suffixes only and
// never the first letter; the most they put back in place of what they
// remove is two letters ("mobility" → "mobl" … "biliti" → "ble"), and the
// forms EnglishStemmer maps start like their word's stem (forms/gen.go
// checks). search's TestPorterProbe checks it on every word of the English
// word list; the body scan finds a word's tokens by it.
func StemProbe(t string) string {
	n := utf8.RuneCountInString(t)
	keep := max(1, n-2)
	i := 0
	for k := 0; k < keep && i < len(t); k++ {
		_, size := utf8.DecodeRuneInString(t[i:])
		i += size
	}
	return t[:i]
}

// EnglishStemmer is the token filter named EnglishStemmerName.
type EnglishStemmer struct{}

// Filter stems each token that is not a protected keyword.
func (EnglishStemmer) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if t.KeyWord {
			continue
		}
		term := t.Term
		if w, ok := forms()[string(term)]; ok {
			term = []byte(w)
		}
		t.Term = analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(term)))
	}
	return input
}
