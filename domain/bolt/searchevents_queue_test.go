package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Many requests recording at once against a small queue, with the writer
// running: every entry is stored exactly once and in the log, whether the
// writer or a request that found the queue full wrote it, and the queue
// never held more than a full queue and one request's entries.
func TestSearchEventsQueueBackPressure(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := NewSearchEvents(db)
	s.BatchSize, s.MaxQueue, s.Retention = 50, 200, 0
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	start := time.Now().Add(-time.Minute)
	const writers, posts, per = 8, 60, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	maxQueue := 0
	for w := range writers {
		wg.Go(func() {
			for p := range posts {
				evs := make([]domain.SearchEvent, per)
				for i := range evs {
					evs[i] = domain.SearchEvent{Type: domain.SearchClick, At: start.Add(time.Millisecond),
						QueryID: fmt.Sprintf("q-%d-%d-%d", w, p, i), Visitor: "v", Client: "c", Article: "refund-time"}
				}
				if err := s.Record(ctx, evs...); err != nil {
					t.Error(err)
					return
				}
				n := s.queue.len()
				mu.Lock()
				maxQueue = max(maxQueue, n)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	const total = writers * posts * per
	if got := s.Written(); got != total {
		t.Errorf("written %d, want %d", got, total)
	}
	seen := map[string]int{}
	if err := s.Scan(context.Background(), start, time.Now().Add(time.Minute), func(e domain.SearchEvent) error {
		seen[e.QueryID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != total {
		t.Errorf("%d distinct entries in the log, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
	if limit := s.MaxQueue + writers*per; maxQueue > limit {
		t.Errorf("the queue held %d entries, more than a full queue and one post per writer (%d)", maxQueue, limit)
	}
}

// The written batch's array is the next queue's, unless a burst grew it
// past two batches: then it is left to the collector, not kept (scanned on
// every cycle) for the life of the process.
func TestSearchEventsSpareArray(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := NewSearchEvents(db)
	s.BatchSize, s.MaxQueue = 1024, 1<<20 // no kick: the test flushes
	ctx := context.Background()
	record := func(n int) {
		t.Helper()
		at := time.Now().Add(-time.Minute)
		for i := range n {
			if err := s.Record(ctx, domain.SearchEvent{Type: domain.SearchClick, At: at, QueryID: fmt.Sprintf("q-%d", i), Visitor: "v", Client: "c", Article: "a"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	record(500)
	if s.queue.spare == nil || cap(s.queue.spare) < 500 {
		t.Fatalf("after a batch of 500: spare array of %d, want it kept", cap(s.queue.spare))
	}
	record(5000)
	if s.queue.spare != nil {
		t.Errorf("after a burst of 5,000: a spare array of %d kept, want none", cap(s.queue.spare))
	}
}
