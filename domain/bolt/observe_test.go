package bolt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
)

// TestWriteHealth is issue 22's fault 7 at the store: a commit that fails
// (here an injected ENOSPC) is a storage fault for the caller, marks the
// store's writes failing, and keeps them so while probe writes fail; once
// a probe write succeeds the store is healthy again. A transaction whose
// own function refuses is no fault. The observer hears of each.
func TestWriteHealth(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	seen := map[string]int{}
	db.ObserveTransactions(func(kind, result string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		seen[kind+" "+result]++
	})
	ctx := context.Background()
	put := func() error {
		return db.update(ctx, func(t *txn) error {
			return t.tx.Bucket(bucketAudit).Put([]byte("k"), []byte("v"))
		})
	}
	if err := put(); err != nil || db.WriteHealth() != nil {
		t.Fatalf("a good write: %v, health %v", err, db.WriteHealth())
	}

	full := &os.PathError{Op: "write", Path: db.Path(), Err: syscall.ENOSPC}
	db.ops.fault = func() error { return full }
	err = put()
	if !errors.Is(err, domain.ErrStorageFault) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a write on a full disk: %v, want a storage fault wrapping ENOSPC", err)
	}
	if h := db.WriteHealth(); !errors.Is(h, syscall.ENOSPC) {
		t.Fatalf("health after the failed write: %v", h)
	}
	forceProbe := func() { db.ops.mu.Lock(); db.ops.probedAt = time.Time{}; db.ops.mu.Unlock() }
	forceProbe()
	if h := db.WriteHealth(); h == nil {
		t.Fatal("healthy although the probe write fails too")
	}

	refused := domain.Errorf(domain.CodeNotFound, "no such thing")
	db.ops.fault = nil
	if err := db.update(ctx, func(*txn) error { return refused }); err != refused {
		t.Fatalf("a refusal comes back as %v", err)
	}
	if db.WriteHealth() == nil {
		t.Fatal("a refused transaction (nothing written) cleared the failure")
	}
	forceProbe()
	if h := db.WriteHealth(); h != nil {
		t.Fatalf("still failing after the disk has room again: %v", h)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"update ok", "update failed", "probe failed", "update rejected", "probe ok"} {
		if seen[want] == 0 {
			t.Errorf("the observer never heard of %q: %v", want, seen)
		}
	}
}
