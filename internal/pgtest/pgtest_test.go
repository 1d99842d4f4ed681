package pgtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two tests in parallel get two databases on one cluster, running as
// PostgreSQL with fsync on (or synchronous_commit off when asked).
func TestDB(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []pgtest.Option
		want string
	}{{"durable", nil, "on"}, {"nosync", []pgtest.Option{pgtest.NoSync()}, "off"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := pgtest.DB(t, tc.opts...)
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var fsync, sync, db string
			if err := conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_database()").Scan(&fsync, &sync, &db); err != nil {
				t.Fatal(err)
			}
			if fsync != "on" || sync != tc.want {
				t.Errorf("fsync=%s synchronous_commit=%s, want on and %s", fsync, sync, tc.want)
			}
			if _, err := conn.Exec(ctx, "CREATE TABLE x (a int)"); err != nil {
				t.Fatal(err)
			}
			t.Logf("database %s on %s (cluster started in %v)", db, pgtest.Shared(t).Dir, pgtest.Shared(t).Startup)
		})
	}
}

// A missing PostgreSQL skips, unless HELPCENTRE_REQUIRE_POSTGRES=1; a broken
// one always fails.
func TestSkip(t *testing.T) {
	missing := fmt.Errorf("looking: %w", pgtest.ErrNotInstalled)
	broken := errors.New("postgres exited before accepting connections")
	t.Setenv(pgtest.RequireEnv, "")
	if !pgtest.Skip(missing) || pgtest.Skip(broken) {
		t.Error("without the variable: want a skip for missing only")
	}
	t.Setenv(pgtest.RequireEnv, "1")
	if pgtest.Skip(missing) || pgtest.Skip(broken) {
		t.Errorf("%s=1: want no skip", pgtest.RequireEnv)
	}
	t.Setenv("HELPCENTRE_POSTGRES_BIN", t.TempDir())
	if _, err := pgtest.Find(); err == nil || errors.Is(err, pgtest.ErrNotInstalled) {
		t.Errorf("Find with HELPCENTRE_POSTGRES_BIN naming an empty folder: %v, want a failure that is no skip", err)
	}
}
