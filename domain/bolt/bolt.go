// Package bolt stores the domain's data: it implements the services of
// package domain and holds no business rules of its own. Its records,
// indexes and migrations are written against the ordered key-value model of
// domain/kv, which the package's first engine, one bbolt file (Open), serves;
// OpenOn serves the same store from another engine (PostgreSQL, in
// domain/postgres, for several replicas on one database). The name is the
// first engine's: everything but the file's own care (bolt.go, engine.go,
// filecheck.go, scrub.go) is the same on both.
package bolt

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain/kv"
)

// Defaults of Options.
const (
	DefaultTimeout = 2 * time.Second

	// DefaultMmapSize is the address space mapped at Open. A writer that must
	// grow the map waits for every open read transaction: measured here, a
	// 2 s reader stalled a writer for 2 s, and 37 ms at worst with 1 GiB
	// mapped. On Linux and macOS this reserves address space only: the file
	// still grows with the data (on Windows bbolt grows the file to this size).
	DefaultMmapSize = 1 << 30
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Timeout bounds the wait for the file lock that another process (or
	// another Open in this one) holds; 0 means DefaultTimeout.
	Timeout time.Duration

	// Now is the clock for timestamps and ids; nil means time.Now.
	Now func() time.Time

	// MmapSize is bbolt's InitialMmapSize; 0 means DefaultMmapSize.
	MmapSize int

	// NoSync skips the fsync of each commit: only for bulk loads of
	// throwaway files (bench seeding), never for serving: a crash then loses
	// acknowledged writes. Close syncs.
	NoSync bool

	// PasswordCost is bcrypt's work factor for new passwords; 0 means
	// PasswordCost. Tests set bcrypt.MinCost: the production cost makes
	// every seeded user take a second under the race detector.
	PasswordCost int

	// Attachments is the folder of uploaded files; empty means
	// "attachments" beside the file (Open) or under dataDir (OpenOn).
	// Replicas serving one store from another engine share one folder.
	Attachments string
}

// DB is the domain's bbolt file. Open it once per process, share it between
// services, and Close it at shutdown.
type DB struct {
	eng     kv.Engine // the engine every transaction runs on
	db      *bbolt.DB // the bbolt file when eng is one (file checks, backup, scrub); nil otherwise
	path    string
	attach  string // the attachments' folder
	now     func() time.Time
	entropy io.Reader // monotonic within a millisecond, safe for concurrent use

	gate *readGate // read transactions, for ScrubFreePages (shared with views)

	translate bool // new messages queue translations (EnableTranslation)
	borrowed  bool // made by At: shares another DB's file, which it never closes
	ops       *dbOps

	passwordCost int
	dummyHash    func() []byte // a hash at passwordCost, for unknown names (Login)
}

// At returns a view of db on which every command happens at t instead of
// now, for importing history from another system and for the demo world's
// past: services built on it (NewServices(db.At(t), p)) write to db's file
// with t as their transactions' one timestamp. Closing the view closes
// nothing. Never serve requests from a view.
func (db *DB) At(t time.Time) *DB {
	v := *db
	t = t.UTC()
	v.now = func() time.Time { return t }
	v.borrowed = true
	return &v
}

// Open opens (creating it and its parent directories if need be) the bbolt file
// at path and brings its schema up to date by running every pending migration
// in one write transaction. The queue items a previous run had claimed are
// due at once (releaseClaims): this process is the file's only one.
func Open(path string, opts Options) (*DB, error) {
	db, err := open(path, opts, migrations())
	if err != nil {
		return nil, err
	}
	if _, err := db.releaseClaims(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: releasing a previous run's claims: %w", err)
	}
	return db, nil
}

func open(path string, opts Options, migs []migration) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PasswordCost <= 0 {
		opts.PasswordCost = PasswordCost
	}
	if opts.MmapSize <= 0 {
		opts.MmapSize = DefaultMmapSize
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("bolt: %w", err)
		}
	}
	// Before bbolt maps the file: it takes an empty file for a new database
	// and faults on a short one.
	if _, err := preflight(path); err != nil {
		return nil, err
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:         opts.Timeout,
		InitialMmapSize: opts.MmapSize,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: the file is locked by another process (or another Open in this one); gave up after %s: %w",
			path, opts.Timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	db := newDB(boltEngine{db: bdb, pages: newMappedPages(bdb)}, path, opts)
	db.db = bdb
	bdb.NoSync = opts.NoSync
	if err := db.migrate(migs); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if err := writeMarker(path, opts.Now()); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// OpenOn serves the store from another engine than a bbolt file
// (PostgreSQL: domain/postgres), and brings its schema up to date as Open
// does, in one serializable transaction: replicas starting together migrate
// once. Attachments' files go under opts.Attachments (default
// dataDir/attachments), a folder every replica must share. Closing the DB
// closes eng.
func OpenOn(eng kv.Engine, dataDir string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PasswordCost <= 0 {
		opts.PasswordCost = PasswordCost
	}
	db := newDB(eng, filepath.Join(dataDir, "store"), opts)
	if err := db.migrate(migrations()); err != nil {
		return nil, fmt.Errorf("bolt: migrate: %w", err)
	}
	return db, nil
}

func newDB(eng kv.Engine, path string, opts Options) *DB {
	db := &DB{
		eng:     eng,
		path:    path,
		attach:  cmp.Or(opts.Attachments, filepath.Join(filepath.Dir(path), "attachments")),
		now:     opts.Now,
		entropy: &ulid.LockedMonotonicReader{MonotonicReader: ulid.Monotonic(rand.Reader, 0)},
		gate:    newReadGate(),
		ops:     &dbOps{},

		passwordCost: opts.PasswordCost,
	}
	db.dummyHash = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), cmp.Or(db.passwordCost, PasswordCost))
		return h
	})
	return db
}

