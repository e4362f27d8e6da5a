package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayout keeps api a thin HTTP layer: it imports neither the store nor
// bbolt (the service owns the application), its interfaces stay small and
// its functions short.
func TestLayout(t *testing.T) {
	const maxMethods, maxLines = 8, 60
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "github.com/nearby-dev/nearby/store" || strings.HasPrefix(path, "go.etcd.io/bbolt") {
				t.Errorf("%s imports %s", name, path)
			}
		}
		f, err = parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.InterfaceType:
				if k := n.Methods.NumFields(); k > maxMethods {
					t.Errorf("%s: an interface has %d methods, more than %d", fset.Position(n.Pos()), k, maxMethods)
				}
			case *ast.FuncDecl:
				if k := fset.Position(n.End()).Line - fset.Position(n.Pos()).Line + 1; k > maxLines {
					t.Errorf("%s: %s is %d lines, more than %d", fset.Position(n.Pos()), n.Name.Name, k, maxLines)
				}
			}
			return true
		})
	}
}
