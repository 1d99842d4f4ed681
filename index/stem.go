package index

import (
	"bytes"
	_ "embed"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// EnglishStemmerName is the English stemmer of titles, aliases, tags,
// headings and bodies: Porter's, with two slips mended. An irregular
// inflection is stemmed as its word ("paid" as "pay", "forgotten" as
// "forget"), which Porter's suffix rules cannot see. And after taking off
// "-ed" or "-ing", Porter undoes a doubled final consonant ("hopping" →
// "hop"), which is wrong when the word itself ends in one: "adding" and
// "added" became "ad" while "add" stays "add", so "adding an item" never met
// "add items". A word on doubledFinal followed by "-ed" or "-ing" is stemmed
// as the word itself. Each stem still starts like the word it came from,
// which scanBody relies on (TestPorterProbe).
const EnglishStemmerName = "stemmer_porter_en_mended"

// doubledFinal are the English words (SCOWL, as in search/words) that end
// in a doubled consonant other than l, s or z (which Porter keeps) and whose
// "-ing" or "-ed" form is a word too.
var doubledFinal = map[string]bool{}

//go:generate go run irregular/gen.go -out irregular_en.txt

//go:embed irregular_en.txt
var irregularText string

// irregular maps an irregular inflection to its word ("paid" → "pay",
// "forgotten" → "forget"): see irregular/gen.go for which are kept.
var irregular = map[string]string{}

func init() {
	for _, l := range strings.Split(irregularText, "\n") {
		if a, b, ok := strings.Cut(l, " "); ok && a != "" && a[0] != '#' {
			irregular[a] = b
		}
	}
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
		if b, ok := irregular[string(term)]; ok {
			term = []byte(b)
		}
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
