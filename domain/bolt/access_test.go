package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// testWorld opens a DB in a temp dir and seeds the demo world into it.
func testWorld(t testing.TB) (*DB, *demo.World) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return db, w
}

// as returns a context acting as the demo user name, authenticated through
// their token as a request would be.
func as(t testing.TB, db *DB, name string) context.Context {
	t.Helper()
	a, err := NewAccessService(db).Authenticate(context.Background(), demo.Token(name))
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return domain.WithActor(context.Background(), a)
}

func TestDemoHistory(t *testing.T) {
	db, _ := testWorld(t)
	p := domain.DefaultPolicy()
	svc := NewServices(db, p)
	h := demo.History{Services: demo.Services{Access: svc.Access, Orders: svc.Orders}, Threads: svc.Threads,
		Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims,
		AtServices: func(at time.Time) demo.HistoryServices {
			s := NewServices(db.At(at), p)
			return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
		}}
	now := time.Now()
	if err := demo.SeedHistory(context.Background(), h, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedHistory(context.Background(), h, now); err != nil {
		t.Fatalf("second run: %v", err)
	}
	stats, err := svc.Work.ShopStats(as(t, db, "sam"), "shop-1", now.Add(-60*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if stats.CustomerMessages == 0 || stats.AnsweredWithin48h == 0 || stats.AnsweredWithin48h == stats.CustomerMessages ||
		stats.IncidentsOpened == 0 || stats.Claims == 0 || stats.Refunds == 0 {
		t.Errorf("shop-1 statistics show too little: %+v", stats)
	}
	q, err := svc.Work.Queue(as(t, db, "olga"), 50)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range q {
		kinds[it.Kind]++
	}
	if len(q) == 0 || q[0].Kind != "incident" || kinds["claim"] == 0 {
		t.Errorf("customer care's queue = %v (first %+v)", kinds, q)
	}
	// Order questions go to the order's seller: Sam has one past its 48 h.
	sq, err := svc.Work.Queue(as(t, db, "sam"), 50)
	if err != nil {
		t.Fatal(err)
	}
	overdue := false
	for _, it := range sq {
		overdue = overdue || it.Kind == "thread" && it.DueAt != nil && it.DueAt.Before(now)
	}
	if !overdue {
		t.Errorf("sam's queue has no overdue thread: %+v", sq)
	}
	// Ana's account is not cluttered by the history.
	list, _, _ := NewOrderService(db, p).ListOrders(as(t, db, "ana"), "", 50)
	if len(list) != 2 {
		t.Errorf("ana has %d orders, want 2", len(list))
	}
}

// TestLoginBackoffSurvivesRestart: the per-name failure count is in the
// file, not in the process: a restart gives an attacker no fresh guesses.
func TestLoginBackoffSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "domain.db")
	db, err := Open(path, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for range domain.LoginFreeFailures {
		NewAccessService(db).Login(context.Background(), "sam", "wrong")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := NewAccessService(db).Login(context.Background(), "sam", demo.Password); domain.ErrorCode(err) != domain.CodeLoginLocked {
		t.Errorf("after a restart: %v, want login_locked", err)
	}
}
