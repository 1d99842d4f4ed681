package bolt

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// TestTextsSayTheConfiguredWindows: with a 24 h reply window and a 36 h
// claim window, the demo world seeds, the seller is told to resolve a new
// claim within 36 h, and the queue speaks of 36 h and 24 h, never of the
// seller guide's 72 h and 48 h.
func TestTextsSayTheConfiguredWindows(t *testing.T) {
	p := domain.DefaultPolicy()
	p.SellerReplyWithin, p.ClaimResolveWithin = 24*time.Hour, 36*time.Hour
	db, err := open(filepath.Join(t.TempDir(), "w.db"), fastOptions(nil), migrations())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := NewServices(db, p)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	as := func(name string) context.Context {
		a, err := svc.Access.Authenticate(ctx, demo.Token(name))
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(ctx, a)
	}
	cl, err := svc.Claims.OpenClaim(as("ben"), "2001", domain.ClaimDefect, "It has a hole.")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := svc.Outbox.Notifications(as("sam"), false, 20)
	if err != nil {
		t.Fatal(err)
	}
	told := false
	for _, n := range ns {
		if n.Entity == "claim:"+cl.ID {
			told = true
			if !strings.Contains(n.Title, "within 36 h") || strings.Contains(n.Title, "72") {
				t.Errorf("sam is told %q, want the 36 h window", n.Title)
			}
		}
	}
	if !told {
		t.Fatalf("sam was not told of the claim: %+v", ns)
	}
	now := time.Now()
	if r := domain.ClaimQueueItem(p, &domain.Claim{OrderNumber: "1", Reason: domain.ClaimBuyersRemorse, OpenedAt: now}, now).Reason; !strings.Contains(r, "of the 36 h") {
		t.Errorf("claim queue reason %q", r)
	}
	since := now.Add(-time.Hour)
	th := &domain.Thread{SellerReplyNeededSince: &since, LastMessage: since}
	if r := domain.ThreadQueueItem(p, th, now).Reason; !strings.Contains(r, "of the 24 h") {
		t.Errorf("thread queue reason %q", r)
	}
}
