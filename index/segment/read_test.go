package segment

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
)

// TestDocIDAsExternalID: Snapshot.DocID reads every live document's id as
// Bleve's ExternalID does, across several segments with deleted documents
// in them (document numbers count a segment's deleted ones), and fails as
// it does past the last.
func TestDocIDAsExternalID(t *testing.T) {
	bl, err := New(t.TempDir(), bleve.NewIndexMapping(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	for batch := range 4 { // a segment per batch, until a merge
		b := bl.NewBatch()
		for i := range 30 {
			if err := b.Index(fmt.Sprintf("doc-%d-%02d", batch, i), map[string]any{"text": "some words"}); err != nil {
				t.Fatal(err)
			}
		}
		if batch > 0 {
			for i := 0; i < 30; i += 4 {
				b.Delete(fmt.Sprintf("doc-%d-%02d", batch-1, i))
			}
		}
		if err := bl.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	// Everything on the one snapshot Read opens: a merge in the
	// background renumbers the documents of the next.
	checked, segs := 0, 0
	err = Read(bl, func(s *Snapshot) error {
		r := s.r
		segs = len(r.(*scorch.IndexSnapshot).Segments())
		// every live document, by its number
		ids, err := r.DocIDReaderAll()
		if err != nil {
			t.Fatal(err)
		}
		var docs []uint64
		for {
			id, err := ids.Next()
			if err != nil {
				t.Fatal(err)
			}
			if id == nil {
				break
			}
			docs = append(docs, id.Value())
		}
		ids.Close()
		if len(docs) != 4*30-3*8 {
			t.Fatalf("%d live documents, want %d", len(docs), 4*30-3*8)
		}
		for _, d := range docs {
			want, err := r.ExternalID(bindex.NewIndexInternalID(nil, d))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.DocID(uint32(d))
			if err != nil || string(got) != want {
				t.Errorf("DocID(%d) = %q, %v; want %q", d, got, err, want)
			}
			checked++
		}
		last := docs[len(docs)-1] + 1000
		_, werr := r.ExternalID(bindex.NewIndexInternalID(nil, last))
		if _, err := s.DocID(uint32(last)); err == nil || werr == nil || err.Error() != werr.Error() {
			t.Errorf("DocID past the last: %v, want %v", err, werr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents in %d segments", checked, segs)
}
