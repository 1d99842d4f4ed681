package bolt

import (
	"context"

	"github.com/marketplace/helpcentre/domain/kv"
)

// The jobs that run in one process at a time when several share the
// engine: each round takes its lock, and a process that does not get it
// skips the round (another is doing the work). Every replica must use the
// same names.
const (
	LockLearning        = "learning"         // LearningService.Run: learn from the search log, store the result
	LockRetention       = "retention"        // PrivacyService.RunRetention: forget expired personal data
	LockAttachmentSweep = "attachment-sweep" // the sweep of unreferenced uploads (serve)
	LockSearchEvents    = "search-events"    // the search log's hourly purge (SearchEvents.Run)
	LockDeflection      = "deflection"       // the deflection text's hourly purge (DeflectionService.Run)
)

// TryLock takes the lock called name for a job that must run in one process
// at a time: on an engine several processes share (kv.Locker: PostgreSQL's
// advisory locks) it is that engine's lock, and ok is false while another
// process holds it; on a bbolt file, which one process owns, it is always
// free. unlock releases it.
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if l, is := db.eng.(kv.Locker); is {
		return l.TryLock(ctx, name)
	}
	return func() {}, true, nil
}

// exclusive runs fn under the lock called name, or skips it (nil) when
// another process holds the lock.
func (db *DB) exclusive(ctx context.Context, name string, fn func(context.Context) error) error {
	unlock, ok, err := db.TryLock(ctx, name)
	if err != nil || !ok {
		return err
	}
	defer unlock()
	return fn(ctx)
}
