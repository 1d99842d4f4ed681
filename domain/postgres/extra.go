package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TryLock takes the session advisory lock name on a connection of its own,
// for work that must run on one replica at a time (a learning job, a sweep):
// ok is false, and unlock nil, when another session holds it. The lock lasts
// until unlock, or until the connection is lost (PostgreSQL then releases
// it: a holder that cares can Ping through its own work).
func (e *Engine) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	key := lockKey("lock: " + name)
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if _, err := conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", key); err != nil {
				// Unknown state: close the session, which releases it.
				conn.Hijack().Close(context.Background())
				return
			}
			conn.Release()
		})
	}, true, nil
}

// Ping checks that the database answers.
func (e *Engine) Ping(ctx context.Context) error {
	if err := e.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Stats are the connection pool's.
func (e *Engine) Stats() *pgxpool.Stat { return e.pool.Stat() }

// Explain returns PostgreSQL's plan for sql with args, one line per plan
// line (e.g. to check that a query is an index scan; CursorQueries are the
// cursor's).
func (e *Engine) Explain(ctx context.Context, sql string, args ...any) (string, error) {
	rows, err := e.pool.Query(ctx, "EXPLAIN "+sql, args...)
	if err != nil {
		return "", fmt.Errorf("postgres: explain: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", fmt.Errorf("postgres: explain: %w", err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("postgres: explain: %w", err)
	}
	return strings.Join(lines, "\n"), nil
}
