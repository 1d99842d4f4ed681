// Package pagetest checks pages parsed into one set (web.ParsePages)
// against the same pages parsed each with its own copy of the layout.
package pagetest

import (
	"errors"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/server/web"
)

var foot = regexp.MustCompile(`\{\{end\}\}(\{\{/\*.*?\*/\}\})?\{\{define "layout-foot"\}\}`)

// SameAsBefore escapes every page of p and, apart, the page parsed with its
// own layout, as pages were before web.ParsePages: a "layout" template that
// calls "content" where the layout file splits into layout-head and
// layout-foot. Each template's escaped tree must be the same in both: the
// same text and actions, escaped the same (so the same bytes for the same
// data), including those no page calls, run alone. extra adds to a page's own set what the shared set has besides the
// layout and pages (the bar chart).
func SameAsBefore(t testing.TB, p *web.Pages, fsys fs.FS, layout, dir string, names []string, funcs template.FuncMap, extra func(name string, own *template.Template) error) {
	t.Helper()
	src, err := fs.ReadFile(fsys, layout)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if strings.Count(s, `{{define "layout-head"}}`) != 1 || len(foot.FindAllStringIndex(s, -1)) != 1 {
		t.Fatalf("%s: want one layout-head and one layout-foot", layout)
	}
	old := foot.ReplaceAllLiteralString(strings.Replace(s, `{{define "layout-head"}}`, `{{define "layout"}}`, 1), `{{template "content" .}}`)
	escaped := func(what string, err error) {
		var e *template.Error
		if errors.As(err, &e) {
			t.Fatalf("%s: %v", what, err)
		}
	}
	set := p.Set()
	// A template no page calls is escaped (at the top, as HTML text) only
	// when run itself: each is, in both.
	escapeAll := func(what string, x *template.Template) {
		for _, y := range x.Templates() {
			if y.Tree != nil {
				escaped(what+" "+y.Name(), x.ExecuteTemplate(io.Discard, y.Name(), nil))
			}
		}
	}
	tree := func(x *template.Template) string {
		if x == nil || x.Tree == nil {
			return "<none>"
		}
		return x.Tree.Root.String()
	}
	for _, name := range names {
		own, err := template.New(name).Funcs(funcs).New(path.Base(layout)).Parse(old)
		if err == nil {
			own, err = own.ParseFS(fsys, path.Join(dir, name+".html"))
		}
		if err == nil {
			err = extra(name, own)
		}
		if err != nil {
			t.Fatal(err)
		}
		escaped(name+" as before", own.ExecuteTemplate(io.Discard, "layout", nil))
		escaped(name, p.Page(name).Execute(io.Discard, nil))
		escapeAll(name+" as before", own)
		escapeAll(name, set)
		wantLayout := tree(own.Lookup("layout"))
		gotLayout := tree(set.Lookup("layout-head")) + `{{template "content" .}}` + tree(set.Lookup("layout-foot"))
		if gotLayout != wantLayout {
			t.Errorf("%s: the layout escaped differently:\n%s\n%s", name, gotLayout, wantLayout)
		}
		if got, want := tree(p.Page(name)), `{{template "layout-head" .}}{{template "content/`+name+`" .}}{{template "layout-foot" .}}`; got != want {
			t.Errorf("%s: the page is %s, not %s", name, got, want)
		}
		n := 0
		for _, x := range own.Templates() {
			xn := x.Name()
			if xn == "layout" || xn == name || xn == path.Base(layout) || xn == name+".html" {
				continue
			}
			sn := xn
			if xn == "content" || strings.HasPrefix(xn, "content$") {
				sn = "content/" + name + strings.TrimPrefix(xn, "content")
			}
			if got, want := tree(set.Lookup(sn)), tree(x); got != want {
				t.Errorf("%s: template %s (%s) escaped differently:\n%s\n%s", name, xn, sn, got, want)
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no templates compared", name)
		}
	}
}
