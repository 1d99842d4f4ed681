package search

import (
	"os"
	"strings"
	"testing"
)

// TestWordListsAllLoaded checks that every list under words/ is embedded
// and that each of its words is found, and words not on it are not.
func TestWordListsAllLoaded(t *testing.T) {
	entries, err := os.ReadDir("words")
	if err != nil {
		t.Fatal(err)
	}
	lists := wordLists()
	for _, e := range entries {
		locale, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok {
			continue
		}
		d := lists[locale]
		if d == nil {
			t.Errorf("words/%s is not embedded (words.go)", e.Name())
			continue
		}
		data, err := os.ReadFile("words/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for line := range strings.Lines(string(data)) {
			if w := strings.TrimSpace(line); w != "" && w[0] != '#' {
				n++
				if !d.has(w) {
					t.Errorf("%s: %q is on the list but not found", locale, w)
				}
				if d.has(w + "qq") {
					t.Errorf("%s: %q is found", locale, w+"qq")
				}
			}
		}
		if n < 1000 || len(d.words) != n {
			t.Errorf("%s: %d words held, %d on the list", locale, len(d.words), n)
		}
	}
	if d := lists["xx"]; d.has("order") {
		t.Error("a locale with no list has words")
	}
}
