package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain"
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
		found = len(k) >= 8 && bytes.Compare(k[:8], timeKey(now)) <= 0
		return nil
	})
	return found, err
}

// dueEntry is one key of a due index and its value, copied out of the
// transaction's pages (they are changed next).
type dueEntry struct{ key, value []byte }

// claimDue claims up to n records of bucket recs due at now by their index
// due (keys: due time, 0x00, record id), the oldest-due first, for
// domain.ClaimLease, in one write transaction: lease sets a record's next
// attempt to the lease's end and returns its new due key. An index entry
// without its record is dropped. It reads first, in a view, so that an
// idle poll writes nothing.
func claimDue[T any](ctx context.Context, db *DB, recs, due []byte, now time.Time, n int, lease func(rec *T, until time.Time) (dueKey, id []byte)) ([]T, error) {
	if some, err := db.anyDue(ctx, due, now); err != nil || !some {
		return nil, err
	}
	until := now.Add(domain.ClaimLease).UTC()
	var out []T
	err := db.update(ctx, func(t *txn) error {
		out = nil // fn may run again (kv.Engine.Update)
		idx := t.tx.Bucket(due)
		return takeDue(t, recs, due, now, n, func(rec *T) error {
			key, id := lease(rec, until)
			if err := idx.Put(key, nil); err != nil {
				return err
			}
			if err := putJSON(t.tx.Bucket(recs), id, rec); err != nil {
				return err
			}
			out = append(out, *rec)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

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

// takeDue removes from the due index due up to n entries due at now, the
// oldest-due first, and calls fn with each one's record of bucket recs,
// decoded; the records are read in one go (kv.GetMany: one statement on
// PostgreSQL, not one per entry). An entry without its record is dropped.
func takeDue[T any](t *txn, recs, due []byte, now time.Time, n int, fn func(rec *T) error) error {
	idx := t.tx.Bucket(due)
	entries := dueEntries(idx, now, n)
	keys := make([][]byte, len(entries))
	for i, e := range entries {
		keys[i] = e.key[9:]
	}
	for i, data := range kv.GetMany(t.tx.Bucket(recs), keys) {
		if err := idx.Delete(entries[i].key); err != nil {
			return err
		}
		if data == nil {
			continue // an index entry without its record: nothing to work
		}
		var rec T
		if err := decodeJSON(data, &rec); err != nil {
			return fmt.Errorf("bolt: decode %q: %w", keys[i], err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
	return nil
}

// releaseClaims makes the items an earlier run claimed due now: Open calls
// it, because a bbolt file has one process (bbolt locks it), so the claims
// in it are a previous run's, whose workers died with it (a crash, a kill),
// and waiting out their leases would only delay them. A shared engine
// (OpenOn) never does this: there a claim may be another replica's, alive.
// Claims end within domain.ClaimLease of the time they were made, so only
// the keys due in (now, now+ClaimLease] are read.
func (db *DB) releaseClaims(ctx context.Context) (int, error) {
	now := db.now().UTC()
	n := 0
	err := db.update(ctx, func(t *txn) error {
		n = 0 // fn may run again (kv.Engine.Update)
		for _, q := range []struct {
			due, records []byte
			release      func(records kv.Bucket, e dueEntry) (key, value []byte, ok bool, err error)
		}{
			{bucketOutboxDue, bucketOutbox, func(records kv.Bucket, e dueEntry) ([]byte, []byte, bool, error) {
				var ev domain.OutboxEvent
				if ok, err := getJSON(records, e.key[9:], &ev); !ok || err != nil || ev.ClaimedUntil == nil {
					return nil, nil, false, err
				}
				ev.NextAttempt, ev.ClaimedUntil = now, nil
				return dueKey(&ev), nil, true, putJSON(records, []byte(ev.ID), &ev)
			}},
			{bucketMailDue, bucketMail, func(records kv.Bucket, e dueEntry) ([]byte, []byte, bool, error) {
				var m domain.Mail
				if ok, err := getJSON(records, e.key[9:], &m); !ok || err != nil || m.ClaimedUntil == nil {
					return nil, nil, false, err
				}
				m.NextAttempt, m.ClaimedUntil = now, nil
				return mailDueKey(&m), nil, true, putJSON(records, []byte(m.ID), &m)
			}},
			{bucketTranslationsDue, nil, func(_ kv.Bucket, e dueEntry) ([]byte, []byte, bool, error) {
				var j domain.TranslationJob
				if err := decodeJSON(e.value, &j); err != nil || !j.Claimed {
					return nil, nil, false, err
				}
				j.Due, j.Claimed = now, false
				v, err := json.Marshal(j)
				return translationKey(j), v, true, err
			}},
		} {
			due := t.tx.Bucket(q.due)
			if due == nil {
				continue // not migrated yet (tests of one area)
			}
			var records kv.Bucket
			if q.records != nil {
				if records = t.tx.Bucket(q.records); records == nil {
					continue
				}
			}
			var claimed []dueEntry
			end := timeKey(now.Add(domain.ClaimLease))
			c := due.Cursor()
			for k, v := c.Seek(timeKey(now.Add(1))); len(k) >= 9 && bytes.Compare(k[:8], end) <= 0; k, v = c.Next() {
				claimed = append(claimed, dueEntry{bytes.Clone(k), bytes.Clone(v)})
			}
			for _, e := range claimed {
				key, value, ok, err := q.release(records, e)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if err := due.Delete(e.key); err != nil {
					return err
				}
				if err := due.Put(key, value); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
