package search

import (
	"context"
	"sync"
	"time"
)

// withDeadline is context.WithDeadline for a search's time budget, without
// the timer until one is needed. A search asks its context Err() between
// pieces of work and seldom waits on Done(); context.WithTimeout made a
// timer, its context and, for the first Done(), a channel for every request:
// ~480 of a suggestion's ~3,600 bytes of garbage (BenchmarkAPI/suggest;
// this is one object of ~100), and garbage is what the collector runs on
// (README Benchmarks). Here the clock is read by Err(), and a timer is made
// only when Done() is asked for.
// It keeps the Context contract: Done is closed at the deadline or when the
// parent is done, and Err is nil until then (an Err that sees the deadline
// passed closes Done first). Its cancel must be called, as WithDeadline's
// cancel function.
func withDeadline(parent context.Context, d time.Time) *deadlineCtx {
	if cur, ok := parent.Deadline(); ok && cur.Before(d) {
		d = cur // the parent's deadline comes first
	}
	return &deadlineCtx{Context: parent, at: d}
}

type deadlineCtx struct {
	context.Context // the parent
	at              time.Time

	mu   sync.Mutex
	done chan struct{} // made by the first Done
	err  error         // set when done is closed (or would be)
	stop func()        // stops the timer and the parent's watch
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.at, true }

func (c *deadlineCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if err := c.Context.Err(); err != nil {
		c.end(err)
		return err
	}
	if !time.Now().Before(c.at) {
		c.end(context.DeadlineExceeded)
		return c.err
	}
	return nil
}

func (c *deadlineCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if c.err != nil {
		close(c.done)
		return c.done
	}
	t := time.AfterFunc(time.Until(c.at), func() { c.endLocked(context.DeadlineExceeded) })
	stopParent := context.AfterFunc(c.Context, func() { c.endLocked(c.Context.Err()) })
	c.stop = func() { stopParent(); t.Stop() }
	return c.done
}

func (c *deadlineCtx) endLocked(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.end(err)
}

// end records err and closes done, once; c.mu is held.
func (c *deadlineCtx) end(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
}

// cancel ends c with context.Canceled (if nothing ended it before) and
// stops its timer, if it has one.
func (c *deadlineCtx) cancel() {
	c.mu.Lock()
	c.end(context.Canceled)
	stop := c.stop
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}
