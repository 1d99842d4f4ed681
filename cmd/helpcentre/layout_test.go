package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadmeLayout checks that the README's Layout section names every
// package of the repository, and nothing that is not one.
func TestReadmeLayout(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile("(?s)## Layout\n\n```\n(.*?)```").FindSubmatch(readme)
	if section == nil {
		t.Fatal("README.md has no Layout section with a code block")
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(string(section[1])), "\n") {
		listed = append(listed, strings.Fields(line)[0])
	}
	var pkgs []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "//go:build ignore") { // a generator run with go run
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		if rel = filepath.ToSlash(rel); !slices.Contains(pkgs, rel) {
			pkgs = append(pkgs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if !slices.Contains(listed, p) {
			t.Errorf("package %s is missing from the README's Layout section", p)
		}
	}
	for _, l := range listed {
		if !slices.Contains(pkgs, l) {
			t.Errorf("the README's Layout section names %s, which is no package", l)
		}
	}
}

// TestNoMergeMarkers: no text file of the repository keeps a merge
// conflict's markers (a README once shipped two of them).
func TestNoMergeMarkers(t *testing.T) {
	root := filepath.Join("..", "..")
	marker := regexp.MustCompile(`(?m)^(<<<<<<< |>>>>>>> )\S`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "artifacts" || name == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".md", ".html", ".tmpl", ".js", ".css", ".json", ".txt", ".yaml", ".yml", ".sh", ".service", "":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := marker.FindIndex(data); loc != nil {
			t.Errorf("%s:%d: a merge conflict marker", path, 1+strings.Count(string(data[:loc[0]]), "\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
