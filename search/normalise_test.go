package search

import (
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/index"
)

// Compatibility characters are read as the letters they show: mathematical
// bold, full-width forms, ligatures.
func TestNormaliseNFKC(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"where is my 𝐢𝐧𝐯𝐨𝐢𝐜𝐞", "where is my invoice"},
		{"ｒｅｆｕｎｄ\u3000ｐｌｅａｓｅ", "refund please"},
		{"𝘤𝘢𝘯𝘤𝘦𝘭 my ｏｒｄｅｒ①②", "cancel my order12"},
		{"ﬁnd my oﬃce", "find my office"},
		{"contraseña olvidada", "contraseña olvidada"}, // already NFKC: unchanged
		{"a\x00b\tc", "a b c"},
	} {
		if got := normalise(c.in); got != c.want {
			t.Errorf("normalise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestExpandNumberSign(t *testing.T) {
	for _, c := range []struct{ in, locale, want string }{
		{"order no. 1234", "en", "order number  1234"},
		{"No.1234 missing", "en", "number 1234 missing"},
		{"order no. #55", "en", "order number  #55"},
		{"No. I want to cancel", "en", "No. I want to cancel"},
		{"casino.5", "en", "casino.5"},
		{"pedido no. 77", "es", "pedido numero  77"},
	} {
		if got := expandNumberSign(c.in, c.locale); got != c.want {
			t.Errorf("expandNumberSign(%q, %s) = %q, want %q", c.in, c.locale, got, c.want)
		}
	}
}

// Chat-speak is written out before typo correction: "u" and "pls" are not
// typos of article words, and "dont" is "don't".
func TestChatSpeakBeforeTypos(t *testing.T) {
	fsys := fstest.MapFS{
		"en/a/invoice.md": article("invoice-find", "Where is my invoice?", `"can you send my invoice"`, "Invoices are in My account."),
		"es/a/pass.md":    article("restablecer", "Restablecer la contraseña", "", "Pulsa ¿Has olvidado tu contraseña?"),
	}
	e := testEngine(t, fsys)
	for _, c := range []struct{ locale, q, want string }{
		{"en", "can u send my invoce pls", "can you send my invoice please"},
		{"en", "i dont have ur invoice", "i don't have your invoice"},
		{"es", "xq no puedo entrar", "porque no puedo entrar"},
	} {
		_, err := e.withLocale(c.locale, func(v *index.View) error {
			p := e.analyse(v, normalise(c.q), false, Staff)
			var got []string
			for _, w := range p.words {
				got = append(got, w.word)
			}
			if s := join(got); s != c.want {
				t.Errorf("%s %q: words %q, want %q", c.locale, c.q, s, c.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// a word still being typed is not chat-speak: "u" may become "under"
	_, _ = e.withLocale("en", func(v *index.View) error {
		if p := e.analyse(v, "where is u", true, Staff); p.words[len(p.words)-1].word != "u" {
			t.Errorf("as you type, the last word %q was expanded", p.words[len(p.words)-1].word)
		}
		return nil
	})
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
