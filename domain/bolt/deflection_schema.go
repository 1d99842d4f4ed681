package bolt

import "github.com/marketplace/helpcentre/domain/kv"

// Buckets of help-centre sessions (deflection.go). The index buckets serve
// the report's filters: a time range (by time: one key range, also the
// purge's order), optionally of one locale and/or one entry point (by
// locale and entry: one key range per locale and entry pair, the pairs found
// by seeking past each; there are a few of them, and a filter on the
// locale or the entry alone reads the pairs it matches). A session is
// written with two index entries, not four: per session, index puts were
// most of the writer's work in bbolt (BenchmarkDeflectionWrite).
var (
	bucketDeflectSessions    = []byte("deflect_sessions.v1")     // session id → JSON domain.Session
	bucketDeflectByTime      = []byte("deflect_by_time.v1")      // started (8 bytes, Unix ns), session id → empty
	bucketDeflectByLocEntry  = []byte("deflect_by_loc_entry.v1") // locale, 0x00, entry, 0x00, started, session id → empty
	bucketDeflectMeta        = []byte("deflect_meta.v1")         // "purged_until" → started key up to which text is purged
	deflectPurgedUntilKey    = []byte("purged_until")
	deflectionIndexedBuckets = [][]byte{bucketDeflectByTime, bucketDeflectByLocEntry}
)

// deflectionMigration creates the buckets of help-centre sessions (deflection).
// It has not shipped yet: edit it freely until it does.
func deflectionMigration(tx kv.Tx) error {
	for _, name := range append([][]byte{bucketDeflectSessions, bucketDeflectMeta}, deflectionIndexedBuckets...) {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}
