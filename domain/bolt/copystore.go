package bolt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/marketplace/helpcentre/domain/kv"
)

// helpcentre migrate-store copies a whole store from one engine to another
// through the kv model (a bbolt file into PostgreSQL): every bucket, nested
// buckets, every key and value, every bucket's sequence. It is storage only:
// the records are copied byte for byte, never decoded.

// ErrServerHoldsFile says a running server holds the bbolt file that was to
// be opened read-only.
var ErrServerHoldsFile = errors.New("bolt: the file is held by a running server")

// OpenFileReadOnly opens the bbolt file at path read-only as an engine, for
// copying it elsewhere (offline: a server holding the file makes it wait up
// to timeout, then fail with ErrServerHoldsFile). Its Update and Batch fail.
func OpenFileReadOnly(path string, timeout time.Duration) (kv.Engine, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("bolt: %w", err)
	}
	if _, err := preflight(path); err != nil {
		return nil, err
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is locked (waited %s): stop the server first, the copy is made offline", ErrServerHoldsFile, path, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return boltEngine{db: bdb}, nil
}

// CopyOptions tune CopyStore. The zero value is ready to use.
type CopyOptions struct {
	// ChunkKeys and ChunkBytes bound one write transaction on the target:
	// a bucket is copied in chunks of at most this many keys or bytes of
	// keys and values (one larger value goes alone); 0 means 2,000 keys and
	// 4 MiB.
	ChunkKeys  int
	ChunkBytes int
	// Progress, when set, is called after each bucket is copied.
	Progress func(BucketCopy)
}

// BucketCopy is what CopyStore did to one bucket.
type BucketCopy struct {
	Path     string // bucket names joined by "/"
	Keys     int    // values and nested buckets in the source bucket
	Written  int    // keys put on the target (absent or different there)
	Deleted  int    // keys the target had that the source has not
	Txs      int    // write transactions on the target
	Sequence uint64
}

// CopyReport sums up a CopyStore.
type CopyReport struct {
	Buckets []BucketCopy
	// TargetOnly are the top-level buckets the target has and the source
	// has not: left alone.
	TargetOnly                  []string
	Keys, Written, Deleted, Txs int
}

// StoreMismatchError is CheckMigrations' refusal.
type StoreMismatchError struct{ Msg string }

func (e *StoreMismatchError) Error() string { return e.Msg }

// migrationIDs returns the ids recorded in meta/migrations.
func migrationIDs(eng kv.Engine) ([]string, error) {
	return keysAt(eng, bucketMeta, bucketMigrations)
}

// keysAt returns the keys of the bucket at the path of names, in one view;
// none when a bucket on the path is missing.
func keysAt(eng kv.Engine, names ...[]byte) ([]string, error) {
	var out []string
	err := eng.View(func(tx kv.Tx) error {
		b := bucketAt(tx, names)
		if b == nil {
			return tx.Err()
		}
		if err := b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		}); err != nil {
			return err
		}
		return tx.Err()
	})
	return out, err
}

// CheckMigrations decides whether the store in from may be copied onto to:
// the source must record only migrations this version knows (a newer
// program wrote it otherwise), and the target must record none (a new
// database) or exactly the source's (an earlier copy). A target with other
// migrations holds another store, or a newer one: it is refused with a
// *StoreMismatchError rather than overwritten.
func CheckMigrations(from, to kv.Engine) error {
	src, err := migrationIDs(from)
	if err != nil {
		return fmt.Errorf("bolt: read the source's migrations: %w", err)
	}
	if len(src) == 0 {
		return &StoreMismatchError{"the source records no migrations: it is not a helpcentre store"}
	}
	known := map[string]bool{}
	for _, m := range migrations() {
		known[m.id] = true
	}
	for _, id := range src {
		if !known[id] {
			return &StoreMismatchError{fmt.Sprintf("the source records migration %q, unknown to this version: it was written by a newer one; copy it with that version", id)}
		}
	}
	dst, err := migrationIDs(to)
	if err != nil {
		return fmt.Errorf("bolt: read the target's migrations: %w", err)
	}
	if len(dst) == 0 || slices.Equal(src, dst) {
		return nil
	}
	var extra, missing []string
	for _, id := range dst {
		if !slices.Contains(src, id) {
			extra = append(extra, id)
		}
	}
	for _, id := range src {
		if !slices.Contains(dst, id) {
			missing = append(missing, id)
		}
	}
	msg := "the target already holds a store whose migrations differ from the source's"
	if len(extra) > 0 {
		msg += fmt.Sprintf(" (it records %s, which the source has not: it is newer, or another store)", strings.Join(extra, ", "))
	}
	if len(missing) > 0 {
		msg += fmt.Sprintf(" (it lacks %s)", strings.Join(missing, ", "))
	}
	return &StoreMismatchError{msg + ": refusing to overwrite it; copy into a new, empty database"}
}

