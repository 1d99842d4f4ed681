package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// TestDumpOutputs writes, as JSON lines, what searches and deflections return
// (snippets, reasons, confidences) for every bitext and out-of-scope dev
// question, every fourth bitext train question and every Spanish dev
// question (in Spanish), on the bundled content and at 10,000 articles, to the file named
// by HC_DUMP. Dumps of two versions are compared with cmp to show that a
// change left the output byte for byte as it was. Without HC_DUMP it dumps
// every fourth question on the bundled content only, to a temporary file,
// and checks that every request gave a line.
//
// Ties are in index order, which differs between two builds of the same
// articles: give both runs the same HC_DUMP_INDEX folder (the first builds the
// indexes there, the second reuses them).
//
//	HC_DUMP=/tmp/new.jsonl HC_DUMP_INDEX=/tmp/dump-index go test -run TestDumpOutputs -timeout 30m ./search/
func TestDumpOutputs(t *testing.T) {
	path, dir := os.Getenv("HC_DUMP"), os.Getenv("HC_DUMP_INDEX")
	corpora := []string{"bundled", "synth10k"}
	if path == "" {
		path, corpora = filepath.Join(t.TempDir(), "dump.jsonl"), corpora[:1]
	}
	if dir == "" {
		dir = t.TempDir()
	}
	var qs []string
	for _, f := range []string{"testdata/bitext/queries_dev.jsonl", "testdata/outofscope/queries_dev.jsonl"} {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		eq, err := search.ReadQueries(fh, f)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range eq {
			qs = append(qs, q.Query)
		}
	}
	var esQs []string
	if len(corpora) == 1 {
		var some []string
		for i := 0; i < len(qs); i += 4 {
			some = append(some, qs[i])
		}
		qs = some
	} else {
		for f, step := range map[string]int{"testdata/bitext/queries_train.jsonl": 4, "testdata/es/queries_dev.jsonl": 1} {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			eq, err := search.ReadQueries(fh, f)
			fh.Close()
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(eq); i += step {
				if step == 1 {
					esQs = append(esQs, eq[i].Query)
				} else {
					qs = append(qs, eq[i].Query)
				}
			}
		}
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	var lines int
	check := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
		lines++
	}

	type hit struct {
		ID      string
		Score   float64
		Snippet string
		Why     search.Why
	}
	ctx := context.Background()
	for _, corpus := range corpora {
		var ix *index.Index
		if corpus == "bundled" {
			ix, err = index.Open(ctx, filepath.Join(dir, corpus), content.Bundled(), nil)
		} else {
			fsys, ferr := synth.Corpus(10000, 1)
			if ferr != nil {
				t.Fatal(ferr)
			}
			ix, err = index.Open(ctx, filepath.Join(dir, corpus), fsys, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		e := search.New(ix, search.DefaultOptions())
		// dumpSearch writes one search's result (or error) and its hits.
		dumpSearch := func(req search.Request) {
			res, err := e.Search(ctx, req)
			if err != nil {
				check(enc.Encode(map[string]any{"corpus": corpus, "req": req, "err": err.Error()}))
				return
			}
			hits := make([]hit, len(res.Hits))
			for i, h := range res.Hits {
				hits[i] = hit{h.Article.ID, h.Score, string(h.Snippet), h.Why}
			}
			check(enc.Encode(map[string]any{"corpus": corpus, "req": req, "res": res, "hits": hits}))
			res.Release() // the next search reuses its arrays, as the API's do
		}
		for _, q := range qs {
			for _, req := range []search.Request{
				{Query: q, Locale: "en"},
				{Query: q, Locale: "en", Page: 2},
				{Query: q, Locale: "en", AsYouType: true},
				{Query: q, Locale: "en", Audience: search.Staff, PerPage: 20},
				{Query: q, Locale: "es", AsYouType: true},
			} {
				dumpSearch(req)
			}
			for _, req := range []search.DeflectRequest{
				{Subject: q, Locale: "en"},
				{Subject: "help", Body: q, Locale: "en"},
				{Subject: q, Locale: "es"},
			} {
				d, err := e.Deflect(ctx, req)
				if err != nil {
					check(enc.Encode(map[string]any{"corpus": corpus, "deflect": req, "err": err.Error()}))
					continue
				}
				check(enc.Encode(map[string]any{"corpus": corpus, "deflect": req, "res": d}))
				d.Release()
			}
		}
		for _, q := range esQs {
			for _, req := range []search.Request{
				{Query: q, Locale: "es"},
				{Query: q, Locale: "es", Page: 2},
				{Query: q, Locale: "es", Audience: search.Staff, PerPage: 20},
			} {
				dumpSearch(req)
			}
			d, err := e.Deflect(ctx, search.DeflectRequest{Subject: q, Locale: "es"})
			if err != nil {
				check(enc.Encode(map[string]any{"corpus": corpus, "deflect": q, "err": err.Error()}))
				continue
			}
			check(enc.Encode(map[string]any{"corpus": corpus, "deflect": q, "res": d}))
			d.Release()
		}
		ix.Close()
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := len(corpora) * (len(qs)*8 + len(esQs)*4); lines != want {
		t.Fatalf("%d lines dumped, want %d (8 a question and corpus, 4 a Spanish one)", lines, want)
	}
}
