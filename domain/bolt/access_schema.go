package bolt

import "go.etcd.io/bbolt"

// accessMigration creates this area's buckets. It has not shipped yet: edit it freely
// until it does, then only append new migrations.
func accessMigration(tx *bbolt.Tx) error {
	return nil
}
