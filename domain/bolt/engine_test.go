package bolt

import (
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/kv/kvtest"
)

// TestKV runs the kv conformance suite on the store's own bbolt adapter
// (engine.go) over a real file: the suite states bbolt's behaviour, and the
// PostgreSQL engine runs the same suite (domain/postgres).
func TestKV(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine {
		db, err := bbolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, &bbolt.Options{
			// The snapshot case keeps a read transaction open across a
			// commit: a file that must grow would wait for it forever.
			InitialMmapSize: 64 << 20,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return boltEngine{db: db, pages: newMappedPages(db)}
	})
}
