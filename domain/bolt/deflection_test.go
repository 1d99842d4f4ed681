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
			n = tx.tx.Bucket(bucketDeflectSessions).Stats().KeyN
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
	s.mu.Lock()
	left := len(s.queue)
	s.mu.Unlock()
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
			n = tx.tx.Bucket(bucketDeflectSessions).Stats().KeyN
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

func TestDeflectionHandoffWritesQueuedEventsAtOnce(t *testing.T) {
	db := deflectDB(t)
	s := NewDeflectionService(db, domain.DefaultPolicy(), nil)
	now := time.Now().UTC()
	ana := domain.WithActor(context.Background(), domain.Actor{UserID: "ana", Role: domain.RoleCustomer})
	ben := domain.WithActor(context.Background(), domain.Actor{UserID: "ben", Role: domain.RoleCustomer})
	s.RecordEvents(ana, deflectQueryEvent("h1", "en", "contact", "1001", "ana", now, "<script>alert(1)</script> refund", "refund-time"),
		domain.Event{Session: "h1", Type: domain.EventOpened, At: now, Article: "refund-time"},
		domain.Event{Session: "h1", Type: domain.EventNotHelpful, At: now, Article: "refund-time", Reason: "didnt_apply"})
	if _, err := s.Session(ben, "h1"); domain.ErrorCode(err) != domain.CodeSessionNotFound {
		t.Errorf("another customer reads the session: %v", err)
	}
	if err := s.Handoff(ana, "nope", domain.HandoffMark{Thread: "t"}); domain.ErrorCode(err) != domain.CodeSessionNotFound {
		t.Errorf("hand-off of an unknown session: %v", err)
	}
	if err := s.Handoff(ana, "h1", domain.HandoffMark{Thread: "T1", Subject: "refund", Body: "still waiting"}); err != nil {
		t.Fatal(err)
	}
	// Written, not queued: a fresh service on the same file sees it all.
	got, err := NewDeflectionService(db, domain.DefaultPolicy(), nil).Session(ana, "h1")
	if err != nil {
		t.Fatal(err)
	}
	tr := got.Transcript()
	if got.Handoff == nil || got.Handoff.Thread != "T1" || len(tr.Typed) != 1 || tr.Typed[0].Subject != "<script>alert(1)</script> refund" ||
		len(tr.Shown) != 1 || tr.Shown[0].Rank != 1 || len(tr.Opened) != 1 || len(tr.Votes) != 1 || tr.Votes[0].Helpful || tr.Order != "1001" {
		t.Errorf("stored session %+v", got)
	}
}

func TestDeflectionReportFiltersAndStrictness(t *testing.T) {
	db := deflectDB(t)
	p := domain.DefaultPolicy()
	follow := func(ctx context.Context, order string) ([]time.Time, error) {
		if order == "1002" {
			return []time.Time{time.Date(2025, 1, 11, 0, 0, 0, 0, time.UTC)}, nil
		}
		return nil, nil
	}
	s := NewDeflectionService(db, p, follow)
	day := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	ev := []domain.Event{
		deflectQueryEvent("a", "en", "contact", "1001", "ana", day, "refund", "refund-time"),
		{Session: "a", Type: domain.EventOpened, At: day, Article: "refund-time"},
		deflectQueryEvent("b", "en", "contact", "1002", "ana", day.Add(time.Hour), "refund", "refund-time"),
		{Session: "b", Type: domain.EventOpened, At: day.Add(time.Hour), Article: "refund-time"},
		deflectQueryEvent("c", "es", "widget", "", "", day.Add(2*time.Hour), "factura", "invoice-find"),
		{Session: "c", Type: domain.EventHelpful, At: day.Add(2 * time.Hour), Article: "invoice-find"},
		deflectQueryEvent("d", "en", "widget", "", "", day.Add(48*time.Hour), "pizza"),
		deflectQueryEvent("old", "en", "widget", "", "", day.Add(-48*time.Hour), "old"),
	}
	if err := s.RecordEvents(context.Background(), ev...); err != nil {
		t.Fatal(err)
	}
	if err := s.Handoff(context.Background(), "d", domain.HandoffMark{Thread: "T", At: day.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Report(domain.WithActor(context.Background(), domain.Actor{UserID: "ana", Role: domain.RoleCustomer}), day, day.Add(time.Hour), "", ""); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("a customer reads the report: %v", err)
	}
	if _, err := s.Report(deflectOperator, day, day, "", ""); domain.ErrorCode(err) != domain.CodeInvalidRange {
		t.Errorf("empty range: %v", err)
	}
	from, to := day.Add(-time.Hour), day.Add(72*time.Hour)
	for _, tc := range []struct {
		locale, entry                        string
		sessions, strict, handoffs, resolved int
	}{
		{"", "", 4, 1, 1, 1},
		{"en", "", 3, 1, 1, 0},
		{"", "widget", 2, 0, 1, 1},
		{"en", "contact", 2, 1, 0, 0},
		{"es", "contact", 0, 0, 0, 0},
	} {
		rep, err := s.Report(deflectOperator, from, to, tc.locale, tc.entry)
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Totals
		if c.Sessions != tc.sessions || c.Strict != tc.strict || c.Handoffs != tc.handoffs || c.Resolved != tc.resolved {
			t.Errorf("locale %q entry %q: %+v", tc.locale, tc.entry, c)
		}
	}
	rep, _ := s.Report(deflectOperator, from, to, "", "")
	if len(rep.ByDay) != 2 || len(rep.ByEntry) != 2 || rep.ByArticle[0].Article != "refund-time" || rep.ByArticle[0].Opened != 2 {
		t.Errorf("report %+v", rep)
	}

	n, err := s.PurgeText(context.Background(), day.Add(24*time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("purged %d, %v; want 4 (old, a, b, c)", n, err)
	}
	if n, _ := s.PurgeText(context.Background(), day.Add(24*time.Hour)); n != 0 {
		t.Errorf("a second purge purged %d again", n)
	}
	a, _ := s.Session(deflectOperator, "a")
	d, _ := s.Session(deflectOperator, "d")
	if !a.TextPurged || a.Typed != nil || d.TextPurged || len(d.Typed) != 1 {
		t.Errorf("after the purge: a %+v, d %+v", a, d)
	}
	if rep2, _ := s.Report(deflectOperator, from, to, "", ""); rep2.Totals != rep.Totals {
		t.Errorf("the purge changed the figures: %+v vs %+v", rep2.Totals, rep.Totals)
	}
}
