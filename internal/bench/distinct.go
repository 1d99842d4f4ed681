package bench

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"sort"
	"strings"
	"unicode"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/search"
)

// The never-repeating stream: distinct questions, each sent once per load
// phase, so that no cache of the server's sees a question twice in a
// phase. It starts with every question of the bundled files (the dev
// questions, the extra files, the bench's own) and goes on with questions
// the bench makes from the bundled articles' vocabulary, as many as a
// phase needs, deterministically.

// loadExtraQueries reads more question files (JSON Lines, as for eval) for
// the never-repeating stream; a missing file is a warning.
func loadExtraQueries(paths []string, warn func(string)) ([]benchQuery, error) {
	var out []benchQuery
	for _, p := range paths {
		f, err := os.Open(p)
		if os.IsNotExist(err) {
			warn(fmt.Sprintf("%s not found: the never-repeating stream does without it", p))
			continue
		}
		if err != nil {
			return nil, err
		}
		qs, err := search.ReadQueries(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			l := q.Locale
			if l == "" {
				l = "en"
			}
			out = append(out, benchQuery{q.Query, l})
		}
	}
	return out, nil
}

// questionGen makes questions from the bundled articles' words, most
// frequent most often (as synth's corpus does), after a customer's usual
// openings, as long as the bundled questions are (each takes the word
// count of one drawn at random); two thirds English, one third Spanish.
type questionGen struct {
	r       *rand.Rand
	vocab   map[string][]string
	zipf    map[string]*rand.Zipf
	starts  map[string][]string
	lengths map[string][]int // word counts of the bundled questions
	i       int
}

func newQuestionGen(bundled []benchQuery, seed int64) (*questionGen, error) {
	g := &questionGen{r: rand.New(rand.NewSource(seed)), vocab: map[string][]string{}, zipf: map[string]*rand.Zipf{}, lengths: map[string][]int{},
		starts: map[string][]string{
			"en": {"", "how do I", "where is my", "can I", "why is my", "I want to", "what if", "help with"},
			"es": {"", "cómo", "dónde está mi", "puedo", "por qué mi", "quiero", "ayuda con"},
		}}
	for _, q := range bundled {
		g.lengths[q.locale] = append(g.lengths[q.locale], len(strings.Fields(q.q)))
	}
	freq := map[string]map[string]int{"en": {}, "es": {}}
	articles := content.Bundled()
	err := fs.WalkDir(articles, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		locale, _, _ := strings.Cut(p, "/")
		f := freq[locale]
		if f == nil {
			return nil
		}
		data, err := fs.ReadFile(articles, p)
		if err != nil {
			return err
		}
		for _, w := range strings.FieldsFunc(string(data), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if len([]rune(w)) >= 2 {
				f[strings.ToLower(w)]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for l, f := range freq {
		words := make([]string, 0, len(f))
		for w := range f {
			words = append(words, w)
		}
		if len(words) < 3 {
			return nil, fmt.Errorf("bench: too few bundled %s words to make questions", l)
		}
		sort.Slice(words, func(i, j int) bool {
			if f[words[i]] != f[words[j]] {
				return f[words[i]] > f[words[j]]
			}
			return words[i] < words[j]
		})
		g.vocab[l] = words
		g.zipf[l] = rand.NewZipf(g.r, 1.07, 2, uint64(len(words)-1))
	}
	return g, nil
}

// next is the next generated question (it may repeat an earlier one:
// the caller keeps them distinct).
func (g *questionGen) next() benchQuery {
	l := "en"
	if g.i%3 == 2 {
		l = "es"
	}
	g.i++
	n := 2 + g.r.Intn(5)
	if ls := g.lengths[l]; len(ls) > 0 {
		n = ls[g.r.Intn(len(ls))]
	}
	ws := []string{}
	if s := g.starts[l][g.r.Intn(len(g.starts[l]))]; s != "" {
		ws = append(ws, s)
		n -= len(strings.Fields(s))
	}
	for range max(n, 1) {
		ws = append(ws, g.vocab[l][g.zipf[l].Uint64()])
	}
	return benchQuery{strings.Join(ws, " "), l}
}

// distinctStream returns n distinct questions (at least all the bundled
// ones): the bundled questions first, then generated ones, shuffled with
// seed so that every stretch of a phase has both.
func distinctStream(bundled []benchQuery, n int, seed int64) ([]benchQuery, error) {
	seen := map[benchQuery]bool{}
	out := make([]benchQuery, 0, max(n, len(bundled)))
	add := func(q benchQuery) {
		q.q = strings.TrimSpace(q.q)
		k := benchQuery{strings.ToLower(q.q), q.locale}
		if q.q == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, q)
	}
	for _, q := range bundled {
		add(q)
	}
	if len(out) < n {
		g, err := newQuestionGen(bundled, seed)
		if err != nil {
			return nil, err
		}
		// A vocabulary of thousands of words runs out of new short
		// questions long after any phase: the bound only stops a loop.
		for tries := 0; len(out) < n && tries < 100*n; tries++ {
			add(g.next())
		}
	}
	rand.New(rand.NewSource(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}
