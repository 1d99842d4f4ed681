package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// BenchmarkPostMessage posts messages durably (one synced commit per bbolt
// batch) from 64 goroutines, each on its own thread.
func BenchmarkPostMessage(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "domain.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ts := NewThreadService(db, domain.DefaultPolicy())
	u := w.Users["ana"]
	ctx := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role})
	const writers = 64
	ids := make([]string, writers)
	for i := range ids {
		th, err := ts.CreateThread(ctx, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "start"})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = th.ID
	}
	var next atomic.Int64
	// RunParallel runs parallelism × GOMAXPROCS goroutines.
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		id := ids[int(next.Add(1)-1)%writers]
		nm := domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "Any news about my order? It has been a while."}
		for pb.Next() {
			if _, err := ts.PostMessage(ctx, id, nm); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkListThreads100k answers seller and operator inbox queries over
// 100,000 threads (half of them shop-1's) and reports latency percentiles.
func BenchmarkListThreads100k(b *testing.B) {
	const n = 100_000
	db, err := Open(filepath.Join(b.TempDir(), "domain.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ts := NewThreadService(db, domain.DefaultPolicy())
	now := time.Now().UTC()
	began := time.Now()
	if err := fillThreads(db, ts, n, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d threads in %s", n, time.Since(began).Round(time.Millisecond))

	sam := domain.WithActor(context.Background(), domain.Actor{UserID: w.Users["sam"].ID, Role: domain.RoleSeller, ShopID: "shop-1"})
	olga := domain.WithActor(context.Background(), domain.Actor{UserID: w.Users["olga"].ID, Role: domain.RoleAgent})
	since, until := now.Add(-30*24*time.Hour), now.Add(-20*24*time.Hour)
	queries := []struct {
		name string
		ctx  context.Context
		f    domain.ThreadFilter
	}{
		{"seller_all", sam, domain.ThreadFilter{}},
		{"seller_due", sam, domain.ThreadFilter{Sort: "due"}},
		{"seller_unread", sam, domain.ThreadFilter{Status: "unread"}},
		{"seller_overdue", sam, domain.ThreadFilter{Status: "overdue"}},
		{"seller_topic", sam, domain.ThreadFilter{Topic: domain.TopicInvoice}},
		{"seller_topic_unread_due", sam, domain.ThreadFilter{Topic: domain.TopicInvoice, Status: "unread", Sort: "due"}},
		{"seller_customer", sam, domain.ThreadFilter{Customer: "customer 42"}},
		{"seller_order", sam, domain.ThreadFilter{OrderNumber: "o-4242"}},
		{"seller_range", sam, domain.ThreadFilter{Since: &since, Until: &until}},
		{"seller_range_topic", sam, domain.ThreadFilter{Since: &since, Until: &until, Topic: domain.TopicDelivery}},
		{"seller_range_by_due", sam, domain.ThreadFilter{Since: &since, Until: &until, Sort: "due"}}, // checked on records: bounded by threadMaxScan
		{"seller_page3", sam, domain.ThreadFilter{}},
		{"operator_all", olga, domain.ThreadFilter{}},
		{"operator_overdue", olga, domain.ThreadFilter{Status: "overdue"}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			f := q.f
			if q.name == "seller_page3" {
				for range 2 {
					p, err := ts.ListThreads(q.ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					f.Cursor = p.Next
				}
			}
			lat := make([]time.Duration, 0, b.N)
			got := 0
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				p, err := ts.ListThreads(q.ctx, f)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				got = len(p.Threads)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
			b.ReportMetric(float64(got), "threads")
		})
	}
}

// fillThreads writes n threads straight through the store's own helpers, in
// transactions of 5,000: half to shop-1, 1,000 customers, topics from the
// list, last messages over 200 days, a fifth with a running seller clock.
func fillThreads(db *DB, ts *ThreadService, n int, now time.Time) error {
	rng := rand.New(rand.NewPCG(1, 2))
	topics := domain.Topics()
	const per = 5000
	for done := 0; done < n; done += per {
		err := db.update(context.Background(), func(t *txn) error {
			for i := done; i < min(n, done+per); i++ {
				last := now.Add(-time.Duration(n-i) * (200 * 24 * time.Hour / time.Duration(n)))
				id, err := db.newID(last)
				if err != nil {
					return err
				}
				shop := "shop-1"
				if i%2 == 1 {
					shop = fmt.Sprintf("shop-%d", 2+rng.IntN(50))
				}
				cust := rng.IntN(1000)
				r := &threadRecord{Thread: domain.Thread{
					ID: id.String(), OrderNumber: fmt.Sprintf("o-%d", i/3), ShopID: shop, CustomerID: fmt.Sprintf("c-%d", cust),
					Customer: fmt.Sprintf("Customer %d", cust), Topic: topics[rng.IntN(len(topics))], Subject: "About my order",
					Locale: "en", Parties: []domain.Party{domain.PartyCustomer, domain.PartySeller}, Status: domain.ThreadOpen,
					CreatedAt: last, CreatedBy: "bench", LastMessage: last,
				}}
				if i%10 == 0 {
					r.Status = domain.ThreadClosed
				}
				m := &domain.Message{From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}, CreatedAt: last}
				if rng.IntN(3) == 0 {
					m.From, m.To = domain.PartySeller, []domain.Party{domain.PartyCustomer}
				}
				if r.Status == domain.ThreadOpen {
					domain.ApplyMessage(ts.policy, &r.Thread, &r.Marks, m)
				}
				if rng.IntN(2) == 0 {
					r.Marks.Read(domain.PartySeller, last.Add(time.Minute))
				}
				if err := putThread(t, nil, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkEraseCustomer100k is one erasure (with its sweep of every record
// and the free-page scrub) in a file of 100,000 threads: how long writers
// wait for a privacy request.
func BenchmarkEraseCustomer100k(b *testing.B) {
	now := time.Now().UTC()
	for b.Loop() {
		b.StopTimer()
		x := newAnaWorld(b)
		if err := fillThreads(x.db, x.svc.Threads, privacyBenchThreads, now); err != nil {
			b.Fatal(err)
		}
		if err := x.db.db.Sync(); err != nil { // the fill is not synced; the erasure is timed alone
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := x.privacy.EraseCustomer(x.as("adam"), x.users["ana"].ID, "ana"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		fi, _ := os.Stat(x.db.Path())
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
		x.db.Close()
		b.StartTimer()
	}
}

const privacyBenchThreads = 100_000
