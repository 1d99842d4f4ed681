// Package postgres serves domain/kv's ordered key-value model from
// PostgreSQL, so several replicas of the service can share one store. Storage
// only: the records, indexes and rules above it are the same as on bbolt.
//
// Two tables (migrations/0001_kv.sql): kv_buckets (every bucket's path and
// sequence) and kv (bucket path, key, value; a nested bucket is a key with a
// NULL value in its parent). A bucket's keys are one range of kv's primary
// key, so a cursor is an index range scan, read in windows of 16 rows growing
// to 4,096 (maxWindow). Point reads (Get, GetMany) and deletes find their rows through a
// hash index on bucket || key (migrations/0003_kv_point.sql), so that what a
// write transaction reads does not lock the btree pages concurrent writers
// insert into (SERIALIZABLE's predicate locks are per index page).
//
// HELPCENTRE_PG_TRACE_CONFLICTS=1 logs the statements of every transaction
// that ends in a serialization failure (trace.go).
//
// Round trips: BEGIN goes with a transaction's first statement; Puts and
// Deletes are queued and sent with COMMIT, all of them (every bucket's) as one
// statement in one pipelined batch with it, or earlier with a statement that
// must see them (a cursor of a bucket written to, a bucket's creation or
// deletion); a Put of the value a key already has leaves its row as it is;
// Gets of keys it wrote are answered from memory; kv.Prefetch reads keys of
// several buckets in one statement; a bucket's sequence is read once per
// transaction and then counted in memory. A transaction of 5 Gets and 10
// Puts is 6 round trips (2 with the Gets prefetched).
//
// Update runs fn in a SERIALIZABLE transaction and runs it again, on fresh
// data, when PostgreSQL reports a serialization failure or a deadlock
// (SQLSTATE 40001, 40P01), with jittered backoff, up to Options.MaxAttempts.
// View runs fn in a REPEATABLE READ READ ONLY transaction: one snapshot.
// Batch is Update: concurrent committers share PostgreSQL's WAL flushes
// (group commit) without the engine grouping them.
//
// Because writes are sent later, a Put over a nested bucket that the
// transaction could not know of (made by another replica, not in this
// engine's cache) fails the transaction when sent (usually at COMMIT),
// through Tx.Err and Update's error (wrapping kv.ErrIncompatibleValue), not
// from Put itself; the transaction's other writes are then not committed.
//
// Keys are limited to MaxKeySize bytes (a btree entry must fit in a third of
// an 8 KiB page), where bbolt allows 32 KiB; the store's keys are ids.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/marketplace/helpcentre/domain/kv"
)

// MaxKeySize is the longest key (with its bucket's path) the engine stores.
const MaxKeySize = 2000

// DefaultMaxConns is the pool size when the URL has no pool_max_conns:
// enough to keep a database server's cores busy (transactions wait on round
// trips and commits, not on connections), and few enough that several
// replicas stay under PostgreSQL's default max_connections of 100 and near
// PostgreSQL's own rule of thumb (about twice the database's cores in all).
// On 2 shared cores BenchmarkUpdate did about as well with 8 as with 32,
// worse with 64 (more processes switching); durable posts from 64 clients
// (bench --domain, 10,000 threads, runs interleaved on 2026-12-07) 571-636
// posts/s with 8 against 413-508 with 16 and 455 with 32, p99 150-191 ms
// against 240-273, serialization failures 0.02 a post against 0.06-0.08,
// and 3.0 ms of processor a post (service and PostgreSQL) against 4.1: fewer
// backends contending for two cores and for SERIALIZABLE's predicate locks.
const DefaultMaxConns = 8

// Options tune an Engine; the zero value is good.
type Options struct {
	// MaxAttempts bounds how many times Update runs fn when it keeps
	// conflicting with other writers (default 100).
	MaxAttempts int
	// GroupWrites asks the store to gather concurrent commands (posts)
	// into one transaction, as it does on bbolt (kv.WriteGrouper). Off by
	// default: a transaction per command measured faster (README).
	GroupWrites bool
}

// Engine is a kv.Engine on a PostgreSQL database.
type Engine struct {
	pool *pgxpool.Pool
	opts Options

	// buckets caches the paths of buckets known to exist (positive only).
	// Another replica may delete one: reads then find it empty, and a write
	// finds it gone and runs the transaction again without the cache.
	mu      sync.RWMutex
	buckets map[string]struct{}

	retries atomic.Int64
}

// GroupWrites implements kv.WriteGrouper: Options.GroupWrites.
func (e *Engine) GroupWrites() bool { return e.opts.GroupWrites }

var _ kv.WriteGrouper = (*Engine)(nil)

// Retries is how many times Update has run a function again after a
// conflict (or a bucket found gone) since Open.
func (e *Engine) Retries() int64 { return e.retries.Load() }

