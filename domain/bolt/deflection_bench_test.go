package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/marketplace/helpcentre/domain"
)

// What the deflection sessions' writer spends per session: a new session of
// one query with five suggestions shown (what every POST /api/v1/deflect
// without a session queues), written in batches of DefaultDeflectBatch as
// Run writes them, synced as in production.
//
//	go test -run '^$' -bench BenchmarkDeflectionWrite -benchmem ./domain/bolt/
func BenchmarkDeflectionWrite(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "d.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := NewDeflectionService(db, domain.DefaultPolicy(), nil)
	ctx := context.Background()
	titles := []string{"Where is my invoice?", "How do I return an item?", "Contact customer service",
		"Refund timelines and methods", "Track a parcel that has not arrived"}
	event := func(at time.Time) domain.Event {
		id := ulid.Make().String() + "-0123456789abcdef"
		e := domain.Event{Session: id, Type: domain.EventQuery, At: at,
			Start: &domain.SessionStart{Locale: "en", Entry: "bench", IPHash: "9f86d081884c7d65", Mode: domain.ModeSelfService},
			Typed: &domain.TypedText{Subject: "i never got the invoice for my last order", At: at}}
		for i, t := range titles {
			e.Shown = append(e.Shown, domain.ShownArticle{ID: "art-" + t[:5], Title: t, Rank: i + 1,
				Why: "matched “invoice” in the title; typo “ordr” read as “order”", Score: 0.8, At: at})
		}
		return e
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := s.RecordEvents(ctx, event(time.Now().UTC())); err != nil {
			b.Fatal(err)
		}
		if n++; n%DefaultDeflectBatch == 0 {
			if err := s.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}
