package search

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/go-porterstemmer"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
)

// TestPorterProbe checks what scanBody relies on: every word of the English
// word list, in lower case, starts with the probe of its Porter stem (and of
// its stem by index.EnglishStemmer).
func TestPorterProbe(t *testing.T) {
	f, err := os.Open("words/en.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	check := func(w string) {
		// Porter's, and the English stemmer the index uses (Porter with
		// words like "add" kept whole before "-ed" and "-ing").
		for _, stem := range []string{
			string(porterstemmer.StemWithoutLowerCasing([]rune(w))),
			string(index.EnglishStemmer{}.Filter(analysis.TokenStream{{Term: []byte(w)}})[0].Term),
		} {
			if !strings.HasPrefix(w, index.StemProbe(stem)) {
				t.Errorf("%q stems to %q, which does not start like it (probe %q)", w, stem, index.StemProbe(stem))
			}
		}
		n++
	}
	for sc.Scan() {
		w := strings.ToLower(sc.Text())
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		check(w)
		// Suffixes Porter rewrites, on a real word.
		for _, suf := range []string{"s", "es", "ies", "ed", "ing", "y", "ly", "ily", "bly", "ity", "ility", "bility", "ivity", "ancy", "ency", "ational", "ization", "ation", "ator", "ness", "fulness", "ical", "icate", "ative", "alize", "ism", "ment", "ent", "ion", "e", "ll"} {
			check(w + suf)
		}
	}
	if n < 60000 {
		t.Fatalf("only %d words", n)
	}
}

// TestScanBody compares scanBody with the whole body analysed and filtered,
// on every article of the bundled content and of a generated corpus, for
// the dev questions and for a query of every term of the article (which
// checks that the windows give the whole text's tokens).
func TestScanBody(t *testing.T) {
	fsys, err := synth.Corpus(1500, 7)
	if err != nil {
		t.Fatal(err)
	}
	// Odd text: non-ASCII letters, marks, apostrophes, numbers, CR LF.
	fsys["en/account/odd-text.md"] = &fstest.MapFile{Data: []byte("---\nid: odd-text\ntitle: Odd text\n---\n\n" +
		"Café’s résumé: don't re-order U.S.A. orders (3.5 kg), order_id=12, ORDERS\r\nOrdering\u00a0orders — «order» e\u0301order 日本order x\u200dorder\tordered " +
		"İstanbul ÖRDER Ａorder o\u0308rder ordér's l'order ORDERING's orders’ 12order order12 _order order_ .order. ::order:: order\n\nrefunds' refunded\n" +
		// windows that start at a non-ASCII character after a space
		"My orders › order ›order \u0301order \u200dorder \U0001F3FDorder 🇪🇸order \u00a0order \u3000order ¿order? “Order”\n")}
	e := testEngine(t, fsys)
	qs := devQueries(t)
	queries := []string{"order", "ordering refunds", "café résumé", "istanbul", "kg 3.5", "u.s.a", "japan 日本", "o", "x"}
	for i, q := range qs {
		if i%8 == 0 {
			queries = append(queries, q.Query)
		}
	}
	_, err = e.withLocale("en", func(v *index.View) error {
		if !scannable(v.Analyzers.Body) {
			t.Fatal("the English body analyzer is not scannable")
		}
		wm := newWindowMemo()
		var arts []*content.Article
		v.Each(func(a *content.Article) { arts = append(arts, a) })
		var plans []*bodyQuery
		for _, q := range queries {
			plans = append(plans, newBodyQuery(e.analyse(v, q, false, Staff)), newBodyQuery(e.analyse(v, q, true, Staff)))
		}
		checked := 0
		for _, a := range arts {
			full := newArtTerms(v.Analyzers, a).bodySpans(v.Analyzers, a)
			all := &bodyQuery{terms: spanTerms(full)}
			for t := range all.terms {
				all.probes = append(all.probes, index.StemProbe(t))
				all.first[index.StemProbe(t)[0]] = true
			}
			for _, s := range full {
				if surface := a.Text[s.start:s.end]; isASCIIText(surface) && !strings.HasPrefix(strings.ToLower(surface), index.StemProbe(s.term)) {
					t.Errorf("%s: %q analysed as %q, which does not start like it", a.ID, surface, s.term)
				}
			}
			for _, q := range append(plans, all) {
				var want []span
				for _, s := range full {
					if q.match(a.Text, s) {
						want = append(want, s)
					}
				}
				got := scanBody(v.Analyzers.Body, wm, a.Text, q, nil)
				if !slices.Equal(got, want) {
					t.Fatalf("%s, terms %v prefixes %v:\n got %v\nwant %v", a.ID, q.terms, q.prefixes, got, want)
				}
				checked++
			}
		}
		t.Logf("%d articles, %d comparisons", len(arts), checked)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func isASCIIText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// BenchmarkBodyMatches compares, on the articles the dev questions show at
// 1,500 generated articles, the whole-body analysis an article cache miss
// cost (full) with the scan (scan).
func BenchmarkBodyMatches(b *testing.B) {
	fsys, err := synth.Corpus(1500, 1)
	if err != nil {
		b.Fatal(err)
	}
	e := testEngine(b, fsys)
	qs := devQueries(b)
	type pair struct {
		a *content.Article
		q *bodyQuery
	}
	var pairs []pair
	var an index.Analyzers
	var wm *windowMemo
	for _, q := range qs[:200] {
		res, err := e.Search(b.Context(), Request{Query: q.Query, Locale: "en", NoSnippets: true})
		if err != nil {
			b.Fatal(err)
		}
		e.withLocale("en", func(v *index.View) error {
			an, wm = v.Analyzers, e.cache.windows(v)
			bq := newBodyQuery(e.analyse(v, q.Query, false, Staff))
			for _, h := range res.Hits {
				pairs = append(pairs, pair{h.Article, bq})
			}
			return nil
		})
	}
	b.Run("full", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := pairs[i%len(pairs)]
			at := &artTerms{}
			for _, s := range at.bodySpans(an, p.a) {
				_ = p.q.match(p.a.Text, s)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := pairs[i%len(pairs)]
			scanBody(an.Body, wm, p.a.Text, p.q, nil)
		}
	})
}
