package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// PostgreSQL killed with SIGKILL mid-stream and restarted: every write
// Update acknowledged is there, no transaction is half there, and the engine
// carries on on new connections.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of its own")
	}
	t.Parallel()
	c := pgtest.New(t)
	ctx := context.Background()
	admin, err := postgres.Open(ctx, c.URL("postgres"), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin.Close()
	e := open(t, c.URL("postgres"))
	if err := e.Update(func(tx kv.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		fails int
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("w%d-%05d", w, n)
				// Two keys per transaction: both or neither.
				err := e.Update(func(tx kv.Tx) error {
					b := tx.Bucket([]byte("b"))
					if err := b.Put([]byte(k+"a"), []byte(k)); err != nil {
						return err
					}
					return b.Put([]byte(k+"b"), []byte(k))
				})
				mu.Lock()
				if err == nil {
					acked[k] = true
				} else {
					fails++
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for count() < 200 {
		time.Sleep(10 * time.Millisecond)
	}
	c.Kill()
	before := count()
	time.Sleep(100 * time.Millisecond)
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	for count() < before+200 {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d transactions acknowledged, %d failed while the server was down (%d acknowledged before the kill)", len(acked), fails, before)
	if fails == 0 {
		t.Error("no transaction failed: was the server killed?")
	}
	if err := e.View(func(tx kv.Tx) error {
		b := tx.Bucket([]byte("b"))
		for k := range acked {
			if string(b.Get([]byte(k+"a"))) != k || string(b.Get([]byte(k+"b"))) != k {
				t.Errorf("acknowledged %s missing", k)
			}
		}
		half := 0
		err := b.ForEach(func(k, v []byte) error {
			other := append([]byte(nil), k...)
			if other[len(other)-1] == 'a' {
				other[len(other)-1] = 'b'
			} else {
				other[len(other)-1] = 'a'
			}
			if b.Get(other) == nil {
				half++
			}
			return nil
		})
		if half > 0 {
			t.Errorf("%d transactions half there", half)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
