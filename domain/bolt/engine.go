package bolt

import (
	"errors"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/marketplace/helpcentre/domain/kv"
)

// boltEngine serves the kv model from a bbolt file. The adapters below are
// bbolt's own types under other names, so wrapping a transaction, bucket or
// cursor allocates nothing. After writes, pages gives the file's mapped pages
// back to the kernel now and then (mapped.go); nil for a read-only file.
type boltEngine struct {
	db    *bbolt.DB
	pages *mappedPages
}

var _ kv.Engine = boltEngine{}

func (e boltEngine) Update(fn func(kv.Tx) error) error {
	err := e.db.Update(func(tx *bbolt.Tx) error { return fn((*boltTx)(tx)) })
	if err == nil {
		e.pages.afterWrite()
	}
	return err
}

func (e boltEngine) Batch(fn func(kv.Tx) error) error {
	err := e.db.Batch(func(tx *bbolt.Tx) error { return fn((*boltTx)(tx)) })
	if err == nil {
		e.pages.afterWrite()
	}
	return err
}

func (e boltEngine) View(fn func(kv.Tx) error) error {
	return e.db.View(func(tx *bbolt.Tx) error { return fn((*boltTx)(tx)) })
}

func (e boltEngine) Close() error { return e.db.Close() }

type (
	boltTx     bbolt.Tx
	boltBucket bbolt.Bucket
	boltCursor bbolt.Cursor
)

func wrapBucket(b *bbolt.Bucket) kv.Bucket {
	if b == nil {
		return nil // a nil interface, not a nil *boltBucket
	}
	return (*boltBucket)(b)
}

// kvErr names bbolt's errors by the model's, for callers that test them.
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

func (t *boltTx) Bucket(name []byte) kv.Bucket { return wrapBucket((*bbolt.Tx)(t).Bucket(name)) }

func (t *boltTx) CreateBucket(name []byte) (kv.Bucket, error) {
	b, err := (*bbolt.Tx)(t).CreateBucket(name)
	return wrapBucket(b), kvErr(err)
}

func (t *boltTx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	b, err := (*bbolt.Tx)(t).CreateBucketIfNotExists(name)
	return wrapBucket(b), kvErr(err)
}

func (t *boltTx) DeleteBucket(name []byte) error {
	return kvErr((*bbolt.Tx)(t).DeleteBucket(name))
}

func (t *boltTx) ForEach(fn func(name []byte, b kv.Bucket) error) error {
	return (*bbolt.Tx)(t).ForEach(func(name []byte, b *bbolt.Bucket) error { return fn(name, wrapBucket(b)) })
}

func (t *boltTx) Writable() bool { return (*bbolt.Tx)(t).Writable() }
func (t *boltTx) Err() error     { return nil }

func (b *boltBucket) bb() *bbolt.Bucket { return (*bbolt.Bucket)(b) }

func (b *boltBucket) Get(key []byte) []byte { return b.bb().Get(key) }
func (b *boltBucket) Put(key, value []byte) error {
	return kvErr(b.bb().Put(key, value))
}
func (b *boltBucket) Delete(key []byte) error { return kvErr(b.bb().Delete(key)) }
func (b *boltBucket) Cursor() kv.Cursor       { return (*boltCursor)(b.bb().Cursor()) }
func (b *boltBucket) ForEach(fn func(k, v []byte) error) error {
	return b.bb().ForEach(fn)
}
func (b *boltBucket) Bucket(name []byte) kv.Bucket { return wrapBucket(b.bb().Bucket(name)) }
func (b *boltBucket) CreateBucket(name []byte) (kv.Bucket, error) {
	nb, err := b.bb().CreateBucket(name)
	return wrapBucket(nb), kvErr(err)
}
func (b *boltBucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	nb, err := b.bb().CreateBucketIfNotExists(name)
	return wrapBucket(nb), kvErr(err)
}
func (b *boltBucket) DeleteBucket(name []byte) error { return kvErr(b.bb().DeleteBucket(name)) }
func (b *boltBucket) NextSequence() (uint64, error) {
	n, err := b.bb().NextSequence()
	return n, kvErr(err)
}
func (b *boltBucket) Sequence() uint64           { return b.bb().Sequence() }
func (b *boltBucket) SetSequence(v uint64) error { return kvErr(b.bb().SetSequence(v)) }
func (b *boltBucket) SetFillPercent(f float64)   { b.FillPercent = f }

func (c *boltCursor) bc() *bbolt.Cursor                 { return (*bbolt.Cursor)(c) }
func (c *boltCursor) First() ([]byte, []byte)           { return c.bc().First() }
func (c *boltCursor) Last() ([]byte, []byte)            { return c.bc().Last() }
func (c *boltCursor) Seek(seek []byte) ([]byte, []byte) { return c.bc().Seek(seek) }
func (c *boltCursor) Next() ([]byte, []byte)            { return c.bc().Next() }
func (c *boltCursor) Prev() ([]byte, []byte)            { return c.bc().Prev() }
func (c *boltCursor) Delete() error                     { return kvErr(c.bc().Delete()) }
