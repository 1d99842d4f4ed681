package index

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/marketplace/helpcentre/index/segment"
)

// The category facet, counted without doc values. Bleve's terms facet visits
// the doc values of every matching document (it decoded a doc-value chunk per
// match: about a fifth of a search's CPU at 10,000 articles). Here each index
// snapshot gets, once, a table from its document numbers to their category,
// read from the category field's posting lists; a search then counts a match
// with one array look-up as the search matches it (CategoryCounter).

// catTable maps one snapshot's document numbers to a category.
type catTable struct {
	snap  segment.Key // the snapshot it was read from
	of    []uint16    // document number → 1 + index in names; 0: none
	names []string
}

// catTables keeps the table of a locale's latest snapshot. Scorch replaces
// its snapshot after every batch and merge (which renumbers documents), so
// the table is keyed by the snapshot itself, weakly: an old snapshot is
// never kept alive by it.
type catTables struct {
	mu  sync.Mutex
	cur *catTable
}

func (c *catTables) table(ctx context.Context, s *segment.Snapshot) (*catTable, error) {
	key, ok := s.Key()
	if !ok {
		return readCatTable(ctx, s) // no identity to key on
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.cur; t != nil && t.snap == key {
		return t, nil
	}
	t, err := readCatTable(ctx, s)
	if err != nil {
		return nil, err
	}
	t.snap = key
	c.cur = t
	return t, nil
}

// readCatTable reads the category of every live document of a snapshot
// from the category field's postings (deleted documents are not in them).
func readCatTable(ctx context.Context, s *segment.Snapshot) (*catTable, error) {
	t := &catTable{}
	err := s.Terms(FieldCategory, "", func(term string) error {
		if term == "" || len(t.names) >= 1<<16-1 {
			return nil
		}
		t.names = append(t.names, term)
		k := uint16(len(t.names))
		ps, err := s.Postings(ctx, FieldCategory, term, false)
		if err != nil {
			return err
		}
		for {
			p, ok, err := ps.Next()
			if err != nil {
				_ = ps.Close()
				return err
			}
			if !ok {
				break
			}
			n := p.Doc
			if int(n) >= len(t.of) {
				grown := make([]uint16, max(int(n)+1, 2*len(t.of)))
				copy(grown, t.of)
				t.of = grown
			}
			t.of[n] = k
		}
		return ps.Close()
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CategoryCount is the number of matches in one category.
type CategoryCount struct {
	Category string
	Count    int
}

// CategoryCounts are a search's matches per category, filled in while the
// search runs (see CategoryCounter).
type CategoryCounts struct {
	table  *catTable
	counts []int
}

// Top returns the n categories with the most matches, most first (ties by
// name, as Bleve's terms facet orders them); categories without matches are
// left out.
func (c *CategoryCounts) Top(n int) []CategoryCount {
	if c == nil || c.table == nil {
		return nil
	}
	// one array at its size, sorted without reflection: a search's
	// facets were made anew at every append
	k := 0
	for i, m := range c.counts {
		if m > 0 && i > 0 {
			k++
		}
	}
	if k == 0 {
		return nil
	}
	out := make([]CategoryCount, 0, k)
	for i, k := range c.counts {
		if k > 0 && i > 0 {
			out = append(out, CategoryCount{Category: c.table.names[i-1], Count: k})
		}
	}
	slices.SortFunc(out, func(a, b CategoryCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Category, b.Category)
	})
	return out[:min(n, len(out))]
}

// CategoryCounter counts a search's matches by category, for a search that
// runs its own matching (search's term-at-a-time query): Start with the
// reader the search reads, then Add every matching document.
type CategoryCounter struct {
	tables *catTables
	c      *CategoryCounts
	of     []uint16
}

// CategoryCounter returns a counter over the locale's category tables.
func (v *View) CategoryCounter() *CategoryCounter {
	return &CategoryCounter{tables: v.cats, c: &CategoryCounts{}}
}

// Start reads (or finds) the category table of snapshot s and clears the counts.
func (cc *CategoryCounter) Start(ctx context.Context, s *segment.Snapshot) error {
	tables := cc.tables
	if tables == nil {
		tables = &catTables{}
	}
	t, err := tables.table(ctx, s)
	if err != nil {
		return err
	}
	cc.c.table, cc.c.counts, cc.of = t, make([]int, len(t.names)+1), t.of
	return nil
}

// Add counts the document numbered n (segment.Posting.Doc).
func (cc *CategoryCounter) Add(n uint32) {
	if int(n) < len(cc.of) {
		cc.c.counts[cc.of[n]]++
	}
}

// Counts are the counts so far.
func (cc *CategoryCounter) Counts() *CategoryCounts { return cc.c }
