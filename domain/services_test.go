package domain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServiceMethodsNameTheirErrors parses the package's interfaces: every
// method's comment has an "Errors:" line ("Errors: none." when it returns no
// code), and every code it names with an underscore is declared.
func TestServiceMethodsNameTheirErrors(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	codeWord := regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)
	methods := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok {
				return false
			}
			for _, m := range it.Methods.List {
				if len(m.Names) == 0 {
					continue // an embedded interface
				}
				methods++
				where := ts.Name.Name + "." + m.Names[0].Name
				doc := m.Doc.Text()
				i := strings.Index(doc, "Errors:")
				if i < 0 {
					t.Errorf("%s: %s's comment has no \"Errors:\" line", fset.Position(m.Pos()), where)
					continue
				}
				for _, w := range codeWord.FindAllString(doc[i:], -1) {
					if _, ok := codeKinds[Code(w)]; !ok {
						t.Errorf("%s: %s names %q, which is no declared code", fset.Position(m.Pos()), where, w)
					}
				}
			}
			return false
		})
	}
	if methods < 70 {
		t.Errorf("found %d interface methods; the parse missed some", methods)
	}
}
