package search

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	gounicode "unicode"
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

// TestSpanishProbe checks the same for Bleve's Spanish analyzer, which the
// body scan also stands in for: every word of the Spanish word list, as
// typed and capitalised, plural and with the endings the light stemmer takes
// off, analysed alone, gives a term whose probe the scan finds at its
// surface (probeAt: ASCII case ignored, a non-ASCII byte of the surface
// matches any probe byte).
func TestSpanishProbe(t *testing.T) {
	ix, err := index.Open(t.Context(), t.TempDir(), fstest.MapFS{"es/a.md": &fstest.MapFile{Data: []byte("---\nid: a\ntitle: Hola\n---\n\nHola.\n")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	l, ok := ix.Locale("es")
	if !ok {
		t.Fatal("no es locale")
	}
	var an analysis.Analyzer
	l.Read(func(v *index.View) error { an = v.Analyzers.Body; return nil })
	if !scannable(an) {
		t.Fatal("the Spanish body analyzer is not scannable")
	}
	f, err := os.Open("words/es.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		w := sc.Text()
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		for _, form := range []string{w, capitalised(w), w + "s", w + "es", w + "ces", w + "eses", w + "a", w + "o", w + "e"} {
			for _, tok := range an.Analyze([]byte(form)) {
				surface := form[tok.Start:tok.End]
				probe := index.StemProbe(string(tok.Term))
				if !probeMatches(surface, probe) {
					t.Errorf("%q analysed as %q, which the scan would miss (probe %q)", form, tok.Term, probe)
				}
			}
		}
		n++
	}
	if n < 50000 {
		t.Fatalf("only %d words", n)
	}
}

func capitalised(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	return string(gounicode.ToUpper(r)) + w[size:]
}

// probeMatches reports whether the body scan would visit a token with
// this surface for a term with this probe (bodyQuery.probeAt).
func probeMatches(surface, probe string) bool {
	q := &bodyQuery{probes: []string{probe}}
	q.indexProbes()
	return q.start[surface[0]] && q.probeAt(surface, 0)
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
	fsys["es/cuenta/texto-raro.md"] = &fstest.MapFile{Data: []byte("---\nid: texto-raro\ntitle: Texto raro\n---\n\n" +
		"Pedidos PEDIDOS pedídos Pédido ÁRBOLES árboles luces LUCES Luz niños Niño ñandú Ñandú meses mes reembolsos reembolso\r\n" +
		"¿Dónde está mi pedido? «pedido» pedido_12 12pedido e\u0301pedido x\u200dpedido İpedido Ａpedido ›pedido \u00a0pedido “Pedido” pedidos’ l'pedido\n")}
	e := testEngine(t, fsys)
	queries := map[string][]string{
		"en": {"order", "ordering refunds", "café résumé", "istanbul", "kg 3.5", "u.s.a", "japan 日本", "o", "x"},
		"es": {"pedido", "pedidos reembolsos", "árbol luz", "niño ñandú", "mes", "dónde está mi pedido", "p", "x"},
	}
	for i, q := range devQueries(t) {
		if i%8 == 0 {
			queries["en"] = append(queries["en"], q.Query)
		}
	}
	f, err := os.Open("testdata/es/queries_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	esQs, err := ReadQueries(f, "es")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range esQs {
		if i%4 == 0 {
			queries["es"] = append(queries["es"], q.Query)
		}
	}
	for _, locale := range []string{"en", "es"} {
		t.Run(locale, func(t *testing.T) { checkScanBody(t, e, locale, queries[locale]) })
	}
}

// checkScanBody compares scanBody with the whole body analysed on every
// article of a locale, for queries and for all of the article's terms.
func checkScanBody(t *testing.T, e *Engine, locale string, queries []string) {
	_, err := e.withLocale(locale, func(v *index.View) error {
		if !scannable(v.Analyzers.Body) {
			t.Fatalf("the %s body analyzer is not scannable", locale)
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
			full := newArtTerms(v.Analyzers, nil, nil, a).bodySpans(v.Analyzers, a)
			all := &bodyQuery{terms: spanTerms(full)}
			for t := range all.terms {
				all.probes = append(all.probes, index.StemProbe(t))
			}
			all.indexProbes()
			for _, s := range full {
				if surface := a.Text[s.start:s.end]; !probeMatches(surface, index.StemProbe(s.term)) {
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
		if len(arts) < 100 {
			t.Fatalf("only %d %s articles", len(arts), locale)
		}
		t.Logf("%d articles, %d comparisons", len(arts), checked)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
