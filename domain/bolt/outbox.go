package bolt

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.OutboxService = (*OutboxService)(nil)

// Buckets of the outbox area, beside those of txn.go (outbox.v1,
// outbox_due.v1, notifications.v1).
var (
	bucketOutboxDead = []byte("outbox_dead.v1") // ULID → empty: events given up on (undelivered, no longer due)
	bucketAlertsSent = []byte("alerts_sent.v1") // deadline (timeKey), entity → timeKey of the alert: each deadline alerted once
)

// outboxMigration creates the outbox area's own buckets. It has not shipped
// yet: edit it freely until it does, then only append new migrations.
func outboxMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketOutboxDead, bucketAlertsSent} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// OutboxService is the delivery side of the outbox that every command writes
// to (txn.enqueue, txn.notify), the users' in-app lists, and the deadline
// alerts.
//
// An event stays in outbox_due.v1, keyed by its next attempt, until a worker
// reports a 2xx (MarkDelivered) or gives up on it (MarkFailed with dead, which
// moves it to outbox_dead.v1): a crash between sending and marking sends it
// again, under the same id, never loses it. A worker claims the events it
// sends (Due): their next attempt is the claim's end until it reports back,
// and that is what ListOutbox shows of an event being delivered. The index
// key is always computed from the event's record, so a report from a worker
// whose claim ran out (and another claimed the event again) still finds it:
// the event is then delivered twice, which receivers deduplicate, and a
// delivered event stays delivered whatever is reported after.
type OutboxService struct {
	db     *DB
	policy domain.Policy
}

// NewOutboxService returns an OutboxService on db; p gives the alerts'
// advance notice.
func NewOutboxService(db *DB, p domain.Policy) *OutboxService {
	return &OutboxService{db: db, policy: p}
}

// dueKey is an event's key in outbox_due.v1.
func dueKey(ev *domain.OutboxEvent) []byte {
	return compositeKey(timeKey(ev.NextAttempt), []byte(ev.ID))
}

// Due implements domain.OutboxService: it claims up to n events due at now,
// the oldest-due first, for domain.ClaimLease (queue_claims.go): each one's
// next attempt moves to the lease's end, in the event and in
// outbox_due.v1, in one write transaction, so that no other worker (another
// replica) gets it meanwhile. MarkDelivered and MarkFailed find it there.
func (s *OutboxService) Due(ctx context.Context, now time.Time, n int) ([]domain.OutboxEvent, error) {
	if n <= 0 {
		n = 100
	}
	return claimDue(ctx, s.db, bucketOutbox, bucketOutboxDue, now, n, func(ev *domain.OutboxEvent, until time.Time) ([]byte, []byte) {
		ev.NextAttempt, ev.ClaimedUntil = until, &until
		return dueKey(ev), []byte(ev.ID)
	})
}

// findEvent reads one event for an update.
func findEvent(t *txn, id string) (*domain.OutboxEvent, error) {
	var ev domain.OutboxEvent
	ok, err := getJSON(t.tx.Bucket(bucketOutbox), []byte(id), &ev)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.ErrNotFound("Outbox event")
	}
	return &ev, nil
}

// MarkDelivered implements domain.OutboxService. Marking a delivered event
// again changes nothing. Workers deliver concurrently, so their marks share
// synced commits (batch).
func (s *OutboxService) MarkDelivered(ctx context.Context, id string, at time.Time) error {
	return s.db.batch(ctx, func(t *txn) error {
		ev, err := findEvent(t, id)
		if err != nil || ev.DeliveredAt != nil {
			return err
		}
		return markDelivered(t, ev, at)
	})
}

