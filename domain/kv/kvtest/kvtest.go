// Package kvtest is the conformance suite of domain/kv: what every engine
// (bbolt, PostgreSQL) must do the same way, bbolt's behaviour being the
// reference (kvtest's own test runs the suite on bbolt through a small
// adapter, so the suite states nothing bbolt does not do).
//
//	func TestKV(t *testing.T) {
//		kvtest.Run(t, func(t *testing.T) kv.Engine { ... a new, empty engine, closed by t.Cleanup ... })
//	}
//
// Where bbolt's behaviour is an accident the suite leaves it unspecified:
//   - after Cursor.Delete, Next may skip the following key on bbolt (bbolt
//     issue #146): re-Seek to the deleted key, which lands on its successor;
//   - an empty value may read back as nil or as an empty slice;
//   - which error an empty key or a key over 32 KiB gets (bbolt's
//     ErrKeyRequired, ErrKeyTooLarge have no kv twin): only that it fails;
//   - the longest key: bbolt takes 32 KiB, PostgreSQL about 2 KiB (a btree
//     entry fits in a third of a page); the suite uses up to 1 KiB.
package kvtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/marketplace/helpcentre/domain/kv"
)

// Run runs every case, each on a new engine from open.
func Run(t *testing.T, open func(t *testing.T) kv.Engine) {
	cases := []struct {
		name string
		f    func(t *testing.T, e kv.Engine)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"GetMany", testGetMany},
		{"Prefetch", testPrefetch},
		{"SeekNil", testSeekNil},
		{"KeysAndValues", testKeysAndValues},
		{"ByteOrder", testByteOrder},
		{"Cursor", testCursor},
		{"CursorEmpty", testCursorEmpty},
		{"CursorDelete", testCursorDelete},
		{"LongWalk", testLongWalk},
		{"NestedBuckets", testNestedBuckets},
		{"DeleteBucket", testDeleteBucket},
		{"IncompatibleValue", testIncompatible},
		{"TopLevelForEach", testTopLevelForEach},
		{"Sequence", testSequence},
		{"Rollback", testRollback},
		{"ReadYourWrites", testReadYourWrites},
		{"ViewCannotWrite", testViewCannotWrite},
		{"ViewSnapshot", testViewSnapshot},
		{"FnError", testFnError},
		{"ConcurrentIncrements", testConcurrentIncrements},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.f(t, open(t))
		})
	}
}

func update(t *testing.T, e kv.Engine, fn func(tx kv.Tx) error) {
	t.Helper()
	if err := e.Update(fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, e kv.Engine, fn func(tx kv.Tx) error) {
	t.Helper()
	if err := e.View(fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// mustBucket(t)(tx.CreateBucket(name)) is the bucket, or fails t.
func mustBucket(t *testing.T) func(b kv.Bucket, err error) kv.Bucket {
	return func(b kv.Bucket, err error) kv.Bucket {
		t.Helper()
		if err != nil {
			t.Fatalf("create bucket: %v", err)
		}
		if b == nil {
			t.Fatal("create bucket returned nil")
		}
		return b
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func wantGet(t *testing.T, b kv.Bucket, key, want string) {
	t.Helper()
	got := b.Get([]byte(key))
	if want == "<nil>" {
		if got != nil {
			t.Errorf("Get(%q) = %q, want nil", key, got)
		}
		return
	}
	if string(got) != want || got == nil {
		t.Errorf("Get(%q) = %q, want %q", key, got, want)
	}
}

// keys lists a bucket's keys in ForEach order; a nested bucket as "name/".
func keys(t *testing.T, b kv.Bucket) []string {
	t.Helper()
	var ks []string
	mustOK(t, b.ForEach(func(k, v []byte) error {
		if v == nil && b.Bucket(k) != nil {
			ks = append(ks, string(k)+"/")
		} else {
			ks = append(ks, string(k))
		}
		return nil
	}))
	return ks
}

func wantKeys(t *testing.T, b kv.Bucket, want ...string) {
	t.Helper()
	if got := keys(t, b); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("keys %q, want %q", got, want)
	}
}

type kvpair struct{ k, v []byte }

func (p kvpair) String() string {
	if p.k == nil {
		return "<end>"
	}
	return fmt.Sprintf("%q=%q", p.k, p.v)
}

func at(k, v []byte) kvpair { return kvpair{k, v} }

func wantAt(t *testing.T, what string, got kvpair, wantKey string) {
	t.Helper()
	if wantKey == "" {
		if got.k != nil {
			t.Errorf("%s: at %v, want the end (nil key)", what, got)
		}
		return
	}
	if string(got.k) != wantKey {
		t.Errorf("%s: at %v, want key %q", what, got, wantKey)
	}
}

func testGetPutDelete(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		wantGet(t, b, "k", "<nil>")
		mustOK(t, b.Put([]byte("k"), []byte("v1")))
		wantGet(t, b, "k", "v1")
		mustOK(t, b.Put([]byte("k"), []byte("v2")))
		wantGet(t, b, "k", "v2")
		mustOK(t, b.Put([]byte("gone"), []byte("x")))
		mustOK(t, b.Delete([]byte("gone")))
		wantGet(t, b, "gone", "<nil>")
		mustOK(t, b.Delete([]byte("never"))) // deleting a missing key is fine
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b == nil {
			t.Fatal("bucket b missing after commit")
		}
		wantGet(t, b, "k", "v2")
		wantGet(t, b, "gone", "<nil>")
		wantGet(t, b, "missing", "<nil>")
		wantKeys(t, b, "k")
		return nil
	})
	// A key over bbolt's MaxKeySize (32 KiB) and an empty key are refused;
	// a key of 1 KiB is fine (bbolt takes up to 32 KiB, PostgreSQL less).
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if err := b.Put(nil, []byte("x")); err == nil {
			t.Error("Put(nil key) succeeded")
		}
		if err := b.Put([]byte{}, []byte("x")); err == nil {
			t.Error("Put(empty key) succeeded")
		}
		if err := b.Put(make([]byte, 32769), []byte("x")); err == nil {
			t.Error("Put(32769-byte key) succeeded")
		}
		big := bytes.Repeat([]byte{'k'}, 1024)
		mustOK(t, b.Put(big, []byte("big")))
		if got := b.Get(big); string(got) != "big" {
			t.Errorf("1 KiB key: Get = %q", got)
		}
		mustOK(t, b.Delete(big))
		if got := b.Get(nil); got != nil {
			t.Errorf("Get(nil) = %q", got)
		}
		if got := b.Get([]byte{}); got != nil {
			t.Errorf("Get(empty) = %q", got)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error { wantKeys(t, tx.Bucket([]byte("b")), "k"); return nil })
}

// testGetMany: kv.GetMany answers as Get does, key by key: values, missing
// keys, nested buckets, duplicates, an empty list, and this transaction's
// own writes and deletes.
func testGetMany(t *testing.T, e kv.Engine) {
	keys := func(ks ...string) [][]byte {
		out := make([][]byte, len(ks))
		for i, k := range ks {
			out[i] = []byte(k)
		}
		return out
	}
	check := func(b kv.Bucket, ks []string, want ...string) {
		t.Helper()
		got := kv.GetMany(b, keys(ks...))
		if len(got) != len(ks) {
			t.Fatalf("GetMany(%q): %d values, want %d", ks, len(got), len(ks))
		}
		for i := range ks {
			g := "<nil>"
			if got[i] != nil {
				g = string(got[i])
			}
			if g != want[i] {
				t.Errorf("GetMany(%q)[%d] = %q, want %q", ks, i, g, want[i])
			}
			if one := b.Get([]byte(ks[i])); (one == nil) != (got[i] == nil) || string(one) != string(got[i]) {
				t.Errorf("GetMany(%q)[%d] = %q, Get = %q", ks, i, got[i], one)
			}
		}
	}
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		mustOK(t, b.Put([]byte("a"), []byte("1")))
		mustOK(t, b.Put([]byte("c"), []byte("3")))
		mustOK(t, b.Put([]byte("e"), []byte{}))
		mustBucket(t)(b.CreateBucket([]byte("nested")))
		check(b, []string{"c", "a", "x", "nested", "a", "e"}, "3", "1", "<nil>", "<nil>", "1", "")
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		check(b, []string{"c", "a", "x", "nested", "a", "e"}, "3", "1", "<nil>", "<nil>", "1", "")
		check(b, nil)
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		mustOK(t, b.Put([]byte("a"), []byte("one")))
		mustOK(t, b.Delete([]byte("c")))
		mustOK(t, b.Put([]byte("z"), []byte("26")))
		check(b, []string{"a", "c", "z", "e"}, "one", "<nil>", "26", "")
		return nil
	})
}

