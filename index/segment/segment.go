// Package segment is the one place that reads Bleve below its public API: a
// scorch index snapshot's postings, statistics and identity, for scoring
// outside Bleve's searchers, and the creating and merging of its segments.
//
// It relies on internals of Bleve v2.6.1 (scorch's *IndexSnapshot and
// *Scorch, document numbers as internal ids and how they run across a
// snapshot's segments, the BM25 statistics Bleve puts in a search's context,
// its term scorer's formula, its top-N collector's order). search's
// TestMatchQueryScoresAsBleve and TestCollectAsBleve and this package's
// TestDocIDAsExternalID are the contract that they still hold;
// TestBlevePinned fails when the Bleve version changes.
package segment

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
)

// BleveVersion is the Bleve release whose internals this package reads.
const BleveVersion = "v2.6.1"

// New creates a scorch index in dir (the index type every snapshot this
// package reads comes from).
func New(dir string, im mapping.IndexMapping, config map[string]any) (bleve.Index, error) {
	return bleve.NewUsing(dir, im, scorch.Name, scorch.Name, config)
}

// SetMaxClauses bounds, process-wide, the clauses any Bleve disjunction may
// expand to (0: no bound, Bleve's default). Call it at program start only.
func SetMaxClauses(n int) { searcher.DisjunctionMaxClauseCount = n }

// MaxClauses is the bound SetMaxClauses set.
func MaxClauses() int { return searcher.DisjunctionMaxClauseCount }

// Snapshot is the index snapshot one search reads, with the statistics
// Bleve's term scorer would use for it.
type Snapshot struct {
	r     bindex.IndexReader
	bm25  bool
	count uint64
	stats *bsearch.BM25Stats // from a multi-index pre-search, when there was one
}

// Open reads the statistics of the search running in ctx over r (the reader
// Bleve hands a query's searcher). Only this package and tests call it.
func Open(ctx context.Context, r bindex.IndexReader) (*Snapshot, error) {
	s := &Snapshot{r: r}
	if cb, ok := ctx.Value(bsearch.GetScoringModelCallbackKey).(bsearch.GetScoringModelCallbackFn); ok {
		s.bm25 = cb() == bindex.BM25Scoring
	}
	if st, ok := ctx.Value(bsearch.BM25StatsKey).(*bsearch.BM25Stats); ok && s.bm25 {
		s.stats, s.count = st, uint64(st.DocCount)
		return s, nil
	}
	n, err := r.DocCount()
	s.count = n
	return s, err
}

// BM25 reports whether the index scores with BM25 (else tf-idf).
func (s *Snapshot) BM25() bool { return s.bm25 }

// DocCount is the number of documents Bleve's idf counts.
func (s *Snapshot) DocCount() uint64 { return s.count }

// PreSearched reports whether the statistics come from a pre-search over
// several indexes: they are not the snapshot's own then, and scores
// computed from them must not be kept with the snapshot.
func (s *Snapshot) PreSearched() bool { return s.stats != nil }

// AvgFieldLength is the field's average length as Bleve's BM25 reads it
// (the field's vocabulary over the document count, rounded up), or 0 for
// tf-idf scoring.
func (s *Snapshot) AvgFieldLength(field string) (float64, error) {
	if !s.bm25 {
		return 0, nil
	}
	var card int
	if s.stats != nil {
		c, ok := s.stats.FieldCardinality[field]
		if !ok {
			return 0, fmt.Errorf("field stat for bm25 not present %s", field)
		}
		card = c
	} else if br, ok := s.r.(bindex.BM25Reader); ok {
		c, err := br.FieldCardinality(field)
		if err != nil {
			return 0, err
		}
		card = c
	}
	var a float64
	if s.count != 0 || card != 0 {
		a = math.Ceil(float64(card) / float64(s.count))
	}
	return a, nil
}

// TermScore is a posting's score before the query weight, as Bleve's term
// scorer computes it: BM25 with the field's average length, or tf-idf when
// avgLen is 0.
func TermScore(freq uint64, norm, idf, avgLen float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	if avgLen > 0 {
		fieldLength := 1 / (norm * norm)
		return idf * (tf * bsearch.BM25_k1) /
			(tf + bsearch.BM25_k1*(1-bsearch.BM25_b+(bsearch.BM25_b*fieldLength/avgLen)))
	}
	return tf * norm * idf
}

