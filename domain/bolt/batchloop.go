package bolt

import (
	"context"
	"time"
)

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
