package search

import (
	_ "embed"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:generate go run words/gen.go -dir words

// The lists, one word a line (words/README.md); a new language's list
// needs its variable here and its line in wordLists (TestWordListsAllLoaded).
var (
	//go:embed words/en.txt
	wordsEN string
	//go:embed words/es.txt
	wordsES string
)

// wordList tells a word spelled right from a typo. A query word no article
// contains is corrected into an article word only when it is no word of the
// language: "retiring" or "boiler" are the customer's own words, and
// "correcting" them into "returning" or "order" finds the wrong articles.
type wordList struct {
	once sync.Once
	text string // the embedded list: in the binary, never copied
	// where each word is in text, in the words' sorted order: 8 bytes a
	// word, where a string header each was 16 and a copy of the text
	// besides (4.4 MB of the heap for the two lists, now 1.3 MB)
	words []wordAt
}

type wordAt struct{ off, n uint32 }

func (d *wordList) at(i int) string {
	w := d.words[i]
	return d.text[w.off : w.off+w.n]
}

// wordLists returns one lazily loaded wordList per locale that has a list.
func wordLists() map[string]*wordList {
	return map[string]*wordList{"en": {text: wordsEN}, "es": {text: wordsES}}
}

// has reports whether w (lower-cased, folded) is a word of the language.
func (d *wordList) has(w string) bool {
	if d == nil {
		return false
	}
	d.once.Do(func() {
		d.words = make([]wordAt, 0, strings.Count(d.text, "\n"))
		off := 0
		for line := range strings.Lines(d.text) {
			at := off
			off += len(line)
			word := strings.TrimSpace(line)
			if word == "" || word[0] == '#' {
				continue
			}
			at += strings.Index(line, word)
			d.words = append(d.words, wordAt{uint32(at), uint32(len(word))})
		}
		// The generator sorts the list; this is in case a hand edit did not.
		if !slices.IsSortedFunc(d.words, d.cmp) {
			slices.SortFunc(d.words, d.cmp)
		}
	})
	i := sort.Search(len(d.words), func(i int) bool { return d.at(i) >= w })
	return i < len(d.words) && d.at(i) == w
}

func (d *wordList) cmp(a, b wordAt) int {
	return strings.Compare(d.text[a.off:a.off+a.n], d.text[b.off:b.off+b.n])
}
