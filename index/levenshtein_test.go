package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// The typo look-up's automaton finds the same words at the same distances
// as vellum's Levenshtein automata with transpositions (what Near used
// before), over a vocabulary of near neighbours, accented and non-Latin
// words included, for words made by random edits of it and random ones.
func TestLevAutomatonAsVellum(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	alphabet := []rune("abcdeinorstñéü日本ß")
	randWord := func(n int) string {
		w := make([]rune, n)
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(w)
	}
	vocab := map[string]bool{}
	for _, w := range []string{"refund", "return", "returns", "retrun", "invoice", "invoices", "voice", "contraseña", "contrasena",
		"straße", "strasse", "日本", "日本語", "ab", "ba", "abc", "acb", "bac", "a", "ca", "abca"} {
		vocab[w] = true
	}
	for range 3000 {
		vocab[randWord(1+r.IntN(7))] = true
	}
	keys := make([]string, 0, len(vocab))
	for w := range vocab {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if err := b.Insert([]byte(k), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	edit := func(w string) string {
		rs := []rune(w)
		for range 1 + r.IntN(3) {
			switch i := r.IntN(max(len(rs), 1)); r.IntN(4) {
			case 0:
				rs = slices.Insert(rs, i, alphabet[r.IntN(len(alphabet))])
			case 1:
				if len(rs) > 0 {
					rs = slices.Delete(rs, i, i+1)
				}
			case 2:
				if len(rs) > 0 {
					rs[i] = alphabet[r.IntN(len(alphabet))]
				}
			default:
				if i+1 < len(rs) {
					rs[i], rs[i+1] = rs[i+1], rs[i]
				}
			}
		}
		return string(rs)
	}
	found := func(aut vellum.Automaton) []string {
		var out []string
		it, err := fst.Search(aut, nil, nil)
		for err == nil {
			k, _ := it.Current()
			out = append(out, fmt.Sprintf("%s:%d", k, it.EditDistance()))
			err = it.Next()
		}
		return out
	}
	queries := []string{"", "a", "ab", "retunr", "contrasenna", "strase", "日", "本日", "cab", "\xff", "ab\xc3"}
	for range 1500 {
		queries = append(queries, edit(keys[r.IntN(len(keys))]))
	}
	for range 300 {
		queries = append(queries, randWord(r.IntN(9)))
	}
	compared := 0
	for d := 1; d <= 2; d++ {
		lb, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(d), true)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			dfa, err := lb.BuildDfa(q, uint8(d))
			if err != nil {
				t.Fatal(err)
			}
			want := found(dfa)
			aut := newLevAutomaton(q, d)
			got := found(aut)
			aut.release()
			if !slices.Equal(got, want) {
				t.Fatalf("distance %d, %q: found %v, vellum %v", d, q, got, want)
			}
			compared += len(want)
		}
	}
	if compared < 5000 {
		t.Errorf("only %d words found in all: the vocabulary is not near enough to test", compared)
	}
}
