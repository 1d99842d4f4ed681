package segment

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Read opens a snapshot of bl, as Bleve's SearchInContext opens one for a
// search, and calls fn with it; the snapshot is closed when fn returns, and
// nothing read from it (DocID's bytes) may be kept after. It is for a search
// that collects its own hits (a Matcher's matches, sorted and paged by the
// caller) instead of going through Bleve's generic search: its top-N
// collector, per-hit document matches and stored-field loading were a
// fifth of a search's garbage.
func Read(bl bleve.Index, fn func(s *Snapshot) error) (err error) {
	adv, err := bl.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("error opening index reader %v", err)
	}
	defer func() {
		if cerr := r.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	s := Snapshot{r: r, bm25: bm25(bl.Mapping())}
	if s.count, err = r.DocCount(); err != nil {
		return err
	}
	return fn(&s)
}

// bm25 reports whether an index mapping scores with BM25, as Bleve's
// SearchInContext decides it (isBM25Enabled).
func bm25(m mapping.IndexMapping) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	return ok && im.ScoringModel == bindex.BM25Scoring
}

// DocID returns the external id of the document numbered doc (a Match's or
// a Posting's Doc), as Bleve's ExternalID reads it, but without copying it:
// the bytes belong to the snapshot and are valid only while it is open.
func (s *Snapshot) DocID(doc uint32) ([]byte, error) {
	is, ok := s.r.(*scorch.IndexSnapshot)
	if !ok {
		id, err := s.r.ExternalID(bindex.NewIndexInternalID(nil, uint64(doc)))
		return []byte(id), err
	}
	// A document's number is its segment's offset (the documents of the
	// segments before it, deleted ones included) plus its number there.
	segs := is.Segments()
	local := uint64(doc)
	for i, seg := range segs {
		n := seg.Segment().Count()
		if local < n || i == len(segs)-1 {
			v, err := seg.DocID(local)
			if err != nil {
				return nil, err
			}
			if v == nil {
				break
			}
			return v, nil
		}
		local -= n
	}
	return nil, fmt.Errorf("document number %d not found", doc)
}