// entry is one key of a bucket being copied: a value, or a nested bucket.
type entry struct {
	k, v   []byte
	bucket bool
}

// chunk is a run of a source bucket's keys after a key, read in one view.
type chunk struct {
	entries []entry
	more    bool   // keys follow
	seq     uint64 // the bucket's sequence (when !more)
	missing bool   // the bucket does not exist
}

// isBucket tells a nested bucket from an empty value: cursors give both a
// nil value on some engines.
func isBucket(b kv.Bucket, k, v []byte) bool {
	return v == nil && b.Bucket(k) != nil
}

// readChunk reads the keys of the bucket at path after after (from the
// first when after is nil), at most maxKeys of them or maxBytes of keys and
// values, copied out of the transaction.
func readChunk(eng kv.Engine, path [][]byte, after []byte, maxKeys, maxBytes int) (chunk, error) {
	var ch chunk
	err := eng.View(func(tx kv.Tx) error {
		ch = chunk{}
		b := bucketAt(tx, path)
		if b == nil {
			ch.missing = true
			return tx.Err()
		}
		c := b.Cursor()
		var k, v []byte
		if after == nil {
			k, v = c.First()
		} else {
			k, v = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		size := 0
		for ; k != nil; k, v = c.Next() {
			if len(ch.entries) >= maxKeys || (size >= maxBytes && len(ch.entries) > 0) {
				ch.more = true
				break
			}
			e := entry{k: bytes.Clone(k)}
			if isBucket(b, k, v) {
				e.bucket = true
			} else {
				e.v = append([]byte{}, v...) // an empty value stays non-nil
			}
			size += len(k) + len(v)
			ch.entries = append(ch.entries, e)
		}
		if !ch.more {
			ch.seq = b.Sequence()
		}
		return tx.Err()
	})
	return ch, err
}

// ensureBucket returns the bucket at path in tx, creating what is missing
// and replacing a value that stands where a bucket must be.
func ensureBucket(tx kv.Tx, path [][]byte) (kv.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(path[0])
	if err != nil {
		return nil, fmt.Errorf("create bucket %s: %w", path[0], err)
	}
	for i, name := range path[1:] {
		nb, err := b.CreateBucketIfNotExists(name)
		if errors.Is(err, kv.ErrIncompatibleValue) {
			if err := b.Delete(name); err != nil {
				return nil, err
			}
			nb, err = b.CreateBucket(name)
		}
		if err != nil {
			return nil, fmt.Errorf("create bucket %s: %w", joinPath(path[:i+2]), err)
		}
		b = nb
	}
	return b, nil
}

func joinPath(path [][]byte) string {
	s := make([]string, len(path))
	for i, p := range path {
		s[i] = string(p)
	}
	return strings.Join(s, "/")
}

// writeChunk makes the target bucket at path hold, between after
// (exclusive; nil: from the first key) and the chunk's last key (or the
// end, when it is the bucket's last chunk), exactly the chunk's keys:
// puts what is absent or different, deletes what the source has not.
// It may run more than once (an engine retrying a conflict): it reads the
// target afresh each time.
func writeChunk(tx kv.Tx, path [][]byte, after []byte, ch chunk) (written, deleted int, err error) {
	b, err := ensureBucket(tx, path)
	if err != nil {
		return 0, 0, err
	}
	var hi []byte
	if ch.more {
		hi = ch.entries[len(ch.entries)-1].k
	}
	// The target's keys in the range, with their values.
	type have struct {
		v      []byte
		bucket bool
	}
	target := map[string]have{}
	var order []string
	c := b.Cursor()
	var k, v []byte
	if after == nil {
		k, v = c.First()
	} else {
		k, v = c.Seek(after)
		if k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
	}
	for ; k != nil && (hi == nil || bytes.Compare(k, hi) <= 0); k, v = c.Next() {
		target[string(k)] = have{v: bytes.Clone(v), bucket: isBucket(b, k, v)}
		order = append(order, string(k))
	}
	if err := tx.Err(); err != nil {
		return 0, 0, err
	}
	source := make(map[string]bool, len(ch.entries))
	for _, e := range ch.entries {
		source[string(e.k)] = true
	}
	for _, k := range order {
		if source[k] {
			continue
		}
		if target[k].bucket {
			err = b.DeleteBucket([]byte(k))
		} else {
			err = b.Delete([]byte(k))
		}
		if err != nil {
			return 0, 0, fmt.Errorf("delete %q from %s: %w", k, joinPath(path), err)
		}
		deleted++
	}
	for _, e := range ch.entries {
		h, ok := target[string(e.k)]
		switch {
		case e.bucket && ok && h.bucket:
		case e.bucket:
			if ok {
				if err := b.Delete(e.k); err != nil {
					return 0, 0, err
				}
			}
			if _, err := b.CreateBucket(e.k); err != nil {
				return 0, 0, fmt.Errorf("create bucket %s/%s: %w", joinPath(path), e.k, err)
			}
			written++
		case ok && !h.bucket && bytes.Equal(h.v, e.v):
		default:
			if ok && h.bucket {
				if err := b.DeleteBucket(e.k); err != nil {
					return 0, 0, err
				}
			}
			if err := b.Put(e.k, e.v); err != nil {
				return 0, 0, fmt.Errorf("put %q in %s: %w", e.k, joinPath(path), err)
			}
			written++
		}
	}
	if !ch.more && b.Sequence() != ch.seq {
		if err := b.SetSequence(ch.seq); err != nil {
			return 0, 0, err
		}
	}
	return written, deleted, tx.Err()
}

// topBuckets lists the top-level bucket names of eng.
func topBuckets(eng kv.Engine) ([][]byte, error) {
	var names [][]byte
	err := eng.View(func(tx kv.Tx) error {
		names = names[:0]
		if err := tx.ForEach(func(name []byte, _ kv.Bucket) error {
			names = append(names, bytes.Clone(name))
			return nil
		}); err != nil {
			return err
		}
		return tx.Err()
	})
	return names, err
}

// depthFirst visits the buckets under tops depth first, in key order: a
// bucket, then the buckets nested in it, which visit returns (their names).
// The copy and its verification walk the same way, so their reports list
// buckets in the same order.
func depthFirst(tops [][]byte, visit func(path [][]byte) (nested [][]byte, err error)) error {
	var walk func(path [][]byte) error
	walk = func(path [][]byte) error {
		nested, err := visit(path)
		if err != nil {
			return err
		}
		for _, name := range nested {
			if err := walk(append(slices.Clip(path), name)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range tops {
		if err := walk([][]byte{name}); err != nil {
			return err
		}
	}
	return nil
}

// CopyStore copies every bucket of from onto to, bucket by bucket and in
// chunks (many small write transactions on the target, never one for the
// whole store), so that afterwards every bucket the source has holds on the
// target exactly the source's keys, values, nested buckets and sequence.
// Running it again changes nothing; a target bucket's keys the source has
// not are deleted, and top-level buckets only the target has are left
// alone (reported). from must not change meanwhile (a bbolt file opened
// read-only with OpenFileReadOnly); CheckMigrations first. Check the result
// with VerifyStore. Last, a target that offers to settle a bulk load does
// (PostgreSQL: VACUUM (ANALYZE)).
func CopyStore(ctx context.Context, from, to kv.Engine, opts CopyOptions) (*CopyReport, error) {
	if opts.ChunkKeys <= 0 {
		opts.ChunkKeys = 2000
	}
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = 4 << 20
	}
	rep := &CopyReport{}
	tops, err := topBuckets(from)
	if err != nil {
		return nil, fmt.Errorf("bolt: list the source's buckets: %w", err)
	}
	targetTops, err := topBuckets(to)
	if err != nil {
		return nil, fmt.Errorf("bolt: list the target's buckets: %w", err)
	}
	for _, t := range targetTops {
		if !slices.ContainsFunc(tops, func(s []byte) bool { return bytes.Equal(s, t) }) {
			rep.TargetOnly = append(rep.TargetOnly, string(t))
		}
	}
	err = depthFirst(tops, func(path [][]byte) ([][]byte, error) {
		bc := BucketCopy{Path: joinPath(path)}
		var nested [][]byte
		var after []byte
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ch, err := readChunk(from, path, after, opts.ChunkKeys, opts.ChunkBytes)
			if err != nil {
				return nil, err
			}
			if ch.missing {
				return nil, fmt.Errorf("bolt: bucket %s vanished from the source during the copy: is something writing to it?", bc.Path)
			}
			var w, d int
			if err := to.Update(func(tx kv.Tx) error {
				var err error
				w, d, err = writeChunk(tx, path, after, ch)
				return err
			}); err != nil {
				return nil, fmt.Errorf("bolt: copy %s: %w", bc.Path, err)
			}
			bc.Keys += len(ch.entries)
			bc.Written += w
			bc.Deleted += d
			bc.Txs++
			for _, e := range ch.entries {
				if e.bucket {
					nested = append(nested, e.k)
				}
			}
			if !ch.more {
				bc.Sequence = ch.seq
				break
			}
			after = ch.entries[len(ch.entries)-1].k
		}
		rep.Buckets = append(rep.Buckets, bc)
		rep.Keys += bc.Keys
		rep.Written += bc.Written
		rep.Deleted += bc.Deleted
		rep.Txs += bc.Txs
		if opts.Progress != nil {
			opts.Progress(bc)
		}
		return nested, nil
	})
	if err != nil {
		return rep, err
	}
	// A server engine may want a bulk load settled (statistics, visibility:
	// postgres.Engine.Settle) before it serves.
	if s, ok := to.(interface{ Settle(context.Context) error }); ok {
		if err := s.Settle(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// BucketCheck compares one bucket on both sides of a copy.
type BucketCheck struct {
	Path                 string
	SourceKeys           int
	TargetKeys           int    // -1: the bucket is missing on the target
	SourceSum, TargetSum string // SHA-256 over the sorted keys and values
	SourceSeq, TargetSeq uint64
}

// OK reports whether both sides hold the same.
func (c BucketCheck) OK() bool {
	return c.SourceKeys == c.TargetKeys && c.SourceSum == c.TargetSum && c.SourceSeq == c.TargetSeq
}

// bucketSum walks the bucket at path in chunks of views and returns its key
// count, a SHA-256 over its keys and values in order (each key and value
// length-prefixed, a nested bucket marked as such), its sequence and its
// nested buckets. ok is false when the bucket does not exist.
func bucketSum(ctx context.Context, eng kv.Engine, path [][]byte) (n int, sum string, seq uint64, nested [][]byte, ok bool, err error) {
	h := sha256.New()
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", 0, nil, false, err
		}
		ch, err := readChunk(eng, path, after, 5000, 8<<20)
		if err != nil {
			return 0, "", 0, nil, false, err
		}
		if ch.missing {
			if after != nil {
				return 0, "", 0, nil, false, fmt.Errorf("bucket %s vanished during the check", joinPath(path))
			}
			return 0, "", 0, nil, false, nil
		}
		for _, e := range ch.entries {
			hashEntry(h, e)
			if e.bucket {
				nested = append(nested, e.k)
			}
		}
		n += len(ch.entries)
		if !ch.more {
			return n, hex.EncodeToString(h.Sum(nil)), ch.seq, nested, true, nil
		}
		after = ch.entries[len(ch.entries)-1].k
	}
}

func hashEntry(h hash.Hash, e entry) {
	var l [9]byte
	if e.bucket {
		l[0] = 'b'
	} else {
		l[0] = 'v'
	}
	binary.BigEndian.PutUint64(l[1:], uint64(len(e.k)))
	h.Write(l[:])
	h.Write(e.k)
	binary.BigEndian.PutUint64(l[1:], uint64(len(e.v)))
	h.Write(l[1:])
	h.Write(e.v)
}

// VerifyStore compares every bucket of from, nested ones included, with
// the same bucket on to: key counts, a SHA-256 over the sorted keys and
// values, and sequences. It returns one check per bucket, in copy order,
// and reports a difference by their OK, not as an error.
func VerifyStore(ctx context.Context, from, to kv.Engine) ([]BucketCheck, error) {
	tops, err := topBuckets(from)
	if err != nil {
		return nil, err
	}
	var out []BucketCheck
	err = depthFirst(tops, func(path [][]byte) ([][]byte, error) {
		c := BucketCheck{Path: joinPath(path)}
		n, sum, seq, nested, _, err := bucketSum(ctx, from, path)
		if err != nil {
			return nil, fmt.Errorf("bolt: verify %s on the source: %w", c.Path, err)
		}
		c.SourceKeys, c.SourceSum, c.SourceSeq = n, sum, seq
		tn, tsum, tseq, _, ok, err := bucketSum(ctx, to, path)
		if err != nil {
			return nil, fmt.Errorf("bolt: verify %s on the target: %w", c.Path, err)
		}
		if !ok {
			tn = -1
		}
		c.TargetKeys, c.TargetSum, c.TargetSeq = tn, tsum, tseq
		out = append(out, c)
		return nested, nil
	})
	if err != nil {
		return out, err
	}
	return out, nil
}

// AttachmentRefs returns the sha256 (hex) of every attachment the store on
// eng records: their files are kept outside the store, under
// <data>/attachments (AttachmentFile).
func AttachmentRefs(eng kv.Engine) ([]string, error) {
	return keysAt(eng, bucketAttachments)
}

// AttachmentFile is where the attachment with this sha256 (hex) is kept
// under an attachments folder (<data>/attachments).
func AttachmentFile(dir, sha string) string {
	if len(sha) < 2 {
		return filepath.Join(dir, sha)
	}
	return filepath.Join(dir, sha[:2], sha)
}
