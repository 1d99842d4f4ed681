package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
)

// copyToPostgres copies the seeded bbolt file into the PostgreSQL store at
// url, as helpcentre migrate-store does (replacing what it held).
func copyToPostgres(ctx context.Context, dbPath, url string) error {
	from, err := bolt.OpenFileReadOnly(dbPath, time.Second)
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		return fmt.Errorf("bench: --store: %w", err)
	}
	defer to.Close()
	if err := bolt.CheckMigrations(from, to); err != nil {
		return fmt.Errorf("bench: --store: %w", err)
	}
	_, err = bolt.CopyStore(ctx, from, to, bolt.CopyOptions{})
	return err
}

// pgProbe reads PostgreSQL's own statistics around a posting phase: what a
// durable post costs there (transactions, retries, statements, WAL
// flushes).
type pgProbe struct {
	conn       *pgx.Conn
	statements bool // pg_stat_statements is loaded: statements are counted
}

func newPGProbe(ctx context.Context, url string) (*pgProbe, error) {
	// Parsed as the store parses it: the pool's own settings
	// (pool_max_conns) are not PostgreSQL's, and a plain connect sent
	// them to the server, which refused them.
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("bench: --store: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("bench: --store: %w", err)
	}
	p := &pgProbe{conn: conn}
	// Counted only where the server preloads it (shared_preload_libraries).
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err == nil {
		var n int64
		p.statements = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_statements`).Scan(&n) == nil
	}
	return p, nil
}

func (p *pgProbe) close() { p.conn.Close(context.Background()) }

// sizeMB is the database's size.
func (p *pgProbe) sizeMB(ctx context.Context) float64 {
	var n int64
	if err := p.conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0
	}
	return round(float64(n)/(1<<20), 1)
}

// pgCounters are PostgreSQL's cumulative counters at one moment.
type pgCounters struct {
	commits, rollbacks, rows, statements int64
	walRecords, walBytes, walSyncs       int64
	walSyncMs                            float64
}

// counters reads the counters, once the server's backends have flushed
// theirs (they do within a second of going idle).
func (p *pgProbe) counters(ctx context.Context) (pgCounters, error) {
	time.Sleep(1500 * time.Millisecond)
	var c pgCounters
	if err := p.conn.QueryRow(ctx, `SELECT xact_commit, xact_rollback, tup_inserted + tup_updated + tup_deleted
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.commits, &c.rollbacks, &c.rows); err != nil {
		return c, fmt.Errorf("bench: pg_stat_database: %w", err)
	}
	var walBytes float64
	if err := p.conn.QueryRow(ctx, `SELECT wal_records, wal_bytes::float8, wal_sync, wal_sync_time FROM pg_stat_wal`).Scan(
		&c.walRecords, &walBytes, &c.walSyncs, &c.walSyncMs); err != nil {
		return c, fmt.Errorf("bench: pg_stat_wal: %w", err)
	}
	c.walBytes = int64(walBytes)
	if p.statements {
		if err := p.conn.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&c.statements); err != nil {
			return c, fmt.Errorf("bench: pg_stat_statements: %w", err)
		}
	}
	return c, nil
}

// pgPostStats is what PostgreSQL did for the posts of one phase.
type pgPostStats struct {
	CommitsPerPost   float64 `json:"commits_per_post"`   // transactions committed, reads (sign-in) included
	RollbacksPerPost float64 `json:"rollbacks_per_post"` // transactions rolled back: serialization failures the engine ran again
	// StatementsPerPost are the statements (each a round trip) per post,
	// when pg_stat_statements is loaded; 0 otherwise.
	StatementsPerPost float64 `json:"statements_per_post,omitempty"`
	RowsPerPost       float64 `json:"rows_written_per_post"`
	WALRecordsPerPost float64 `json:"wal_records_per_post"`
	WALKBPerPost      float64 `json:"wal_kb_per_post"`
	WALSyncsPerSecond float64 `json:"wal_syncs_per_s"` // WAL flushes (fsync), cluster-wide
	WALSyncsPerPost   float64 `json:"wal_syncs_per_post"`
	WALSyncMs         float64 `json:"wal_sync_ms"` // per flush, when track_wal_io_timing is on; 0 otherwise
}

func (b pgCounters) since(a pgCounters, posts int, seconds float64) *pgPostStats {
	n := float64(max(posts, 1))
	s := &pgPostStats{
		CommitsPerPost:    round(float64(b.commits-a.commits)/n, 2),
		RollbacksPerPost:  round(float64(b.rollbacks-a.rollbacks)/n, 3),
		StatementsPerPost: round(float64(b.statements-a.statements)/n, 1),
		RowsPerPost:       round(float64(b.rows-a.rows)/n, 1),
		WALRecordsPerPost: round(float64(b.walRecords-a.walRecords)/n, 1),
		WALKBPerPost:      round(float64(b.walBytes-a.walBytes)/n/1024, 1),
		WALSyncsPerSecond: round(float64(b.walSyncs-a.walSyncs)/seconds, 0),
		WALSyncsPerPost:   round(float64(b.walSyncs-a.walSyncs)/n, 3),
	}
	if syncs := b.walSyncs - a.walSyncs; syncs > 0 {
		s.WALSyncMs = round((b.walSyncMs-a.walSyncMs)/float64(syncs), 3)
	}
	return s
}
