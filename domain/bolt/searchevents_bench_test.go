package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// What the search log's writer spends an entry: a suggestion's entry (the
// most frequent: one per keystroke that asks), queued and written in
// batches as Run writes them at ~7,000 entries a second (the bench's
// suggest phase: ~1,800 every 250 ms), synced.
//
//	go test -run '^$' -bench BenchmarkSearchEventsWrite -benchmem ./domain/bolt/
func BenchmarkSearchEventsWrite(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "e.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := NewSearchEvents(db)
	ctx := context.Background()
	hits := []string{"invoice-find", "invoice-company", "refund-time", "returns-how", "contact-us"}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e := domain.SearchEvent{Type: domain.SearchQuery, At: time.Now().UTC(), QueryID: "01KBX4Z1Q2W3E4R5T6Y7U8I9O0-0123456789abcdef",
			Visitor: "9f86d081884c7d659a2feaa0", Client: "c0535e4be2b79ffd93291305", Locale: "en", Query: "where is my inv",
			Source: "suggest", Hits: hits, Total: 5}
		if err := s.Record(ctx, e); err != nil {
			b.Fatal(err)
		}
		if n++; n%1800 == 0 {
			if err := s.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}
