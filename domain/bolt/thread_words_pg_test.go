package bolt

import (
	"context"
	"testing"

	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// The PostgreSQL tests of this package share one throwaway cluster, started
// on first use.
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestTextFilterPathsAgreePostgres: the three paths of the text filter give
// the same pages on PostgreSQL too, whose cursors read ahead of the walk in
// windows bounded by the prefix walked (kv.ReadAhead) and seek backwards in
// one statement (kv.SeekBefore), where bbolt's cursors move key by key.
func TestTextFilterPathsAgreePostgres(t *testing.T) {
	eng, err := postgres.Open(context.Background(), pgtest.DB(t, pgtest.NoSync()), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenOn(eng, t.TempDir(), Options{PasswordCost: 4})
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	defer db.Close()
	textFilterPathsAgree(t, db)
}
