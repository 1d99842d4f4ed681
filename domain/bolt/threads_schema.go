package bolt

import "go.etcd.io/bbolt"

// threadsMigration creates this area's buckets. It has not shipped yet: edit it freely
// until it does, then only append new migrations.
func threadsMigration(tx *bbolt.Tx) error {
	return nil
}
