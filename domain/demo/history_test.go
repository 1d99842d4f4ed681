package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
)

// TestSeedHistoryAtServices seeds the history through services whose clock
// is the past instant (bolt's DB.At): the records carry those instants.
func TestSeedHistoryAtServices(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost}) // behaviour, not durability
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	svc := bolt.NewServices(db, p)
	ctx := context.Background()
	now := time.Now()
	base := demo.Services{Access: svc.Access, Orders: svc.Orders}
	if _, err := demo.Seed(ctx, base, now); err != nil {
		t.Fatal(err)
	}
	h := demo.History{Services: base, Threads: svc.Threads, Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims,
		AtServices: func(at time.Time) demo.HistoryServices {
			s := bolt.NewServices(db.At(at), p)
			if err := db.At(at).Close(); err != nil { // a view closes nothing
				t.Fatal(err)
			}
			return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
		}}
	if err := demo.SeedHistory(ctx, h, now); err != nil {
		t.Fatal(err)
	}
	sam, err := svc.Access.Authenticate(ctx, demo.Token("sam"))
	if err != nil {
		t.Fatal(err)
	}
	stats, err := svc.Work.ShopStats(domain.WithActor(ctx, sam), "shop-1", now.Add(-60*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if stats.CustomerMessages == 0 || stats.AnsweredWithin48h == 0 || stats.AnsweredWithin48h == stats.CustomerMessages ||
		stats.IncidentsOpened == 0 || stats.Claims == 0 || stats.Refunds == 0 {
		t.Errorf("shop-1 statistics show too little: %+v", stats)
	}
	th, err := svc.Threads.ListThreads(domain.WithActor(ctx, sam), domain.ThreadFilter{Sort: "last_message", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	oldest := now
	for _, x := range th.Threads {
		if x.CreatedAt.Before(oldest) {
			oldest = x.CreatedAt
		}
	}
	if now.Sub(oldest) < 30*24*time.Hour {
		t.Errorf("the oldest thread was created %s ago; history goes back sixty days", now.Sub(oldest))
	}
}

// TestSeedHistoryAnyWindows: the demo starts whatever windows are
// configured (serve --demo --refund-within 24h failed on the history's
// refund four days after shipment); steps the windows forbid are left out.
func TestSeedHistoryAnyWindows(t *testing.T) {
	for _, w := range []struct{ reply, claim, refund time.Duration }{
		{48 * time.Hour, 72 * time.Hour, 24 * time.Hour},
		{time.Hour, time.Hour, time.Hour},
		{100 * time.Hour, 200 * time.Hour, 2000 * time.Hour},
	} {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		p := domain.DefaultPolicy()
		p.SellerReplyWithin, p.ClaimResolveWithin, p.RefundWithin = w.reply, w.claim, w.refund
		svc := bolt.NewServices(db, p)
		ctx, now := context.Background(), time.Now()
		base := demo.Services{Access: svc.Access, Orders: svc.Orders}
		if _, err := demo.Seed(ctx, base, now); err != nil {
			t.Fatalf("%+v: %v", w, err)
		}
		h := demo.History{Services: base, Threads: svc.Threads, Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims,
			AtServices: func(at time.Time) demo.HistoryServices {
				s := bolt.NewServices(db.At(at), p)
				return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
			}}
		if err := demo.SeedHistory(ctx, h, now); err != nil {
			t.Errorf("windows %+v: %v", w, err)
		}
		db.Close()
	}
}
