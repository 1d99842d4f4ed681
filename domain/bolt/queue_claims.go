package bolt

import (
	"bytes"
	"context"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
)

// The queues (outbox_due.v1, mail_due.v1, translations_due.v1) are keyed by
// when each item is due (timeKey), 0x00, the item. Several replicas may work
// them on one engine, so a worker takes items by a claim: one write
// transaction that moves each item's due key to the end of its lease
// (domain.ClaimLease), where no other claim finds it until the lease ends.
// Settling an item (delivered, failed, translated) deletes or moves the key
// the claim wrote. On an engine that runs transactions serializably, two
// claims that read the same keys conflict and one runs again, on the keys
// the other left: no item is claimed twice within its lease.

// anyDue reports whether the due index called name holds an item due at or
// before now: a cheap look in a read transaction, so that an idle worker's
// polls write nothing.
func (db *DB) anyDue(ctx context.Context, name []byte, now time.Time) (bool, error) {
	found := false
	err := db.view(ctx, func(t *txn) error {
		b := t.tx.Bucket(name)
		if b == nil {
			return nil
		}
		k, _ := b.Cursor().First()
		found = k != nil && len(k) >= 8 && bytes.Compare(k[:8], timeKey(now)) <= 0
		return nil
	})
	return found, err
}

// dueEntry is one key of a due index and its value, copied out of the
// transaction's pages (they are changed next).
type dueEntry struct{ key, value []byte }

// dueEntries returns up to n entries of the due index b whose time is at or
// before now, soonest first.
func dueEntries(b kv.Bucket, now time.Time, n int) []dueEntry {
	var out []dueEntry
	end := timeKey(now)
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
		if len(k) < 9 || bytes.Compare(k[:8], end) > 0 {
			break
		}
		out = append(out, dueEntry{bytes.Clone(k), bytes.Clone(v)})
	}
	return out
}
