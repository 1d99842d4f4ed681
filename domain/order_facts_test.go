package domain

import (
	"context"
	"errors"
	"testing"
	"time"
)

// handlerFactRule is the help centre's deflection handler's rule as it was
// written in the handler (server/api_deflect.go, factRule): FactRule must
// answer the same.
func handlerFactRule(f *OrderFacts, cat string) string {
	if f == nil {
		return ""
	}
	switch cat {
	case "refunds", "returns":
		if f.RefundUntil != nil {
			if f.RefundOpen {
				return "rule: order " + f.Order + " is inside its refund window (until " + f.RefundUntil.UTC().Format("2 Jan 2006") + ")"
			}
			return "rule: order " + f.Order + "'s refund window closed on " + f.RefundUntil.UTC().Format("2 Jan 2006")
		}
	case "claims":
		if f.OpenIncident != nil {
			return "rule: an incident is open on order " + f.Order
		}
		if f.OpenClaim != nil {
			return "rule: a claim is open on order " + f.Order + ", due " + f.OpenClaim.Deadline.UTC().Format("2 Jan 15:04") + " UTC"
		}
	}
	return ""
}

func TestFactRuleAsHandler(t *testing.T) {
	p := DefaultPolicy()
	shipped := testOrder()
	unshipped := testOrder()
	unshipped.ShippedAt, unshipped.DeliveredAt = nil, nil
	cancelled := testOrder()
	cancelled.State = OrderCancelled
	claim := Claim{ID: "c1", State: ClaimOpen, Reason: ClaimDefect, OpenedAt: t0.Add(50 * time.Hour)}
	facts := []*OrderFacts{nil}
	for _, o := range []*Order{shipped, unshipped, cancelled} {
		for _, now := range []time.Time{t0.Add(time.Hour), t0.Add(p.RefundWithin + time.Hour)} {
			for _, in := range [][]Incident{nil, {{ID: "i1", State: IncidentOpen, Reason: "damaged"}}} {
				for _, cl := range [][]Claim{nil, {claim}} {
					f := FactsOf(p, o, in, cl, true, now)
					facts = append(facts, &f)
				}
			}
		}
	}
	cats := []string{CategoryRefunds, CategoryReturns, CategoryClaims, "orders", ""}
	seen := map[string]bool{}
	for i, f := range facts {
		for _, cat := range cats {
			got, want := FactRule(f, cat), handlerFactRule(f, cat)
			if got != want {
				t.Errorf("facts %d, category %q: got %q, want %q", i, cat, got, want)
			}
			seen[want] = true
		}
	}
	if len(seen) < 5 { // "", window open, window closed, incident, claim
		t.Errorf("the cases cover %d distinct answers, want 5", len(seen))
	}
}

type factServices struct {
	OrderService
	IncidentService
	ClaimService
	order            *Order
	orderErr, incErr error
	incidents        []Incident
	claims           []Claim
	claimErr         error
}

func (f *factServices) FindOrder(ctx context.Context, number string) (*Order, error) {
	return f.order, f.orderErr
}

func (f *factServices) ListIncidents(ctx context.Context, number, cursor string, limit int) ([]Incident, string, error) {
	return f.incidents, "", f.incErr
}

func (f *factServices) ListClaims(ctx context.Context, number, cursor string, limit int) ([]Claim, string, error) {
	return f.claims, "", f.claimErr
}

func TestReadOrderFacts(t *testing.T) {
	p := DefaultPolicy()
	ctx := context.Background()
	now := t0.Add(time.Hour)
	fs := &factServices{order: testOrder(), incidents: []Incident{{ID: "i1", State: IncidentOpen}}}
	src := OrderFactSources{Orders: fs, Incidents: fs, Claims: fs}

	f, err := ReadOrderFacts(ctx, src, p, "1001", now)
	want := FactsOf(p, fs.order, fs.incidents, nil, true, now)
	if err != nil || f == nil || f.OpenIncident == nil || f.OpenIncident.ID != want.OpenIncident.ID || f.RefundOpen != want.RefundOpen {
		t.Fatalf("got %+v, %v; want %+v", f, err, want)
	}
	for _, number := range []string{"", string(make([]byte, MaxOrderNumber+1))} {
		if f, err := ReadOrderFacts(ctx, src, p, number, now); f != nil || err != nil {
			t.Errorf("number %q: got %v, %v; want none", number, f, err)
		}
	}
	if f, err := ReadOrderFacts(ctx, OrderFactSources{}, p, "1001", now); f != nil || err != nil {
		t.Errorf("no order service: got %v, %v; want none", f, err)
	}
	fs.orderErr = ErrNotFound("Order 1001")
	if f, err := ReadOrderFacts(ctx, src, p, "1001", now); f != nil || err != nil {
		t.Errorf("not the caller's order: got %v, %v; want none", f, err)
	}
	fs.orderErr = errors.New("disk")
	if f, err := ReadOrderFacts(ctx, src, p, "1001", now); f != nil || err == nil {
		t.Errorf("failing store: got %v, %v; want an error", f, err)
	}
	// Incidents failing: facts from the order's own count, and the error.
	fs.orderErr, fs.incErr = nil, errors.New("disk")
	fs.order.OpenIncidents = 1
	f, err = ReadOrderFacts(ctx, src, p, "1001", now)
	if f == nil || err == nil || f.OpenIncident == nil || f.OpenIncident.ID != "" {
		t.Errorf("incidents failing: got %+v, %v; want facts from the order's count and an error", f, err)
	}
	// No incident service: the same, without an error.
	f, err = ReadOrderFacts(ctx, OrderFactSources{Orders: fs}, p, "1001", now)
	if f == nil || err != nil || f.OpenIncident == nil {
		t.Errorf("no incident service: got %+v, %v", f, err)
	}
}
