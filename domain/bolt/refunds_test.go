package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// TestPaymentEventsForgottenAfterRetention: applied event ids are pruned
// once older than domain.PaymentEventRetention, by later callbacks.
func TestPaymentEventsForgottenAfterRetention(t *testing.T) {
	now := time.Now().UTC()
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	if _, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, p)}, now); err != nil {
		t.Fatal(err)
	}
	refunds := NewRefundService(db, p)
	r, _, err := refunds.CreateRefund(as(t, db, "sam"), "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	payments := domain.WithActor(context.Background(), domain.SystemAs("payment-callback", ""))
	apply := func(id string) error {
		_, err := refunds.ApplyPaymentCallback(payments, domain.PaymentCallback{EventID: id, SentAt: now, RefundID: r.ID, State: domain.RefundProcessing})
		return err
	}
	if err := apply("evt_1"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(domain.PaymentEventRetention - time.Minute)
	if err := apply("evt_1"); domain.ErrorCode(err) != domain.CodePaymentReplayed {
		t.Fatalf("within the retention: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if err := apply("evt_2"); err != nil { // prunes evt_1
		t.Fatal(err)
	}
	if err := apply("evt_1"); err != nil {
		t.Fatalf("after the retention: %v", err)
	}
	if err := apply("evt_2"); domain.ErrorCode(err) != domain.CodePaymentReplayed {
		t.Fatalf("a recent id was pruned: %v", err)
	}
}
