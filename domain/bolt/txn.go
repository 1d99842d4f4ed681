package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// Buckets every after-sales service writes to (created by 0002_core).
var (
	bucketAudit         = []byte("audit.v1")         // entity, 0x00, ULID → JSON domain.AuditEntry
	bucketOutbox        = []byte("outbox.v1")        // ULID → JSON domain.OutboxEvent
	bucketOutboxDue     = []byte("outbox_due.v1")    // next attempt (8 bytes, Unix ns, big-endian), ULID → empty: undelivered events only
	bucketNotifications = []byte("notifications.v1") // user id, 0x00, ULID → JSON domain.Notification
)

func coreMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketAudit, bucketOutbox, bucketOutboxDue, bucketNotifications} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// txn is one command's write (or read) transaction: the caller, and the one
// timestamp every record the command writes carries.
type txn struct {
	tx    kv.Tx
	db    *DB
	now   time.Time
	actor domain.Actor
}

// txnTime is the one timestamp of a transaction: the DB's clock (fixed on a
// view made by At).
func (db *DB) txnTime(context.Context) time.Time {
	return db.now().UTC()
}

// update runs fn in one write transaction with the caller of ctx. A write is
// acknowledged (update returns nil) only once bbolt has synced it.
func (db *DB) update(ctx context.Context, fn func(t *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	actor := domain.ActorFrom(ctx)
	return db.write("update", db.eng.Update, func(tx kv.Tx) error {
		return fn(&txn{tx: tx, db: db, now: db.txnTime(ctx), actor: actor})
	})
}

// batch is update for many concurrent writers: bbolt gathers their functions
// into one synced commit. fn may run more than once (when another function of
// the batch fails), so it must not have effects outside the transaction.
func (db *DB) batch(ctx context.Context, fn func(t *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	actor := domain.ActorFrom(ctx)
	return db.write("batch", db.eng.Batch, func(tx kv.Tx) error {
		return fn(&txn{tx: tx, db: db, now: db.txnTime(ctx), actor: actor})
	})
}

// view runs fn in a read transaction. Values read are copied out before it
// returns (getJSON decodes, which copies).
func (db *DB) view(ctx context.Context, fn func(t *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	actor := domain.ActorFrom(ctx)
	return db.read(func(tx kv.Tx) error {
		return fn(&txn{tx: tx, db: db, now: db.txnTime(ctx), actor: actor})
	})
}

// newID returns a fresh ULID string at the transaction's time.
func (t *txn) newID() (string, error) {
	id, err := t.db.newID(t.now)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// actorID names the caller in records: their user id, or the system's.
func (t *txn) actorID() string {
	if t.actor.UserID == "" {
		return domain.SystemUserID
	}
	return t.actor.UserID
}

// getJSON decodes the value at key into v, reporting whether there was one.
func getJSON(b kv.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := decodeJSON(data, v); err != nil {
		return true, fmt.Errorf("bolt: decode %q: %w", key, err)
	}
	return true, nil
}

// decodeJSON is json.Unmarshal of encoding/json's API, through the JSON v2
// engine that encoding/json itself runs on when built with
// GOEXPERIMENT=jsonv2 (github.com/go-json-experiment/json/v1: the same
// behaviour, encoding/json's own tests pass on it). Records are decoded on
// every read of the store: a thread's record (~740 bytes) took 11.3 µs and
// 36 allocations with encoding/json, 6.9 µs and 15 with it, and an inbox
// page is fifty of them (decoding was ~85 % of a page's processor time,
// BenchmarkListThreads100k). Records are still encoded with encoding/json.
func decodeJSON(data []byte, v any) error { return jsonv1.Unmarshal(data, v) }

// putJSON encodes v at key.
func putJSON(b kv.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// jsonBatch encodes the values of a batch's write transaction into one
// array kept from one batch to the next, where json.Marshal made an array
// a value: the search log and the deflection sessions are written a few
// thousand a second under load (~300–1,200 bytes each), and that garbage is
// what the collector runs on (README Benchmarks). A value it returns stays
// valid (the engines keep what Put is given until the transaction ends)
// until reset, which the batch's writer calls at the start of its next
// transaction. The bytes are json.Marshal's (Encoder.Encode's, without the
// newline). Not safe for concurrent use: one per writer.
type jsonBatch struct {
	buf []byte
	enc *json.Encoder
}

func (j *jsonBatch) Write(p []byte) (int, error) {
	j.buf = append(j.buf, p...)
	return len(p), nil
}

// put encodes v at key.
func (j *jsonBatch) put(b kv.Bucket, key []byte, v any) error {
	if j.enc == nil {
		j.enc = json.NewEncoder(j)
	}
	start := len(j.buf)
	if err := j.enc.Encode(v); err != nil {
		j.buf = j.buf[:start]
		return err
	}
	end := len(j.buf) - 1 // the newline
	return b.Put(key, j.buf[start:end:end])
}

// maxJSONBatch bounds the array a writer keeps between batches: a batch of
// 4,096 search events is ~2 MB; an odd larger one is not kept.
const maxJSONBatch = 4 << 20

// reset starts a batch: the values of the last one must no longer be in use.
func (j *jsonBatch) reset() {
	if cap(j.buf) > maxJSONBatch {
		j.buf = nil
	}
	j.buf = j.buf[:0]
}

// compositeKey joins parts with 0x00 (no part may contain it: ids, names and
// numbers never do).
func compositeKey(parts ...[]byte) []byte {
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// timeKey is t as 8 big-endian bytes of Unix nanoseconds: keys sort by time.
func timeKey(t time.Time) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano()))
	return b[:]
}

// audit appends an entry to entity's log ("refund:01J…"): who (the caller),
// when (the transaction's time), what and why.
func (t *txn) audit(entity, action, why string, data any) error {
	id, err := t.newID()
	if err != nil {
		return err
	}
	e := domain.AuditEntry{ID: id, Entity: entity, Action: action, Actor: t.actorID(), Role: t.actor.Role, Why: why, At: t.now}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		e.Data = raw
	}
	return putJSON(t.tx.Bucket(bucketAudit), compositeKey([]byte(entity), []byte(id)), e)
}

// enqueue writes ev to the outbox, due now, in this transaction: it is
// delivered if and only if the change it tells of commits.
func (t *txn) enqueue(ev domain.OutboxEvent) error {
	if ev.ID == "" {
		id, err := t.newID()
		if err != nil {
			return err
		}
		ev.ID = id
	}
	ev.CreatedAt = t.now
	if ev.NextAttempt.IsZero() {
		ev.NextAttempt = t.now
	}
	if err := putJSON(t.tx.Bucket(bucketOutbox), []byte(ev.ID), ev); err != nil {
		return err
	}
	return t.tx.Bucket(bucketOutboxDue).Put(compositeKey(timeKey(ev.NextAttempt), []byte(ev.ID)), nil)
}

// notify tells one user of a change: an entry in their in-app list, an
// outbox event for the webhook and, if they chose it, a mail, all in this
// transaction.
// prefetchNotified reads ahead what notify reads of each user (their record
// and mail preferences), in one round trip on PostgreSQL.
func prefetchNotified(t *txn, userIDs []string) {
	var keys []kv.BucketKey
	users, prefs := t.tx.Bucket(bucketUsers), t.tx.Bucket(bucketMailPrefs)
	for _, id := range userIDs {
		keys = append(keys, kv.BucketKey{Bucket: users, Key: []byte(id)}, kv.BucketKey{Bucket: prefs, Key: []byte(id)})
	}
	kv.Prefetch(t.tx, keys...)
}

func (t *txn) notify(userID, typ, title, entity, link string, payload any) error {
	if userID == "" {
		return nil
	}
	id, err := t.newID()
	if err != nil {
		return err
	}
	n := domain.Notification{ID: id, UserID: userID, Type: typ, Title: title, Link: link, Entity: entity, CreatedAt: t.now}
	if err := putJSON(t.tx.Bucket(bucketNotifications), compositeKey([]byte(userID), []byte(id)), n); err != nil {
		return err
	}
	body := map[string]any{"notification": n}
	if payload != nil {
		body["data"] = payload
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if err := t.enqueue(domain.OutboxEvent{Type: typ, UserID: userID, Entity: entity, Payload: raw}); err != nil {
		return err
	}
	return t.mailNotification(n, payload) // and by email, when they chose it (mail.go)
}