var _ kv.Engine = (*Engine)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at url (pool size from its pool_max_conns,
// default DefaultMaxConns) and brings its schema up to date, under an
// advisory lock so that replicas starting together migrate once.
func Open(ctx context.Context, url string, opts Options) (*Engine, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Every statement reads kv by key or by key range; a sequential scan
	// (which a planner may pick for a long key list on a small table)
	// would take a predicate lock on the whole table in a write
	// transaction, conflicting with every other writer.
	if _, ok := cfg.ConnConfig.RuntimeParams["enable_seqscan"]; !ok {
		cfg.ConnConfig.RuntimeParams["enable_seqscan"] = "off"
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 100
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	e := &Engine{pool: pool, opts: opts, buckets: map[string]struct{}{}}
	if err := e.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the pool.
func (e *Engine) Close() error {
	e.pool.Close()
	return nil
}

// migrationLock is the advisory lock key Open migrates under.
var migrationLock = lockKey("helpcentre: schema migrations")

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/NNNN_name.sql in version order.
func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		base := strings.TrimSuffix(strings.TrimPrefix(f, "migrations/"), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: want NNNN_name.sql", f)
		}
		sql, err := migrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, name, string(sql)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("postgres: two migrations numbered %d", ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database has not recorded, each in its
// own transaction with its row in schema_migrations, holding a session
// advisory lock so that concurrent Opens take turns (the second finds the
// work done). Forward only: a database newer than this binary is refused.
func (e *Engine) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	rows, _ := conn.Query(ctx, "SELECT version FROM schema_migrations")
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[int(v)] = true
		if int(v) > latest {
			return fmt.Errorf("postgres: the database has migration %d, newer than this binary's last (%d): run the newer binary", v, latest)
		}
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// Update runs fn in a SERIALIZABLE transaction, again on conflict.
func (e *Engine) Update(fn func(kv.Tx) error) error { return e.run(true, fn) }

// Batch is Update.
func (e *Engine) Batch(fn func(kv.Tx) error) error { return e.run(true, fn) }

// View runs fn in a REPEATABLE READ READ ONLY transaction.
func (e *Engine) View(fn func(kv.Tx) error) error { return e.run(false, fn) }

const (
	beginSerializable = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	beginSnapshot     = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

// errStale: a cached bucket is gone (another replica deleted it); the
// transaction runs again without the cache.
var errStale = errors.New("postgres: bucket deleted by another transaction")

// retryable reports whether running the transaction again may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return errors.Is(err, errStale)
}

func (e *Engine) run(write bool, fn func(kv.Tx) error) error {
	ctx := context.Background()
	var last error
	for attempt := 0; attempt < e.opts.MaxAttempts; attempt++ {
		if attempt > 0 {
			e.retries.Add(1)
			backoff(attempt)
		}
		err, again := e.attempt(ctx, write, fn)
		if !again {
			return err
		}
		last = err
	}
	return fmt.Errorf("postgres: transaction gave up after %d attempts, conflicting with other writers: %w", e.opts.MaxAttempts, last)
}

// backoff sleeps a random time up to 0.5 ms · 2^attempt, at most 50 ms.
func backoff(attempt int) {
	d := 500 * time.Microsecond << min(attempt, 7)
	d = min(d, 50*time.Millisecond)
	time.Sleep(time.Duration(rand.Int64N(int64(d)) + 1))
}

// attempt runs fn once; again reports a conflict worth another attempt.
// BEGIN goes with the transaction's first statement, and COMMIT with its
// last writes, in one round trip each.
func (e *Engine) attempt(ctx context.Context, write bool, fn func(kv.Tx) error) (err error, again bool) {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err), false
	}
	t := &tx{e: e, conn: conn, ctx: ctx, writable: write, begin: beginSnapshot}
	if write {
		t.begin = beginSerializable
	}
	t.root = &bucket{tx: t, path: []byte{}}
	committed := false
	defer func() {
		if t.begun && !committed {
			// A connection left mid-transaction is closed by the pool
			// on Release.
			conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		conn.Release()
	}()
	fnErr := fn(t)
	if traceConflicts {
		defer func() {
			if again {
				logConflict(t, err)
			}
		}()
	}
	if t.err != nil {
		return t.err, retryable(t.err)
	}
	if fnErr != nil {
		return fnErr, false
	}
	if err := t.commit(); err != nil {
		return err, retryable(err)
	}
	committed = true
	if write {
		e.publish(t)
		if traceCommitted != nil {
			traceCommitted(t.trace)
		}
	} else if traceViewed != nil {
		traceViewed(append(t.trace, fmt.Sprintf("%s%d", traceRowsRead, t.rowsRead)))
	}
	return nil, false
}

// known reports whether the cache has the bucket at path.
func (e *Engine) known(path []byte) bool {
	e.mu.RLock()
	_, ok := e.buckets[string(path)]
	e.mu.RUnlock()
	return ok
}

func (e *Engine) remember(path []byte) {
	e.mu.Lock()
	if len(e.buckets) >= 1<<17 { // a bound: start over rather than grow forever
		clear(e.buckets)
	}
	e.buckets[string(path)] = struct{}{}
	e.mu.Unlock()
}

// forget drops path and everything nested in it from the cache.
func (e *Engine) forget(path []byte) {
	e.mu.Lock()
	for p := range e.buckets {
		if within([]byte(p), path) {
			delete(e.buckets, p)
		}
	}
	e.mu.Unlock()
}

// publish brings the cache up to date with a committed transaction's
// bucket creations and deletions, in their order.
func (e *Engine) publish(t *tx) {
	for _, ch := range t.changes {
		if ch.created {
			e.remember(ch.path)
		} else {
			e.forget(ch.path)
		}
	}
}
