package search

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
)

// TestAnalyzeAsBleve: analyze gives every analyzer's tokens exactly as
// Bleve's Analyze does (terms, offsets, positions, types), on the dev
// questions, article titles and texts in both locales, accents, other
// scripts, numbers and punctuation, its space reused from one call to
// the next; and it leaves the text as Bleve's leaves it.
func TestAnalyzeAsBleve(t *testing.T) {
	fsys, err := synth.Corpus(200, 2)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngine(t, fsys)
	texts := []string{"", " ", "a", "How do I cancel my order?", "¿Cómo cancelo mi pedido? Contraseña olvidada", "order no. 12345, paid 3.50€",
		"ÀÉÎÕÜ çñ ß æ œ", "日本語のテキスト カタカナ", "emoji 🙂 and_underscores co-op it's", "don't   WON'T\tcan't\n\nnew line", "ｆｕｌｌｗｉｄｔｈ", "résumé naïve café",
		"\u0301 combining", "x\u200by zero width"}
	for i, q := range devQueries(t) {
		if i%7 == 0 {
			texts = append(texts, q.Query)
		}
	}
	compared := 0
	for _, locale := range []string{"en", "es"} {
		_, err := e.withLocale(locale, func(v *index.View) error {
			v.Each(func(a *content.Article) {
				if len(texts) < 600 {
					texts = append(texts, a.Title, a.Text[:min(len(a.Text), 400)])
				}
			})
			for _, an := range []analysis.Analyzer{v.Analyzers.Question, v.Analyzers.Body, v.Analyzers.Suggest} {
				for _, text := range texts {
					wantIn, in := []byte(text), []byte(text)
					want := an.Analyze(wantIn)
					analyze(an, in, func(got analysis.TokenStream) {
						if msg := sameTokens(got, want); msg != "" {
							t.Errorf("%s %q: %s", locale, text, msg)
						}
					})
					// (Bleve lower-cases a text in place when no
					// character filter copied it first)
					if !bytes.Equal(in, wantIn) {
						t.Errorf("%s %q: the text became %q, with Bleve %q", locale, text, in, wantIn)
					}
					compared++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d analyses compared", compared)
	}
}

func sameTokens(got, want analysis.TokenStream) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tokens, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Term, w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position || g.Type != w.Type || g.KeyWord != w.KeyWord {
			return fmt.Sprintf("token %d is %v, want %v", i, g, w)
		}
	}
	return ""
}
