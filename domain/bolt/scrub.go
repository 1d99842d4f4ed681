package bolt

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
)

// bbolt copies a page on write and puts the old copy on its freelist, to be
// reused later but never cleared: after a record is changed or deleted its
// old bytes stay in the file, in free pages, until some later write happens
// to reuse them. Erasure must not leave a customer's words there, so
// ScrubFreePages overwrites every free page with zeros.
//
// A page bbolt lists as free may still be read by a read transaction that
// began before the change that freed it ("pending" pages; bbolt does not say
// which are which). So every read transaction of this package goes through
// readGate: the scrub holds bbolt's writer lock (nothing is allocated or
// written meanwhile), moves new readers to a new epoch (they see the latest
// commit, which reaches no free page), waits for the readers of the old
// epoch to finish, and only then writes the zeros.

// readGate counts read transactions by epoch.
type readGate struct {
	mu    sync.Mutex
	cond  *sync.Cond
	epoch uint64
	count map[uint64]int // open read transactions by the epoch they began in
	scrub sync.Mutex     // one scrub at a time
}

func newReadGate() *readGate {
	g := &readGate{count: map[uint64]int{}}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *readGate) enter() uint64 {
	g.mu.Lock()
	e := g.epoch
	g.count[e]++
	g.mu.Unlock()
	return e
}

func (g *readGate) leave(e uint64) {
	g.mu.Lock()
	if g.count[e]--; g.count[e] == 0 {
		delete(g.count, e)
		g.cond.Broadcast()
	}
	g.mu.Unlock()
}

// drain starts a new epoch and waits until no reader of an earlier one is
// left (also of one an earlier, timed-out drain left behind), or ctx ends.
func (g *readGate) drain(ctx context.Context) error {
	g.mu.Lock()
	g.epoch++
	current := g.epoch
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	defer stop()
	older := func() bool {
		for e := range g.count {
			if e < current {
				return true
			}
		}
		return false
	}
	for older() && ctx.Err() == nil {
		g.cond.Wait()
	}
	g.mu.Unlock()
	return ctx.Err()
}

// read runs fn in a bbolt read transaction, counted by the gate and
// observed (the store's transaction metrics). Every read transaction of the
// package goes through it (TestReadsGoThroughTheGate).
func (db *DB) read(fn func(tx kv.Tx) error) error {
	e := db.gate.enter()
	defer db.gate.leave(e)
	if db.ops == nil {
		return db.eng.View(fn)
	}
	start := time.Now()
	err := db.eng.View(fn)
	result := "ok"
	if err != nil {
		result = "rejected"
	}
	db.ops.observe("view", result, time.Since(start))
	return err
}

// ScrubFreePages overwrites every free page of the file with zeros, so that
// nothing deleted or changed survives in it, and returns how many it
// cleared. Writers wait meanwhile (a write to each free page, then one
// fsync); readers go on. It waits for read transactions begun before it
// (a backup download among them) up to ctx's deadline. Its error says what
// is left behind and what to do about it, on either engine.
func (db *DB) ScrubFreePages(ctx context.Context) (int, error) {
	if db.db == nil {
		// Another engine: it clears what it freed itself, when it offers to.
		if s, ok := db.eng.(interface {
			Scrub(context.Context) (int, error)
		}); ok {
			n, err := s.Scrub(ctx)
			if err != nil {
				return n, fmt.Errorf("the row versions it replaced are still in the table until VACUUM removes them (run it again, or VACUUM kv; autovacuum will in time): %w", err)
			}
			return n, nil
		}
		return 0, nil
	}
	n, err := db.scrubFile(ctx)
	if err != nil {
		return n, fmt.Errorf("its old copies are still in free pages of the file (run it again, or helpcentre compact with the server stopped): %w", err)
	}
	return n, nil
}

// scrubFile is ScrubFreePages on the bbolt file.
func (db *DB) scrubFile(ctx context.Context) (int, error) {
	db.gate.scrub.Lock()
	defer db.gate.scrub.Unlock()
	tx, err := db.db.Begin(true)
	if err != nil {
		return 0, fmt.Errorf("bolt: scrub: %w", err)
	}
	// Nothing is written in tx: rolling back leaves the file as committed.
	defer func() { _ = tx.Rollback() }()
	if err := db.gate.drain(ctx); err != nil {
		return 0, fmt.Errorf("bolt: scrub: waiting for read transactions: %w", err)
	}
	f, err := os.OpenFile(db.path, os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("bolt: scrub: %w", err)
	}
	defer f.Close()
	size := int64(db.db.Info().PageSize)
	zeros := make([]byte, 256*size)
	n := 0
	// Runs of consecutive free pages are written at once, up to 256 pages.
	runStart, runLen := 0, 0
	flush := func() error {
		if runLen > 0 {
			if _, err := f.WriteAt(zeros[:int64(runLen)*size], int64(runStart)*size); err != nil {
				return fmt.Errorf("bolt: scrub: pages %d to %d: %w", runStart, runStart+runLen-1, err)
			}
			n += runLen
		}
		runLen = 0
		return nil
	}
	for id := 2; ; id++ {
		p, err := tx.Page(id)
		if err != nil {
			return n, fmt.Errorf("bolt: scrub: page %d: %w", id, err)
		}
		if p == nil {
			break // past the last page in use
		}
		if p.Type != "free" || runLen == 256 {
			if err := flush(); err != nil {
				return n, err
			}
		}
		if p.Type == "free" {
			if runLen == 0 {
				runStart = id
			}
			runLen++
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	if err := f.Sync(); err != nil {
		return n, fmt.Errorf("bolt: scrub: %w", err)
	}
	return n, nil
}
