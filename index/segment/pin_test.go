package segment

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

const blevePath = "github.com/blevesearch/bleve/v2"

// TestBlevePinned fails when the Bleve module the project builds with is not
// the release whose internals the package was written against.
func TestBlevePinned(t *testing.T) {
	v, from := bleveFromBuildInfo()
	if v == "" {
		// Test binaries carry no module list: read the module's go.mod.
		v, from = bleveFromGoMod(t)
	}
	if v != BleveVersion {
		t.Fatalf("%s is %s in %s, but package segment relies on the internals of %s "+
			"(scorch snapshots, document numbers, BM25 statistics, the term scorer): "+
			"re-run search's TestMatchQueryScoresAsBleve and TestCollectAsBleve, this package's TestDocIDAsExternalID "+
			"and index's TestCountCategoriesMatchesBleve, "+
			"fix what they find, then update BleveVersion (the pin)", blevePath, v, from, BleveVersion)
	}
}

func bleveFromBuildInfo() (version, from string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	for _, m := range bi.Deps {
		if m.Path == blevePath {
			if m.Replace != nil {
				return m.Replace.Path + "@" + m.Replace.Version, "the build information"
			}
			return m.Version, "the build information"
		}
	}
	return "", ""
}

// bleveFromGoMod returns the version go.mod requires, or what it replaces
// Bleve with.
func bleveFromGoMod(t *testing.T) (version, from string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package: cannot tell which Bleve the project uses")
		}
		dir = parent
	}
	path := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(l), "require "))
		switch {
		case len(f) >= 2 && f[0] == blevePath && strings.HasPrefix(f[1], "v"):
			version = f[1]
		case len(f) >= 3 && (f[0] == "replace" && f[1] == blevePath || f[0] == blevePath && f[1] == "=>"):
			return "replaced: " + strings.TrimSpace(l), path
		}
	}
	if version == "" {
		t.Fatalf("%s does not require %s", path, blevePath)
	}
	return version, path
}
