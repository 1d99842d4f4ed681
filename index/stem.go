package index

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// EnglishStemmerName is the English stemmer of titles, aliases, tags,
// headings and bodies: Porter's, with one systematic slip mended. After
// taking off "-ed" or "-ing", Porter undoes a doubled final consonant
// ("hopping" → "hop"), which is wrong when the word itself ends in one:
// "adding" and "added" became "ad" while "add" stays "add", so "adding an
// item" never met "add items". A word on doubledFinal followed by "-ed" or
// "-ing" is stemmed as the word itself.
const EnglishStemmerName = "stemmer_porter_en_doubled"

// doubledFinal are the English words (SCOWL, as in search/words) that end
// in a doubled consonant other than l, s or z (which Porter keeps) and whose
// "-ing" or "-ed" form is a word too.
var doubledFinal = map[string]bool{}

func init() {
	for _, w := range []string{
		"add", "biff", "bluff", "boycott", "buff", "burr", "butt", "chaff", "cuff", "diff",
		"doff", "ebb", "egg", "err", "fluff", "gaff", "handcuff", "huff", "inn", "matt",
		"miff", "muff", "nett", "off", "puff", "purr", "putt", "quaff", "rebuff", "riff",
		"ruff", "schlepp", "scoff", "scuff", "shirr", "shlepp", "sniff", "snuff", "staff",
		"stiff", "stuff", "tiff", "whiff", "whirr",
	} {
		doubledFinal[w] = true
	}
	if err := registry.RegisterTokenFilter(EnglishStemmerName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return EnglishStemmer{}, nil
	}); err != nil {
		panic(err)
	}
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
		for _, suffix := range [...]string{"ing", "ed"} {
			if base, ok := bytes.CutSuffix(term, []byte(suffix)); ok && doubledFinal[string(base)] {
				term = base
				break
			}
		}
		t.Term = analysis.BuildTermFromRunes(porterstemmer.StemWithoutLowerCasing(bytes.Runes(term)))
	}
	return input
}
