package content

import (
	"strings"
	"testing"
)

// The body's HTML comes back as it was set, whatever the text it is
// compressed against: none, shorter than a dictionary may be, an ordinary
// one, one longer than a dictionary (only its end is used).
func TestHTMLRoundTrip(t *testing.T) {
	long := strings.Repeat("Returns are free within 30 days of delivery. ", 2000) // ~90 KB
	for _, c := range []struct{ text, html string }{
		{"", ""},
		{"", "<p>x</p>"},
		{"Short.", "<p>Short.</p>"},
		{"Open My orders and choose Return.\nThe refund follows in 5 days.",
			"<p>Open <strong>My orders</strong> and choose <em>Return</em>.</p>\n<p>The refund follows in 5 days.</p>\n"},
		{long, "<p>" + long + "</p><p>and « ünïcödé » &amp; more</p>"},
	} {
		a := &Article{Text: c.text}
		a.setHTML([]byte(c.html))
		if got := string(a.HTML()); got != c.html {
			t.Errorf("text %d bytes: HTML %q, want %q", len(c.text), trim(got), trim(c.html))
		}
		if len(c.html) > 1000 && len(a.html) > len(c.html)/10 {
			t.Errorf("HTML of %d bytes kept in %d: the text did not serve as its dictionary", len(c.html), len(a.html))
		}
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