// MarkDueDelivered implements domain.OutboxService: up to n events due at
// now, the oldest-due first, are marked delivered at now in one write
// transaction, their records read in one go (takeDue, as Due's claims). It is what a worker with no endpoint does: claiming each
// event and marking it in a transaction of its own was two synced commits
// per event, forever, for nothing (a store seeded with 100,000 threads kept
// a new server busy ~100 s on its start-up backlog, and every post paid
// for its events twice over on PostgreSQL).
func (s *OutboxService) MarkDueDelivered(ctx context.Context, now time.Time, n int) (int, error) {
	if n <= 0 {
		n = 100
	}
	if some, err := s.db.anyDue(ctx, bucketOutboxDue, now); err != nil || !some {
		return 0, err
	}
	done := 0
	err := s.db.update(ctx, func(t *txn) error {
		done = 0 // fn may run again (kv.Engine.Update)
		return takeDue(t, bucketOutbox, bucketOutboxDue, now, n, func(ev *domain.OutboxEvent) error {
			if ev.DeliveredAt != nil {
				return nil
			}
			done++
			return markDelivered(t, ev, now)
		})
	})
	return done, err
}

// markDelivered records ev delivered at at: out of the due index (and the
// dead list), its attempt counted.
func markDelivered(t *txn, ev *domain.OutboxEvent, at time.Time) error {
	if err := t.tx.Bucket(bucketOutboxDue).Delete(dueKey(ev)); err != nil {
		return err
	}
	if b := t.tx.Bucket(bucketOutboxDead); b != nil {
		if err := b.Delete([]byte(ev.ID)); err != nil {
			return err
		}
	}
	at = at.UTC()
	ev.DeliveredAt, ev.ClaimedUntil = &at, nil
	ev.Attempts++
	ev.Dead = false
	return putJSON(t.tx.Bucket(bucketOutbox), []byte(ev.ID), ev)
}

// maxErrorText bounds what an attempt's error keeps (a response body can be
// anything).
const maxErrorText = 500

// MarkFailed implements domain.OutboxService: the event is due again at next,
// or, if dead, no longer due and listed among the dead.
func (s *OutboxService) MarkFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error {
	if len(errText) > maxErrorText {
		errText = errText[:maxErrorText]
	}
	return s.db.batch(ctx, func(t *txn) error {
		ev, err := findEvent(t, id)
		if err != nil || ev.DeliveredAt != nil || ev.Dead {
			return err
		}
		due := t.tx.Bucket(bucketOutboxDue)
		if err := due.Delete(dueKey(ev)); err != nil {
			return err
		}
		ev.Attempts++
		ev.LastError, ev.ClaimedUntil = errText, nil
		if dead {
			ev.Dead = true
			b, err := bucket(t.tx, bucketOutboxDead)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(ev.ID), nil); err != nil {
				return err
			}
		} else {
			ev.NextAttempt = next.UTC()
			if err := due.Put(dueKey(ev), nil); err != nil {
				return err
			}
		}
		return putJSON(t.tx.Bucket(bucketOutbox), []byte(ev.ID), ev)
	})
}

