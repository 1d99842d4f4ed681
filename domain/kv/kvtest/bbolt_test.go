package kvtest_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/kv/kvtest"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// TestBbolt runs the suite on bbolt itself through a minimal adapter, so the
// suite states bbolt's behaviour and nothing else. (The store's own adapter
// lives in domain/bolt; this one only keeps the suite honest.)
func TestBbolt(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Engine {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), 0o600, &bolt.Options{
			// The snapshot case keeps a read transaction open across a
			// commit: a file that must grow would wait for it forever.
			InitialMmapSize: 64 << 20,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return boltEngine{db}
	})
}

type boltEngine struct{ db *bolt.DB }

func (e boltEngine) Update(fn func(kv.Tx) error) error {
	return e.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}
func (e boltEngine) Batch(fn func(kv.Tx) error) error {
	return e.db.Batch(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}
func (e boltEngine) View(fn func(kv.Tx) error) error {
	return e.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}
func (e boltEngine) Close() error { return e.db.Close() }

func kvErr(err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrBucketExists):
		return kv.ErrBucketExists
	case errors.Is(err, bolterrors.ErrBucketNotFound):
		return kv.ErrBucketNotFound
	case errors.Is(err, bolterrors.ErrTxNotWritable):
		return kv.ErrTxNotWritable
	case errors.Is(err, bolterrors.ErrIncompatibleValue):
		return kv.ErrIncompatibleValue
	}
	return err
}

func bucket(b *bolt.Bucket) kv.Bucket {
	if b == nil {
		return nil
	}
	return boltBucket{b}
}

func bucketErr(b *bolt.Bucket, err error) (kv.Bucket, error) {
	if err != nil {
		return nil, kvErr(err)
	}
	return bucket(b), nil
}

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Bucket(name []byte) kv.Bucket { return bucket(t.tx.Bucket(name)) }
func (t boltTx) CreateBucket(name []byte) (kv.Bucket, error) {
	return bucketErr(t.tx.CreateBucket(name))
}
func (t boltTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return bucketErr(t.tx.CreateBucketIfNotExists(name))
}
func (t boltTx) DeleteBucket(name []byte) error { return kvErr(t.tx.DeleteBucket(name)) }
func (t boltTx) ForEach(fn func(name []byte, b kv.Bucket) error) error {
	return t.tx.ForEach(func(name []byte, b *bolt.Bucket) error { return fn(name, bucket(b)) })
}
func (t boltTx) Writable() bool { return t.tx.Writable() }
func (t boltTx) Err() error     { return nil }

type boltBucket struct{ b *bolt.Bucket }

func (b boltBucket) Get(key []byte) []byte       { return b.b.Get(key) }
func (b boltBucket) Put(key, value []byte) error { return kvErr(b.b.Put(key, value)) }
func (b boltBucket) Delete(key []byte) error     { return kvErr(b.b.Delete(key)) }
func (b boltBucket) Cursor() kv.Cursor           { return boltCursor{b.b.Cursor()} }
func (b boltBucket) ForEach(fn func(k, v []byte) error) error {
	return b.b.ForEach(fn)
}
func (b boltBucket) Bucket(name []byte) kv.Bucket { return bucket(b.b.Bucket(name)) }
func (b boltBucket) CreateBucket(name []byte) (kv.Bucket, error) {
	return bucketErr(b.b.CreateBucket(name))
}
func (b boltBucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return bucketErr(b.b.CreateBucketIfNotExists(name))
}
func (b boltBucket) DeleteBucket(name []byte) error { return kvErr(b.b.DeleteBucket(name)) }
func (b boltBucket) NextSequence() (uint64, error) {
	n, err := b.b.NextSequence()
	return n, kvErr(err)
}
func (b boltBucket) Sequence() uint64           { return b.b.Sequence() }
func (b boltBucket) SetSequence(v uint64) error { return kvErr(b.b.SetSequence(v)) }
func (b boltBucket) SetFillPercent(f float64)   { b.b.FillPercent = f }

type boltCursor struct{ c *bolt.Cursor }

func (c boltCursor) First() ([]byte, []byte)        { return c.c.First() }
func (c boltCursor) Last() ([]byte, []byte)         { return c.c.Last() }
func (c boltCursor) Seek(s []byte) ([]byte, []byte) { return c.c.Seek(s) }
func (c boltCursor) Next() ([]byte, []byte)         { return c.c.Next() }
func (c boltCursor) Prev() ([]byte, []byte)         { return c.c.Prev() }
func (c boltCursor) Delete() error                  { return kvErr(c.c.Delete()) }
