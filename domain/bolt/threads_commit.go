package bolt

import (
	"context"
	"sync"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// groupCommit gathers concurrent writes into one synced commit, like bbolt's
// Batch, without its timer: whatever is queued when the writer is free goes
// into the next transaction. Under load batches grow by themselves while a
// commit syncs; a lone writer waits for nobody.
//
// bbolt's Batch detaches a batch when its MaxBatchDelay timer fires, then
// waits for the write lock: with requests arriving spread out (HTTP), several
// small batches can queue for the lock, each paying its own sync, and a lone
// writer always waits the delay. Here a group is formed when the writer is
// free, so it holds everything that arrived during the previous commit.
type groupCommit struct {
	db      *DB
	mu      sync.Mutex
	queue   []commitCall
	running bool
}

// maxGroup bounds one transaction's calls.
const maxGroup = 1000

type commitCall struct {
	actor domain.Actor
	fn    func(t *txn) error
	done  chan error
}

// do runs fn in a write transaction shared with other callers and returns
// once it is synced; on an engine that prefers a transaction per command
// (kv.WriteGrouper), in its own. As with db.batch, fn may run more than once (when
// another call of the group fails), so it must have no effects outside the
// transaction.
func (g *groupCommit) do(ctx context.Context, fn func(t *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if wg, ok := g.db.eng.(kv.WriteGrouper); ok && !wg.GroupWrites() {
		return g.db.update(ctx, fn) // the engine prefers a transaction per command
	}
	c := commitCall{actor: domain.ActorFrom(ctx), fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return <-c.done
}

// loop commits what is queued until the queue is empty.
func (g *groupCommit) loop() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		calls := g.queue[:n:n]
		g.queue = g.queue[n:]
		if len(g.queue) == 0 {
			g.queue = nil
		}
		g.mu.Unlock()
		g.commit(calls)
	}
}

// commit runs calls in one transaction. When one fails, the transaction is
// rolled back, that call gets its error, and the others run again without
// it: the outcome is that of running them one after another.
func (g *groupCommit) commit(calls []commitCall) {
	for len(calls) > 0 {
		failed, ferr := -1, error(nil)
		err := g.db.write("group", g.db.eng.Update, func(tx kv.Tx) error {
			failed, ferr = -1, nil // fn may run again (kv.Engine.Update)
			for i, c := range calls {
				now := g.db.now().UTC()
				if err := c.fn(&txn{tx: tx, db: g.db, now: now, actor: c.actor}); err != nil {
					failed, ferr = i, err
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		calls[failed].done <- ferr
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}
