package bolt_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/bolt/bolttest"
	"github.com/marketplace/helpcentre/domain/storetest"
)

// TestContract runs the store-agnostic contract against a bbolt file per
// subtest. The suite tests behaviour, not durability: commits skip fsync
// (Close syncs) and passwords hash at bcrypt's minimum cost.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c storetest.Config) storetest.Services {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{Now: c.Now, NoSync: true, PasswordCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		return bolttest.Services(t, db, c)
	})
}
