package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

func deflectDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "d.db"), fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var deflectOperator = domain.WithActor(context.Background(), domain.Actor{UserID: "op", Role: domain.RoleAgent})

func deflectQueryEvent(id, locale, entry, order, customer string, at time.Time, subject string, shown ...string) domain.Event {
	e := domain.Event{Session: id, Type: domain.EventQuery, At: at,
		Start: &domain.SessionStart{Locale: locale, Entry: entry, Order: order, CustomerID: customer, Mode: domain.ModeSelfService},
		Typed: &domain.TypedText{Subject: subject, At: at}}
	for i, a := range shown {
		e.Shown = append(e.Shown, domain.ShownArticle{ID: a, Title: a, Rank: i + 1, Why: "matched", At: at})
	}
	return e
}

func TestDeflectionEventsAreWrittenByRunWithinASecond(t *testing.T) {
	db := deflectDB(t)
	s := NewDeflectionService(db, domain.DefaultPolicy(), nil)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	now := time.Now().UTC()
	// Many concurrent recorders: none waits for the disk.
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			id := fmt.Sprintf("s%03d", i)
			t0 := time.Now()
			if err := s.RecordEvents(context.Background(), deflectQueryEvent(id, "en", "widget", "", "", now, "invoice", "invoice-find"),
				domain.Event{Session: id, Type: domain.EventOpened, At: now, Article: "invoice-find"}); err != nil {
				t.Error(err)
			}
			if d := time.Since(t0); d > 50*time.Millisecond {
				t.Errorf("recording took %v", d)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(time.Second)
	for {
		n := 0
		db.view(context.Background(), func(tx *txn) error {
			n = countKeys(tx.tx.Bucket(bucketDeflectSessions))
			return nil
		})
		if n == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 200 sessions stored after a second", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Events queued at shutdown are written by Run's last flush.
	s.RecordEvents(context.Background(), deflectQueryEvent("late", "en", "widget", "", "", now, "late"))
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(deflectOperator, "late"); err != nil {
		t.Fatal(err)
	}
	left := s.queue.len()
	if left != 0 {
		t.Errorf("%d events left queued after Run returned", left)
	}
}

// A full batch is written before the interval is up (so that under load a
// flush stays a short burst); fewer events wait for the interval.
func TestDeflectionBatchStartsAFlush(t *testing.T) {
	db := deflectDB(t)
	s := NewDeflectionService(db, domain.DefaultPolicy(), nil)
	s.FlushInterval, s.BatchSize = time.Hour, 10
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	stored := func() int {
		n := 0
		db.view(context.Background(), func(tx *txn) error {
			n = countKeys(tx.tx.Bucket(bucketDeflectSessions))
			return nil
		})
		return n
	}
	now := time.Now().UTC()
	for i := range 9 {
		s.RecordEvents(context.Background(), deflectQueryEvent(fmt.Sprintf("b%d", i), "en", "widget", "", "", now, "invoice"))
	}
	time.Sleep(50 * time.Millisecond)
	if n := stored(); n != 0 {
		t.Fatalf("%d sessions written before the batch was full", n)
	}
	s.RecordEvents(context.Background(), deflectQueryEvent("b9", "en", "widget", "", "", now, "invoice"))
	deadline := time.Now().Add(5 * time.Second)
	for stored() != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 10 sessions written after the batch filled", stored())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countKeys counts b's keys.
func countKeys(b kv.Bucket) int {
	n := 0
	_ = b.ForEach(func(_, _ []byte) error { n++; return nil })
	return n
}
