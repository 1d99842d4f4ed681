package postgres_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// copySource writes a bbolt file with what the store's schema has little
// of: sequences, an empty value, buckets nested two deep, an empty nested
// bucket, and a bucket of 5,000 keys (many chunks).
func copySource(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.db")
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		top, err := tx.CreateBucket([]byte("top"))
		if err != nil {
			return err
		}
		if err := top.SetSequence(41); err != nil {
			return err
		}
		if err := top.Put([]byte("empty"), []byte{}); err != nil {
			return err
		}
		inner, err := top.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		if _, err := inner.NextSequence(); err != nil {
			return err
		}
		deeper, err := inner.CreateBucket([]byte("deeper"))
		if err != nil {
			return err
		}
		for i := range 25 {
			if err := deeper.Put(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
				return err
			}
		}
		if _, err := top.CreateBucket([]byte("vacant")); err != nil {
			return err
		}
		many, err := tx.CreateBucket([]byte("many"))
		if err != nil {
			return err
		}
		for i := range 5000 {
			if err := many.Put(fmt.Appendf(nil, "key-%06d", i), fmt.Appendf(nil, `{"n":%d,"pad":"%0100d"}`, i, i)); err != nil {
				return err
			}
		}
		return many.SetSequence(5000)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func differing(t *testing.T, from, to kv.Engine) []string {
	t.Helper()
	checks, err := bolt.VerifyStore(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, c := range checks {
		if !c.OK() {
			bad = append(bad, c.Path)
		}
	}
	slices.Sort(bad)
	return bad
}

// TestCopyStoreOntoPostgres copies a bbolt file onto the PostgreSQL engine
// in chunks: sequences, empty values and nested buckets arrive, a second
// copy writes nothing, and what was changed on PostgreSQL behind the
// store's back (a value, a stray key and bucket, a sequence, a missing key,
// a value where a bucket belongs) is flagged by VerifyStore and put right
// by the next copy.
func TestCopyStoreOntoPostgres(t *testing.T) {
	ctx := context.Background()
	from, err := bolt.OpenFileReadOnly(copySource(t), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	url := pgtest.DB(t)
	to, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close()

	rep, err := bolt.CopyStore(ctx, from, to, bolt.CopyOptions{ChunkKeys: 300})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Keys != 5029 || rep.Written != rep.Keys || rep.Txs < 5000/300 {
		t.Errorf("first copy: %d keys, %d written, %d transactions; want 5,029 keys all written, in chunks of 300", rep.Keys, rep.Written, rep.Txs)
	}
	if bad := differing(t, from, to); len(bad) > 0 {
		t.Fatalf("after the copy, buckets differ: %v", bad)
	}
	// The bulk load is settled before anything serves it: statistics for
	// the planner and the visibility map, not left to the first readers.
	var vacuumed, analyzed bool
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'kv'`).Scan(&vacuumed, &analyzed); err != nil {
		t.Fatal(err)
	}
	if !vacuumed || !analyzed {
		t.Errorf("after the copy kv was vacuumed %v, analyzed %v; want both", vacuumed, analyzed)
	}
	if err := to.View(func(tx kv.Tx) error {
		top := tx.Bucket([]byte("top"))
		if top.Sequence() != 41 || top.Get([]byte("empty")) == nil || len(top.Get([]byte("empty"))) != 0 {
			t.Errorf("top: sequence %d, empty value %q; want 41 and an empty, present value", top.Sequence(), top.Get([]byte("empty")))
		}
		if v := top.Bucket([]byte("inner")).Bucket([]byte("deeper")).Get([]byte("k024")); string(v) != "v24" {
			t.Errorf("top/inner/deeper k024 = %q", v)
		}
		if top.Bucket([]byte("vacant")) == nil {
			t.Error("the empty nested bucket was not copied")
		}
		return tx.Err()
	}); err != nil {
		t.Fatal(err)
	}

	again, err := bolt.CopyStore(ctx, from, to, bolt.CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Deleted != 0 {
		t.Errorf("second copy: %d written, %d deleted; want nothing", again.Written, again.Deleted)
	}

	if err := to.Update(func(tx kv.Tx) error {
		many := tx.Bucket([]byte("many"))
		if err := many.Put([]byte("key-002500"), []byte("changed")); err != nil {
			return err
		}
		if err := many.Delete([]byte("key-004999")); err != nil {
			return err
		}
		if err := many.Put([]byte("key-002500a"), []byte("stray")); err != nil {
			return err
		}
		top := tx.Bucket([]byte("top"))
		if err := top.SetSequence(7); err != nil {
			return err
		}
		if _, err := top.Bucket([]byte("inner")).CreateBucket([]byte("stray")); err != nil {
			return err
		}
		if err := top.DeleteBucket([]byte("vacant")); err != nil {
			return err
		}
		return top.Put([]byte("vacant"), []byte("a value where a bucket was"))
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"many", "top", "top/inner", "top/vacant"}
	if bad := differing(t, from, to); !slices.Equal(bad, want) {
		t.Errorf("a tampered target: verification flags %v, want %v", bad, want)
	}
	repair, err := bolt.CopyStore(ctx, from, to, bolt.CopyOptions{ChunkKeys: 300})
	if err != nil {
		t.Fatal(err)
	}
	// Written: key-002500, key-004999, the bucket vacant; deleted:
	// key-002500a, the stray bucket.
	if repair.Written != 3 || repair.Deleted != 2 {
		t.Errorf("repair: %d written, %d deleted; want 3 and 2", repair.Written, repair.Deleted)
	}
	if bad := differing(t, from, to); len(bad) > 0 {
		t.Errorf("after the repair, buckets differ: %v", bad)
	}
}
