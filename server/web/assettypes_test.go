package web

import (
	"io/fs"
	"mime"
	"path"
	"testing"
)

// TestAssetTypesAreMimes: the assets' content types are what Go's mime
// package says, and every asset's kind is in the table (so serving them
// never loads the system's MIME database).
func TestAssetTypesAreMimes(t *testing.T) {
	for ext, typ := range assetTypes {
		if m := mime.TypeByExtension(ext); m != typ {
			t.Errorf("%s: %q, mime says %q", ext, typ, m)
		}
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && assetTypes[path.Ext(p)] == "" {
			t.Errorf("%s: no content type in assetTypes", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
