package bolt

import (
	"context"
	"sync"
	"time"
)

// batchQueue is what a batched writer's callers queue (search log entries,
// deflection events): add appends, the writer takes the whole queue, puts
// a batch it failed to write back in front, and gives a written batch's
// array back (recycle) to be the next queue's, cleared, so that the queue
// does not grow a new array by doubling every batch — up to keep entries: a
// burst's large array (pointer slots the collector scans on every cycle) is
// left to the collector, not held for the life of the process.
type batchQueue[T any] struct {
	mu    sync.Mutex
	items []T
	spare []T // the last batch's array, cleared, for the next queue
}

// add queues items and returns how many wait now.
func (q *batchQueue[T]) add(items ...T) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, items...)
	return len(q.items)
}

// len is how many items wait.
func (q *batchQueue[T]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// each calls fn with every waiting item, the queue locked.
func (q *batchQueue[T]) each(fn func(*T)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.items {
		fn(&q.items[i])
	}
}

// take empties the queue and returns what it held; the spare array, if
// any, is the queue's from now.
func (q *batchQueue[T]) take() []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.items
	q.items, q.spare = q.spare, nil
	return batch
}

// putBack queues a batch that could not be written again, before what
// came since.
func (q *batchQueue[T]) putBack(batch []T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(batch, q.items...)
}

// recycle gives back the array of a written batch: cleared, it is the next
// queue's when it holds at most keep items.
func (q *batchQueue[T]) recycle(batch []T, keep int) {
	if cap(batch) > keep {
		return
	}
	clear(batch)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.spare == nil {
		q.spare = batch[:0]
	}
}

// runBatches is the loop of a batched writer (deflection sessions, the search
// log): flush every interval and whenever kick says a batch is full; after a
// failed write, batches wait for the next tick instead of starting writes of
// their own. With purge, it purges at start and hourly. When ctx ends it
// flushes what is left (before the file closes) and returns the last purge
// error.
func runBatches(ctx context.Context, interval time.Duration, kick <-chan struct{}, flush, purge func(context.Context) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	var purgeErr error
	if purge != nil {
		purgeErr = purge(ctx)
	}
	failed := false // the last write failed
	for {
		select {
		case <-ctx.Done():
			if err := flush(context.WithoutCancel(ctx)); err != nil {
				return err
			}
			return purgeErr
		case <-t.C:
			failed = flush(ctx) != nil
		case <-kick:
			if !failed {
				failed = flush(ctx) != nil
			}
		case <-hourly.C:
			if purge != nil {
				purgeErr = purge(ctx)
			}
		}
	}
}