// testSeekNil: Seek(nil) and Seek of an empty key go to the first key
// (the store pages a whole bucket with a nil prefix).
func testSeekNil(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		mustOK(t, b.Put([]byte("a"), []byte("1")))
		mustOK(t, b.Put([]byte("b"), []byte("2")))
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		for _, seek := range [][]byte{nil, {}} {
			if k, v := b.Cursor().Seek(seek); string(k) != "a" || string(v) != "1" {
				t.Errorf("Seek(%#v) = %q, %q; want a, 1", seek, k, v)
			}
		}
		return nil
	})
}

func testKeysAndValues(t *testing.T, e kv.Engine) {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	large := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		mustOK(t, b.Put([]byte("bin"), bin))
		mustOK(t, b.Put([]byte("large"), large))
		mustOK(t, b.Put([]byte("empty"), []byte{}))
		mustOK(t, b.Put([]byte("nil"), nil))
		mustOK(t, b.Put(bin, []byte("binary key")))
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if got := b.Get([]byte("bin")); !bytes.Equal(got, bin) {
			t.Errorf("binary value: %x", got)
		}
		if got := b.Get([]byte("large")); !bytes.Equal(got, large) {
			t.Errorf("1 MiB value: %d bytes back", len(got))
		}
		if got := b.Get(bin); string(got) != "binary key" {
			t.Errorf("binary key: %q", got)
		}
		// An empty value is a value: present in a walk, not a bucket.
		for _, k := range []string{"empty", "nil"} {
			if got := b.Get([]byte(k)); len(got) != 0 {
				t.Errorf("Get(%q) = %q, want empty", k, got)
			}
			if b.Bucket([]byte(k)) != nil {
				t.Errorf("Bucket(%q) of an empty value is not nil", k)
			}
			k2, v := b.Cursor().Seek([]byte(k))
			if string(k2) != k || len(v) != 0 {
				t.Errorf("Seek(%q) = %q, %q", k, k2, v)
			}
		}
		// Values stay valid until the transaction ends.
		v1 := b.Get([]byte("bin"))
		b.Get([]byte("large"))
		b.Cursor().First()
		if !bytes.Equal(v1, bin) {
			t.Error("a value changed under later reads of the same transaction")
		}
		return nil
	})
}

func testByteOrder(t *testing.T, e kv.Engine) {
	ks := []string{"a", "a\x00", "a\x00\x00", "a\x00b", "a\x01", "a\xff", "a\xff\xff", "ab",
		"\x00", "\x00\x00", "\x00\xff", "\x01", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\xff",
		"B", "b", "\x7f", "\x80", "é", "z"}
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		for i, k := range ks {
			mustOK(t, b.Put([]byte(k), []byte(fmt.Sprint(i))))
		}
		return nil
	})
	want := append([]string(nil), ks...)
	sort.Strings(want) // Go strings compare as bytes
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantKeys(t, b, want...)
		c := b.Cursor()
		var back []string
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			back = append(back, string(k))
		}
		for i, j := 0, len(back)-1; i < j; i, j = i+1, j-1 {
			back[i], back[j] = back[j], back[i]
		}
		if strings.Join(back, "|") != strings.Join(want, "|") {
			t.Errorf("backwards: %q, want %q", back, want)
		}
		for i, k := range ks {
			wantGet(t, b, k, fmt.Sprint(i))
		}
		// Seek between neighbours that differ only in a trailing 0x00/0xff.
		for _, s := range []struct{ seek, want string }{
			{"a\x00\x00\x00", "a\x00b"}, {"a\x00", "a\x00"}, {"a\xfe", "a\xff"}, {"\xff\xff\xff\x00", ""},
			{"", "\x00"}, {"\x00\x00\x00", "\x00\xff"},
		} {
			wantAt(t, fmt.Sprintf("Seek(%q)", s.seek), at(c.Seek([]byte(s.seek))), s.want)
		}
		return nil
	})
}

