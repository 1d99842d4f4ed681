package server_test

import (
	"strings"
	"testing"
)

// The article page and the API show the article's body as rendered and
// sanitised (content keeps it compressed: Article.HTML decodes it), the same
// markup in both, with the paragraphs and headings of the Markdown.
func TestArticleBodyOnPageAndAPI(t *testing.T) {
	s := newServer(t)
	m := get(t, s, "/api/v1/articles/refund-policy?locale=en").json(t)
	html, _ := m["html"].(string)
	if !strings.Contains(html, "<p>") || strings.Contains(html, "<script") {
		t.Fatalf("API html: %.200q", html)
	}
	r := get(t, s, "/en/articles/refund-policy")
	for hops := 0; r.status/100 == 3 && hops < 3; hops++ {
		r = get(t, s, r.header.Get("Location"))
	}
	if r.status != 200 {
		t.Fatalf("article page: status %d", r.status)
	}
	if !strings.Contains(string(r.body), `<div class="prose">`+html) {
		t.Errorf("the page's prose is not the API's html %.200q", html)
	}
}
