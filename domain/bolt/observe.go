package bolt

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// dbOps is what every view of a DB (At) shares about its transactions: who
// is told of them, and whether writes are failing.
type dbOps struct {
	observer atomic.Pointer[TxObserver]

	mu        sync.Mutex
	writeErr  error     // the last write's commit failure; nil once one succeeds
	failedAt  time.Time // when writes started failing
	probedAt  time.Time // the last probe while failing
	probeFail error     // what the last probe met

	// fault, in tests, fails a write transaction's commit with its error.
	fault func() error
}

// TxObserver is told of every transaction: its kind ("update", "batch",
// "group" for message posts committed together, "view"), its result ("ok";
// "rejected": the transaction's own function refused, a domain error or
// the like, and nothing was written; "failed": the commit itself failed,
// disk full or an I/O error) and how long it took.
type TxObserver func(kind, result string, took time.Duration)

// ObserveTransactions makes fn hear of every transaction from now on (the
// server's metrics). Call it before serving.
func (db *DB) ObserveTransactions(fn TxObserver) {
	if db.ops != nil {
		db.ops.observer.Store(&fn)
	}
}

// write runs fn in a write transaction through run (bbolt's Update or
// Batch), telling the observer, and tracks the store's write health: a
// commit that fails marks it failing until a write succeeds.
func (db *DB) write(kind string, run func(func(kv.Tx) error) error, fn func(kv.Tx) error) error {
	ops := db.ops
	if ops == nil {
		return run(fn)
	}
	start := time.Now()
	var fnErr error
	err := run(func(tx kv.Tx) error {
		fnErr = fn(tx)
		if fnErr == nil && ops.fault != nil {
			return ops.fault() // rolled back: as if the commit had failed
		}
		return fnErr
	})
	result := "ok"
	switch {
	case err == nil:
		ops.wrote(nil)
	case fnErr == nil:
		// fn agreed and still nothing was written: the storage underneath.
		result = "failed"
		ops.wrote(err)
		err = fmt.Errorf("bolt: commit: %w: %w", domain.ErrStorageFault, err)
	default:
		result = "rejected"
	}
	ops.observe(kind, result, time.Since(start))
	return err
}

func (ops *dbOps) observe(kind, result string, took time.Duration) {
	if fn := ops.observer.Load(); fn != nil {
		(*fn)(kind, result, took)
	}
}

func (ops *dbOps) wrote(err error) {
	ops.mu.Lock()
	defer ops.mu.Unlock()
	if err == nil {
		ops.writeErr, ops.probeFail = nil, nil
		return
	}
	if ops.writeErr == nil {
		ops.failedAt = time.Now()
	}
	ops.writeErr = err
}

// probeEvery is how often WriteHealth tries a probe write while writes fail.
const probeEvery = 5 * time.Second

// probeBytes is the size of the probe's scratch file: enough that a full
// disk refuses it, although overwriting the database's own pages (which
// need no new blocks) may still work.
const probeBytes = 64 << 10

// WriteHealth is nil while the store's writes succeed. After a write failed
// to commit (disk full, an I/O error) it says so until a write succeeds;
// meanwhile each call, at most every probeEvery, tries a probe write: a
// scratch file beside the database, synced and removed, then an empty
// transaction. So a server whose readiness probe calls it (/readyz) comes
// back by itself once the disk has room again, even with no traffic.
func (db *DB) WriteHealth() error {
	ops := db.ops
	if ops == nil {
		return nil
	}
	ops.mu.Lock()
	if ops.writeErr == nil {
		ops.mu.Unlock()
		return nil
	}
	if time.Since(ops.probedAt) < probeEvery {
		err := ops.failing()
		ops.mu.Unlock()
		return err
	}
	ops.probedAt = time.Now()
	ops.mu.Unlock()

	if err := db.probe(); err != nil {
		ops.mu.Lock()
		ops.probeFail = err
		err := ops.failing()
		ops.mu.Unlock()
		return err
	}
	return db.WriteHealth()
}

// failing describes the failure; ops.mu is held.
func (ops *dbOps) failing() error {
	if ops.writeErr == nil {
		return nil
	}
	if ops.probeFail != nil {
		return fmt.Errorf("bolt: writes failing since %s: %w (probe: %v)", ops.failedAt.UTC().Format(time.RFC3339), ops.writeErr, ops.probeFail)
	}
	return fmt.Errorf("bolt: writes failing since %s: %w", ops.failedAt.UTC().Format(time.RFC3339), ops.writeErr)
}

// probe writes and syncs a scratch file beside the database, removes it,
// and commits an empty transaction (through write, which clears the
// failure when it succeeds).
func (db *DB) probe() error {
	if db.db == nil {
		return db.write("probe", db.eng.Update, func(kv.Tx) error { return nil })
	}
	f, err := os.CreateTemp(filepath.Dir(db.path), ".write-probe-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, probeBytes))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return db.write("probe", db.eng.Update, func(kv.Tx) error { return nil })
}
