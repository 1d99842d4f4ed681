package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/kv"
)

// historyWorld is a closed bbolt file holding the demo world and its sixty
// days of history, plus a bucket with what the schema has little of: a
// nested bucket two levels deep, an empty value, sequences.
func historyWorld(t *testing.T) string {
	t.Helper()
	db, _ := testWorld(t)
	p := domain.DefaultPolicy()
	svc := NewServices(db, p)
	h := demo.History{Services: demo.Services{Access: svc.Access, Orders: svc.Orders}, Threads: svc.Threads,
		Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims,
		AtServices: func(at time.Time) demo.HistoryServices {
			s := NewServices(db.At(at), p)
			return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
		}}
	if err := demo.SeedHistory(context.Background(), h, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.eng.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucket([]byte("zz_copytest"))
		if err != nil {
			return err
		}
		if err := b.SetSequence(41); err != nil {
			return err
		}
		if err := b.Put([]byte("empty"), nil); err != nil {
			return err
		}
		inner, err := b.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		if _, err := inner.NextSequence(); err != nil {
			return err
		}
		deeper, err := inner.CreateBucket([]byte("deeper"))
		if err != nil {
			return err
		}
		for i := range 25 {
			if err := deeper.Put(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
				return err
			}
		}
		_, err = b.CreateBucket([]byte("vacant"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// emptyFileEngine is a new bbolt file with nothing in it, as a fresh
// PostgreSQL database is to the PostgreSQL engine.
func emptyFileEngine(t *testing.T) (kv.Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "target.db")
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return boltEngine{db: bdb}, path
}

func mustVerify(t *testing.T, from, to kv.Engine) []BucketCheck {
	t.Helper()
	checks, err := VerifyStore(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

func failing(checks []BucketCheck) []string {
	var out []string
	for _, c := range checks {
		if !c.OK() {
			out = append(out, c.Path)
		}
	}
	return out
}

// shown is what the services show of a store, as the admin sees it: every
// order with its threads, refunds, claims and incidents.
func shown(t *testing.T, db *DB) []string {
	t.Helper()
	svc := NewServices(db, domain.DefaultPolicy())
	ctx := as(t, db, "adam")
	var out []string
	cursor := ""
	for {
		orders, next, err := svc.Orders.ListOrders(ctx, cursor, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			threads, err := svc.Threads.ListThreads(ctx, domain.ThreadFilter{OrderNumber: o.Number, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			refunds, _, err := svc.Refunds.ListRefunds(ctx, o.Number, "", 200)
			if err != nil {
				t.Fatal(err)
			}
			claims, _, err := svc.Claims.ListClaims(ctx, o.Number, "", 200)
			if err != nil {
				t.Fatal(err)
			}
			incidents, _, err := svc.Incidents.ListIncidents(ctx, o.Number, "", 200)
			if err != nil {
				t.Fatal(err)
			}
			line := fmt.Sprintf("order %s %s %s %d", o.Number, o.State, o.CustomerID, len(o.Lines))
			for _, th := range threads.Threads {
				line += fmt.Sprintf(" thread %s %q %s %s", th.ID, th.Subject, th.Status, th.LastMessage.Format(time.RFC3339Nano))
			}
			for _, r := range refunds {
				line += fmt.Sprintf(" refund %s %s %d", r.ID, r.State, r.Amount)
			}
			for _, c := range claims {
				line += fmt.Sprintf(" claim %s %s", c.ID, c.State)
			}
			for _, in := range incidents {
				line += fmt.Sprintf(" incident %s %s", in.ID, in.State)
			}
			out = append(out, line)
		}
		if next == "" {
			return out
		}
		cursor = next
	}
}

// TestCopyStore copies the demo world's store onto an empty engine in
// small chunks: every bucket verifies, the services show the same orders,
// threads, refunds, claims and incidents; a second copy writes nothing; a
// tampered target fails verification and the next copy repairs it.
func TestCopyStore(t *testing.T) {
	srcPath := historyWorld(t)
	from, err := OpenFileReadOnly(srcPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	to, toPath := emptyFileEngine(t)
	ctx := context.Background()

	if err := CheckMigrations(from, to); err != nil {
		t.Fatalf("an empty target: %v", err)
	}
	var progressed []string
	rep, err := CopyStore(ctx, from, to, CopyOptions{ChunkKeys: 7, Progress: func(b BucketCopy) { progressed = append(progressed, b.Path) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Keys < 500 || rep.Written != rep.Keys || rep.Deleted != 0 {
		t.Errorf("first copy: %d keys, %d written, %d deleted; want every key written, none deleted", rep.Keys, rep.Written, rep.Deleted)
	}
	if rep.Txs < rep.Keys/7 {
		t.Errorf("%d keys in %d transactions: not copied in chunks of 7", rep.Keys, rep.Txs)
	}
	for _, want := range []string{string(bucketThreads), "meta/migrations", "zz_copytest/inner/deeper", "zz_copytest/vacant"} {
		if !slices.Contains(progressed, want) {
			t.Errorf("no progress reported for bucket %s (got %v)", want, progressed)
		}
	}
	checks := mustVerify(t, from, to)
	if bad := failing(checks); len(bad) > 0 {
		t.Fatalf("after the copy, buckets differ: %v", bad)
	}
	for _, c := range checks {
		if c.Path == "zz_copytest" && (c.TargetSeq != 41 || c.TargetKeys != 3) {
			t.Errorf("zz_copytest on the target: %d keys, sequence %d; want 3, 41", c.TargetKeys, c.TargetSeq)
		}
	}
	if err := CheckMigrations(from, to); err != nil {
		t.Errorf("a target copied from the same store: %v", err)
	}

	again, err := CopyStore(ctx, from, to, CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Deleted != 0 || again.Keys != rep.Keys {
		t.Errorf("second copy: %d keys, %d written, %d deleted; want %d keys, nothing written or deleted", again.Keys, again.Written, again.Deleted, rep.Keys)
	}

	// Tamper: a changed value, a key and a nested bucket the source has
	// not, a sequence moved, a key removed.
	if err := to.Update(func(tx kv.Tx) error {
		th := tx.Bucket(bucketThreads)
		k, v := th.Cursor().First()
		if err := th.Put(k, append(append([]byte{}, v...), ' ')); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOrders).Put([]byte("zzzz-stray"), []byte("{}")); err != nil {
			return err
		}
		zz := tx.Bucket([]byte("zz_copytest"))
		if _, err := zz.Bucket([]byte("inner")).CreateBucket([]byte("stray")); err != nil {
			return err
		}
		if err := zz.SetSequence(40); err != nil {
			return err
		}
		return zz.Bucket([]byte("inner")).Bucket([]byte("deeper")).Delete([]byte("k007"))
	}); err != nil {
		t.Fatal(err)
	}
	bad := failing(mustVerify(t, from, to))
	want := []string{string(bucketOrders), string(bucketThreads), "zz_copytest", "zz_copytest/inner", "zz_copytest/inner/deeper"}
	slices.Sort(bad)
	slices.Sort(want)
	if !slices.Equal(bad, want) {
		t.Errorf("a tampered target: verification flags %v, want %v", bad, want)
	}
	repair, err := CopyStore(ctx, from, to, CopyOptions{ChunkKeys: 5})
	if err != nil {
		t.Fatal(err)
	}
	if repair.Written != 2 || repair.Deleted != 2 {
		t.Errorf("repair: %d written, %d deleted; want 2 and 2 (a value, a key; a stray key, a stray bucket)", repair.Written, repair.Deleted)
	}
	if bad := failing(mustVerify(t, from, to)); len(bad) > 0 {
		t.Errorf("after the repair, buckets differ: %v", bad)
	}

	// The services read the same on both.
	if err := to.Close(); err != nil {
		t.Fatal(err)
	}
	from.Close()
	src, err := Open(srcPath, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	want = shown(t, src)
	src.Close()
	dst, err := Open(toPath, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got := shown(t, dst)
	if len(want) < 30 || !strings.Contains(strings.Join(want, "\n"), " refund ") || !strings.Contains(strings.Join(want, "\n"), " claim ") {
		t.Fatalf("the source shows too little to compare: %d orders", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the copy shows other orders:\n got %d: %.500q\nwant %d: %.500q", len(got), got, len(want), want)
	}
}

// TestCopyStoreRefusesAnotherStore: a target whose migrations differ from
// the source's (newer, or another store) is refused, and so is a source
// written by a newer version.
func TestCopyStoreRefusesAnotherStore(t *testing.T) {
	srcPath := filepath.Join(t.TempDir(), "src.db")
	src, err := Open(srcPath, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	from, err := OpenFileReadOnly(srcPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()

	to, _ := emptyFileEngine(t)
	if err := to.Update(func(tx kv.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		m, err := meta.CreateBucket(bucketMigrations)
		if err != nil {
			return err
		}
		for _, mg := range migrations() {
			if err := m.Put([]byte(mg.id), []byte("x")); err != nil {
				return err
			}
		}
		return m.Put([]byte("9999_from_the_future"), []byte("x"))
	}); err != nil {
		t.Fatal(err)
	}
	var mismatch *StoreMismatchError
	err = CheckMigrations(from, to)
	if !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "9999_from_the_future") {
		t.Errorf("a newer target: %v, want a StoreMismatchError naming the migration", err)
	}
	err = CheckMigrations(to, from)
	if !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("a source from a newer version: %v, want a StoreMismatchError", err)
	}
}

// TestOpenFileReadOnlyRefusesAServedFile: the copy is made offline.
func TestOpenFileReadOnlyRefusesAServedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "served.db")
	db, err := Open(path, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng, err := OpenFileReadOnly(path, 100*time.Millisecond)
	if err == nil {
		eng.Close()
		t.Fatal("opened a file a server holds")
	}
	if !errors.Is(err, ErrServerHoldsFile) {
		t.Errorf("err = %v, want ErrServerHoldsFile", err)
	}
}
