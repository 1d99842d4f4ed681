package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/marketplace/helpcentre/domain/kv"
)

// The statements, each one round trip; pgx prepares and caches them per
// connection.
const (
	sqlGet = `SELECT value FROM kv WHERE bucket = $1 AND key = $2`
	// Put: an upsert that writes only into a bucket that exists and never
	// over a nested bucket (NULL value); 0 rows means one or the other.
	sqlPut = `INSERT INTO kv (bucket, key, value)
		SELECT $1::bytea, $2::bytea, $3::bytea WHERE EXISTS (SELECT 1 FROM kv_buckets WHERE path = $1::bytea)
		ON CONFLICT (bucket, key) DO UPDATE SET value = EXCLUDED.value WHERE kv.value IS NOT NULL`
	sqlBucketExists = `SELECT EXISTS (SELECT 1 FROM kv_buckets WHERE path = $1)`
	// Delete: a value, never a nested bucket; says whether key is one.
	sqlDelete = `WITH d AS (DELETE FROM kv WHERE bucket = $1 AND key = $2 AND value IS NOT NULL RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM kv WHERE bucket = $1 AND key = $2 AND value IS NULL)`
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
	sqlSetSequence = `UPDATE kv_buckets SET seq = $2 WHERE path = $1`

	// Cursor windows: index range scans of kv's primary key.
	sqlFrom   = `SELECT key, value FROM kv WHERE bucket = $1 AND key >= $2 ORDER BY key LIMIT $3`
	sqlAfter  = `SELECT key, value FROM kv WHERE bucket = $1 AND key > $2 ORDER BY key LIMIT $3`
	sqlBefore = `SELECT key, value FROM kv WHERE bucket = $1 AND key < $2 ORDER BY key DESC LIMIT $3`
	sqlLast   = `SELECT key, value FROM kv WHERE bucket = $1 ORDER BY key DESC LIMIT $2`
)

// CursorQueries are the statements a cursor runs, for a test to EXPLAIN
// (each takes the bucket path, a key and a row limit; sqlLast no key).
var CursorQueries = map[string]string{"from": sqlFrom, "after": sqlAfter, "before": sqlBefore}

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

type tx struct {
	e        *Engine
	pg       pgx.Tx
	ctx      context.Context
	writable bool
	root     *bucket
	err      error    // the first failure underneath; then every call is a no-op
	changes  []change // buckets created and deleted, in order
	gen      int      // bumped by every write, so cursors re-read
}

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
	if err := t.pg.QueryRow(t.ctx, sqlBucketExists, path).Scan(&ok); err != nil {
		t.fail("bucket", err)
		return false
	}
	if ok {
		t.e.remember(path)
	}
	return ok
}

// stale handles a write that found its bucket gone although the cache said
// it was there: forget it and run the transaction again.
func (t *tx) stale(path []byte) error {
	t.e.forget(path)
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
	var v []byte
	err := b.tx.pg.QueryRow(b.tx.ctx, sqlGet, b.path, key).Scan(&v)
	if err != nil {
		if !errors.Is(err, pgx.ErrNoRows) {
			b.tx.fail("get", err)
		}
		return nil
	}
	return v // nil for a nested bucket
}

func (b *bucket) Put(key, value []byte) error {
	if err := b.check(key); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // an empty value, not a bucket's NULL
	}
	tag, err := b.tx.pg.Exec(b.tx.ctx, sqlPut, b.path, key, value)
	if err != nil {
		return b.tx.fail("put", err)
	}
	b.tx.gen++
	if tag.RowsAffected() == 1 {
		return nil
	}
	var ok bool
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlBucketExists, b.path).Scan(&ok); err != nil {
		return b.tx.fail("put", err)
	}
	if !ok {
		return b.tx.stale(b.path)
	}
	return kv.ErrIncompatibleValue
}