// fill creates bucket b holding keys (value = key + "!").
func fill(t *testing.T, e kv.Engine, ks ...string) {
	t.Helper()
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucketIfNotExists([]byte("b")))
		for _, k := range ks {
			mustOK(t, b.Put([]byte(k), []byte(k+"!")))
		}
		return nil
	})
}

func testCursor(t *testing.T, e kv.Engine) {
	fill(t, e, "b", "d", "f", "h")
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		k, v := c.First()
		if string(k) != "b" || string(v) != "b!" {
			t.Errorf("First = %q, %q", k, v)
		}
		wantAt(t, "Next", at(c.Next()), "d")
		wantAt(t, "Next", at(c.Next()), "f")
		wantAt(t, "Prev", at(c.Prev()), "d")
		wantAt(t, "Last", at(c.Last()), "h")
		wantAt(t, "Next past the end", at(c.Next()), "")
		wantAt(t, "Next again past the end", at(c.Next()), "")
		wantAt(t, "First", at(c.First()), "b")
		wantAt(t, "Prev before the start", at(c.Prev()), "")
		wantAt(t, "Prev again before the start", at(c.Prev()), "")
		// Seek: exact, between keys, before the first, past the last.
		wantAt(t, "Seek(d)", at(c.Seek([]byte("d"))), "d")
		wantAt(t, "Seek(e)", at(c.Seek([]byte("e"))), "f")
		wantAt(t, "Next after Seek(e)", at(c.Next()), "h")
		wantAt(t, "Seek(e)", at(c.Seek([]byte("e"))), "f")
		wantAt(t, "Prev after Seek(e)", at(c.Prev()), "d")
		wantAt(t, "Seek(a)", at(c.Seek([]byte("a"))), "b")
		wantAt(t, "Prev after Seek(a)", at(c.Prev()), "")
		wantAt(t, "Seek(a\\x00)", at(c.Seek([]byte("a\x00"))), "b")
		wantAt(t, "Seek(nil)", at(c.Seek(nil)), "b") // as bbolt: from the first key
		wantAt(t, "Next after Seek(nil)", at(c.Next()), "d")
		// The last key ≤ x: Seek past the end, then Prev.
		wantAt(t, "Seek(z)", at(c.Seek([]byte("z"))), "")
		wantAt(t, "Prev after Seek past the end", at(c.Prev()), "h")
		wantAt(t, "Seek(h\\xff)", at(c.Seek([]byte("h\xff"))), "")
		wantAt(t, "Prev after Seek(h\\xff)", at(c.Prev()), "h")
		// bbolt: a cursor that ran off an end stays on the last key it
		// was on, so turning back skips it.
		c.Last()
		c.Next()
		wantAt(t, "Prev after running off the end", at(c.Prev()), "f")
		c.First()
		c.Prev()
		wantAt(t, "Next after running off the start", at(c.Next()), "d")
		// Two cursors are independent.
		c1, c2 := tx.Bucket([]byte("b")).Cursor(), tx.Bucket([]byte("b")).Cursor()
		c1.First()
		c2.Last()
		wantAt(t, "c1.Next", at(c1.Next()), "d")
		wantAt(t, "c2.Prev", at(c2.Prev()), "f")
		return nil
	})
}

func testCursorEmpty(t *testing.T, e kv.Engine) {
	fill(t, e)
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		wantAt(t, "First", at(c.First()), "")
		wantAt(t, "Last", at(c.Last()), "")
		wantAt(t, "Seek", at(c.Seek([]byte("x"))), "")
		wantAt(t, "Next", at(c.Next()), "")
		wantAt(t, "Prev", at(c.Prev()), "")
		n := 0
		mustOK(t, tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error { n++; return nil }))
		if n != 0 {
			t.Errorf("ForEach on an empty bucket called fn %d times", n)
		}
		return nil
	})
}

func testCursorDelete(t *testing.T, e kv.Engine) {
	fill(t, e, "a", "b", "c", "d", "e", "f", "g")
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		mustBucket(t)(b.CreateBucket([]byte("sub")))
		c := b.Cursor()
		// Delete every other key while walking; after a Delete, re-Seek
		// the deleted key (bbolt's Next may skip one after a Delete).
		var seen []string
		odd := true
		for k, _ := c.First(); k != nil; {
			seen = append(seen, string(k))
			if odd && b.Bucket(k) == nil {
				mustOK(t, c.Delete())
				k, _ = c.Seek(k)
			} else {
				k, _ = c.Next()
			}
			odd = !odd
		}
		if got := strings.Join(seen, ""); got != "abcdefgsub" {
			t.Errorf("walk saw %q", got)
		}
		wantKeys(t, b, "b", "d", "f", "sub/")
		c.Seek([]byte("sub"))
		wantErr(t, "cursor Delete on a nested bucket", c.Delete(), kv.ErrIncompatibleValue)
		// Delete the last key, then walk backwards.
		c.Seek([]byte("f"))
		mustOK(t, c.Delete())
		wantAt(t, "Last after deleting f", at(c.Last()), "sub")
		wantAt(t, "Prev", at(c.Prev()), "d")
		// Delete everything but the bucket, walking with Seek.
		for k, _ := c.First(); k != nil; {
			if b.Bucket(k) != nil {
				k, _ = c.Next()
				continue
			}
			mustOK(t, c.Delete())
			k, _ = c.Seek(k)
		}
		wantKeys(t, b, "sub/")
		return nil
	})
	view(t, e, func(tx kv.Tx) error { wantKeys(t, tx.Bucket([]byte("b")), "sub/"); return nil })
}

