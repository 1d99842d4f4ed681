package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged says the database file is missing, empty, cut short or fails
// bbolt's page checks although it held data before: Open refuses it rather
// than start an empty database over the orders (bbolt opens a 0-byte file
// as a new database, and dies with SIGBUS in mmap on a truncated one).
var ErrDamaged = errors.New("bolt: the database file is damaged")

// InitMarker is the file beside the database that says it was created, and
// when: a database that is missing or empty while its marker exists lost its
// data. Open writes it after bbolt has initialised a new file (or adopts an
// existing healthy file that has none).
func InitMarker(path string) string { return path + ".init" }

// bbolt's file layout (go.etcd.io/bbolt/internal/common): two meta pages at
// the start, each a 16-byte page header and then the meta: magic, version,
// page size, flags (4 bytes each), the root bucket (16), the freelist page,
// the high-water page id and the transaction id (8 each), and an FNV-64a
// checksum of the meta's bytes before it. Multi-byte fields are in the
// machine's byte order: every platform we build for is little-endian.
const (
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	pageHeaderSize = 16
	metaChecksumAt = 56
)

type metaPage struct {
	pageSize uint32
	pgid     uint64 // pages in use: the file holds at least pgid × pageSize bytes
	txid     uint64
}

func readMeta(b []byte) (metaPage, bool) {
	if len(b) < pageHeaderSize+metaChecksumAt+8 {
		return metaPage{}, false
	}
	m := b[pageHeaderSize:]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != metaMagic || le.Uint32(m[4:]) != metaVersion {
		return metaPage{}, false
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if h.Sum64() != le.Uint64(m[metaChecksumAt:]) {
		return metaPage{}, false
	}
	return metaPage{pageSize: le.Uint32(m[8:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, true
}

// checkMeta reads the file's meta pages and compares the size they record
// with the file's, before bbolt maps it: reading a mapped page past the end
// of a cut file is SIGBUS, which no recover catches.
func checkMeta(f *os.File, size int64) error {
	head := make([]byte, 4096)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	m0, ok0 := readMeta(head[:n])
	sizes := []int64{4096, 8192, 16384, 32768, 65536}
	if ok0 {
		sizes = []int64{int64(m0.pageSize)}
	}
	var m1 metaPage
	ok1 := false
	for _, ps := range sizes {
		buf := make([]byte, 4096)
		n, err := f.ReadAt(buf, ps)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if m1, ok1 = readMeta(buf[:n]); ok1 {
			break
		}
	}
	var m metaPage
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m = m1
	case ok0:
		m = m0
	default:
		return fmt.Errorf("%w: neither meta page is valid (%d bytes)", ErrDamaged, size)
	}
	if want := int64(m.pgid) * int64(m.pageSize); size < want {
		return fmt.Errorf("%w: %d bytes, but its meta page records %d pages of %d bytes (%d bytes): it was cut short",
			ErrDamaged, size, m.pgid, m.pageSize, want)
	}
	return nil
}

// preflight decides, before bbolt touches the file, whether path may be
// opened: a new database (no file, or an empty one, and no marker) or a file
// whose meta pages are valid and whose size is at least what they record.
func preflight(path string) (fresh bool, err error) {
	_, merr := os.Stat(InitMarker(path))
	marked := merr == nil
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && marked:
		return false, fmt.Errorf("%w: %s is missing, but %s says it was created before", ErrDamaged, path, InitMarker(path))
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, err
	case st.Size() == 0 && marked:
		return false, fmt.Errorf("%w: %s is empty, but %s says it was created before", ErrDamaged, path, InitMarker(path))
	case st.Size() == 0:
		return true, nil // a first start that stopped before bbolt wrote its pages
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := checkMeta(f, st.Size()); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return false, nil
}

// writeMarker records that the database at path exists, unless it is
// recorded already.
func writeMarker(path string, now time.Time) error {
	marker := InitMarker(path)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	data := "created " + now.UTC().Format(time.RFC3339) + "\n" +
		"While this file exists, helpcentre refuses to start on a missing or empty " + pathBase(path) + ": restore a backup instead.\n"
	tmp := marker + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		return fmt.Errorf("bolt: %w", err)
	}
	return os.Rename(tmp, marker)
}

func pathBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// CheckFile verifies the bbolt file at path offline: the meta pages and
// size first, then every page (bbolt's Tx.Check), opening it read-only. It
// returns every problem found; none means the file is sound. A server
// holding the file makes it wait up to timeout for the lock.
func CheckFile(path string, timeout time.Duration) ([]error, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return []error{fmt.Errorf("%w: %s is empty", ErrDamaged, path)}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	err = checkMeta(f, st.Size())
	f.Close()
	if err != nil {
		return []error{err}, nil
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("bolt: %s is locked by a running server: back it up through the server and check the copy", path)
		}
		return []error{fmt.Errorf("%w: %v", ErrDamaged, err)}, nil
	}
	defer bdb.Close()
	return checkPages(bdb), nil
}

// checkPages runs bbolt's page check in a read transaction.
func checkPages(bdb *bbolt.DB) (problems []error) {
	err := bdb.View(func(tx *bbolt.Tx) error {
		for e := range tx.Check() {
			problems = append(problems, e)
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err)
	}
	return problems
}

// Check verifies every page of the open database; serve runs it at start.
func (db *DB) Check() error {
	if db.db == nil {
		return nil // another engine checks its own storage
	}
	if problems := checkPages(db.db); len(problems) > 0 {
		return fmt.Errorf("%w: %s: %w", ErrDamaged, db.path, errors.Join(problems...))
	}
	return nil
}

// WriteTo writes a consistent copy of the whole database to w, in one read
// transaction (bbolt's Tx.WriteTo), while writers go on. Keep w fast (a
// file): the transaction stays open until the copy is written.
func (db *DB) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := db.read(func(tx kv.Tx) error {
		btx, ok := tx.(*boltTx)
		if !ok {
			return errors.New("bolt: a copy of the store is the engine's own backup (pg_dump for PostgreSQL)")
		}
		var err error
		n, err = (*bbolt.Tx)(btx).WriteTo(w)
		return err
	})
	return n, err
}

// CopyFile writes a consistent copy of the database file at path to w,
// opening it read-only (offline: a server holding the file makes this wait
// up to timeout, then fail).
func CopyFile(path string, w io.Writer, timeout time.Duration) (int64, error) {
	if _, err := preflight(path); err != nil {
		return 0, err
	}
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return 0, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	defer bdb.Close()
	var n int64
	err = bdb.View(func(tx *bbolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// CompactFile copies the live data of the database at src into a new file
// at dst (bbolt's Compact), leaving out the free pages a file never gives
// back, and checks the result. Both must be closed to other processes.
func CompactFile(dst, src string, timeout time.Duration) error {
	if _, err := preflight(src); err != nil {
		return err
	}
	s, err := bbolt.Open(src, 0o400, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return fmt.Errorf("bolt: open %s: %w", src, err)
	}
	defer s.Close()
	d, err := bbolt.Open(dst, 0o600, &bbolt.Options{Timeout: timeout})
	if err != nil {
		return fmt.Errorf("bolt: create %s: %w", dst, err)
	}
	if err := bbolt.Compact(d, s, 64<<20); err != nil {
		d.Close()
		return fmt.Errorf("bolt: compact %s: %w", src, err)
	}
	if problems := checkPages(d); len(problems) > 0 {
		d.Close()
		return fmt.Errorf("bolt: the compacted copy %s fails its check: %w", dst, errors.Join(problems...))
	}
	return d.Close()
}
