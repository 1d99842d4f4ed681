package content

import (
	"strings"
	"testing"
)

// FuzzParse: any bytes given as an article file parse without panicking,
// and an article that comes back has what publishing needs: an id that
// passes its own check, a title, a known locale, a valid visibility, every
// diagnostic with a line. The seeds run in every `go test`.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: Where is my invoice?\n---\n\nIn My account.\n",
		"---\nid: refund-policy\ntitle: \"Refund policy\"\naliases: [money back, \"refund rules\"]\ntags:\n  - refund\nvisibility: customers\nupdated: 2026-03-09\n---\n\n## Heading\n\nBody with **bold** and a [link](https://example.com).\n",
		"---\ntitle: [not, a, string]\n---\nbody",
		"---\ntitle: x\nupdated: 31/02/2026\nrelated: {a: b}\n---\n",
		"---\n: :\n  - - -\n---\n",
		"--- \ntitle: trailing space\n---",
		"no front matter at all",
		"---\ntitle: unterminated\n",
		"---\r\ntitle: CRLF\r\n---\r\nbody\r\n",
		"---\ntitle: a\n---\n<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
		"---\ntitle: &a x\nid: *a\n---\n",
		"---\ntitle: \"\\uFFFD\"\n---\n",
		"\xff\xfe---\ntitle: bad utf8\n---\n",
		"---\ntitle: " + strings.Repeat("long ", 60) + "\n---\n",
	} {
		f.Add("en/orders/article.md", []byte(s))
	}
	f.Add("es/pagos/x.md", []byte("---\ntitle: ¿Dónde está mi factura?\nlocale: es\n---\n\nEn Mi cuenta.\n"))
	f.Add("xx/y.md", []byte("---\ntitle: unknown locale\n---\n"))
	p := NewParser()
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		a, ds := p.Parse(path, data)
		for _, d := range ds {
			if d.Line < 0 {
				t.Errorf("diagnostic with line %d: %+v", d.Line, d)
			}
		}
		if a == nil {
			return
		}
		if !idRE.MatchString(a.ID) || strings.TrimSpace(a.Title) == "" || !KnownLocale(a.Locale) || !a.Visibility.valid() {
			t.Errorf("published an article that fails its checks: id %q title %q locale %q visibility %q", a.ID, a.Title, a.Locale, a.Visibility)
		}
	})
}

// FuzzSynonyms: any synonyms file parses without panicking, and every rule
// has words on both sides.
func FuzzSynonyms(f *testing.F) {
	for _, s := range []string{
		"purchase, order\nmoney back, reimbursement => refund\n",
		"@places => delivery countries\n",
		"@planets => space\n=> x\nx =>\n,,,\n# comment\n",
		"a, b => @places\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, _ := parseSynonyms("en/synonyms.txt", "en", data)
		for _, r := range rules {
			if len(r.From) == 0 || len(r.To) == 0 {
				t.Errorf("rule with an empty side: %+v", r)
			}
		}
	})
}
