package index_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/marketplace/helpcentre/index"
)

func article(title, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\ntitle: " + title + "\n---\n" + body + "\n"), ModTime: time.Now()}
}

// titleHits returns the ids whose title holds word, analysed as the index does.
func titleHits(t *testing.T, ix *index.Index, locale, word string) []string {
	t.Helper()
	l, ok := ix.Locale(locale)
	if !ok {
		t.Fatalf("no %s index", locale)
	}
	var ids []string
	err := l.Read(func(v *index.View) error {
		toks := v.Analyzers.Question.Analyze([]byte(word))
		if len(toks) != 1 {
			t.Fatalf("%q analyses to %d terms", word, len(toks))
		}
		q := query.NewTermQuery(string(toks[0].Term))
		q.SetField(index.FieldTitle)
		res, err := v.Bleve.Search(bleve.NewSearchRequest(q))
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestIncrementalUpdates(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"en/orders/cancel.md": article("Cancel an order", "Press cancel."),
		"es/orders/cancel.md": article("Cancelar un pedido", "Pulsa cancelar."),
	}
	ix, err := index.Open(ctx, t.TempDir(), fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := ix.Locales(); strings.Join(got, ",") != "en,es" {
		t.Fatalf("locales %v", got)
	}

	fsys["en/invoices/invoice.md"] = article("Download your invoice", "Open the order.")
	sum, err := ix.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Upserted) != 1 || sum.Upserted[0] != "en/invoice" {
		t.Errorf("applied %+v", sum)
	}
	if got := titleHits(t, ix, "en", "invoice"); len(got) != 1 || got[0] != "invoice" {
		t.Errorf("new article not searchable: %v", got)
	}

	// A draft leaves the index; removing a file removes its document.
	fsys["en/invoices/invoice.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Download your invoice\ndraft: true\n---\nx\n"), ModTime: time.Now().Add(time.Second)}
	delete(fsys, "en/orders/cancel.md")
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titleHits(t, ix, "en", "invoice"); len(got) != 0 {
		t.Errorf("draft still searchable: %v", got)
	}
	if l, ok := ix.Locale("en"); ok && l.DocCount() != 0 {
		t.Errorf("en holds %d articles, want 0 (index kept for the draft)", l.DocCount())
	}

	// A broken file keeps its last good version in the index and is reported.
	fsys["es/orders/cancel.md"] = &fstest.MapFile{Data: []byte("---\ntitle: [roto\n---\n"), ModTime: time.Now().Add(time.Second)}
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titleHits(t, ix, "es", "cancelar"); len(got) != 1 {
		t.Errorf("last good Spanish article gone: %v", got)
	}
	st := ix.Status()
	if st.Errors != 1 || !strings.HasPrefix(st.Diagnostics.String(), "es/orders/cancel.md") {
		t.Errorf("status errors %d: %s", st.Errors, st.Diagnostics)
	}
}

// TestReuseAndRecovery: a clean restart reuses the index; an index that will
// not open is moved aside and rebuilt; a crash mid-update (dirty manifest)
// rebuilds.
func TestReuseAndRecovery(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fsys := fstest.MapFS{"en/a/one.md": article("Track your parcel", "Use the tracking link.")}
	manifest := func() map[string]any {
		data, err := os.ReadFile(filepath.Join(dir, "en", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	ix, err := index.Open(ctx, dir, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := manifest()["dir"]
	ix.Close()

	ix, err = index.Open(ctx, dir, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := manifest()["dir"]; got != first {
		t.Errorf("restart rebuilt (%v → %v) instead of reusing", first, got)
	}
	ix.Close()

	// Corrupt the index: it is moved aside and rebuilt.
	idxDir := filepath.Join(dir, "en", first.(string))
	if err := os.WriteFile(filepath.Join(idxDir, "index_meta.json"), []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err = index.Open(ctx, dir, fsys, nil)
	if err != nil {
		t.Fatalf("corrupt index not recovered: %v", err)
	}
	if got := titleHits(t, ix, "en", "track"); len(got) != 1 {
		t.Errorf("rebuilt index: %v", got)
	}
	matches, _ := filepath.Glob(idxDir + ".broken-*")
	if len(matches) != 1 {
		t.Errorf("broken index not moved aside: %v", matches)
	}
	second := manifest()["dir"]

	// An update marks the manifest dirty until a clean close.
	fsys["en/a/two.md"] = article("Change your address", "Addresses.")
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if fp := manifest()["fingerprint"]; fp != "dirty" {
		t.Errorf("fingerprint after update = %v, want dirty", fp)
	}
	ix.Close()
	if fp := manifest()["fingerprint"]; fp == "dirty" {
		t.Error("clean close left the manifest dirty")
	}
	ix, err = index.Open(ctx, dir, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := manifest()["dir"]; got != second {
		t.Errorf("index rebuilt after a clean close")
	}
	if got := titleHits(t, ix, "en", "address"); len(got) != 1 {
		t.Errorf("update lost across restart: %v", got)
	}
}

func TestMappingIsExplicit(t *testing.T) {
	for _, l := range []string{"en", "es", "de", "fr", "it", "pt"} {
		m, err := index.NewMapping(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if m.DefaultMapping.Enabled || m.ScoringModel != "bm25" {
			t.Errorf("%s: default mapping enabled=%v scoring=%q", l, m.DefaultMapping.Enabled, m.ScoringModel)
		}
	}
	if _, err := index.NewMapping("xx"); err == nil {
		t.Error("unknown locale accepted")
	}
}

// TestCategoryQuestionTerms: the statistics know, per category, the terms of
// its articles' titles, aliases and tags (not bodies), through incremental
// updates.
func TestCategoryQuestionTerms(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"en/delivery/ship.md": article("Where do we ship?", "Parcels travel by courier."),
		"en/orders/cancel.md": article("Cancel an order", "Press cancel."),
	}
	ix, err := index.Open(ctx, t.TempDir(), fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check := func(cat, word string, want bool) {
		t.Helper()
		l, _ := ix.Locale("en")
		_ = l.Read(func(v *index.View) error {
			term := string(v.Analyzers.Question.Analyze([]byte(word))[0].Term)
			if got := v.Stats.CategoryHasQuestionTerm(cat, term); got != want {
				t.Errorf("%s has %q (%s): %v, want %v (categories %v)", cat, word, term, got, want, v.Stats.Categories())
			}
			return nil
		})
	}
	check("delivery", "ship", true)
	check("delivery", "courier", false) // a body word
	check("orders", "ship", false)
	check("orders", "cancel", true)
	delete(fsys, "en/delivery/ship.md")
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	check("delivery", "ship", false)
}

// trackFS is one article, found by "track".
func trackFS() fstest.MapFS {
	return fstest.MapFS{"en/a/one.md": article("Track your parcel", "Use the tracking link.")}
}

// builtIndex builds the index of fsys in a new folder, closes it and
// returns the folder.
func builtIndex(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	dir := t.TempDir()
	ix, err := index.Open(context.Background(), dir, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	return dir
}

// reopenFinds opens the index in dir again (damaged: it must be rebuilt)
// and checks that it finds the one article of trackFS.
func reopenFinds(t *testing.T, dir string, fsys fstest.MapFS, what string) *index.Index {
	t.Helper()
	ix, err := index.Open(context.Background(), dir, fsys, nil)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := titleHits(t, ix, "en", "track"); len(got) != 1 {
		t.Errorf("%s: rebuilt index finds %v", what, got)
	}
	return ix
}

// TestTruncatedRootBoltIsRebuilt cuts the index's root.bolt short at every
// page boundary. bbolt reads such a file through mmap and faults (SIGSEGV)
// on the pages past its end instead of returning an error; the index must
// take that as damage, move the folder aside and rebuild, not die.
func TestTruncatedRootBoltIsRebuilt(t *testing.T) {
	fsys := trackFS()
	dir := builtIndex(t, fsys)
	roots, _ := filepath.Glob(filepath.Join(dir, "en", "*", "store", "root.bolt"))
	if len(roots) != 1 {
		t.Fatalf("root.bolt files: %v", roots)
	}
	whole, err := os.ReadFile(roots[0])
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	for size := len(whole) - page; size >= page; size -= page {
		roots, _ := filepath.Glob(filepath.Join(dir, "en", "*", "store", "root.bolt"))
		var live string
		for _, r := range roots {
			if !strings.Contains(r, ".broken-") {
				live = r
			}
		}
		if err := os.WriteFile(live, whole[:size], 0o644); err != nil {
			t.Fatal(err)
		}
		reopenFinds(t, dir, fsys, fmt.Sprintf("root.bolt cut to %d bytes", size)).Close()
	}
}

// TestDamagedSegmentIsRebuilt: bytes changed inside a segment file fail its
// checksum, so the index is moved aside and rebuilt before zap reads a
// damaged length (which could make it allocate terabytes and die).
func TestDamagedSegmentIsRebuilt(t *testing.T) {
	fsys := trackFS()
	dir := builtIndex(t, fsys)
	segs, _ := filepath.Glob(filepath.Join(dir, "en", "*", "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatal("no segment files")
	}
	for _, p := range segs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/3] ^= 0xff // one byte: a length, an offset or a term
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer reopenFinds(t, dir, fsys, "damaged segment").Close()
	if broken, _ := filepath.Glob(filepath.Join(dir, "en", "*.broken-*")); len(broken) != 1 {
		t.Errorf("the damaged index was not moved aside: %v", broken)
	}
}
