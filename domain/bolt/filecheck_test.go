package bolt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
)

// filledDB makes a database through Open and writes about 4 MB into it. The
// file is then cut to the pages in use, dropping the slack bbolt allocates
// ahead (16 MB), as a compacted file is: cutting it again, or writing into
// its middle, hits pages the meta page points to.
func filledDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "helpcentre.db")
	db, err := Open(path, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("filler"))
		if err != nil {
			return err
		}
		for i := range 1000 {
			if err := b.Put([]byte{byte(i >> 8), byte(i)}, bytes.Repeat([]byte{byte(i)}, 4000)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	_ = raw.View(func(tx *bbolt.Tx) error { used = tx.Size(); return nil })
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, used); err != nil {
		t.Fatal(err)
	}
	if problems, err := CheckFile(path, 0); err != nil || len(problems) > 0 {
		t.Fatalf("the filled file is not sound: %v %v", problems, err)
	}
	return path
}

func TestOpenRefusesEmptiedDatabase(t *testing.T) {
	path := filledDB(t)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, fastOptions(nil))
	if err == nil {
		db.Close()
		t.Fatal("a 0-byte file of a database that existed opened as a new, empty database")
	}
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("got %v, want ErrDamaged", err)
	}
}

func TestOpenRefusesMissingDatabaseWithMarker(t *testing.T) {
	path := filledDB(t)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, fastOptions(nil)); !errors.Is(err, ErrDamaged) {
		t.Errorf("got %v, want ErrDamaged", err)
	}
}

// TestOpenRefusesTruncatedDatabase: on a file cut to half, Open returns an
// error instead of the process dying of SIGBUS in mmap.
func TestOpenRefusesTruncatedDatabase(t *testing.T) {
	path := filledDB(t)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, fastOptions(nil))
	if err == nil {
		db.Close()
		t.Fatal("a file cut to half opened")
	}
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("got %v, want ErrDamaged", err)
	}
	problems, err := CheckFile(path, 0)
	if err != nil || len(problems) == 0 {
		t.Errorf("CheckFile on a cut file: %v, %v", problems, err)
	}
}

func TestOpenNewFileWritesMarker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "helpcentre.db")
	// An empty file with no marker is a first start that stopped early.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, fastOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check on a new database: %v", err)
	}
	db.Close()
	if _, err := os.Stat(InitMarker(path)); err != nil {
		t.Errorf("no marker after the first Open: %v", err)
	}
	if problems, err := CheckFile(path, 0); err != nil || len(problems) > 0 {
		t.Errorf("CheckFile on a sound file: %v, %v", problems, err)
	}
}

// TestCheckFileFindsDamagedPages: bytes overwritten in the middle of the
// file pass the meta checks and are found by the page check.
func TestCheckFileFindsDamagedPages(t *testing.T) {
	path := filledDB(t)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	junk := bytes.Repeat([]byte{0xAB}, 64<<10)
	if _, err := f.WriteAt(junk, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	problems, err := CheckFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 {
		t.Error("CheckFile found nothing wrong with 64 KB of junk in the middle")
	}
}
