package demo_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
)

// TestServedDemo: the served demo's agent may read the statistics, and its
// deflection report has sessions on most days, with hand-offs and strict
// deflections; a second start adds nothing.
func TestServedDemo(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	svc := bolt.NewServices(db, p)
	ctx := context.Background()
	now := time.Now()
	if _, err := demo.Seed(ctx, demo.Services{Access: svc.Access, Orders: svc.Orders}, now); err != nil {
		t.Fatal(err)
	}
	defl := bolt.NewDeflectionService(db, p, nil)
	for range 2 {
		if err := demo.GrantDemoAgent(ctx, svc.Access); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedSessions(ctx, defl, now); err != nil {
			t.Fatal(err)
		}
	}
	olga, err := svc.Access.Authenticate(ctx, demo.Token("olga"))
	if err != nil {
		t.Fatal(err)
	}
	if !olga.Has(domain.PermViewStats) {
		t.Error("olga may not read the statistics")
	}
	grants, _ := svc.Access.ListGrants(domain.WithActor(ctx, olga), olga.UserID)
	if n := len(slices.DeleteFunc(grants, func(g domain.Grant) bool { return g.Permission != string(domain.PermViewStats) })); n != 1 {
		t.Errorf("olga has %d view_stats grants after two starts, want 1", n)
	}
	rep, err := defl.Report(domain.WithActor(ctx, olga), now.Add(-demo.DemoSessionDays*24*time.Hour-24*time.Hour), now, "", "")
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Totals
	if len(rep.ByDay) < demo.DemoSessionDays*9/10 || tot.Sessions < 2*demo.DemoSessionDays || tot.Sessions > 4*demo.DemoSessionDays ||
		tot.Handoffs == 0 || tot.Strict == 0 || tot.Resolved == 0 || len(rep.ByEntry) != 2 || len(rep.ByArticle) < 5 {
		t.Errorf("the demo's report: %d days, totals %+v, %d entry points, %d articles", len(rep.ByDay), tot, len(rep.ByEntry), len(rep.ByArticle))
	}
}
