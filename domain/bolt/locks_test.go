package bolt

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// sharedEngine is the bbolt engine with the named locks of an engine
// several processes share; hold takes one as another process would.
type sharedEngine struct {
	kv.Engine
	mu   sync.Mutex
	held map[string]bool
}

func (e *sharedEngine) TryLock(_ context.Context, name string) (func(), bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.held[name] {
		return nil, false, nil
	}
	e.held[name] = true
	return func() { e.release(name) }, true, nil
}

func (e *sharedEngine) hold(name string) { e.mu.Lock(); e.held[name] = true; e.mu.Unlock() }

func (e *sharedEngine) release(name string) { e.mu.Lock(); delete(e.held, name); e.mu.Unlock() }

func sharedDB(t *testing.T, now func() time.Time) (*DB, *sharedEngine) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	eng := &sharedEngine{Engine: db.eng, held: map[string]bool{}}
	db.eng = eng
	return db, eng
}

// On a bbolt file (one process) every lock is free, even twice at once.
func TestTryLockOnAFileIsAlwaysFree(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		unlock, ok, err := db.TryLock(context.Background(), LockLearning)
		if err != nil || !ok || unlock == nil {
			t.Fatalf("TryLock = %v, %v", ok, err)
		}
		defer unlock()
	}
}

// On an engine several processes share, the process holding the learning
// lock learns; another skips the round and takes up the table stored.
func TestLearningRunsInOneProcessARound(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db, eng := sharedDB(t, func() time.Time { return now })
	events := NewSearchEvents(db)
	var log []domain.SearchEvent
	for i, v := range []string{"v1", "v2", "v3"} {
		id, at := "q"+v, now.Add(time.Duration(i-10)*time.Minute)
		log = append(log,
			domain.SearchEvent{Type: domain.SearchQuery, QueryID: id, Visitor: v, Client: "c-" + v, Locale: "en", Query: "Refund late", Source: "search", Hits: []string{"refund-time"}, Total: 1, At: at},
			domain.SearchEvent{Type: domain.SearchHelpful, QueryID: id, Visitor: v, Client: "c-" + v, Article: "refund-time", At: at.Add(time.Second)})
	}
	ctx := context.Background()
	if err := events.Record(ctx, log...); err != nil {
		t.Fatal(err)
	}
	if err := events.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	normalise := func(_, q string) []string { return strings.Fields(strings.ToLower(q)) }
	replica := func() *LearningService {
		l, err := NewLearningService(ctx, db, events, normalise, domain.DefaultLearnParams())
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b := replica(), replica()
	sys := domain.WithActor(ctx, domain.SystemActor)
	learned := func(l *LearningService) int { return len(l.Associations("en")) }

	eng.hold(LockLearning) // another process is learning
	if err := a.round(sys); err != nil {
		t.Fatal(err)
	}
	if stored, _ := a.List(actx(opAdam)); len(stored) != 0 || learned(a) != 0 {
		t.Fatalf("learned while another process held the lock: %d stored, %d applied", len(stored), learned(a))
	}
	eng.release(LockLearning)
	if err := a.round(sys); err != nil {
		t.Fatal(err)
	}
	if learned(a) == 0 {
		t.Fatal("the lock's holder learned nothing")
	}
	if eng.held[LockLearning] {
		t.Error("the lock was not released after the round")
	}
	eng.hold(LockLearning)
	if learned(b) != 0 {
		t.Fatal("b applies associations before any round")
	}
	if err := b.round(sys); err != nil {
		t.Fatal(err)
	}
	if learned(b) != learned(a) {
		t.Errorf("the replica that skipped applies %d associations, the learner %d", learned(b), learned(a))
	}
}

// A retention round another process is running is skipped, and reported
// to nobody.
func TestRetentionSkipsARoundAnotherProcessRuns(t *testing.T) {
	db, eng := sharedDB(t, time.Now)
	p := NewPrivacyService(db)
	ran := make(chan struct{}, 4)
	run := func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.RunRetention(ctx, domain.Retention{Transcripts: time.Hour}, time.Hour, func(*domain.PurgeReport, error) { ran <- struct{}{} })
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		<-done
	}
	eng.hold(LockRetention)
	run()
	if len(ran) != 0 {
		t.Fatal("purged while another process held the lock")
	}
	eng.release(LockRetention)
	run()
	if len(ran) != 1 {
		t.Fatalf("%d rounds reported with the lock free, want 1", len(ran))
	}
}