func (b *bucket) Delete(key []byte) error {
	if err := b.check(key); err != nil {
		if errors.Is(err, ErrKeyRequired) || errors.Is(err, ErrKeyTooLarge) {
			return nil // no such key to delete (bbolt: nil too)
		}
		return err
	}
	var isBucket bool
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlDelete, b.path, key).Scan(&isBucket); err != nil {
		return b.tx.fail("delete", err)
	}
	b.tx.gen++
	if isBucket {
		return kv.ErrIncompatibleValue
	}
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
	if b.tx.err != nil || len(name) == 0 {
		return nil
	}
	p := childPath(b.path, name)
	if !b.tx.exists(p) {
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
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlCreateBucket, b.path, name, p).Scan(&created, &parent, &isBucket); err != nil {
		return nil, b.tx.fail("create bucket", err)
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
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlDeleteBucket, b.path, name, p, subtreeEnd(p)).Scan(&deleted, &exists); err != nil {
		return b.tx.fail("delete bucket", err)
	}
	if deleted == 0 {
		if exists {
			return kv.ErrIncompatibleValue
		}
		return kv.ErrBucketNotFound
	}
	b.tx.gen++
	b.tx.changes = append(b.tx.changes, change{path: p})
	return nil
}

func (b *bucket) NextSequence() (uint64, error) {
	if err := b.check([]byte{1}); err != nil {
		return 0, err
	}
	var s int64
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlNextSequence, b.path).Scan(&s); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, b.tx.stale(b.path)
		}
		return 0, b.tx.fail("next sequence", err)
	}
	return uint64(s), nil
}

func (b *bucket) Sequence() uint64 {
	if b.tx.err != nil {
		return 0
	}
	var s int64
	if err := b.tx.pg.QueryRow(b.tx.ctx, sqlSequence, b.path).Scan(&s); err != nil {
		if !errors.Is(err, pgx.ErrNoRows) {
			b.tx.fail("sequence", err)
		}
		return 0
	}
	return uint64(s)
}

func (b *bucket) SetSequence(v uint64) error {
	if err := b.check([]byte{1}); err != nil {
		return err
	}
	tag, err := b.tx.pg.Exec(b.tx.ctx, sqlSetSequence, b.path, int64(v))
	if err != nil {
		return b.tx.fail("set sequence", err)
	}
	if tag.RowsAffected() == 0 {
		return b.tx.stale(b.path)
	}
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
	window       int    // rows to read next (16, doubling to 256)
	past         []byte // set after a Seek past the last key: Prev reads below it
}

func (c *cursor) fetch(sql string, args ...any) []row {
	t := c.b.tx
	if t.err != nil {
		return nil
	}
	switch {
	case c.window == 0:
		c.window = 16
	case c.window < 256:
		c.window *= 2
	}
	rows, _ := t.pg.Query(t.ctx, sql, append(args, c.window)...)
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.k, &r.v); err != nil {
			rows.Close()
			t.fail("cursor", err)
			return nil
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.fail("cursor", err)
		return nil
	}
	c.gen = t.gen
	return out
}

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
	c.i, c.loEnd, c.hiEnd = 0, true, len(c.win) < c.window
	return c.at()
}

func (c *cursor) Last() ([]byte, []byte) {
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlLast, c.b.path)
	slices.Reverse(c.win)
	c.i, c.loEnd, c.hiEnd = len(c.win)-1, len(c.win) < c.window, true
	return c.at()
}

func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	c.past, c.window = nil, 0
	c.win = c.fetch(sqlFrom, c.b.path, seek)
	c.i, c.loEnd, c.hiEnd = 0, false, len(c.win) < c.window
	if len(c.win) == 0 {
		// Past the last key: Prev goes to the last key below seek.
		c.past = append([]byte{}, seek...)
	}
	return c.at()
}

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
		c.i, c.loEnd, c.hiEnd = 0, false, len(more) < c.window
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
		c.i, c.loEnd, c.hiEnd = len(c.win)-1, len(c.win) < c.window, true
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
		c.i, c.loEnd, c.hiEnd = len(more), len(more) < c.window, false
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
