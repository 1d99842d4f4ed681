package search

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/index"
)

// FuzzAnalyze: any query text is analysed and searched without panicking,
// within the bounds: words, groups, typo look-ups and automaton steps;
// normalising twice changes nothing. Seeds cover typos, joined words,
// synonyms (one-way, equivalences, phrases, @places), chat-speak, NFKC
// forms and order numbers; they run in every `go test`.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"where is my invoce",
		"paymentoptions",
		"checkthe refund",
		"money back for order no. 12345",
		"can I order from Toronto",
		"what is the weather in Paris tomorrow",
		"u r slow pls refund thx",
		"xq no puedo entrar",
		"𝐢𝐧𝐯𝐨𝐢𝐜𝐞 ｒｅｆｕｎｄ ﬁnd",
		"Hai not recieved my product",
		"order 25 days",
		"qwhfjkdsl zxcvbnmasdfg poiuytrewqlkjh mnbvcxzlkjhgfdsa",
		"a\x00b\tc\xff\xfe",
		"title:x AND /.*/ *a* body:/.*/",
		"",
		"refu",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	fsys := fstest.MapFS{
		"en/orders/invoice.md": article("invoice-find", "Where is my invoice?", `"download an invoice", "payment options"`, "Invoices are in My account. Check the refund page."),
		"en/refunds/refund.md": article("refund-request", "How do I ask for a refund?", `"money back"`, "Ask for a refund from the order page."),
		"en/delivery/ship.md":  article("delivery-options", "Where do we deliver?", `"countries we deliver to"`, "We deliver to most countries."),
		"es/cuenta/entrar.md":  article("entrar", "No puedo entrar en mi cuenta", "", "Restablece la contraseña."),
		"en/synonyms.txt":      {Data: []byte("money back, reimbursement => refund\nbill, invoice\n@places => countries we deliver to\n")},
	}
	e := testEngine(f, fsys)
	f.Fuzz(func(t *testing.T, q string, asYouType bool) {
		n := normalise(q)
		if again := normalise(n); again != n {
			t.Errorf("normalise not idempotent: %q → %q → %q", q, n, again)
		}
		for _, locale := range []string{"en", "es"} {
			_, err := e.withLocale(locale, func(v *index.View) error {
				p := e.analyse(v, n, asYouType, Staff)
				if len(p.words) > e.opts.MaxWords {
					t.Errorf("%q: %d words, at most %d", q, len(p.words), e.opts.MaxWords)
				}
				if len(p.groups) > e.opts.MaxGroups {
					t.Errorf("%q: %d groups, at most %d", q, len(p.groups), e.opts.MaxGroups)
				}
				if p.typoWork > maxTypoLookups || p.typoSteps > maxTypoSteps {
					t.Errorf("%q: %d typo look-ups, %d steps", q, p.typoWork, p.typoSteps)
				}
				for _, c := range p.corrections {
					if c.From == "" || c.To == "" {
						t.Errorf("%q: correction %+v", q, c)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Search(context.Background(), Request{Query: q, Locale: locale, AsYouType: asYouType})
			if err != nil && !errors.Is(err, ErrQueryTooLong) {
				t.Errorf("%q: %v", q, err)
			}
		}
	})
}
