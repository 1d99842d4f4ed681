package bolt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/crypto/bcrypt"
)

func TestOpenCreatesParentDirsAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "domain.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	db.Close()
}

func TestOpenLockedFileTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "domain.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	start := time.Now()
	db2, err := Open(path, Options{Timeout: 150 * time.Millisecond})
	if err == nil {
		db2.Close()
		t.Fatal("second Open succeeded, want a timeout")
	}
	// bbolt retries the lock every 50ms and gives up up to 50ms early.
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Errorf("waited %s, want about 150ms", waited)
	}
	if !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("error %v does not wrap bbolt's ErrTimeout", err)
	}
	for _, want := range []string{path, "locked by another process", "150ms"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestMigrationsRunOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "domain.db")
	calls := map[string]int{}
	mig := func(id string) migration {
		return migration{id: id, up: func(tx kv.Tx) error {
			calls[id]++
			_, err := tx.CreateBucket([]byte("test." + id)) // fails if run twice
			return err
		}}
	}
	first := append(migrations(), mig("9001_a"))
	for range 3 {
		db, err := open(path, Options{}, first)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if calls["9001_a"] != 1 {
		t.Errorf("9001_a ran %d times, want 1", calls["9001_a"])
	}

	// A new version appends a migration: only that one runs.
	second := append(slices.Clone(first), mig("9002_b"))
	db, err := open(path, Options{}, second)
	if err != nil {
		t.Fatal(err)
	}
	got := appliedMigrations(t, db)
	db.Close()
	if calls["9001_a"] != 1 || calls["9002_b"] != 1 {
		t.Errorf("calls = %v, want each once", calls)
	}
	var want []string
	for _, m := range migrations() {
		want = append(want, m.id)
	}
	want = append(want, "9001_a", "9002_b")
	if !slices.Equal(got, want) {
		t.Errorf("recorded %q, want %q", got, want)
	}

	// An older version refuses the file instead of misreading it.
	if db, err := open(path, Options{}, first); err == nil {
		db.Close()
		t.Fatal("an older migration list opened a newer file")
	} else if !strings.Contains(err.Error(), `"9002_b"`) {
		t.Errorf("error %q does not name the unknown migration", err)
	}
}

func TestMigrationFailureLeavesNothingBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "domain.db")
	boom := errors.New("boom")
	migs := append(migrations(), migration{id: "9001_fails", up: func(kv.Tx) error { return boom }})
	if _, err := open(path, Options{}, migs); !errors.Is(err, boom) {
		t.Fatalf("open = %v, want boom", err)
	}
	// The file is unlocked, and the migrations before the failing one were
	// rolled back with it.
	db, err := open(path, Options{Timeout: 100 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := appliedMigrations(t, db); len(got) != 0 {
		t.Errorf("recorded %q after a failed migration, want none", got)
	}
}

func TestDuplicateMigrationIDs(t *testing.T) {
	migs := append(migrations(), migrations()...)
	if _, err := open(filepath.Join(t.TempDir(), "domain.db"), Options{}, migs); err == nil {
		t.Fatal("open accepted a migration listed twice")
	}
}

func appliedMigrations(t *testing.T, db *DB) []string {
	t.Helper()
	var ids []string
	err := db.eng.View(func(tx kv.Tx) error {
		b, err := bucket(tx, bucketMeta, bucketMigrations)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// fastOptions are the options of tests that check behaviour, not
// durability: no fsync per commit (Close syncs) and bcrypt at its minimum
// cost. The tests above, of opening and locking the file, keep the defaults.
func fastOptions(now func() time.Time) Options {
	return Options{Now: now, NoSync: true, PasswordCost: bcrypt.MinCost}
}
