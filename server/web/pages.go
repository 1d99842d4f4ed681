package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"text/template/parse"
)

// Pages is a set of pages that share one layout, parsed once: every page's
// "content" is kept as "content/NAME" in one template set, beside the
// layout's two halves, and the page is "page/NAME", which calls
// "layout-head", then "content/NAME", then "layout-foot". The layout file
// defines those two halves where it would have called {{template "content" .}}
// between them.
//
// Each page parsed with its own copy of the layout (and the bar chart) was
// ~2,000 parse-tree nodes, most of them the layout's: at the ~46 pages,
// some 75,000 small pointerful objects the collector marked on every cycle
// for as long as the server ran. The page's bytes are the same: the same
// text, escaped in the same contexts (the head ends in the context the
// content starts in).
type Pages struct {
	set   *template.Template
	pages map[string]*template.Template
}

// ParsePages parses the layout file and, for each name, the page file
// dir/NAME.html of fsys, which defines "content" (and may define other
// templates, whose names must be unique across the pages and the layout).
func ParsePages(fsys fs.FS, layout, dir string, names []string, funcs template.FuncMap) (*Pages, error) {
	set := template.New("pages").Funcs(funcs)
	if _, err := set.ParseFS(fsys, layout); err != nil {
		return nil, err
	}
	for _, half := range []string{"layout-head", "layout-foot"} {
		if set.Lookup(half) == nil {
			return nil, fmt.Errorf("%s: no %q: the layout defines layout-head and layout-foot, the content between them", layout, half)
		}
	}
	p := &Pages{set: set, pages: make(map[string]*template.Template, len(names))}
	for _, name := range names {
		if err := p.add(fsys, name, path.Join(dir, name+".html"), funcs); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Pages) add(fsys fs.FS, name, file string, funcs template.FuncMap) error {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	// The page alone, for its trees: parsed in a set of its own so that
	// its "content" does not replace another page's.
	own, err := template.New(path.Base(file)).Funcs(funcs).Parse(string(src))
	if err != nil {
		return err
	}
	content := "content/" + name
	for _, t := range own.Templates() {
		tn := t.Name()
		switch {
		case t.Tree == nil || tn == path.Base(file) && parse.IsEmptyTree(t.Tree.Root):
			continue // the file's text outside its defines: blank
		case tn == path.Base(file):
			return fmt.Errorf("%s: text outside {{define}}", file)
		case tn == "content":
			tn = content
		case p.set.Lookup(tn) != nil:
			return fmt.Errorf("%s: template %q is defined twice among the pages and the layout", file, tn)
		}
		t.Tree.Name = tn
		if _, err := p.set.AddParseTree(tn, t.Tree); err != nil {
			return err
		}
	}
	if p.set.Lookup(content) == nil {
		return fmt.Errorf("%s: no \"content\" template", file)
	}
	page, err := p.set.New("page/" + name).Parse(`{{template "layout-head" .}}{{template "` + content + `" .}}{{template "layout-foot" .}}`)
	if err != nil {
		return err
	}
	p.pages[name] = page
	return nil
}

// Set is the one template set, for defining more templates shared by the
// pages (AddBarChart) before the first page is rendered.
func (p *Pages) Set() *template.Template { return p.set }

// Page is the page called name, or nil.
func (p *Pages) Page(name string) *template.Template { return p.pages[name] }
