package postgres_test

import (
	"context"
	"testing"

	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/kv/kvtest"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t testing.TB, url string) *postgres.Engine {
	t.Helper()
	e, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// The kv conformance suite, as on bbolt.
func TestKV(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine { return open(t, pgtest.DB(t)) })
}
