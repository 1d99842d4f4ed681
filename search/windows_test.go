package search

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
)

// TestWindowTerms compares windowTerms with the whole text analysed, with
// the question and body analyzers of both locales, on every title, alias,
// tag, heading and body of the bundled content and of a generated corpus,
// and on odd text; and newArtTerms through the memos with newArtTerms
// without them.
func TestWindowTerms(t *testing.T) {
	fsys, err := synth.Corpus(1500, 3)
	if err != nil {
		t.Fatal(err)
	}
	odd := "Café’s résumé: don't re-order U.S.A. orders (3.5 kg), order_id=12, ORDERS\r\nOrdering\u00a0orders — «order» e\u0301order 日本order x\u200dorder\tordered " +
		"İstanbul ÖRDER Ａorder o\u0308rder ordér's l'order  ORDERING's orders’ \n\n 12order order12 _order order_ .order. ::order:: order " +
		"My orders › order ›order \u0301order \u200dorder \U0001F3FDorder 🇪🇸order \u00a0order \u3000order ¿Dónde está mi pedido? “Order” luces LUCES  "
	for _, l := range []string{"en", "es"} {
		fsys[l+"/account/odd.md"] = &fstest.MapFile{Data: []byte("---\nid: odd\ntitle: \"" + strings.ReplaceAll(odd[:60], "\"", "") + "\"\naliases: [\"¿Dónde  está \u0301mi pedido?\", \"it's x\u200dorder's\"]\ntags: [\"résumé ›\"]\n---\n\n## " + odd[:80] + "\n\n" + odd + "\n")}
	}
	e := testEngine(t, fsys)
	for _, locale := range []string{"en", "es"} {
		_, err := e.withLocale(locale, func(v *index.View) error {
			an := v.Analyzers
			m := e.cache.memos(locale, an)
			if m.qm == nil || m.wm == nil {
				t.Fatalf("%s: no window memo for the question or the body analyzer", locale)
			}
			n := 0
			v.Each(func(a *content.Article) {
				texts := append([]string{a.Title, a.Text, strings.Join(a.Headings, "\n"), odd}, a.Aliases...)
				texts = append(texts, a.Tags...)
				for _, s := range texts {
					for _, pair := range []struct {
						name string
						mem  *windowMemo
					}{{"question", m.qm}, {"body", m.wm}} {
						az := an.Question
						if pair.name == "body" {
							az = an.Body
						}
						var want []string
						for _, tk := range az.Analyze([]byte(s)) {
							want = append(want, string(tk.Term))
						}
						if got := windowTerms(az, pair.mem, s, nil); !slices.Equal(got, want) {
							t.Fatalf("%s %s analyzer on %q:\n got %q\nwant %q", locale, pair.name, s, got, want)
						}
						n++
					}
				}
				with, without := newArtTerms(an, m.qm, m.wm, a), newArtTerms(an, nil, nil, a)
				if !slices.EqualFunc(with.questions(), without.questions(), slices.Equal) || !slices.EqualFunc(with.tags(), without.tags(), slices.Equal) ||
					!slices.EqualFunc(with.cores(), without.cores(), slices.Equal) || !slices.Equal(with.headings(), without.headings()) {
					t.Fatalf("%s: newArtTerms differs through the memos", a.ID)
				}
				// and what the maps it kept before said
				sets := map[string]map[string]bool{
					index.FieldTitle: oldTermSet(an.Question, a.Title), index.FieldAliases: oldTermSet(an.Question, a.Aliases...),
					index.FieldTags: oldTermSet(an.Question, a.Tags...), index.FieldHeadings: oldTermSet(an.Body, strings.Join(a.Headings, "\n")),
				}
				for f, set := range sets {
					for _, term := range append(slices.Collect(maps.Keys(set)), "order", "pedido", "how", "zzz") {
						if with.has(f, term) != set[term] {
							t.Fatalf("%s: field %s has %q: %v, analysed %v", a.ID, f, term, with.has(f, term), set[term])
						}
					}
				}
				for _, q := range with.questions() {
					for _, term := range q {
						if !with.inShort(term) {
							t.Fatalf("%s: %q not in title, aliases or tags", a.ID, term)
						}
					}
				}
				for i, c := range with.cores() {
					src := a.Title
					if i > 0 {
						src = a.Aliases[i-1]
					}
					if want := slices.Collect(maps.Keys(oldTermSet(an.Body, src))); len(c) != len(want) {
						t.Fatalf("%s: cores %q, analysed %q", a.ID, c, want)
					}
				}
			})
			if n < 10000 {
				t.Fatalf("%s: only %d texts", locale, n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// oldTermSet is the set of the terms an gives each of ss, analysed whole.
func oldTermSet(an analysis.Analyzer, ss ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		for _, tk := range an.Analyze([]byte(s)) {
			m[string(tk.Term)] = true
		}
	}
	return m
}

// questions, tags, cores and headings are an artTerms' lists as slices of
// strings (newArtTerms packs them), for the tests.
func (at *artTerms) questions() [][]string { return at.listsOf(0, at.nq) }

func (at *artTerms) tags() [][]string { return at.listsOf(at.nq, at.nq+at.nt) }

func (at *artTerms) cores() [][]string { return at.listsOf(at.nq+at.nt, len(at.lists)) }

func (at *artTerms) headings() []string {
	return at.terms(int(at.lists[len(at.lists)-1]), len(at.ends))
}

func (at *artTerms) listsOf(from, to int) [][]string {
	var out [][]string
	for j := from; j < to; j++ {
		out = append(out, at.terms(at.list(j)))
	}
	return out
}

func (at *artTerms) terms(from, to int) []string {
	out := []string{}
	for i := from; i < to; i++ {
		out = append(out, at.term(i))
	}
	return out
}
