package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// BenchmarkUpdate: durable transactions of 5 Gets and 10 Puts (new keys)
// from 16×GOMAXPROCS goroutines, as a post's worth of store work.
//
//	go test -run '^$' -bench BenchmarkUpdate -benchtime 5s ./domain/postgres/
func BenchmarkUpdate(b *testing.B) {
	e := open(b, pgtest.DB(b)) // fsync and synchronous_commit on
	const existing = 10000
	if err := e.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range existing {
			if err := bk.Put(fmt.Appendf(nil, "k%06d", i), []byte("a value of some forty bytes, like a record")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var writer atomic.Int64
	b.SetParallelism(16)
	cpu0, cpuErr := pgtest.Shared(b).CPU()
	b.ResetTimer()
	t0 := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		w := writer.Add(1)
		n := 0
		for pb.Next() {
			n++
			if err := e.Update(func(tx kv.Tx) error {
				bk := tx.Bucket([]byte("b"))
				for range 5 {
					if bk.Get(fmt.Appendf(nil, "k%06d", rand.IntN(existing))) == nil {
						return fmt.Errorf("missing key")
					}
				}
				for j := range 10 {
					if err := bk.Put(fmt.Appendf(nil, "w%03d-%07d-%02d", w, n, j), []byte("a value of some forty bytes, like a record")); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(t0)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tx/s")
	b.ReportMetric(float64(e.Retries())/float64(b.N), "retries/tx")
	if cpu1, err := pgtest.Shared(b).CPU(); err == nil && cpuErr == nil {
		// PostgreSQL's processor time per transaction: what bounds tx/s
		// on a machine whose cores it has to itself.
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "pg-µs/tx")
	}
}

// BenchmarkView: read-only transactions of 5 Gets and a 20-key cursor walk
// (an inbox page's worth) from 16×GOMAXPROCS goroutines.
func BenchmarkView(b *testing.B) {
	e := open(b, pgtest.DB(b))
	const existing = 10000
	if err := e.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range existing {
			if err := bk.Put(fmt.Appendf(nil, "k%06d", i), []byte("a value of some forty bytes, like a record")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	cpu0, cpuErr := pgtest.Shared(b).CPU()
	b.SetParallelism(16)
	b.ResetTimer()
	t0 := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := e.View(func(tx kv.Tx) error {
				bk := tx.Bucket([]byte("b"))
				for range 5 {
					if bk.Get(fmt.Appendf(nil, "k%06d", rand.IntN(existing))) == nil {
						return fmt.Errorf("missing key")
					}
				}
				c := bk.Cursor()
				n := 0
				for k, _ := c.Seek(fmt.Appendf(nil, "k%06d", rand.IntN(existing-20))); k != nil && n < 20; k, _ = c.Next() {
					n++
				}
				if n != 20 {
					return fmt.Errorf("walked %d keys", n)
				}
				return nil
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "tx/s")
	if cpu1, err := pgtest.Shared(b).CPU(); err == nil && cpuErr == nil {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "pg-µs/tx")
	}
}
