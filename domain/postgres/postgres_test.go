package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Replicas starting together on an empty database: both Opens succeed and
// each migration is applied and recorded once.
func TestMigrateOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				err = e.Update(func(tx kv.Tx) error {
					_, err := tx.CreateBucketIfNotExists([]byte("b"))
					return err
				})
				e.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	open(t, url) // and once more, later: nothing to do
	conn := connect(t, url)
	rows, _ := conn.Query(context.Background(), "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	type rec struct {
		Version   int32
		Name      string
		AppliedAt time.Time
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rec])
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Version != 1 || recs[0].Name != "kv" || recs[1].Version != 2 || recs[1].Name != "kv_fail" ||
		recs[2].Version != 3 || recs[2].Name != "kv_point" || recs[0].AppliedAt.IsZero() {
		t.Errorf("schema_migrations: %+v, want versions 1 (kv), 2 (kv_fail) and 3 (kv_point) once each", recs)
	}
	// Forward only: a database migrated by a newer binary is refused.
	if _, err := conn.Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	if e, err := postgres.Open(context.Background(), url, postgres.Options{}); err == nil {
		e.Close()
		t.Error("Open accepted a database with a migration it does not know")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say the database is newer", err)
	}
}

// Two transactions that each read what the other writes (write skew): under
// SERIALIZABLE one fails to commit and the engine runs it again, so both end
// committed exactly once and in a serial order.
func TestRetrySerializationFailure(t *testing.T) {
	t.Parallel()
	e := open(t, pgtest.DB(t, pgtest.NoSync()))
	if err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		b.Put([]byte("x"), []byte("0"))
		return b.Put([]byte("y"), []byte("0"))
	}); err != nil {
		t.Fatal(err)
	}
	var attempts [2]atomic.Int32
	var ready sync.WaitGroup
	ready.Add(2)
	// tx i reads one key and writes the other one plus, once per commit, a
	// "done" key holding how many times fn ran.
	run := func(i int, read, write string) error {
		return e.Update(func(tx kv.Tx) error {
			n := attempts[i].Add(1)
			b := tx.Bucket([]byte("b"))
			v := b.Get([]byte(read))
			if n == 1 { // both have read before either writes
				ready.Done()
				ready.Wait()
			}
			if err := b.Put([]byte(write), []byte(fmt.Sprint(atoi(v)+1))); err != nil {
				return err
			}
			return b.Put([]byte(fmt.Sprint("done", i)), []byte(fmt.Sprint(n)))
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run(0, "y", "x") }()
	go func() { errs <- run(1, "x", "y") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if total := attempts[0].Load() + attempts[1].Load(); total < 3 || e.Retries() != int64(total-2) {
		t.Errorf("%d attempts in all, Retries() = %d: want a transaction run again, and counted", total, e.Retries())
	}
	if err := e.View(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		x, y := string(b.Get([]byte("x"))), string(b.Get([]byte("y")))
		if !(x == "1" && y == "2" || x == "2" && y == "1") {
			t.Errorf("x=%s y=%s: not a serial order", x, y)
		}
		for i := range 2 {
			if got, want := string(b.Get([]byte(fmt.Sprint("done", i)))), fmt.Sprint(attempts[i].Load()); got != want {
				t.Errorf("done%d = %s, want the last attempt %s", i, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("attempts: %d and %d", attempts[0].Load(), attempts[1].Load())
}

func atoi(b []byte) int {
	n := 0
	fmt.Sscan(string(b), &n)
	return n
}

// A replica's cached bucket deleted by another replica: reads find it empty,
// a write runs the transaction again without the cache.
func TestBucketDeletedByAnotherReplica(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e1, e2 := open(t, url), open(t, url)
	put := func(e *postgres.Engine, key string) error {
		return e.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte(key), []byte("v"))
		})
	}
	keys := func(e *postgres.Engine) (ks []string) {
		e.View(func(tx kv.Tx) error {
			if b := tx.Bucket([]byte("b")); b != nil {
				b.ForEach(func(k, _ []byte) error { ks = append(ks, string(k)); return nil })
			}
			return nil
		})
		return ks
	}
	if err := put(e1, "old"); err != nil {
		t.Fatal(err)
	}
	if ks := keys(e2); len(ks) != 1 { // e2 now has b in its cache
		t.Fatalf("e2 sees %q", ks)
	}
	if err := e1.Update(func(tx kv.Tx) error { return tx.DeleteBucket([]byte("b")) }); err != nil {
		t.Fatal(err)
	}
	if ks := keys(e2); len(ks) != 0 {
		t.Errorf("after e1 deleted b, e2 sees %q", ks)
	}
	attempts := 0
	if err := e2.Update(func(tx kv.Tx) error {
		attempts++
		b := tx.Bucket([]byte("b"))
		if b == nil {
			var err error
			if b, err = tx.CreateBucket([]byte("b")); err != nil {
				return err
			}
		}
		return b.Put([]byte("new"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	if attempts != 2 {
		t.Errorf("fn ran %d times, want 2 (the stale cache, then without it)", attempts)
	}
	if ks := keys(e1); strings.Join(ks, " ") != "new" {
		t.Errorf("e1 sees %q, want new", ks)
	}
	// Deleted and recreated elsewhere: the cache stays right.
	if err := e1.Update(func(tx kv.Tx) error {
		if err := tx.DeleteBucket([]byte("b")); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte("b"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := put(e2, "again"); err != nil {
		t.Fatal(err)
	}
	if ks := keys(e1); strings.Join(ks, " ") != "again" {
		t.Errorf("e1 sees %q, want again", ks)
	}
}

// A failing statement sets Tx.Err: later calls do nothing, and Update returns
// that failure even when fn returns an error of its own.
func TestStickyError(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e := open(t, url+"&lock_timeout=200ms")
	if err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	// Another session holds the row's lock past lock_timeout.
	conn := connect(t, url)
	ctx := context.Background()
	holder, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "UPDATE kv SET value = 'held' WHERE key = 'k'"); err != nil {
		t.Fatal(err)
	}
	mine := errors.New("fn's own error")
	var txErr error
	err = e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		// The Put is sent with the next statement that must see it (a
		// cursor of its bucket), which fails with it.
		if err := b.Put([]byte("k"), []byte("mine")); err != nil {
			t.Errorf("Put = %v", err)
		}
		if k, _ := b.Cursor().First(); k != nil || tx.Err() == nil {
			t.Errorf("cursor at %q, Err = %v: want nil and the lock timeout", k, tx.Err())
		}
		txErr = tx.Err()
		if v := b.Get([]byte("k")); v != nil {
			t.Errorf("Get after the failure = %q, want nil", v)
		}
		if err := b.Put([]byte("other"), []byte("x")); !errors.Is(err, txErr) {
			t.Errorf("Put after the failure = %v", err)
		}
		if c := b.Cursor(); c != nil {
			if k, _ := c.First(); k != nil {
				t.Errorf("cursor after the failure at %q", k)
			}
		}
		// A bucket looked up after the failure is there, empty, and
		// refuses writes: the store's code never gets a nil one to
		// dereference (it takes its migrations' buckets as given).
		for _, nb := range []kv.Bucket{tx.Bucket([]byte("b")), tx.Bucket([]byte("never made"))} {
			if nb == nil {
				t.Fatal("Bucket after the failure = nil")
			}
			if v := nb.Get([]byte("k")); v != nil {
				t.Errorf("Get in a bucket looked up after the failure = %q", v)
			}
			if err := nb.Put([]byte("k"), []byte("x")); !errors.Is(err, txErr) {
				t.Errorf("Put in a bucket looked up after the failure = %v", err)
			}
		}
		return mine
	})
	if err == nil || !errors.Is(err, txErr) || errors.Is(err, mine) {
		t.Errorf("Update = %v, want the engine's failure %v", err, txErr)
	}
	if !strings.HasPrefix(err.Error(), "postgres: write: ") {
		t.Errorf("error %q does not say where it failed", err)
	}
	holder.Rollback(ctx)
	if err := e.View(func(tx kv.Tx) error {
		if v := tx.Bucket([]byte("b")).Get([]byte("k")); string(v) != "v" {
			t.Errorf("k = %q after the failed transaction", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A job's lock is held by one replica at a time.
func TestTryLock(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e1, e2 := open(t, url), open(t, url)
	ctx := context.Background()
	unlock, ok, err := e1.TryLock(ctx, "learning")
	if err != nil || !ok {
		t.Fatalf("first TryLock: %v, %v", ok, err)
	}
	if u, ok, err := e2.TryLock(ctx, "learning"); err != nil || ok || u != nil {
		t.Fatalf("second TryLock while held: %v, %v", ok, err)
	}
	if u, ok, err := e2.TryLock(ctx, "another job"); err != nil || !ok {
		t.Fatalf("another lock: %v, %v", ok, err)
	} else {
		u()
	}
	unlock()
	unlock() // twice is harmless
	u, ok, err := e2.TryLock(ctx, "learning")
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: %v, %v", ok, err)
	}
	u()
	if err := e1.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if s := e1.Stats(); s.MaxConns() != postgres.DefaultMaxConns {
		t.Errorf("pool of %d connections, want the default %d", s.MaxConns(), postgres.DefaultMaxConns)
	}
	e3 := open(t, url+"&pool_max_conns=5")
	if s := e3.Stats(); s.MaxConns() != 5 {
		t.Errorf("pool_max_conns=5 gave %d", s.MaxConns())
	}
}

// Cursor windows are index range scans, whatever the bucket's size.
func TestExplainCursor(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e := open(t, url)
	for _, name := range []string{"a", "b", "c"} {
		if err := e.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for i := range 2000 {
				if err := b.Put(fmt.Appendf(nil, "key-%05d", i), []byte("value")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := connect(t, url).Exec(context.Background(), "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	path := []byte("b\x00\x01") // the top-level bucket b (path.go)
	for name, sql := range postgres.CursorQueries {
		plan, err := e.Explain(context.Background(), sql, path, []byte("key-01000"), 16)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "Index") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") {
			t.Errorf("%s: not an index range scan:\n%s", name, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// A Put or Delete over a nested bucket this engine has never seen fails the
// transaction when it is sent (with the commit, or a cursor of its bucket), and none
// of the transaction's other writes is committed.
func TestWriteOverUnknownBucket(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e1, e2 := open(t, url), open(t, url)
	if err := e1.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("other")); err != nil {
			return err
		}
		_, err = b.CreateBucket([]byte("sub"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, write := range []func(b kv.Bucket) error{
		func(b kv.Bucket) error { return b.Put([]byte("sub"), []byte("x")) },
		func(b kv.Bucket) error { return b.Delete([]byte("sub")) },
	} {
		e2 := open(t, url) // a cache that does not know b/sub
		err := e2.Update(func(tx kv.Tx) error {
			if err := tx.Bucket([]byte("other")).Put([]byte("k"), []byte("must not stay")); err != nil {
				return err
			}
			_, err := tx.Bucket([]byte("other")).NextSequence()
			if err != nil {
				return err
			}
			return write(tx.Bucket([]byte("b")))
		})
		if !errors.Is(err, kv.ErrIncompatibleValue) {
			t.Fatalf("Update = %v, want ErrIncompatibleValue", err)
		}
	}
	if err := e2.View(func(tx kv.Tx) error {
		if tx.Bucket([]byte("b")).Bucket([]byte("sub")) == nil {
			t.Error("the nested bucket is gone")
		}
		if v := tx.Bucket([]byte("other")).Get([]byte("k")); v != nil {
			t.Errorf("a write of the failed transaction was committed: %q", v)
		}
		if s := tx.Bucket([]byte("other")).Sequence(); s != 0 {
			t.Errorf("the failed transaction's sequence was committed: %d", s)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Concurrent transactions taking numbers from one bucket's sequence (three
// each, counted in memory after the first) never hand out a number twice.
func TestSequenceConcurrent(t *testing.T) {
	t.Parallel()
	e := open(t, pgtest.DB(t, pgtest.NoSync()))
	if err := e.Update(func(tx kv.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 20
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var got []uint64
				err := e.Update(func(tx kv.Tx) error {
					got = got[:0]
					b := tx.Bucket([]byte("b"))
					for range 3 {
						n, err := b.NextSequence()
						if err != nil {
							return err
						}
						got = append(got, n)
						if err := b.Put(fmt.Appendf(nil, "%06d", n), nil); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, n := range got {
					if seen[n] {
						t.Errorf("number %d handed out twice", n)
					}
					seen[n] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := e.View(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if s := b.Sequence(); s != workers*each*3 {
			t.Errorf("sequence %d, want %d", s, workers*each*3)
		}
		n := 0
		b.ForEach(func(k, v []byte) error { n++; return nil })
		if n != workers*each*3 || len(seen) != n {
			t.Errorf("%d keys, %d numbers, want %d", n, len(seen), workers*each*3)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// With no attempts left, a conflict fails Update with an error that says so
// and wraps PostgreSQL's.
func TestRetryBound(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t, pgtest.NoSync())
	e, err := postgres.Open(context.Background(), url, postgres.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("n"), []byte("0"))
	}); err != nil {
		t.Fatal(err)
	}
	var ready sync.WaitGroup
	ready.Add(2)
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			errs <- e.Update(func(tx kv.Tx) error {
				b := tx.Bucket([]byte("b"))
				v := b.Get([]byte("n"))
				ready.Done()
				ready.Wait()
				return b.Put([]byte("n"), fmt.Appendf(nil, "%d", atoi(v)+1+i))
			})
		}()
	}
	var failed []error
	for range 2 {
		if err := <-errs; err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("%d of 2 failed, want 1: %v", len(failed), failed)
	}
	var pe *pgconn.PgError
	if msg := failed[0].Error(); !strings.Contains(msg, "gave up after 1 attempts") || !errors.As(failed[0], &pe) || pe.Code != "40001" {
		t.Errorf("error %q, want it to say it gave up and wrap SQLSTATE 40001", msg)
	}
}
