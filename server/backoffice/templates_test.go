package backoffice

import (
	"html/template"
	"testing"

	"github.com/marketplace/helpcentre/server/web"
	"github.com/marketplace/helpcentre/server/web/pagetest"
)

// TestPagesShareTheLayoutAsBefore: every back-office page, parsed in one set
// with one copy of the layout, escapes to the same templates as the page
// parsed with its own layout (and the seller's thread page with thread.html's
// content as "thread-content", as sellerThreadTemplate made it).
func TestPagesShareTheLayoutAsBefore(t *testing.T) {
	a, err := web.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseBackOffice(a.Funcs())
	if err != nil {
		t.Fatal(err)
	}
	names, err := boPageNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 30 {
		t.Fatalf("only %d pages", len(names))
	}
	pagetest.SameAsBefore(t, p, boFS, "templates/layout.html", "templates", names, a.Funcs(), func(name string, own *template.Template) error {
		if name == "seller_thread" {
			th, err := template.New("thread").Funcs(a.Funcs()).ParseFS(boFS, "templates/thread.html")
			if err != nil {
				return err
			}
			if _, err := own.AddParseTree("thread-content", th.Lookup("content").Tree); err != nil {
				return err
			}
		}
		return web.AddBarChart(own)
	})
}
