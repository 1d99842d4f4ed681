package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/marketplace/helpcentre/domain/kv"
)

// The statements, each one round trip; pgx prepares and caches them per
// connection.
const (
	//
	// A writable transaction's point reads and deletes find their rows
	// through the hash index kv_point on bucket || key
	// (migrations/0003_kv_point.sql), whose
	// predicate locks do not cover the btree pages other transactions
	// insert into. The bucket is compared too (with the hash, it fixes
	// the key), as (bucket || '') so that the planner cannot use the
	// primary key instead.
	sqlGet = `SELECT value FROM kv WHERE (bucket || key) = ($1::bytea || $2::bytea)
		AND (bucket || ''::bytea) = $1::bytea`
	// GetMany: the values of many keys of one bucket, in one statement.
	sqlGetMany = `SELECT key, value FROM kv WHERE (bucket || key) = ANY (ARRAY(SELECT $1::bytea || k FROM unnest($2::bytea[]) AS k))
		AND (bucket || ''::bytea) = $1::bytea`
	//
	// A read-only transaction (View: REPEATABLE READ READ ONLY) takes no
	// predicate locks, so its point reads go through the primary key, a
	// btree descent a key (tx.pointRead picks). Through kv_point, in a
	// bitmap scan of many keys, a probe cost ~21 µs a key on a
	// 4.8-million-row word index (a GetMany of 2,000 keys 43 ms, against
	// 3.1 ms by the primary key: EXPLAIN ANALYZE, 2026-12-07, the bench's
	// 100,000-thread store), which made the inbox's text filter on
	// PostgreSQL slow when it checked a word on a rarer word's threads.
	sqlGetRO      = `SELECT value FROM kv WHERE bucket = $1::bytea AND key = $2::bytea`
	sqlGetManyRO  = `SELECT key, value FROM kv WHERE bucket = $1::bytea AND key = ANY ($2::bytea[])`
	sqlPrefetchRO = `SELECT u.i, kv.value FROM unnest($1::bytea[], $2::bytea[]) WITH ORDINALITY AS u(b, k, i)
		JOIN kv ON kv.bucket = u.b AND kv.key = u.k`
	// Writes: the transaction's pending writes, of every bucket, in one
	// statement. $1 the buckets put into, which must exist (kv_fail KV001
	// else); $2, $3, $4 the keys put (bucket, key, value), an upsert that
	// leaves a row whose value is already the one put as it is (no new row
	// version, no WAL for its indexes) and fails (KV002) over a nested
	// bucket (NULL value); $5, $6 the keys deleted (bucket, key), through
	// kv_point as Get, failing (KV002) when one was a nested bucket. A
	// failure fails the statement, so that a COMMIT sent after it does not
	// commit the rest. Every key is in one list at most (group).
	sqlWrites = `WITH c AS (SELECT kv_fail('KV001') AS gone FROM unnest($1::bytea[]) AS p(path)
			WHERE NOT EXISTS (SELECT 1 FROM kv_buckets WHERE kv_buckets.path = p.path)),
		d AS (DELETE FROM kv USING unnest($5::bytea[], $6::bytea[]) AS u(b, k)
			WHERE (kv.bucket || kv.key) = (u.b || u.k) AND (kv.bucket || ''::bytea) = u.b AND (kv.key || ''::bytea) = u.k
			RETURNING kv.value IS NULL AS nested),
		w AS (INSERT INTO kv (bucket, key, value) SELECT * FROM unnest($2::bytea[], $3::bytea[], $4::bytea[])
			ON CONFLICT (bucket, key) DO UPDATE
			SET value = CASE WHEN kv.value IS NULL THEN CASE WHEN kv_fail('KV002') THEN NULL::bytea END ELSE EXCLUDED.value END
			WHERE kv.value IS DISTINCT FROM EXCLUDED.value)
		SELECT CASE WHEN EXISTS (SELECT 1 FROM c) THEN false
			WHEN EXISTS (SELECT 1 FROM d WHERE nested) THEN kv_fail('KV002') ELSE true END`
	// Prefetch: keys of several buckets ($1 bucket, $2 key, in pairs), by
	// their place in the lists, through kv_point as Get.
	sqlPrefetch = `SELECT u.i, kv.value FROM unnest($1::bytea[], $2::bytea[]) WITH ORDINALITY AS u(b, k, i)
		JOIN kv ON (kv.bucket || kv.key) = (u.b || u.k) AND (kv.bucket || ''::bytea) = u.b AND (kv.key || ''::bytea) = u.k`
	sqlBucketExists = `SELECT EXISTS (SELECT 1 FROM kv_buckets WHERE path = $1)`
	// A sequence counted in memory, written back (kv_fail if the bucket
	// is gone).
	sqlWriteSequence = `WITH u AS (UPDATE kv_buckets SET seq = $2 WHERE path = $1 RETURNING 1)
		SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN true ELSE kv_fail('KV001') END`
	// CreateBucket: the marker in the parent (which must exist) and the
	// bucket's row; then says what was there instead, if anything.
	sqlCreateBucket = `WITH parent AS (
			SELECT 1 AS ok WHERE $1::bytea = ''::bytea OR EXISTS (SELECT 1 FROM kv_buckets WHERE path = $1::bytea)),
		ins AS (INSERT INTO kv (bucket, key, value) SELECT $1::bytea, $2::bytea, NULL FROM parent
			ON CONFLICT (bucket, key) DO NOTHING RETURNING 1),
		b AS (INSERT INTO kv_buckets (path) SELECT $3::bytea FROM ins
			ON CONFLICT (path) DO UPDATE SET seq = 0 RETURNING 1)
		SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM parent),
			(SELECT value IS NULL FROM kv WHERE bucket = $1::bytea AND key = $2::bytea)`
	// DeleteBucket: the marker, every key of the bucket and of the buckets
	// nested in it (one range of paths), and their rows in kv_buckets.
	sqlDeleteBucket = `WITH m AS (DELETE FROM kv WHERE bucket = $1::bytea AND key = $2::bytea AND value IS NULL RETURNING 1),
		k AS (DELETE FROM kv WHERE bucket >= $3::bytea AND bucket < $4::bytea AND EXISTS (SELECT 1 FROM m)),
		b AS (DELETE FROM kv_buckets WHERE path >= $3::bytea AND path < $4::bytea AND EXISTS (SELECT 1 FROM m))
		SELECT (SELECT count(*) FROM m), EXISTS (SELECT 1 FROM kv WHERE bucket = $1::bytea AND key = $2::bytea)`
	sqlSequence     = `SELECT seq FROM kv_buckets WHERE path = $1`
	sqlNextSequence = `UPDATE kv_buckets SET seq = CASE WHEN seq = 9223372036854775807 THEN -9223372036854775808 ELSE seq + 1 END
		WHERE path = $1 RETURNING seq`
	sqlSetSequence = `UPDATE kv_buckets SET seq = $2 WHERE path = $1 RETURNING seq`

	// Cursor windows: index range scans of kv's primary key.
	sqlFrom   = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`
	sqlAfter  = `SELECT key, value FROM kv WHERE bucket = $1 AND key > $2 ORDER BY key LIMIT $3`
	sqlBefore = `SELECT key, value FROM kv WHERE bucket = $1 AND key < $2 ORDER BY key DESC LIMIT $3`
	sqlLast   = `SELECT key, value FROM kv WHERE bucket = $1 ORDER BY key DESC LIMIT $2`

	// The same windows when the caller walks keys of one prefix
	// (kv.ReadAhead): at most $3 rows within the prefix's range ($4 its
	// bound: the first key after it going up, the prefix itself going down),
	// then the one key past that bound, so that a walk that reads past the
	// prefix's last key (to learn it was the last) needs no statement more.
	sqlFromIn = `(SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 AND key < $4 ORDER BY key LIMIT $3)
		UNION ALL (SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 AND key >= $4 ORDER BY key LIMIT 1)`
	sqlAfterIn = `(SELECT key, value FROM kv WHERE bucket = $1 AND key > $2 AND key < $4 ORDER BY key LIMIT $3)
		UNION ALL (SELECT key, value FROM kv WHERE bucket = $1 AND key > $2 AND key >= $4 ORDER BY key LIMIT 1)`
	sqlBeforeIn = `(SELECT key, value FROM kv WHERE bucket = $1 AND key < $2 AND key >= $4 ORDER BY key DESC LIMIT $3)
		UNION ALL (SELECT key, value FROM kv WHERE bucket = $1 AND key < $2 AND key < $4 ORDER BY key DESC LIMIT 1)`
)

// CursorQueries are the statements a cursor runs, for a test to EXPLAIN:
// each takes the bucket's path, a key and a row limit ("last" takes the key
// too, and ignores it, so that all take the same arguments).
var CursorQueries = map[string]string{"from": sqlFrom, "after": sqlAfter, "before": sqlBefore,
	"last": `SELECT key, value FROM kv WHERE bucket = $1 AND $2::bytea IS NOT NULL ORDER BY key DESC LIMIT $3`}

// Errors of the engine's own limits (bbolt's ErrKeyRequired and the like).
var (
	ErrKeyRequired        = errors.New("postgres: key required")
	ErrKeyTooLarge        = fmt.Errorf("postgres: key too large (at most %d bytes with its bucket's path)", MaxKeySize)
	ErrBucketNameRequired = errors.New("postgres: bucket name required")
)

type change struct {
	path    []byte
	created bool // else deleted, with everything nested in it
}

// tx is one transaction on one connection. Writes are queued and sent, as
// one statement, with COMMIT or with the first statement that must see them
// (mustFlush), in one round trip (a pgx batch: the protocol's pipelining);
// reads of keys this transaction wrote, or read ahead (Prefetch), are
// answered from memory.
type tx struct {
	e        *Engine
	conn     *pgxpool.Conn
	ctx      context.Context
	writable bool
	begin    string // the BEGIN statement, sent with the first statement
	begun    bool
	root     *bucket
	err      error    // the first failure underneath; then every call is a no-op
	changes  []change // buckets created and deleted, in order
	gen      int      // bumped by every write, so cursors re-read
	pending  []write  // writes not sent yet
	written  map[wkey]wval
	read     map[wkey][]byte      // what Prefetch read (nil: no such key, or a nested bucket)
	seqs     map[string]*seqState // sequences read in this transaction
	trace    []string             // with HELPCENTRE_PG_TRACE_CONFLICTS: the statements sent
	rowsRead int                  // rows the reads returned (cursors, GetMany): the trace's last line
}

type seqState struct {
	v     uint64
	dirty bool // to be written
}

// pointRead is the statement of a point read: through kv_point in a
// writable transaction, by the primary key in a read-only one.
func (t *tx) pointRead(writable, readOnly string) string {
	if t.writable {
		return writable
	}
	return readOnly
}

func (t *tx) seq(path []byte, v uint64, dirty bool) {
	if t.seqs == nil {
		t.seqs = map[string]*seqState{}
	}
	t.seqs[string(path)] = &seqState{v: v, dirty: dirty}
}

type write struct {
	path, key []byte
	value     []byte // nil for a delete
}

type wkey struct{ path, key string }

type wval struct {
	v       []byte
	deleted bool
}

// writes is a transaction's pending writes as sqlWrites takes them: each
// key's last write, puts and deletes apart, and the buckets put into.
type writes struct {
	buckets          [][]byte
	putB, putK, putV [][]byte
	delB, delK       [][]byte
}

func (w *writes) empty() bool { return len(w.putK) == 0 && len(w.delK) == 0 }

func group(pending []write) *writes {
	last := make(map[wkey]int, len(pending))
	for i, w := range pending {
		last[wkey{string(w.path), string(w.key)}] = i
	}
	var final []write
	for i, w := range pending {
		if last[wkey{string(w.path), string(w.key)}] == i { // else written again later
			final = append(final, w)
		}
	}
	// In key order, so that concurrent transactions lock the rows they
	// both write in one order (the store deletes index entries in a map's
	// order): a deadlock would cost one of them a run again.
	slices.SortFunc(final, func(a, b write) int {
		if c := bytes.Compare(a.path, b.path); c != 0 {
			return c
		}
		return bytes.Compare(a.key, b.key)
	})
	out := &writes{}
	seen := map[string]bool{}
	for _, w := range final {
		if w.value == nil {
			out.delB = append(out.delB, w.path)
			out.delK = append(out.delK, w.key)
			continue
		}
		out.putB = append(out.putB, w.path)
		out.putK = append(out.putK, w.key)
		out.putV = append(out.putV, w.value)
		if !seen[string(w.path)] {
			seen[string(w.path)] = true
			out.buckets = append(out.buckets, w.path)
		}
	}
	return out
}

// send sends the queued writes (after BEGIN if not yet sent) and then q, in
// one round trip; read reads q's results. It returns read's error, or the
// sticky failure of a write (then t.err is set).
func (t *tx) send(q string, args []any, read func(pgx.BatchResults) error) error {
	if t.err != nil {
		return t.err
	}
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue(t.begin)
	}
	writes := &writes{}
	flush := t.mustFlush(q, args)
	if flush {
		writes = group(t.pending)
		t.pending = t.pending[:0]
	}
	var seqs []string
	for p, st := range t.seqs {
		if st.dirty && flush {
			seqs = append(seqs, p)
			st.dirty = false
			b.Queue(sqlWriteSequence, []byte(p), int64(st.v))
		}
	}
	if !writes.empty() {
		b.Queue(sqlWrites, writes.buckets, writes.putB, writes.putK, writes.putV, writes.delB, writes.delK)
	}
	if q != "" {
		b.Queue(q, args...)
	}
	if b.Len() == 0 {
		return nil
	}
	if tracing() {
		for _, qq := range b.QueuedQueries {
			t.trace = append(t.trace, describe(qq.SQL, qq.Arguments))
		}
		t.trace = append(t.trace, "--- round trip")
	}
	br := t.conn.SendBatch(t.ctx, b)
	// wrote reads a queued write's result.
	wrote := func(what string, paths ...[]byte) error {
		var ok bool
		err := br.QueryRow().Scan(&ok)
		if err != nil && tracing() {
			t.trace = append(t.trace, "failed: "+what)
		}
		var pe *pgconn.PgError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &pe) && pe.Code == "KV001":
			return t.stale(paths...)
		case errors.As(err, &pe) && pe.Code == "KV002":
			return t.fail(what, kv.ErrIncompatibleValue)
		}
		return t.fail(what, err)
	}
	err := func() error {
		if !t.begun {
			if _, err := br.Exec(); err != nil {
				return t.fail("begin", err)
			}
			t.begun = true
		}
		for _, p := range seqs {
			if err := wrote("sequence", []byte(p)); err != nil {
				return err
			}
		}
		if !writes.empty() {
			if err := wrote("write", writes.buckets...); err != nil {
				return err
			}
		}
		if q != "" && read != nil {
			return read(br)
		}
		return nil
	}()
	if cerr := br.Close(); cerr != nil && t.err == nil && err == nil {
		err = t.fail("batch", cerr)
	}
	if t.err != nil {
		return t.err
	}
	return err
}

// mustFlush reports whether statement q (with args) must come after the
// transaction's pending writes: COMMIT, a bucket's creation or deletion, a
// cursor's window of a bucket the transaction wrote to. Point reads need
// not (a key the transaction wrote is answered from memory, and the keys it
// did not write read the same either way), nor do the sequences' and the
// buckets' own statements: the writes wait for the commit, and a post's go
// in one statement with it.
func (t *tx) mustFlush(q string, args []any) bool {
	switch q {
	case sqlGet, sqlGetMany, sqlPrefetch, sqlGetRO, sqlGetManyRO, sqlPrefetchRO, sqlBucketExists, sqlSequence, sqlNextSequence, sqlSetSequence:
		return false
	case sqlFrom, sqlAfter, sqlBefore, sqlLast, sqlFromIn, sqlAfterIn, sqlBeforeIn:
		path, _ := args[0].([]byte)
		for _, w := range t.pending {
			if string(w.path) == string(path) {
				return true
			}
		}
		return false
	}
	return true
}

// queryRow runs q (after the queued writes) and scans its row into dest;
// found is false when there is no row or the transaction has failed.
func (t *tx) queryRow(what, q string, args []any, dest ...any) (found bool) {
	err := t.send(q, args, func(br pgx.BatchResults) error { return br.QueryRow().Scan(dest...) })
	switch {
	case t.err != nil:
		return false
	case errors.Is(err, pgx.ErrNoRows):
		return false
	case err != nil:
		t.fail(what, err)
		return false
	}
	return true
}

// commit sends the queued writes and COMMIT; a transaction that sent
// nothing has nothing to commit.
func (t *tx) commit() error {
	if !t.begun && len(t.pending) == 0 {
		return nil
	}
	err := t.send("COMMIT", nil, func(br pgx.BatchResults) error {
		_, err := br.Exec()
		return err
	})
	if t.err != nil {
		return t.err
	}
	if err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	t.begun = false // committed: nothing to roll back
	return nil
}

// queue adds a write to send later, copying key and value (the caller may
// reuse them), and remembers it for reads.
func (t *tx) queue(path, key, value []byte) {
	k := append([]byte(nil), key...)
	var v []byte
	if value != nil {
		v = append(make([]byte, 0, len(value)), value...)
	}
	t.pending = append(t.pending, write{path: path, key: k, value: v})
	if t.written == nil {
		t.written = map[wkey]wval{}
	}
	t.written[wkey{string(path), string(k)}] = wval{v: v, deleted: value == nil}
	t.gen++
}

// fail records the first failure underneath (sticky) and returns it.
func (t *tx) fail(what string, err error) error {
	if t.err == nil {
		if errors.Is(err, errStale) {
			t.err = err
		} else {
			t.err = fmt.Errorf("postgres: %s: %w", what, err)
		}
	}
	return t.err
}

// exists reports whether the bucket at path exists, as this transaction sees
// it: its own creations and deletions, then the engine's cache, then the
// database.
func (t *tx) exists(path []byte) bool {
	if len(path) == 0 {
		return true
	}
	for i := len(t.changes) - 1; i >= 0; i-- {
		ch := t.changes[i]
		if string(ch.path) == string(path) {
			return ch.created
		}
		if !ch.created && within(path, ch.path) {
			return false
		}
	}
	if t.e.known(path) {
		return true
	}
	var ok bool
	if !t.queryRow("bucket", sqlBucketExists, []any{path}, &ok) {
		return false
	}
	if ok {
		t.e.remember(path)
	}
	return ok
}

// knownBucket reports whether path is a bucket as far as the transaction
// knows without asking the database.
func (t *tx) knownBucket(path []byte) bool {
	for i := len(t.changes) - 1; i >= 0; i-- {
		ch := t.changes[i]
		if string(ch.path) == string(path) {
			return ch.created
		}
		if !ch.created && within(path, ch.path) {
			return false
		}
	}
	return t.e.known(path)
}

// stale handles a write that found its bucket gone although the cache said
// it was there (one of paths, for a write to several): forget them and run
// the transaction again.
func (t *tx) stale(paths ...[]byte) error {
	for _, p := range paths {
		t.e.forget(p)
	}
	return t.fail("", errStale)
}

func (t *tx) Bucket(name []byte) kv.Bucket { return t.root.Bucket(name) }
func (t *tx) CreateBucket(name []byte) (kv.Bucket, error) {
	return t.root.CreateBucket(name)
}
func (t *tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return t.root.CreateBucketIfNotExists(name)
}
func (t *tx) DeleteBucket(name []byte) error { return t.root.DeleteBucket(name) }
func (t *tx) Writable() bool                 { return t.writable }
func (t *tx) Err() error                     { return t.err }

func (t *tx) ForEach(fn func(name []byte, b kv.Bucket) error) error {
	return t.root.ForEach(func(k, _ []byte) error {
		return fn(k, &bucket{tx: t, path: childPath(nil, k)})
	})
}

type bucket struct {
	tx   *tx
	path []byte
}

// check returns the error a write must return before touching anything.
func (b *bucket) check(key []byte) error {
	if b.tx.err != nil {
		return b.tx.err
	}
	if !b.tx.writable {
		return kv.ErrTxNotWritable
	}
	if len(key) == 0 {
		return ErrKeyRequired
	}
	if len(key)+len(b.path) > MaxKeySize {
		return ErrKeyTooLarge
	}
	return nil
}

func (b *bucket) Get(key []byte) []byte {
	if b.tx.err != nil || len(key) == 0 {
		return nil
	}
	if w, ok := b.tx.written[wkey{string(b.path), string(key)}]; ok {
		if w.deleted {
			return nil
		}
		return w.v
	}
	if v, ok := b.tx.read[wkey{string(b.path), string(key)}]; ok {
		return v
	}
	var v []byte
	b.tx.queryRow("get", b.tx.pointRead(sqlGet, sqlGetRO), []any{b.path, key}, &v)
	return v // nil for a nested bucket
}

// GetMany reads the keys the transaction has not written in one statement
// (kv.MultiGetter).
func (b *bucket) GetMany(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	if b.tx.err != nil {
		return out
	}
	var ask [][]byte
	at := map[string][]int{} // key → its places in keys
	for i, k := range keys {
		if len(k) == 0 {
			continue
		}
		if w, ok := b.tx.written[wkey{string(b.path), string(k)}]; ok {
			if !w.deleted {
				out[i] = w.v
			}
			continue
		}
		if v, ok := b.tx.read[wkey{string(b.path), string(k)}]; ok {
			out[i] = v
			continue
		}
		if _, dup := at[string(k)]; !dup {
			ask = append(ask, k)
		}
		at[string(k)] = append(at[string(k)], i)
	}
	if len(ask) == 0 {
		return out
	}
	err := b.tx.send(b.tx.pointRead(sqlGetMany, sqlGetManyRO), []any{b.path, ask}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v []byte
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			b.tx.rowsRead++
			for _, i := range at[string(k)] {
				out[i] = v // nil for a nested bucket
			}
		}
		return rows.Err()
	})
	if err != nil {
		b.tx.fail("get many", err)
		clear(out)
	}
	return out
}

var _ kv.MultiGetter = (*bucket)(nil)

// Prefetch reads the keys the transaction has not written or read ahead
// yet, of every bucket, in one statement (kv.Prefetcher); Get and GetMany
// answer them from memory then.
func (t *tx) Prefetch(keys []kv.BucketKey) {
	if t.err != nil {
		return
	}
	var bs, ks [][]byte
	var at []wkey
	for _, bk := range keys {
		b, ok := bk.Bucket.(*bucket)
		if !ok || b.tx != t {
			continue
		}
		w := wkey{string(b.path), string(bk.Key)}
		if _, ok := t.written[w]; ok {
			continue
		}
		if _, ok := t.read[w]; ok || slices.Contains(at, w) {
			continue
		}
		bs, ks, at = append(bs, b.path), append(ks, bk.Key), append(at, w)
	}
	if len(at) == 0 {
		return
	}
	got := make([][]byte, len(at))
	err := t.send(t.pointRead(sqlPrefetch, sqlPrefetchRO), []any{bs, ks}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int64
			var v []byte
			if err := rows.Scan(&i, &v); err != nil {
				return err
			}
			if i >= 1 && int(i) <= len(at) {
				got[i-1] = v
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.fail("prefetch", err)
		return
	}
	if t.read == nil {
		t.read = make(map[wkey][]byte, len(at))
	}
	for i, w := range at {
		t.read[w] = got[i]
	}
}

var _ kv.Prefetcher = (*tx)(nil)

// Put is sent with the transaction's commit (or a statement that must see
// it, mustFlush): a key that turns out to be a nested bucket the transaction
// did not know of fails the transaction then (Err), rather than this call.
func (b *bucket) Put(key, value []byte) error {
	if err := b.check(key); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // an empty value, not a bucket's NULL
	}
	if b.tx.knownBucket(childPath(b.path, key)) {
		return kv.ErrIncompatibleValue
	}
	b.tx.queue(b.path, key, value)
	return nil
}

// Delete is sent later, as Put is.
func (b *bucket) Delete(key []byte) error {
	if err := b.check(key); err != nil {
		if errors.Is(err, ErrKeyRequired) || errors.Is(err, ErrKeyTooLarge) {
			return nil // no such key to delete (bbolt: nil too)
		}
		return err
	}
	if b.tx.knownBucket(childPath(b.path, key)) {
		return kv.ErrIncompatibleValue
	}
	b.tx.queue(b.path, key, nil)
	return nil
}

func (b *bucket) Cursor() kv.Cursor { return &cursor{b: b} }

func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	c := &cursor{b: b, window: 64}
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.tx.err
}

func (b *bucket) Bucket(name []byte) kv.Bucket {
	if len(name) == 0 {
		return nil
	}
	p := childPath(b.path, name)
	if b.tx.err != nil {
		// The transaction has failed (a conflict, a lost connection) and
		// will be rolled back, or run again: a bucket that reads as empty
		// and refuses writes with that error lets the caller get there,
		// where nil would make it dereference nothing (the store's code
		// takes the buckets its migrations made as given).
		return &bucket{tx: b.tx, path: p}
	}
	if !b.tx.exists(p) {
		if b.tx.err != nil {
			return &bucket{tx: b.tx, path: p} // the existence query failed: as above
		}
		return nil
	}
	return &bucket{tx: b.tx, path: p}
}

func (b *bucket) CreateBucket(name []byte) (kv.Bucket, error) {
	if err := b.check(name); err != nil {
		if errors.Is(err, ErrKeyRequired) {
			return nil, ErrBucketNameRequired
		}
		return nil, err
	}
	p := childPath(b.path, name)
	var created, parent int
	var isBucket *bool
	if !b.tx.queryRow("create bucket", sqlCreateBucket, []any{b.path, name, p}, &created, &parent, &isBucket) {
		return nil, b.tx.err
	}
	switch {
	case created == 1:
		b.tx.gen++
		b.tx.changes = append(b.tx.changes, change{path: p, created: true})
		return &bucket{tx: b.tx, path: p}, nil
	case parent == 0:
		return nil, b.tx.stale(b.path)
	case isBucket != nil && *isBucket:
		return nil, kv.ErrBucketExists
	default:
		return nil, kv.ErrIncompatibleValue
	}
}

func (b *bucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	if err := b.check(name); err != nil {
		if errors.Is(err, ErrKeyRequired) {
			return nil, ErrBucketNameRequired
		}
		return nil, err
	}
	p := childPath(b.path, name)
	if b.tx.exists(p) {
		return &bucket{tx: b.tx, path: p}, nil
	}
	if b.tx.err != nil {
		return nil, b.tx.err
	}
	nb, err := b.CreateBucket(name)
	if errors.Is(err, kv.ErrBucketExists) { // made by another transaction since
		return &bucket{tx: b.tx, path: p}, nil
	}
	return nb, err
}

func (b *bucket) DeleteBucket(name []byte) error {
	if err := b.check(name); err != nil {
		if errors.Is(err, ErrKeyRequired) || errors.Is(err, ErrKeyTooLarge) {
			return kv.ErrBucketNotFound
		}
		return err
	}
	p := childPath(b.path, name)
	var deleted int
	var exists bool
	if !b.tx.queryRow("delete bucket", sqlDeleteBucket, []any{b.path, name, p, subtreeEnd(p)}, &deleted, &exists) {
		return b.tx.err
	}
	if deleted == 0 {
		if exists {
			return kv.ErrIncompatibleValue
		}
		return kv.ErrBucketNotFound
	}
	b.tx.gen++
	b.tx.changes = append(b.tx.changes, change{path: p})
	for w := range b.tx.written {
		if within([]byte(w.path), p) {
			delete(b.tx.written, w)
		}
	}
	for sp := range b.tx.seqs {
		if within([]byte(sp), p) {
			delete(b.tx.seqs, sp)
		}
	}
	for w := range b.tx.read {
		if within([]byte(w.path), p) {
			delete(b.tx.read, w)
		}
	}
	return nil
}

// NextSequence reads the sequence once per transaction (locking its row);
// later calls count in memory, and the last value is written with the
// transaction's next round trip.
func (b *bucket) NextSequence() (uint64, error) {
	if err := b.check([]byte{1}); err != nil {
		return 0, err
	}
	if st := b.tx.seqs[string(b.path)]; st != nil {
		st.v++
		st.dirty = true
		return st.v, nil
	}
	var s int64
	if !b.tx.queryRow("next sequence", sqlNextSequence, []any{b.path}, &s) {
		if b.tx.err != nil {
			return 0, b.tx.err
		}
		return 0, b.tx.stale(b.path)
	}
	b.tx.seq(b.path, uint64(s), false)
	return uint64(s), nil
}

func (b *bucket) Sequence() uint64 {
	if b.tx.err != nil {
		return 0
	}
	if st := b.tx.seqs[string(b.path)]; st != nil {
		return st.v
	}
	var s int64
	if b.tx.queryRow("sequence", sqlSequence, []any{b.path}, &s) {
		b.tx.seq(b.path, uint64(s), false)
	}
	return uint64(s)
}

func (b *bucket) SetSequence(v uint64) error {
	if err := b.check([]byte{1}); err != nil {
		return err
	}
	if st := b.tx.seqs[string(b.path)]; st != nil {
		st.v, st.dirty = v, true
		return nil
	}
	var s int64
	if !b.tx.queryRow("set sequence", sqlSetSequence, []any{b.path, int64(v)}, &s) {
		if b.tx.err != nil {
			return b.tx.err
		}
		return b.tx.stale(b.path)
	}
	b.tx.seq(b.path, v, false)
	return nil
}

// SetFillPercent does nothing: PostgreSQL fills its pages itself.
func (b *bucket) SetFillPercent(float64) {}

type row struct{ k, v []byte }

// cursor reads a bucket in windows: win holds consecutive keys (all the
// bucket has between win[0] and win[len-1]), ascending, and i is where the
// cursor is. loEnd and hiEnd say that win reaches the bucket's first or last
// key. A write in the transaction makes the window stale: the next move
// reads again from the current key.
type cursor struct {
	b            *bucket
	win          []row
	i            int
	loEnd, hiEnd bool
	gen          int
	window       int    // rows to read next (16, doubling to maxWindow)
	ahead        int    // rows the next read fetches (kv.ReadAhead), then doubling on
	aheadIn      []byte // … of the keys with this prefix (nil: any)
	short        bool   // the last read reached the bucket's end in its direction
	past         []byte // set after a Seek past the last key: Prev reads below it
	keysOnly     bool   // reads leave the values out (kv.KeysOnly)
}

// maxWindow is the most rows a cursor reads in one statement. A cursor that
// keeps reading is walking a long range (the word index's entries of a word
// every thread has, a sweep): at 256 rows a window, the text filter on a
// word in all of 10,000 threads read its entries in ~43 round trips (p50
// 13.8 ms against bbolt's 3.1 in helpcentre bench --domain); doubling on to
// 4,096 takes 11. A short walk (a page of the inbox) never gets there.
const maxWindow = 4096

func (c *cursor) fetch(sql string, args ...any) []row {
	t := c.b.tx
	c.short = true
	if t.err != nil {
		return nil
	}
	in := c.aheadIn
	switch {
	case c.ahead > 0:
		c.window, c.ahead, c.aheadIn = c.ahead, 0, nil
	case c.window == 0:
		c.window = 16
	case c.window < maxWindow:
		c.window = min(2*c.window, maxWindow)
	}
	// A read ahead within a prefix: the prefix's range, then one key.
	var bound []byte
	up := sql == sqlFrom || sql == sqlAfter
	switch {
	case in == nil || sql == sqlLast: // Last is the bucket's, whatever the prefix
	case up:
		bound = kv.PrefixEnd(in)
	default:
		bound = in
	}
	if bound != nil {
		switch sql {
		case sqlFrom:
			sql = sqlFromIn
		case sqlAfter:
			sql = sqlAfterIn
		case sqlBefore:
			sql = sqlBeforeIn
		}
		args = append(args, c.window, bound)
	} else {
		args = append(args, c.window)
	}
	if c.keysOnly {
		sql = keysOnlySQL[sql]
	}
	var out []row
	err := t.send(sql, args, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.k, &r.v); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		t.fail("cursor", err)
		return nil
	}
	c.gen = t.gen
	t.rowsRead += len(out)
	c.short = len(out) < c.window
	if bound != nil {
		// The rows within the bound, then at most one past it: when the
		// first part is full, the one past it is not next to it.
		n := len(out)
		if n > 0 {
			past := bytes.Compare(out[n-1].k, bound) >= 0
			if !up {
				past = bytes.Compare(out[n-1].k, bound) < 0
			}
			if past {
				n--
			}
		}
		switch {
		case n == c.window:
			out, c.short = out[:n], false
		default:
			c.short = n == len(out) // nothing past the bound either
		}
	}
	return out
}

// ReadAhead makes the next read fetch n rows (at most maxAhead), of the
// keys with prefix when it is not nil, then double from there as usual
// (kv.ReadAheader).
func (c *cursor) ReadAhead(n int, prefix []byte) {
	c.ahead, c.aheadIn = min(max(n, 1), maxAhead), bytes.Clone(prefix)
	if prefix != nil && c.aheadIn == nil {
		c.aheadIn = []byte{}
	}
}

// maxAhead bounds the rows one read fetches on a caller's word
// (kv.ReadAhead).
const maxAhead = 8192

var _ kv.ReadAheader = (*cursor)(nil)

// KeysOnly makes the cursor's reads leave the values out (kv.KeysOnlyCursor):
// PostgreSQL reads the primary key's index alone (an index-only scan), not
// the table's row of each key, where the visibility map says every row of
// the page is visible (after VACUUM: Settle, autovacuum). The values it
// returns are empty.
func (c *cursor) KeysOnly() { c.keysOnly = true }

var _ kv.KeysOnlyCursor = (*cursor)(nil)

// keysOnlySQL are the cursor's statements with the values left out.
var keysOnlySQL = func() map[string]string {
	m := map[string]string{}
	for _, sql := range []string{sqlFrom, sqlAfter, sqlBefore, sqlLast, sqlFromIn, sqlAfterIn, sqlBeforeIn} {
		m[sql] = strings.ReplaceAll(sql, "SELECT key, value FROM", "SELECT key, ''::bytea FROM")
	}
	return m
}()

func (c *cursor) at() ([]byte, []byte) {
	if c.i < 0 || c.i >= len(c.win) {
		return nil, nil
	}
	r := c.win[c.i]
	return r.k, r.v
}

func (c *cursor) First() ([]byte, []byte) {
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlFrom, c.b.path, []byte{})
	c.i, c.loEnd, c.hiEnd = 0, true, c.short
	return c.at()
}

func (c *cursor) Last() ([]byte, []byte) {
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlLast, c.b.path)
	slices.Reverse(c.win)
	c.i, c.loEnd, c.hiEnd = len(c.win)-1, c.short, true
	return c.at()
}

func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	if seek == nil {
		seek = []byte{} // pgx sends nil as NULL, and key >= NULL is no row; bbolt starts at the first key
	}
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlFrom, c.b.path, seek)
	c.i, c.loEnd, c.hiEnd = 0, false, c.short
	if len(c.win) == 0 {
		// Past the last key: Prev goes to the last key below seek.
		c.past = append([]byte{}, seek...)
	}
	return c.at()
}

// SeekBefore reads the window below seek in one statement, where Seek then
// Prev read twice (kv.BeforeSeeker).
func (c *cursor) SeekBefore(seek []byte) ([]byte, []byte) {
	if seek == nil {
		seek = []byte{}
	}
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlBefore, c.b.path, seek)
	slices.Reverse(c.win)
	c.i, c.loEnd, c.hiEnd = len(c.win)-1, c.short, false
	return c.at()
}

var _ kv.BeforeSeeker = (*cursor)(nil)

// fresh drops a window that writes may have changed, keeping the current key.
func (c *cursor) fresh() {
	if c.gen == c.b.tx.gen || len(c.win) == 0 {
		return
	}
	c.win = []row{c.win[c.i]}
	c.i, c.loEnd, c.hiEnd = 0, false, false
	c.gen = c.b.tx.gen
}

func (c *cursor) Next() ([]byte, []byte) {
	if c.past != nil || len(c.win) == 0 {
		return nil, nil
	}
	c.fresh()
	if c.i+1 >= len(c.win) {
		if c.hiEnd {
			return nil, nil // bbolt: stays on the last key
		}
		more := c.fetch(sqlAfter, c.b.path, c.win[c.i].k)
		c.win = append([]row{c.win[c.i]}, more...)
		c.i, c.loEnd, c.hiEnd = 0, false, c.short
		if len(more) == 0 {
			return nil, nil
		}
	}
	c.i++
	return c.at()
}

func (c *cursor) Prev() ([]byte, []byte) {
	if c.past != nil {
		seek := c.past
		c.past = nil
		c.win = c.fetch(sqlBefore, c.b.path, seek)
		slices.Reverse(c.win)
		c.i, c.loEnd, c.hiEnd = len(c.win)-1, c.short, true
		return c.at()
	}
	if len(c.win) == 0 {
		return nil, nil
	}
	c.fresh()
	if c.i == 0 {
		if c.loEnd {
			return nil, nil // bbolt: stays on the first key
		}
		more := c.fetch(sqlBefore, c.b.path, c.win[0].k)
		slices.Reverse(more)
		c.win = append(more, c.win[0])
		c.i, c.loEnd, c.hiEnd = len(more), c.short, false
		if len(more) == 0 {
			return nil, nil
		}
	}
	c.i--
	return c.at()
}

func (c *cursor) Delete() error {
	t := c.b.tx
	if t.err != nil {
		return t.err
	}
	if !t.writable {
		return kv.ErrTxNotWritable
	}
	k, v := c.at()
	if k == nil || c.past != nil {
		return nil
	}
	if v == nil {
		return kv.ErrIncompatibleValue
	}
	return c.b.Delete(k)
}