// Close closes the file, waiting for transactions under way. It may be
// called more than once.
func (db *DB) Close() error {
	if db == nil || db.eng == nil || db.borrowed {
		return nil
	}
	if db.db != nil && db.db.NoSync {
		_ = db.db.Sync()
	}
	if err := db.eng.Close(); err != nil {
		return fmt.Errorf("bolt: close %s: %w", db.path, err)
	}
	return nil
}

// Path returns the file's path.
func (db *DB) Path() string { return db.path }

// newID returns a ULID for time t: ids made by one DB sort by t, and by order
// of creation within one millisecond.
func (db *DB) newID(t time.Time) (ulid.ULID, error) {
	if t.Before(time.UnixMilli(0)) {
		return ulid.ULID{}, fmt.Errorf("time %s is before 1970", t)
	}
	return ulid.New(ulid.Timestamp(t), db.entropy)
}

// Bucket names carry a version: a change of layout writes new buckets in a
// migration instead of reinterpreting old bytes in place.
var (
	bucketMeta       = []byte("meta")
	bucketMigrations = []byte("migrations") // in meta: migration id → RFC 3339 time applied

	bucketFeedback = []byte("feedback.v1")
	bucketVotes    = []byte("votes")  // in feedback.v1: article id, 0x00, ULID (16 bytes) → JSON voteRecord
	bucketCounts   = []byte("counts") // in feedback.v1: article id → JSON countsRecord

	bucketViews = []byte("views.v1") // a sub-bucket per locale: article id → uint64 big-endian
)

// bucketAt follows path from the transaction's top level; nil when a bucket
// on the way is missing.
func bucketAt(tx kv.Tx, path [][]byte) kv.Bucket {
	b := tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

// bucket returns the bucket at the path of names, or an error naming the path
// when one is missing (migrations create them all, so that is a bug).
func bucket(tx kv.Tx, names ...[]byte) (kv.Bucket, error) {
	b := bucketAt(tx, names)
	if b == nil {
		return nil, fmt.Errorf("bolt: missing bucket %s", bytes.Join(names, []byte("/")))
	}
	return b, nil
}