func key(i int) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(i)*7) // gaps between keys for Seek
	return k
}

func testLongWalk(t *testing.T, e kv.Engine) {
	const n = 1500
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		b.SetFillPercent(0.9)
		for i := range n {
			mustOK(t, b.Put(key(i), []byte(fmt.Sprint(i))))
		}
		// Neighbours that must not show up in the walk.
		mustBucket(t)(tx.CreateBucket([]byte("a")))
		mustBucket(t)(tx.CreateBucket([]byte("c")))
		mustOK(t, tx.Bucket([]byte("a")).Put([]byte("x"), []byte("x")))
		mustOK(t, tx.Bucket([]byte("c")).Put(key(3), []byte("x")))
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		c := tx.Bucket([]byte("b")).Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !bytes.Equal(k, key(i)) || string(v) != fmt.Sprint(i) {
				t.Fatalf("forward step %d: %x=%q", i, k, v)
			}
			i++
		}
		if i != n {
			t.Errorf("forward walk saw %d keys, want %d", i, n)
		}
		i = n - 1
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if !bytes.Equal(k, key(i)) || string(v) != fmt.Sprint(i) {
				t.Fatalf("backward step %d: %x=%q", i, k, v)
			}
			i--
		}
		if i != -1 {
			t.Errorf("backward walk stopped at %d", i)
		}
		// Zig-zag from the middle, across any window an engine reads in.
		k, _ := c.Seek(append(key(700), 0)) // between 700 and 701
		if !bytes.Equal(k, key(701)) {
			t.Fatalf("Seek between 700 and 701: %x", k)
		}
		for j := 702; j < 1000; j++ {
			if k, _ := c.Next(); !bytes.Equal(k, key(j)) {
				t.Fatalf("Next to %d: %x", j, k)
			}
		}
		for j := 998; j > 400; j-- {
			if k, _ := c.Prev(); !bytes.Equal(k, key(j)) {
				t.Fatalf("Prev to %d: %x", j, k)
			}
		}
		// SeekBefore: the last key below, then on either way; nothing
		// below the first key; the last key from past the end.
		if k, v := kv.SeekBefore(c, append(key(700), 0)); !bytes.Equal(k, key(700)) || string(v) != "700" {
			t.Fatalf("SeekBefore between 700 and 701: %x=%q", k, v)
		}
		for j := 699; j > 600; j-- {
			if k, _ := c.Prev(); !bytes.Equal(k, key(j)) {
				t.Fatalf("Prev after SeekBefore to %d: %x", j, k)
			}
		}
		for j := 602; j < 800; j++ {
			if k, _ := c.Next(); !bytes.Equal(k, key(j)) {
				t.Fatalf("Next after SeekBefore to %d: %x", j, k)
			}
		}
		if k, _ := kv.SeekBefore(c, key(0)); k != nil {
			t.Errorf("SeekBefore the first key: %x", k)
		}
		if k, _ := kv.SeekBefore(c, []byte{0xff, 0xff}); !bytes.Equal(k, key(n-1)) {
			t.Errorf("SeekBefore past the last key: %x", k)
		}
		if k, _ := kv.SeekBefore(tx.Bucket([]byte("a")).Cursor(), []byte("x")); k != nil {
			t.Errorf("SeekBefore the only key: %x", k)
		}
		// ReadAhead is a hint: the walk is the same, any size asked, within
		// a prefix or not.
		for _, ahead := range []int{1, 100, 5000} {
			kv.ReadAhead(c, ahead, nil)
			i := 0
			for k, _ := c.Seek(key(200)); k != nil; k, _ = c.Next() {
				if !bytes.Equal(k, key(200+i)) {
					t.Fatalf("ReadAhead(%d), Seek then step %d: %x", ahead, i, k)
				}
				i++
			}
			if i != n-200 {
				t.Errorf("ReadAhead(%d): the walk saw %d keys, want %d", ahead, i, n-200)
			}
			kv.ReadAhead(c, ahead, nil)
			i = 1299
			for k, _ := kv.SeekBefore(c, key(1300)); k != nil; k, _ = c.Prev() {
				if !bytes.Equal(k, key(i)) {
					t.Fatalf("ReadAhead(%d), SeekBefore then back to %d: %x", ahead, i, k)
				}
				i--
			}
			if i != -1 {
				t.Errorf("ReadAhead(%d): the walk back stopped at %d", ahead, i)
			}
			// The keys of one prefix (key(988)…key(1023) begin with
			// key(1000)'s first 7 bytes), walked up and down from inside
			// it, and on past its ends.
			prefix := key(1000)[:7]
			for _, from := range []int{988, 1000, 1023} {
				kv.ReadAhead(c, ahead, prefix)
				k, _ := c.Seek(key(from))
				for j := from; j < 1100; j++ {
					if !bytes.Equal(k, key(j)) {
						t.Fatalf("ReadAhead(%d, %x) Seek %d, step to %d: %x", ahead, prefix, from, j, k)
					}
					k, _ = c.Next()
				}
				kv.ReadAhead(c, ahead, prefix)
				k, _ = kv.SeekBefore(c, append(key(from), 0))
				for j := from; j > 900; j-- {
					if !bytes.Equal(k, key(j)) {
						t.Fatalf("ReadAhead(%d, %x) SeekBefore %d, step to %d: %x", ahead, prefix, from, j, k)
					}
					k, _ = c.Prev()
				}
			}
			kv.ReadAhead(c, ahead, prefix)
			if k, _ := c.Seek(key(1100)); !bytes.Equal(k, key(1100)) { // past the prefix
				t.Errorf("ReadAhead(%d, %x), Seek past the prefix: %x", ahead, prefix, k)
			}
			kv.ReadAhead(c, ahead, prefix)
			if k, _ := kv.SeekBefore(c, key(988)); !bytes.Equal(k, key(987)) { // below it
				t.Errorf("ReadAhead(%d, %x), SeekBefore the prefix: %x", ahead, prefix, k)
			} else if k, _ := c.Prev(); !bytes.Equal(k, key(986)) {
				t.Errorf("then Prev: %x", k)
			}
		}
		// KeysOnly is a hint too: the same keys, up and down, values or not.
		ko := kv.KeysOnly(tx.Bucket([]byte("b")).Cursor())
		kv.ReadAhead(ko, 50, key(1000)[:7])
		k, _ = ko.Seek(key(990))
		for j := 990; j < 1100; j++ {
			if !bytes.Equal(k, key(j)) {
				t.Fatalf("KeysOnly, Seek 990, step to %d: %x", j, k)
			}
			k, _ = ko.Next()
		}
		k, _ = kv.SeekBefore(ko, key(1300))
		for j := 1299; j > 1200; j-- {
			if !bytes.Equal(k, key(j)) {
				t.Fatalf("KeysOnly, SeekBefore 1300, step to %d: %x", j, k)
			}
			k, _ = ko.Prev()
		}
		if k, _ := ko.Last(); !bytes.Equal(k, key(n-1)) {
			t.Errorf("KeysOnly, Last: %x", k)
		}
		count := 0
		mustOK(t, tx.Bucket([]byte("b")).ForEach(func(k, v []byte) error { count++; return nil }))
		if count != n {
			t.Errorf("ForEach saw %d keys", count)
		}
		return nil
	})
}

