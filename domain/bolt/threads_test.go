package bolt

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// testClock is a settable clock for Options.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type threadWorld struct {
	db      *DB
	clock   *testClock
	threads *ThreadService
	world   *demo.World
}

func newThreadWorld(t testing.TB) *threadWorld {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &threadWorld{db: db, clock: clk, threads: NewThreadService(db, domain.DefaultPolicy()), world: w}
}

// as acts as a demo user.
func (w *threadWorld) as(name string) context.Context {
	u := w.world.Users[name]
	return domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID})
}

func (w *threadWorld) start(t testing.TB, who string, nt domain.NewThread) *domain.Thread {
	t.Helper()
	th, err := w.threads.CreateThread(w.as(who), nt)
	if err != nil {
		t.Fatalf("%s starts %+v: %v", who, nt, err)
	}
	return th
}

func (w *threadWorld) post(t testing.TB, who, id string, body string, to ...domain.Party) *domain.Message {
	t.Helper()
	m, err := w.threads.PostMessage(w.as(who), id, domain.NewMessage{To: to, Body: body})
	if err != nil {
		t.Fatalf("%s posts to %v: %v", who, to, err)
	}
	return m
}