// Key identifies a snapshot for caches without keeping it alive: scorch
// makes a new snapshot after every batch and merge, which renumbers
// documents, so what was read from one holds for it alone.
type Key struct {
	p weak.Pointer[scorch.IndexSnapshot]
}

// Key returns the snapshot's identity, or false when it has none (not a
// scorch snapshot: nothing read from it may be kept).
func (s *Snapshot) Key() (Key, bool) {
	snap, ok := s.r.(*scorch.IndexSnapshot)
	if !ok {
		return Key{}, false
	}
	return Key{weak.Make(snap)}, true
}

// Live reports whether the snapshot k identifies is still in memory.
func (k Key) Live() bool { return k.p.Value() != nil }

// Terms calls fn with each term of field that starts with prefix (every
// term when prefix is ""), in the order of the field's dictionary.
func (s *Snapshot) Terms(field, prefix string, fn func(term string) error) error {
	var d bindex.FieldDict
	var err error
	if prefix == "" {
		d, err = s.r.FieldDict(field)
	} else {
		d, err = s.r.FieldDictPrefix(field, []byte(prefix))
	}
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		if err := fn(e.Term); err != nil {
			return err
		}
	}
}

// Posting is one document of a term's postings: its number in the snapshot
// and, when asked for, the term's frequency and the field's length norm.
type Posting struct {
	Doc  uint32
	Freq uint64
	Norm float64
}

// Postings reads a term's postings in one field, in document order.
type Postings struct {
	tfr bindex.TermFieldReader
	tfd bindex.TermFieldDoc
}

// Postings opens the postings of term in field; scores says whether to read
// frequencies and norms. Close them after use.
func (s *Snapshot) Postings(ctx context.Context, field, term string, scores bool) (*Postings, error) {
	tfr, err := s.r.TermFieldReader(ctx, []byte(term), field, scores, scores, false)
	if err != nil {
		return nil, err
	}
	return &Postings{tfr: tfr}, nil
}

// Count is the number of documents with the term (Bleve's, for its idf).
func (p *Postings) Count() uint64 { return p.tfr.Count() }

// Next returns the next posting, or false after the last.
func (p *Postings) Next() (Posting, bool, error) {
	d, err := p.tfr.Next(&p.tfd)
	if err != nil || d == nil {
		return Posting{}, false, err
	}
	n, err := docNumber(d.ID)
	if err != nil {
		return Posting{}, false, err
	}
	return Posting{Doc: n, Freq: d.Freq, Norm: d.Norm}, true, nil
}

// Close releases the postings.
func (p *Postings) Close() error { return p.tfr.Close() }

// docNumber is a document's number in its snapshot: scorch's internal id.
// Its scorers index arrays by it and keep it in 32 bits: a larger one (an
// index of over four billion documents, or a Bleve whose ids are no longer
// numbers) is an error, never truncated.
func docNumber(id bindex.IndexInternalID) (uint32, error) {
	v := id.Value()
	if v >= math.MaxUint32 {
		return 0, fmt.Errorf("segment: document number %d out of range (at most %d)", v, uint32(math.MaxUint32-1))
	}
	return uint32(v), nil
}

// ForceMerge persists and merges a scorch index down to one segment. Scorch
// merges at most ten segments per call, so it loops (for at most five
// minutes). Other index types are left as they are.
func ForceMerge(ctx context.Context, bl bleve.Index) error {
	adv, err := bl.Advanced()
	if err != nil {
		return fmt.Errorf("index: advanced: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		mem, files := segments(bl)
		if mem == 0 && files <= 1 {
			return nil
		}
		if mem > 0 {
			time.Sleep(5 * time.Millisecond) // let the persister write memory segments
			continue
		}
		if err := s.ForceMerge(ctx, nil); err != nil && !strings.Contains(err.Error(), "in progress") {
			return fmt.Errorf("index: merge: %w", err)
		}
	}
	return nil
}

// segments counts the memory and file segments at the root of a scorch
// index, from its statistics.
func segments(bl bleve.Index) (mem, files uint64) {
	st, _ := bl.StatsMap()["index"].(map[string]any)
	mem, _ = st["num_root_memorysegments"].(uint64)
	files, _ = st["num_root_filesegments"].(uint64)
	return mem, files
}