func testNestedBuckets(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		if tx.Bucket([]byte("top")) != nil {
			t.Error("Bucket of a missing bucket is not nil")
		}
		top := mustBucket(t)(tx.CreateBucket([]byte("top")))
		_, err := tx.CreateBucket([]byte("top"))
		wantErr(t, "CreateBucket of an existing top-level bucket", err, kv.ErrBucketExists)
		mustOK(t, top.Put([]byte("a"), []byte("1")))
		mid := mustBucket(t)(top.CreateBucket([]byte("mid")))
		mustOK(t, top.Put([]byte("z"), []byte("2")))
		_, err = top.CreateBucket([]byte("mid"))
		wantErr(t, "CreateBucket of an existing nested bucket", err, kv.ErrBucketExists)
		again := mustBucket(t)(top.CreateBucketIfNotExists([]byte("mid")))
		mustOK(t, again.Put([]byte("m"), []byte("3")))
		wantGet(t, mid, "m", "3")
		low := mustBucket(t)(mid.CreateBucket([]byte("low")))
		mustOK(t, low.Put([]byte("deep"), []byte("4")))
		// The same key in different buckets are different keys.
		mustOK(t, mid.Put([]byte("a"), []byte("mid a")))
		if top.Bucket([]byte("nope")) != nil {
			t.Error("Bucket of a missing nested bucket is not nil")
		}
		_, err = top.CreateBucket(nil)
		if err == nil {
			t.Error("CreateBucket with an empty name succeeded")
		}
		_, err = tx.CreateBucket([]byte{})
		if err == nil {
			t.Error("top-level CreateBucket with an empty name succeeded")
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		top := tx.Bucket([]byte("top"))
		// A nested bucket is a key with a nil value in its parent; Get
		// returns nil for it.
		var got []string
		mustOK(t, top.ForEach(func(k, v []byte) error {
			got = append(got, fmt.Sprintf("%s=%v", k, v == nil))
			return nil
		}))
		if strings.Join(got, " ") != "a=false mid=true z=false" {
			t.Errorf("ForEach: %s", got)
		}
		wantGet(t, top, "mid", "<nil>")
		c := top.Cursor()
		k, v := c.Seek([]byte("mid"))
		if string(k) != "mid" || v != nil {
			t.Errorf("cursor on a nested bucket: %q, %q (want nil value)", k, v)
		}
		wantAt(t, "Next past the nested bucket", at(c.Next()), "z")
		mid := top.Bucket([]byte("mid"))
		wantKeys(t, mid, "a", "low/", "m")
		wantGet(t, mid, "a", "mid a")
		wantGet(t, top, "a", "1")
		wantGet(t, mid.Bucket([]byte("low")), "deep", "4")
		wantKeys(t, mid.Bucket([]byte("low")), "deep")
		return nil
	})
}

func testDeleteBucket(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		for _, name := range []string{"a", "b", "b\x00", "bb", "c"} {
			x := mustBucket(t)(tx.CreateBucket([]byte(name)))
			mustOK(t, x.Put([]byte("k"), []byte(name)))
		}
		b := tx.Bucket([]byte("b"))
		mid := mustBucket(t)(b.CreateBucket([]byte("mid")))
		low := mustBucket(t)(mid.CreateBucket([]byte("low")))
		mustOK(t, low.Put([]byte("deep"), []byte("x")))
		_, err := low.NextSequence()
		mustOK(t, err)
		_, err = b.NextSequence()
		mustOK(t, err)
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		// Deleting a nested bucket in its parent.
		b := tx.Bucket([]byte("b"))
		mid := b.Bucket([]byte("mid"))
		mustOK(t, mid.DeleteBucket([]byte("low")))
		if mid.Bucket([]byte("low")) != nil {
			t.Error("deleted nested bucket still there")
		}
		wantErr(t, "DeleteBucket of a missing nested bucket", mid.DeleteBucket([]byte("low")), kv.ErrBucketNotFound)
		low := mustBucket(t)(mid.CreateBucket([]byte("low")))
		wantKeys(t, low)
		if s := low.Sequence(); s != 0 {
			t.Errorf("recreated bucket's sequence %d", s)
		}
		mustOK(t, low.Put([]byte("again"), []byte("y")))
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		wantErr(t, "DeleteBucket of a missing top-level bucket", tx.DeleteBucket([]byte("nope")), kv.ErrBucketNotFound)
		// Deleting a top-level bucket removes everything inside, however
		// deep, and nothing of its neighbours whose names share a prefix.
		mustOK(t, tx.DeleteBucket([]byte("b")))
		if tx.Bucket([]byte("b")) != nil {
			t.Error("deleted bucket b still there")
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		var names []string
		mustOK(t, tx.ForEach(func(name []byte, b kv.Bucket) error {
			names = append(names, string(name))
			return nil
		}))
		if strings.Join(names, "|") != "a|b\x00|bb|c" {
			t.Errorf("buckets left %q", names)
		}
		for _, name := range []string{"a", "b\x00", "bb", "c"} {
			wantGet(t, tx.Bucket([]byte(name)), "k", name)
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		// A recreated bucket is empty, with no nested buckets nor sequence.
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		wantKeys(t, b)
		if b.Bucket([]byte("mid")) != nil {
			t.Error("recreated bucket has the old nested bucket")
		}
		if s := b.Sequence(); s != 0 {
			t.Errorf("recreated bucket's sequence %d", s)
		}
		// Delete and recreate in one transaction.
		mustOK(t, b.Put([]byte("x"), []byte("1")))
		mustOK(t, tx.DeleteBucket([]byte("b")))
		b = mustBucket(t)(tx.CreateBucket([]byte("b")))
		wantKeys(t, b)
		mustOK(t, b.Put([]byte("y"), []byte("2")))
		return nil
	})
	view(t, e, func(tx kv.Tx) error { wantKeys(t, tx.Bucket([]byte("b")), "y"); return nil })
}

