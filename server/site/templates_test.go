package site

import (
	"html/template"
	"testing"

	"github.com/marketplace/helpcentre/server/web"
	"github.com/marketplace/helpcentre/server/web/pagetest"
)

// TestPagesShareTheLayoutAsBefore: every help-centre page, parsed in one set
// with one copy of the layout, escapes to the same templates as the page
// parsed with its own layout.
func TestPagesShareTheLayoutAsBefore(t *testing.T) {
	a, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePages(a)
	if err != nil {
		t.Fatal(err)
	}
	pagetest.SameAsBefore(t, p, templateFS, "templates/layout.html", "templates", pageNames, pageFuncs(a), func(string, *template.Template) error { return nil })
}
