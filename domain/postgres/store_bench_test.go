package postgres_test

import (
	"context"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// BenchmarkPostMessage is the store's durable post on PostgreSQL, as the
// bench's posting phase does it: 64 goroutines, each posting as ana on its
// own thread of order 1001, while a worker claims the outbox events the
// posts write (the webhook worker's Due and MarkDelivered). It reports
// posts/s and the transactions run again per post.
//
//	go test -run '^$' -bench BenchmarkPostMessage -benchtime 5s ./domain/postgres/
//
// HELPCENTRE_BENCH_GROUP=1 has the store group concurrent posts in one
// transaction (postgres.Options.GroupWrites), as on bbolt.
// HELPCENTRE_BENCH_POSTGRES names another (throwaway) database to run on,
// for comparing a server's settings; by default the test cluster's.
func BenchmarkPostMessage(b *testing.B) {
	url := os.Getenv("HELPCENTRE_BENCH_POSTGRES")
	if url == "" {
		url = pgtest.DB(b)
	}
	eng, db, w := demoStore(b, url, postgres.Options{GroupWrites: os.Getenv("HELPCENTRE_BENCH_GROUP") == "1"})
	ctx := context.Background()
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0 // no quota: one customer posts on every thread
	ts := bolt.NewThreadService(db, p)
	actx := demoActor(w, "ana")
	const writers = 64
	ids := make([]string, writers)
	for i := range ids {
		th, err := ts.CreateThread(actx, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "start"})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = th.ID
	}
	// The webhook worker: claim what is due, mark it delivered.
	stop := make(chan struct{})
	done := make(chan struct{})
	out := bolt.NewOutboxService(db, domain.DefaultPolicy())
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			evs, err := out.Due(ctx, time.Now(), 100)
			if err != nil {
				b.Error(err)
				return
			}
			for _, ev := range evs {
				if err := out.MarkDelivered(ctx, ev.ID, time.Now()); err != nil {
					b.Error(err)
					return
				}
			}
			if len(evs) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	var next atomic.Int64
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	r0 := eng.Retries()
	var cluster *pgtest.Cluster
	if os.Getenv("HELPCENTRE_BENCH_POSTGRES") == "" {
		cluster = pgtest.Shared(b)
	}
	var pg0 time.Duration
	var pgErr error
	if cluster != nil {
		pg0, pgErr = cluster.CPU()
	}
	self0 := selfCPU()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		id := ids[int(next.Add(1)-1)%writers]
		nm := domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "One more detail about my order: the parcel number is 00340434161234567890."}
		for pb.Next() {
			if _, err := ts.PostMessage(actx, id, nm); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "posts/s")
	b.ReportMetric(float64(eng.Retries()-r0)/float64(b.N), "retries/post")
	// Processor time per post, which noise moves less than posts/s: the
	// store's Go code (this process, the worker included) and PostgreSQL's.
	b.ReportMetric(float64((selfCPU()-self0).Microseconds())/float64(b.N), "go-µs/post")
	if cluster != nil && pgErr == nil {
		if pg1, err := cluster.CPU(); err == nil {
			b.ReportMetric(float64((pg1-pg0).Microseconds())/float64(b.N), "pg-µs/post")
		}
	}
}