func testIncompatible(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		mustBucket(t)(b.CreateBucket([]byte("sub")))
		mustOK(t, b.Put([]byte("val"), []byte("v")))
		wantErr(t, "Put on a nested bucket", b.Put([]byte("sub"), []byte("x")), kv.ErrIncompatibleValue)
		wantErr(t, "Delete of a nested bucket", b.Delete([]byte("sub")), kv.ErrIncompatibleValue)
		_, err := b.CreateBucket([]byte("val"))
		wantErr(t, "CreateBucket on a value", err, kv.ErrIncompatibleValue)
		_, err = b.CreateBucketIfNotExists([]byte("val"))
		wantErr(t, "CreateBucketIfNotExists on a value", err, kv.ErrIncompatibleValue)
		wantErr(t, "DeleteBucket of a value", b.DeleteBucket([]byte("val")), kv.ErrIncompatibleValue)
		if b.Bucket([]byte("val")) != nil {
			t.Error("Bucket of a value is not nil")
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantKeys(t, b, "sub/", "val")
		wantGet(t, b, "val", "v")
		return nil
	})
}

func testTopLevelForEach(t *testing.T, e kv.Engine) {
	names := []string{"zeta", "alpha", "\x00first", "mid", "\xfflast", "alpha2", "Beta"}
	update(t, e, func(tx kv.Tx) error {
		for _, n := range names {
			b := mustBucket(t)(tx.CreateBucket([]byte(n)))
			mustOK(t, b.Put([]byte("name"), []byte(n)))
		}
		return nil
	})
	want := append([]string(nil), names...)
	sort.Strings(want)
	view(t, e, func(tx kv.Tx) error {
		var got []string
		mustOK(t, tx.ForEach(func(name []byte, b kv.Bucket) error {
			got = append(got, string(name))
			if b == nil {
				t.Fatalf("ForEach gave a nil bucket for %q", name)
			}
			wantGet(t, b, "name", string(name))
			return nil
		}))
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("ForEach order %q, want %q", got, want)
		}
		stop := errors.New("stop")
		n := 0
		if err := tx.ForEach(func(name []byte, b kv.Bucket) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("ForEach returning an error: %v after %d calls", err, n)
		}
		if tx.Writable() {
			t.Error("View's Writable() is true")
		}
		if tx.Err() != nil {
			t.Errorf("Err() = %v", tx.Err())
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		if !tx.Writable() {
			t.Error("Update's Writable() is false")
		}
		return nil
	})
}

func testSequence(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		sub := mustBucket(t)(b.CreateBucket([]byte("sub")))
		if s := b.Sequence(); s != 0 {
			t.Errorf("new bucket's sequence %d", s)
		}
		for want := uint64(1); want <= 3; want++ {
			s, err := b.NextSequence()
			mustOK(t, err)
			if s != want {
				t.Errorf("NextSequence = %d, want %d", s, want)
			}
		}
		if s := b.Sequence(); s != 3 {
			t.Errorf("Sequence = %d, want 3", s)
		}
		if s := sub.Sequence(); s != 0 {
			t.Errorf("nested bucket's sequence %d, want its own 0", s)
		}
		s, err := sub.NextSequence()
		mustOK(t, err)
		if s != 1 {
			t.Errorf("nested NextSequence %d", s)
		}
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if s := b.Sequence(); s != 3 {
			t.Errorf("committed sequence %d, want 3", s)
		}
		mustOK(t, b.SetSequence(100))
		s, err := b.NextSequence()
		mustOK(t, err)
		if s != 101 {
			t.Errorf("NextSequence after SetSequence(100) = %d", s)
		}
		return nil
	})
	// A rolled back transaction leaves the sequence as it was.
	boom := errors.New("boom")
	if err := e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		b.NextSequence()
		b.NextSequence()
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		if s := b.Sequence(); s != 101 {
			t.Errorf("sequence after a rollback %d, want 101", s)
		}
		// The whole uint64 range.
		mustOK(t, b.SetSequence(1<<63+5))
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		if s := tx.Bucket([]byte("b")).Sequence(); s != 1<<63+5 {
			t.Errorf("sequence %d, want %d", s, uint64(1<<63+5))
		}
		if s := tx.Bucket([]byte("b")).Bucket([]byte("sub")).Sequence(); s != 1 {
			t.Errorf("nested sequence %d, want 1", s)
		}
		return nil
	})
}

