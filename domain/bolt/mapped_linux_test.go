package bolt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain/kv"
)

// mappedKB is the resident size of the process's mappings of path, in KiB,
// from /proc/self/smaps.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = fields[len(fields)-1] == path
		case in && fields[0] == "Rss:":
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			kb += n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kb
}

// releasingEngine is a bbolt engine on a new file in a test folder, with
// the release of its mapped pages; it is closed when the test ends.
func releasingEngine(t *testing.T) (string, boltEngine) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.db")
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true, InitialMmapSize: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return path, boltEngine{db: bdb, pages: newMappedPages(bdb)}
}

// An appended log, as the search events are written: the pages each commit
// wrote are mapped by the next one's reads and stay mapped until released;
// after the release they are gone from the process, and every value still
// reads back the same.
func TestReleaseDropsMappedPages(t *testing.T) {
	path, e := releasingEngine(t)
	bdb, pages := e.db, e.pages
	name := []byte("log")
	value := func(i uint64) []byte { return bytes.Repeat([]byte{byte(i), byte(i >> 8)}, 100) }
	const commits, perCommit = 200, 500 // ~24 MiB of pages written
	var n uint64
	for range commits {
		err := e.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for range perCommit {
				n++
				if err := b.Put(binary.BigEndian.AppendUint64(nil, n), value(n)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Wait for a release the writes may have started.
	for pages.running.Load() {
		time.Sleep(time.Millisecond)
	}
	// Map what the log holds, as a reader going through it would.
	if err := bdb.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(name).ForEach(func(k, v []byte) error { return nil })
	}); err != nil {
		t.Fatal(err)
	}
	before := mappedKB(t, path)
	if before < 8<<10 {
		t.Fatalf("the log's file has %d KiB mapped after being read through, want more than 8 MiB for the test to mean anything", before)
	}
	if err := pages.release(); err != nil {
		t.Fatal(err)
	}
	after := mappedKB(t, path)
	t.Logf("mapped: %d KiB before the release, %d KiB after", before, after)
	if after > 512 {
		t.Errorf("%d KiB of the file still mapped after the release, want at most 512", after)
	}
	var read uint64
	if err := bdb.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(name).ForEach(func(k, v []byte) error {
			read++
			if i := binary.BigEndian.Uint64(k); i != read || !bytes.Equal(v, value(i)) {
				t.Fatalf("entry %d reads back as key %d, %d bytes", read, i, len(v))
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if read != n {
		t.Fatalf("read %d entries back, wrote %d", read, n)
	}
}

// Writes release by themselves once releaseEvery bytes were written since
// the last release (and not within releaseGap of it).
func TestWritesStartARelease(t *testing.T) {
	_, e := releasingEngine(t)
	pages := e.pages
	pages.last.Store(0) // as if the last release were long ago
	big := bytes.Repeat([]byte("x"), 1<<20)
	for i := range 2 * releaseEvery / len(big) {
		if err := e.Batch(func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("blobs"))
			if err != nil {
				return err
			}
			return b.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), big)
		}); err != nil {
			t.Fatal(err)
		}
		if pages.released.Load() > 0 {
			break
		}
	}
	if pages.released.Load() == 0 {
		t.Fatalf("no release started after %d MiB written", 2*releaseEvery>>20)
	}
	// The next release waits for releaseGap.
	at := pages.released.Load()
	if err := e.Update(func(tx kv.Tx) error {
		return tx.Bucket([]byte("blobs")).Put([]byte("more"), bytes.Repeat(big, releaseEvery/len(big)+1))
	}); err != nil {
		t.Fatal(err)
	}
	if pages.released.Load() != at {
		t.Error("a second release started within releaseGap of the first")
	}
	for pages.running.Load() {
		time.Sleep(time.Millisecond)
	}
}
