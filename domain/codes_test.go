package domain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestCodesHaveKinds reads codes.go and checks that every Code constant is in
// codeKinds, so that no code falls back to Internal (a 500) by omission.
func TestCodesHaveKinds(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Code]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				c := Code(strings.Trim(lit.Value, `"`))
				if other, dup := seen[c]; dup {
					t.Errorf("%s and %s both declare %q", other, name.Name, c)
				}
				seen[c] = name.Name
				if _, ok := codeKinds[c]; !ok {
					t.Errorf("%s (%q) has no kind in codeKinds", name.Name, c)
				}
			}
		}
	}
	if len(seen) != len(codeKinds) {
		t.Errorf("codes.go declares %d codes, codeKinds has %d", len(seen), len(codeKinds))
	}
}