func testRollback(t *testing.T, e kv.Engine) {
	fill(t, e, "keep", "drop")
	update(t, e, func(tx kv.Tx) error {
		mustBucket(t)(tx.Bucket([]byte("b")).CreateBucket([]byte("sub")))
		mustBucket(t)(tx.CreateBucket([]byte("other")))
		return nil
	})
	boom := errors.New("boom")
	err := e.Update(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		mustOK(t, b.Put([]byte("keep"), []byte("changed")))
		mustOK(t, b.Put([]byte("new"), []byte("x")))
		mustOK(t, b.Delete([]byte("drop")))
		mustOK(t, b.DeleteBucket([]byte("sub")))
		mustOK(t, tx.DeleteBucket([]byte("other")))
		n := mustBucket(t)(tx.CreateBucket([]byte("created")))
		mustOK(t, n.Put([]byte("x"), []byte("y")))
		mustBucket(t)(b.CreateBucket([]byte("sub2")))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantKeys(t, b, "drop", "keep", "sub/")
		wantGet(t, b, "keep", "keep!")
		if tx.Bucket([]byte("created")) != nil {
			t.Error("a rolled back CreateBucket left its bucket")
		}
		if tx.Bucket([]byte("other")) == nil {
			t.Error("a rolled back DeleteBucket removed its bucket")
		}
		return nil
	})
	// The engine is still usable, and the rolled back bucket can be made.
	update(t, e, func(tx kv.Tx) error {
		n := mustBucket(t)(tx.CreateBucket([]byte("created")))
		wantKeys(t, n)
		mustBucket(t)(tx.Bucket([]byte("b")).CreateBucket([]byte("sub2")))
		return nil
	})
	// A panic in fn also rolls back (and the panic goes on).
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic in fn did not reach the caller")
			}
		}()
		e.Update(func(tx kv.Tx) error {
			tx.Bucket([]byte("b")).Put([]byte("panic"), []byte("x"))
			panic("fn panics")
		})
	}()
	view(t, e, func(tx kv.Tx) error { wantGet(t, tx.Bucket([]byte("b")), "panic", "<nil>"); return nil })
}

func testReadYourWrites(t *testing.T, e kv.Engine) {
	fill(t, e, "b", "d")
	update(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		c := b.Cursor()
		wantAt(t, "First", at(c.First()), "b")
		mustOK(t, b.Put([]byte("a"), []byte("new")))
		mustOK(t, b.Put([]byte("c"), []byte("new")))
		mustOK(t, b.Delete([]byte("d")))
		mustOK(t, b.Put([]byte("b"), []byte("changed")))
		wantGet(t, b, "b", "changed")
		// A cursor opened after the writes sees them.
		c = b.Cursor()
		var got []string
		for k, v := c.First(); k != nil; k, v = c.Next() {
			got = append(got, string(k)+"="+string(v))
		}
		if strings.Join(got, " ") != "a=new b=changed c=new" {
			t.Errorf("cursor after writes: %s", got)
		}
		wantAt(t, "Last", at(c.Last()), "c")
		wantKeys(t, b, "a", "b", "c")
		// A bucket made in this transaction is there to read and walk.
		n := mustBucket(t)(tx.CreateBucket([]byte("n")))
		mustOK(t, n.Put([]byte("k"), []byte("v")))
		if tx.Bucket([]byte("n")) == nil {
			t.Error("bucket created in this transaction not found")
		}
		wantGet(t, tx.Bucket([]byte("n")), "k", "v")
		var names []string
		tx.ForEach(func(name []byte, _ kv.Bucket) error { names = append(names, string(name)); return nil })
		if strings.Join(names, " ") != "b n" {
			t.Errorf("buckets %q", names)
		}
		mustOK(t, tx.DeleteBucket([]byte("n")))
		if tx.Bucket([]byte("n")) != nil {
			t.Error("bucket deleted in this transaction still found")
		}
		return nil
	})
}

func testViewCannotWrite(t *testing.T, e kv.Engine) {
	fill(t, e, "k")
	update(t, e, func(tx kv.Tx) error { mustBucket(t)(tx.Bucket([]byte("b")).CreateBucket([]byte("sub"))); return nil })
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantErr(t, "Put", b.Put([]byte("k"), []byte("x")), kv.ErrTxNotWritable)
		wantErr(t, "Delete", b.Delete([]byte("k")), kv.ErrTxNotWritable)
		_, err := b.CreateBucket([]byte("new"))
		wantErr(t, "CreateBucket", err, kv.ErrTxNotWritable)
		_, err = b.CreateBucketIfNotExists([]byte("sub"))
		wantErr(t, "CreateBucketIfNotExists of an existing bucket", err, kv.ErrTxNotWritable)
		_, err = tx.CreateBucket([]byte("new"))
		wantErr(t, "tx.CreateBucket", err, kv.ErrTxNotWritable)
		_, err = tx.CreateBucketIfNotExists([]byte("b"))
		wantErr(t, "tx.CreateBucketIfNotExists", err, kv.ErrTxNotWritable)
		wantErr(t, "DeleteBucket", b.DeleteBucket([]byte("sub")), kv.ErrTxNotWritable)
		wantErr(t, "tx.DeleteBucket", tx.DeleteBucket([]byte("b")), kv.ErrTxNotWritable)
		_, err = b.NextSequence()
		wantErr(t, "NextSequence", err, kv.ErrTxNotWritable)
		wantErr(t, "SetSequence", b.SetSequence(7), kv.ErrTxNotWritable)
		c := b.Cursor()
		c.First()
		wantErr(t, "cursor Delete", c.Delete(), kv.ErrTxNotWritable)
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantKeys(t, b, "k", "sub/")
		wantGet(t, b, "k", "k!")
		if s := b.Sequence(); s != 0 {
			t.Errorf("sequence %d", s)
		}
		return nil
	})
}

