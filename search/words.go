package search

import (
	"embed"
	"sort"
	"strings"
	"sync"
)

//go:generate go run words/gen.go -dir words

//go:embed words/*.txt
var wordFiles embed.FS

// wordList tells a word spelled right from a typo. A query word no article
// contains is corrected into an article word only when it is no word of the
// language: "retiring" or "boiler" are the customer's own words, and
// "correcting" them into "returning" or "order" finds the wrong articles.
type wordList struct {
	once  sync.Once
	file  string
	words []string // sorted, folded
}

// wordLists returns one lazily loaded wordList per locale that has a list
// (words/<locale>.txt).
func wordLists() map[string]*wordList {
	out := map[string]*wordList{}
	entries, _ := wordFiles.ReadDir("words")
	for _, e := range entries {
		if locale, ok := strings.CutSuffix(e.Name(), ".txt"); ok {
			out[locale] = &wordList{file: "words/" + e.Name()}
		}
	}
	return out
}

// has reports whether w (lower-cased, folded) is a word of the language.
func (d *wordList) has(w string) bool {
	if d == nil {
		return false
	}
	d.once.Do(func() {
		data, err := wordFiles.ReadFile(d.file)
		if err != nil {
			return
		}
		// The list is sorted by the generator; its lines are kept as
		// substrings of the embedded data, so it costs only their headers.
		text := string(data)
		d.words = make([]string, 0, strings.Count(text, "\n"))
		for line := range strings.Lines(text) {
			if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
				d.words = append(d.words, line)
			}
		}
		if !sort.StringsAreSorted(d.words) {
			sort.Strings(d.words)
		}
	})
	i := sort.SearchStrings(d.words, w)
	return i < len(d.words) && d.words[i] == w
}
