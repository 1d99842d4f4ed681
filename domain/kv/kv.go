// Package kv is the ordered key-value model the after-sales store is written
// against: named buckets of byte keys kept in order, buckets nested in
// buckets, cursors that walk a bucket either way, and a sequence per bucket
// (bbolt's model, which the store was first written for).
//
// Two engines serve it: the bbolt file (domain/bolt, the embedded default)
// and PostgreSQL (domain/postgres, for several replicas on one database).
// The store's records, indexes and migrations are the same on both, so the
// store contract suite (domain/storetest) runs unchanged on each.
//
// Values returned by Get and by cursors are valid until the transaction ends
// (bbolt maps them from the file); copy what must outlive it.
package kv

import (
	"bytes"
	"context"
	"errors"
	"slices"
)

// Engine runs transactions.
type Engine interface {
	// Update runs fn in one read-write transaction, serializable with every
	// other, and commits it when fn returns nil. It returns nil only once
	// the commit is durable. fn may run more than once (an engine that
	// detects a conflict with another writer runs it again on fresh data),
	// so it must have no effects outside the transaction.
	Update(fn func(Tx) error) error
	// Batch is Update for many concurrent small writers: an engine may
	// commit several functions together. The same rules for fn hold.
	Batch(fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent
	// snapshot.
	View(fn func(Tx) error) error
	// Close releases the engine's resources.
	Close() error
}

// Locker is implemented by engines that several processes share: TryLock
// takes the lock called name for a job that must run in one process at a
// time (learning, retention), or reports ok=false when another process holds
// it. unlock releases it; a process that dies releases its locks. On an
// engine only one process can open (bbolt), every lock is always free.
type Locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// Tx is one transaction.
type Tx interface {
	// Bucket returns the top-level bucket name, or nil when there is none.
	Bucket(name []byte) Bucket
	CreateBucket(name []byte) (Bucket, error)
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	DeleteBucket(name []byte) error
	// ForEach calls fn for every top-level bucket, in name order.
	ForEach(fn func(name []byte, b Bucket) error) error
	// Writable reports whether the transaction may write.
	Writable() bool
	// Err is the first failure of the engine underneath during this
	// transaction (a lost connection, a conflict): the methods that return
	// no error (Get, cursors) then answer as if the data were absent, and
	// the engine fails the transaction with Err when fn returns. nil on
	// bbolt, whose reads cannot fail.
	Err() error
}

// Bucket is a set of keys in byte order, each holding a value or a nested
// bucket.
type Bucket interface {
	// Get returns the value of key, or nil when there is none or key names a
	// nested bucket.
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() Cursor
	// ForEach calls fn for every key in order; a nested bucket's value is
	// nil.
	ForEach(fn func(k, v []byte) error) error

	Bucket(name []byte) Bucket
	CreateBucket(name []byte) (Bucket, error)
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	DeleteBucket(name []byte) error

	// NextSequence increments the bucket's sequence and returns it.
	NextSequence() (uint64, error)
	// Sequence returns the bucket's sequence without changing it.
	Sequence() uint64
	SetSequence(v uint64) error

	// SetFillPercent hints how full to pack pages for keys written in
	// ascending order (bbolt's FillPercent); engines may ignore it.
	SetFillPercent(f float64)
}

// Cursor walks a bucket's keys in order. A nested bucket's value is nil.
// Every method returns a nil key past either end.
type Cursor interface {
	First() (key, value []byte)
	Last() (key, value []byte)
	// Seek moves to the first key ≥ seek.
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
	// Delete removes the key the cursor is on.
	Delete() error
}

// Errors every engine returns for the same mistakes.
var (
	ErrBucketExists   = errors.New("kv: bucket already exists")
	ErrBucketNotFound = errors.New("kv: bucket not found")
	ErrTxNotWritable  = errors.New("kv: transaction not writable")
	// ErrIncompatibleValue: Put or Get-as-bucket on a key that holds the
	// other kind (a value where a bucket is, or the reverse).
	ErrIncompatibleValue = errors.New("kv: incompatible value")
)

// WriteGrouper is implemented by engines that say whether the store should
// gather concurrent small commands into one transaction (its group commit).
// bbolt has one writer and pays an fsync per commit, so grouping is what
// makes concurrent writes fast; PostgreSQL runs transactions concurrently
// and shares WAL flushes between their commits, and a group there is one
// large serializable transaction that a conflict runs again whole. Without
// the interface the store groups.
type WriteGrouper interface {
	GroupWrites() bool
}

// MultiGetter is implemented by buckets that read many keys at once cheaper
// than one Get each (PostgreSQL: one statement instead of one round trip per
// key). Use GetMany, which falls back to Get.
type MultiGetter interface {
	// GetMany returns the value of each key, as Get would, in keys' order.
	GetMany(keys [][]byte) [][]byte
}

// GetMany returns the value of each key of b (nil where Get returns nil), in
// keys' order: in one read when b is a MultiGetter, else one Get per key.
func GetMany(b Bucket, keys [][]byte) [][]byte {
	if m, ok := b.(MultiGetter); ok {
		return m.GetMany(keys)
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = b.Get(k)
	}
	return out
}

// Prefetcher is implemented by transactions that read keys of several
// buckets at once cheaper than one Get each (PostgreSQL: one statement and
// one round trip for them all). Use Prefetch, which does nothing otherwise.
type Prefetcher interface {
	// Prefetch reads keys ahead: the transaction's Gets of them are then
	// answered from what it read, as they would have been (a key the
	// transaction writes afterwards reads as written).
	Prefetch(keys []BucketKey)
}

// BucketKey names a key of a bucket, for Prefetch.
type BucketKey struct {
	Bucket Bucket
	Key    []byte
}

// Prefetch reads keys of tx ahead when tx is a Prefetcher (a hint: the
// reads that follow are the same either way). Keys of a nil bucket (one not
// made yet) are left out.
func Prefetch(tx Tx, keys ...BucketKey) {
	p, ok := tx.(Prefetcher)
	if !ok {
		return
	}
	keys = slices.DeleteFunc(keys, func(k BucketKey) bool { return k.Bucket == nil || len(k.Key) == 0 })
	if len(keys) > 0 {
		p.Prefetch(keys)
	}
}

// ReadAheader is implemented by cursors that read a bucket in windows of
// keys (PostgreSQL: one statement per window, the first of a few keys,
// growing as the walk goes on).
type ReadAheader interface {
	// ReadAhead says that the caller will walk up to n keys from the
	// cursor's next positioning (Seek, First, Last, SeekBefore) or move
	// that reads, keys that begin with prefix unless prefix is nil (the
	// caller stops at the first key without it): that read fetches them
	// at once, and no key past the prefix's range but the first.
	ReadAhead(n int, prefix []byte)
}

// ReadAhead tells c that up to n keys beginning with prefix (nil: any)
// will be walked from its next read: a hint, the keys walked are the same
// either way (see ReadAheader).
func ReadAhead(c Cursor, n int, prefix []byte) {
	if r, ok := c.(ReadAheader); ok && n > 0 {
		r.ReadAhead(n, prefix)
	}
}

// KeysOnlyCursor is implemented by cursors that can leave the values out of
// their reads (PostgreSQL: the primary key's index alone, without visiting
// the table's rows where its visibility map allows).
type KeysOnlyCursor interface {
	// KeysOnly says that the caller walks keys only: from then on the
	// values the cursor returns may be empty ones, a nested bucket's too.
	KeysOnly()
}

// KeysOnly tells c that its caller uses its keys only (the word and inbox
// indexes: keys → empty values): a hint, the keys walked are the same either
// way; values may be empty from then on (see KeysOnlyCursor). It returns c.
func KeysOnly(c Cursor) Cursor {
	if k, ok := c.(KeysOnlyCursor); ok {
		k.KeysOnly()
	}
	return c
}

// BeforeSeeker is implemented by cursors that move to the last key before
// a key in one read, where Seek then Prev would read twice.
type BeforeSeeker interface {
	// SeekBefore moves to the last key < seek (nil past the first key).
	SeekBefore(seek []byte) (key, value []byte)
}

// SeekBefore moves c to the last key < seek and returns it, nil when there
// is none (then the cursor is on no key: position it again before Next or
// Prev). It is Seek then Prev (Last when seek is past every key), in one
// read where c is a BeforeSeeker.
func SeekBefore(c Cursor, seek []byte) (key, value []byte) {
	if s, ok := c.(BeforeSeeker); ok {
		return s.SeekBefore(seek)
	}
	if k, _ := c.Seek(seek); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// PrefixEnd is the first key after every key that begins with prefix, nil
// when there is none (prefix is empty or all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
