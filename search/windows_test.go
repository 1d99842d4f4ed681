package search

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

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
				if !slices.EqualFunc(with.questions, without.questions, slices.Equal) || !slices.EqualFunc(with.tags, without.tags, slices.Equal) ||
					!slices.EqualFunc(with.cores, without.cores, slices.Equal) || len(with.fields) != len(without.fields) {
					t.Fatalf("%s: newArtTerms differs through the memos", a.ID)
				}
				for f, set := range without.fields {
					if !mapsEqual(with.fields[f], set) {
						t.Fatalf("%s: field %s differs through the memos", a.ID, f)
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

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