func testViewSnapshot(t *testing.T, e kv.Engine) {
	fill(t, e, "k", "m")
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantGet(t, b, "k", "k!")
		// Another transaction commits changes while this one is open.
		done := make(chan error)
		go func() {
			done <- e.Update(func(tx kv.Tx) error {
				b := tx.Bucket([]byte("b"))
				if err := b.Put([]byte("k"), []byte("new")); err != nil {
					return err
				}
				if err := b.Put([]byte("l"), []byte("new")); err != nil {
					return err
				}
				if err := b.Delete([]byte("m")); err != nil {
					return err
				}
				if _, err := b.NextSequence(); err != nil {
					return err
				}
				_, err := tx.CreateBucket([]byte("later"))
				return err
			})
		}()
		mustOK(t, <-done)
		wantGet(t, b, "k", "k!")
		wantGet(t, b, "l", "<nil>")
		wantKeys(t, b, "k", "m")
		if s := b.Sequence(); s != 0 {
			t.Errorf("snapshot sees sequence %d", s)
		}
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		wantKeys(t, b, "k", "l")
		wantGet(t, b, "k", "new")
		if tx.Bucket([]byte("later")) == nil {
			t.Error("bucket made by the other transaction missing")
		}
		return nil
	})
}

func testFnError(t *testing.T, e kv.Engine) {
	mine := fmt.Errorf("wrapped: %w", errors.New("mine"))
	if err := e.View(func(tx kv.Tx) error { return mine }); err != mine {
		t.Errorf("View returned %v, want fn's error itself", err)
	}
	if err := e.Update(func(tx kv.Tx) error { return mine }); err != mine {
		t.Errorf("Update returned %v, want fn's error itself", err)
	}
	if err := e.Batch(func(tx kv.Tx) error { return mine }); !errors.Is(err, mine) {
		t.Errorf("Batch returned %v, want fn's error", err)
	}
	mustOK(t, e.Batch(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("batch"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	view(t, e, func(tx kv.Tx) error { wantGet(t, tx.Bucket([]byte("batch")), "k", "v"); return nil })
}

// Read-modify-write of one key from many goroutines: the engine serialises
// conflicting writers (re-running fn where it must), so no increment is lost.
func testConcurrentIncrements(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		return b.Put([]byte("n"), binary.BigEndian.AppendUint64(nil, 0))
	})
	const workers, each = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := e.Update
			if w%2 == 1 {
				run = e.Batch
			}
			for range each {
				errs <- run(func(tx kv.Tx) error {
					b := tx.Bucket([]byte("b"))
					n := binary.BigEndian.Uint64(b.Get([]byte("n")))
					if err := b.Put([]byte("n"), binary.BigEndian.AppendUint64(nil, n+1)); err != nil {
						return err
					}
					// A second key, written from what was read, must agree.
					return b.Put(fmt.Appendf(nil, "w%02d", w), fmt.Appendf(nil, "%d", n+1))
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("increment: %v", err)
		}
	}
	view(t, e, func(tx kv.Tx) error {
		if n := binary.BigEndian.Uint64(tx.Bucket([]byte("b")).Get([]byte("n"))); n != workers*each {
			t.Errorf("counter %d, want %d", n, workers*each)
		}
		return nil
	})
}

// testPrefetch: kv.Prefetch is a hint: the Gets after it read what they
// would have read without it (values of two buckets, a missing key, a nested
// bucket, a key written before and one written after, the same key twice),
// and a View may prefetch too.
func testPrefetch(t *testing.T, e kv.Engine) {
	update(t, e, func(tx kv.Tx) error {
		a := mustBucket(t)(tx.CreateBucket([]byte("a")))
		b := mustBucket(t)(tx.CreateBucket([]byte("b")))
		mustBucket(t)(a.CreateBucket([]byte("nested")))
		mustOK(t, a.Put([]byte("k1"), []byte("a1")))
		mustOK(t, a.Put([]byte("k2"), []byte("a2")))
		mustOK(t, b.Put([]byte("k1"), []byte("b1")))
		return nil
	})
	update(t, e, func(tx kv.Tx) error {
		a, b := tx.Bucket([]byte("a")), tx.Bucket([]byte("b"))
		mustOK(t, a.Put([]byte("k2"), []byte("mine")))
		kv.Prefetch(tx, kv.BucketKey{Bucket: a, Key: []byte("k1")}, kv.BucketKey{Bucket: b, Key: []byte("k1")},
			kv.BucketKey{Bucket: a, Key: []byte("k2")}, kv.BucketKey{Bucket: b, Key: []byte("missing")},
			kv.BucketKey{Bucket: a, Key: []byte("nested")}, kv.BucketKey{Bucket: a, Key: []byte("k1")},
			kv.BucketKey{Bucket: tx.Bucket([]byte("never made")), Key: []byte("k1")}, kv.BucketKey{Bucket: b})
		wantGet(t, a, "k1", "a1")
		wantGet(t, b, "k1", "b1")
		wantGet(t, a, "k2", "mine")
		wantGet(t, b, "missing", "<nil>")
		if v := a.Get([]byte("nested")); v != nil {
			t.Errorf("Get of a nested bucket after Prefetch = %q, want nil", v)
		}
		if got := kv.GetMany(a, [][]byte{[]byte("k1"), []byte("k2")}); string(got[0]) != "a1" || string(got[1]) != "mine" {
			t.Errorf("GetMany after Prefetch = %q", got)
		}
		mustOK(t, b.Put([]byte("k1"), []byte("changed")))
		mustOK(t, a.Delete([]byte("k1")))
		wantGet(t, b, "k1", "changed")
		wantGet(t, a, "k1", "<nil>")
		return nil
	})
	view(t, e, func(tx kv.Tx) error {
		a, b := tx.Bucket([]byte("a")), tx.Bucket([]byte("b"))
		kv.Prefetch(tx, kv.BucketKey{Bucket: a, Key: []byte("k2")}, kv.BucketKey{Bucket: b, Key: []byte("k1")})
		wantGet(t, a, "k2", "mine")
		wantGet(t, b, "k1", "changed")
		wantGet(t, a, "k1", "<nil>")
		return nil
	})
}
