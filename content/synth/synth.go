// Package synth generates realistic help-centre corpora of any size for
// benchmarks: the bundled articles plus seeded articles whose words follow the
// bundled vocabulary's Zipf-like distribution.
package synth

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing/fstest"
	"unicode"

	"github.com/marketplace/helpcentre/content"
)

// vocab is a locale's words, most frequent first, with a Zipf sampler.
type vocab struct {
	words []string
	zipf  *rand.Zipf
}

func buildVocab(texts []string, r *rand.Rand) *vocab {
	freq := map[string]int{}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if len([]rune(w)) >= 2 {
				freq[strings.ToLower(w)]++
			}
		}
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if freq[words[i]] != freq[words[j]] {
			return freq[words[i]] > freq[words[j]]
		}
		return words[i] < words[j]
	})
	return &vocab{words: words, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(words)-1))}
}

func (v *vocab) word() string { return v.words[v.zipf.Uint64()] }

func (v *vocab) sentence(r *rand.Rand, min, max int) string {
	n := min + r.Intn(max-min+1)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = v.word()
	}
	r0 := []rune(strings.Join(ws, " "))
	r0[0] = unicode.ToUpper(r0[0])
	return string(r0)
}

// Corpus is the bundled articles plus n generated ones, as an in-memory
// content tree (locale folders at the root), deterministic for a seed.
func Corpus(n int, seed int64) (fstest.MapFS, error) {
	out := fstest.MapFS{}
	bundled := content.Bundled()
	texts := map[string][]string{}
	categories := map[string][]string{}
	err := fs.WalkDir(bundled, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(bundled, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: data}
		if strings.HasSuffix(p, ".md") {
			locale := strings.SplitN(p, "/", 2)[0]
			texts[locale] = append(texts[locale], string(data))
		}
		if strings.HasSuffix(p, "/_category.yaml") {
			parts := strings.Split(p, "/")
			categories[parts[0]] = append(categories[parts[0]], parts[1])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, cs := range categories {
		sort.Strings(cs)
	}
	r := rand.New(rand.NewSource(seed))
	vocabs := map[string]*vocab{"en": buildVocab(texts["en"], r), "es": buildVocab(texts["es"], r)}
	for i := 0; i < n; i++ {
		locale := "en"
		if i%3 == 2 { // two thirds English, one third Spanish
			locale = "es"
		}
		v := vocabs[locale]
		cat := categories[locale][r.Intn(len(categories[locale]))]
		id := fmt.Sprintf("gen-%06d", i)
		var b strings.Builder
		fmt.Fprintf(&b, "---\nid: %s\ntitle: %q\ncategory: %s\ntags: [%s, %s]\naliases:\n", id, v.sentence(r, 4, 9)+"?", cat, v.word(), v.word())
		for range 3 {
			fmt.Fprintf(&b, "  - %q\n", v.sentence(r, 3, 7))
		}
		b.WriteString("updated: 2026-06-01\n---\n\n")
		for range 3 {
			fmt.Fprintf(&b, "## %s\n\n", v.sentence(r, 2, 5))
			for range 2 + r.Intn(2) {
				fmt.Fprintf(&b, "%s. %s. %s.\n\n", v.sentence(r, 8, 16), v.sentence(r, 8, 16), v.sentence(r, 6, 14))
			}
		}
		out[fmt.Sprintf("%s/%s/%s.md", locale, cat, id)] = &fstest.MapFile{Data: []byte(b.String())}
	}
	return out, nil
}

// WriteDir writes a corpus to a folder on disk.
func WriteDir(fsys fstest.MapFS, dir string) error {
	for p, f := range fsys {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
