package bolt

import "github.com/marketplace/helpcentre/domain/kv"

// Buckets of help-centre sessions (deflection.go). The index buckets serve
// the report's filters: a time range, optionally of one locale and/or one
// entry point, each read as one key range.
var (
	bucketDeflectSessions    = []byte("deflect_sessions.v1")     // session id → JSON domain.Session
	bucketDeflectByTime      = []byte("deflect_by_time.v1")      // started (8 bytes, Unix ns), session id → empty
	bucketDeflectByLocale    = []byte("deflect_by_locale.v1")    // locale, 0x00, started, session id → empty
	bucketDeflectByEntry     = []byte("deflect_by_entry.v1")     // entry, 0x00, started, session id → empty
	bucketDeflectByLocEntry  = []byte("deflect_by_loc_entry.v1") // locale, 0x00, entry, 0x00, started, session id → empty
	bucketDeflectMeta        = []byte("deflect_meta.v1")         // "purged_until" → started key up to which text is purged
	deflectPurgedUntilKey    = []byte("purged_until")
	deflectionIndexedBuckets = [][]byte{bucketDeflectByTime, bucketDeflectByLocale, bucketDeflectByEntry, bucketDeflectByLocEntry}
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
