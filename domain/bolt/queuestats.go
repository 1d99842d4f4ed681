package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// OutboxStats are the outbox's events of one type (kind) that are not
// delivered.
type OutboxStats struct {
	Pending  int       // waiting for delivery (due now or later)
	Retrying int       // of those, the ones whose delivery failed at least once
	Dead     int       // given up on after the last retry
	Oldest   time.Time // creation of the oldest pending event; zero when none
}

// QueueStats are the store's work queues, for the operator's metrics.
type QueueStats struct {
	Outbox map[string]OutboxStats // by event type: "refund.issued", "thread.message", …
	// Translations waiting, and the due time of the one due first.
	Translations       int
	TranslationsOldest time.Time
	// Mail waiting to be sent (neither sent nor given up), those whose
	// sending failed at least once, and when the oldest was queued.
	Mail MailStats
}

// MailStats are the mails waiting in the store's mail queue.
type MailStats struct {
	Pending, Retrying int
	Oldest            time.Time
}

// QueueStats counts the undelivered outbox events, the waiting mails and
// the waiting translations in one read transaction. It reads every undelivered event
// (delivered ones are not in the indexes it walks), so its cost grows with
// the backlog, not with history.
func (db *DB) QueueStats(ctx context.Context) (QueueStats, error) {
	st := QueueStats{Outbox: map[string]OutboxStats{}}
	err := db.view(ctx, func(t *txn) error {
		events := t.tx.Bucket(bucketOutbox)
		read := func(id []byte, fn func(*OutboxStats, *domain.OutboxEvent)) error {
			var ev domain.OutboxEvent
			ok, err := getJSON(events, id, &ev)
			if err != nil || !ok {
				return err
			}
			s := st.Outbox[ev.Type]
			fn(&s, &ev)
			st.Outbox[ev.Type] = s
			return nil
		}
		c := t.tx.Bucket(bucketOutboxDue).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 9 {
				continue
			}
			err := read(k[9:], func(s *OutboxStats, ev *domain.OutboxEvent) {
				s.Pending++
				if ev.Attempts > 0 {
					s.Retrying++
				}
				if s.Oldest.IsZero() || ev.CreatedAt.Before(s.Oldest) {
					s.Oldest = ev.CreatedAt
				}
			})
			if err != nil {
				return err
			}
		}
		if dead := t.tx.Bucket(bucketOutboxDead); dead != nil {
			c := dead.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if err := read(k, func(s *OutboxStats, _ *domain.OutboxEvent) { s.Dead++ }); err != nil {
					return err
				}
			}
		}
		if due := t.tx.Bucket(bucketMailDue); due != nil {
			c := due.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				i := bytes.LastIndexByte(k, 0)
				var m domain.Mail
				ok, err := getJSON(t.tx.Bucket(bucketMail), k[i+1:], &m)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				st.Mail.Pending++
				if m.Attempts > 0 {
					st.Mail.Retrying++
				}
				if st.Mail.Oldest.IsZero() || m.CreatedAt.Before(st.Mail.Oldest) {
					st.Mail.Oldest = m.CreatedAt
				}
			}
		}
		if due := t.tx.Bucket(bucketTranslationsDue); due != nil {
			c := due.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if st.Translations == 0 && len(k) >= 8 {
					st.TranslationsOldest = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
				}
				st.Translations++
			}
		}
		return nil
	})
	return st, err
}
