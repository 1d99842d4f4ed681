package postgres

import (
	"context"
	"fmt"
)

// Scrub is the last step of an erasure and of a retention purge on this
// engine (the store calls it where, on bbolt, it zeroes the file's free
// pages). An erasure rewrites the customer's rows; PostgreSQL keeps the
// versions it replaced, with the old text, as dead tuples in the table's
// pages until VACUUM removes them — autovacuum does, when it next visits
// the table (at its default scale factor, after a fifth of the table has
// changed: days on a large, quiet store). Scrub runs VACUUM on the store's
// table at once, so that the old versions are no longer tuples of the
// table (not even to page inspection tools) as soon as no open transaction
// can still see them. It takes no lock that blocks readers or writers.
//
// What VACUUM does not do, and the README says: it leaves the removed
// tuples' bytes in the pages' free space until new rows overwrite them, and
// the old versions stay in the write-ahead log until it is recycled and in
// base backups; VACUUM FULL (an exclusive lock: a maintenance window)
// rewrites the table into new files.
//
// The count is 0: PostgreSQL does not say how many pages it cleared.
func (e *Engine) Scrub(ctx context.Context) (int, error) {
	if _, err := e.pool.Exec(ctx, "VACUUM kv"); err != nil {
		return 0, fmt.Errorf("postgres: vacuum after erasure: %w", err)
	}
	return 0, nil
}

// Settle is what a bulk load ends with (bolt.CopyStore calls it: the
// migration from a bbolt file): VACUUM (ANALYZE) of the store's tables.
// Rows just copied have no statistics for the planner yet and no hint bits
// or visibility-map bits, so the first readers of each page would set them
// (a read that writes) and autovacuum would rescan the whole table while the
// replicas start serving; settling does it once, before. It takes no lock
// that blocks readers or writers.
func (e *Engine) Settle(ctx context.Context) error {
	if _, err := e.pool.Exec(ctx, "VACUUM (ANALYZE) kv, kv_buckets"); err != nil {
		return fmt.Errorf("postgres: vacuum and analyze after the copy: %w", err)
	}
	return nil
}
