package postgres_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/bolt/bolttest"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/domain/storetest"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// TestContract runs the store contract suite, unchanged, on PostgreSQL: a
// fresh database per subtest, the store's records served by the postgres
// engine (bolt.OpenOn), as domain/bolt's TestContract runs it on a bbolt
// file. Like there, it tests behaviour, not durability: commits do not
// wait for the WAL flush (pgtest.NoSync) and passwords hash at bcrypt's
// minimum cost. `make contract` runs both.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c storetest.Config) storetest.Services {
		eng, err := postgres.Open(context.Background(), pgtest.DB(t, pgtest.NoSync()), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db, err := bolt.OpenOn(eng, t.TempDir(), bolt.Options{Now: c.Now, PasswordCost: bcrypt.MinCost})
		if err != nil {
			eng.Close()
			t.Fatal(err)
		}
		return bolttest.Services(t, db, c)
	})
}