// ListOutbox implements domain.OutboxService (operators only). All events
// come newest first. Undelivered ones come from the indexes: the dead first
// (newest first), then those still being tried, soonest next attempt first
// (an event a worker has claimed and is delivering: the end of its claim,
// ClaimedUntil, when it is tried again unless the worker reports back).
func (s *OutboxService) ListOutbox(ctx context.Context, undeliveredOnly bool, cursor string, limit int) ([]domain.OutboxEvent, string, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = domain.DefaultPageLimit
	}
	limit = min(limit, domain.MaxPageLimit)
	if err := checkOutboxCursor(cursor, undeliveredOnly); err != nil {
		return nil, "", err
	}
	var out []domain.OutboxEvent
	var next string
	err := s.db.view(ctx, func(t *txn) error {
		events := t.tx.Bucket(bucketOutbox)
		read := func(ids [][]byte) error {
			for _, id := range ids {
				var ev domain.OutboxEvent
				ok, err := getJSON(events, id, &ev)
				if err != nil {
					return err
				}
				if ok {
					out = append(out, ev)
				}
			}
			return nil
		}
		if !undeliveredOnly {
			keys, n, err := pageKeys(events, nil, cursor, limit, true)
			if err != nil {
				return err
			}
			next = n
			return read(keys)
		}
		// Two phases, named by the cursor's first letter: "d" dead, "p" pending.
		phase, rest := "d", ""
		if cursor != "" {
			phase, rest = cursor[:1], cursor[1:]
		}
		// A file not yet migrated to 0007_outbox has no dead bucket, and so
		// no dead events (MarkFailed cannot kill one there).
		if dead := t.tx.Bucket(bucketOutboxDead); phase == "d" && dead != nil {
			keys, n, err := pageKeys(dead, nil, rest, limit, true)
			if err != nil {
				return err
			}
			if err := read(keys); err != nil {
				return err
			}
			if n != "" {
				next = "d" + n
				return nil
			}
			rest = ""
		}
		room := limit - len(out)
		if room == 0 {
			// The dead filled the page exactly: the pending come next.
			if k, _ := t.tx.Bucket(bucketOutboxDue).Cursor().First(); k != nil {
				next = "p"
			}
			return nil
		}
		keys, n, err := pageKeys(t.tx.Bucket(bucketOutboxDue), nil, rest, room, false)
		if err != nil {
			return err
		}
		if n != "" {
			next = "p" + n
		}
		ids := make([][]byte, len(keys))
		for i, k := range keys {
			ids[i] = k[9:]
		}
		return read(ids)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ulidLen is the length of an id, the outbox's keys.
const ulidLen = 26

// checkOutboxCursor refuses a cursor ListOutbox cannot have given: the key
// of an event ("d" + key of a dead one), or "p" + the key of a pending one.
func checkOutboxCursor(cursor string, undeliveredOnly bool) error {
	if cursor == "" {
		return nil
	}
	want := ulidLen
	if undeliveredOnly {
		switch cursor[0] {
		case 'd':
		case 'p':
			want = 8 + 1 + ulidLen
			if cursor == "p" {
				return nil
			}
		default:
			want = -1
		}
		cursor = cursor[1:]
	}
	k, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(k) != want {
		return domain.ErrInvalidCursor()
	}
	return nil
}

// Notifications implements domain.OutboxService: the caller's own list,
// newest first. With unreadOnly it walks the caller's entries newest first
// until it has limit unread ones.
func (s *OutboxService) Notifications(ctx context.Context, unreadOnly bool, limit int) ([]domain.Notification, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = domain.DefaultPageLimit
	}
	limit = min(limit, domain.MaxPageLimit)
	out := []domain.Notification{}
	err := s.db.view(ctx, func(t *txn) error {
		prefix := compositeKey([]byte(a.UserID), nil)
		b := t.tx.Bucket(bucketNotifications)
		c := b.Cursor()
		for k := seekLast(c, prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
			var n domain.Notification
			if err := decodeJSON(b.Get(k), &n); err != nil {
				return fmt.Errorf("bolt: decode notification %q: %w", k, err)
			}
			if unreadOnly && n.ReadAt != nil {
				continue
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkNotificationRead implements domain.OutboxService: only the caller's
// own notifications; anyone else's is not found. Marking twice keeps the
// first time.
func (s *OutboxService) MarkNotificationRead(ctx context.Context, id string) error {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return err
	}
	return s.db.update(ctx, func(t *txn) error {
		b := t.tx.Bucket(bucketNotifications)
		key := compositeKey([]byte(a.UserID), []byte(id))
		var n domain.Notification
		ok, err := getJSON(b, key, &n)
		if err != nil {
			return err
		}
		if !ok {
			return domain.ErrNotFound("Notification")
		}
		if n.ReadAt != nil {
			return nil
		}
		n.ReadAt = &t.now
		if err := putJSON(b, key, n); err != nil {
			return err
		}
		return t.audit("notification:"+id, "notification.read", "", nil)
	})
}

// outboxMigrationID names outboxMigration in migrate.go's list.
const outboxMigrationID = "0007_outbox_alerts"
