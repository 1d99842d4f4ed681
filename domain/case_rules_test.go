package domain

import (
	"strings"
	"testing"
	"time"
)

var (
	t0       = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ana      = Actor{UserID: "u-ana", Role: RoleCustomer}
	ben      = Actor{UserID: "u-ben", Role: RoleCustomer}
	sam      = Actor{UserID: "u-sam", Role: RoleSeller, ShopID: "shop-1"}
	sue      = Actor{UserID: "u-sue", Role: RoleSeller, ShopID: "shop-2"}
	olga     = Actor{UserID: "u-olga", Role: RoleAgent}
	adam     = Actor{UserID: "u-adam", Role: RoleAdmin}
	payments = SystemActor
)

// testOrder: ana's order from shop-1: 2 × 1000 + 1 × 500 + 300 shipping = 2800.
func testOrder() *Order {
	shipped, delivered := t0, t0.Add(48*time.Hour)
	return &Order{Number: "1001", CustomerID: "u-ana", ShopID: "shop-1", Currency: "EUR", State: OrderDelivered,
		Lines:     []Line{{No: 1, SKU: "a", Quantity: 2, UnitPrice: 1000}, {No: 2, SKU: "b", Quantity: 1, UnitPrice: 500}},
		Shipping:  300,
		ShippedAt: &shipped, DeliveredAt: &delivered}
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	if got := ErrorCode(err); got != code {
		t.Fatalf("got code %q (%v), want %q", got, err, code)
	}
}

func TestNewIncident(t *testing.T) {
	o := testOrder()
	for _, tc := range []struct {
		name   string
		a      Actor
		line   int
		reason string
		code   Code
	}{
		{"customer on own order line", ana, 1, IncidentDamaged, ""},
		{"customer on the whole order", ana, 0, IncidentNotReceived, ""},
		{"operator on any order", olga, 2, IncidentOther, ""},
		{"admin", adam, 2, IncidentDefective, ""},
		{"another customer", ben, 1, IncidentDamaged, CodeNotFound},
		{"seller of another shop", sue, 1, IncidentDamaged, CodeNotFound},
		{"own seller may not open", sam, 1, IncidentDamaged, CodeForbidden},
		{"anonymous", Actor{}, 1, IncidentDamaged, CodeNotFound},
		{"unknown reason", ana, 1, "late", CodeInvalidIncident},
		{"line out of range", ana, 3, IncidentDamaged, CodeInvalidIncident},
		{"negative line", ana, -1, IncidentDamaged, CodeInvalidIncident},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := NewIncident(tc.a, o, tc.line, tc.reason, "", t0)
			wantCode(t, err, tc.code)
			if err == nil && (in.State != IncidentOpen || !in.OpenedAt.Equal(t0) || in.ShopID != "shop-1" || in.CustomerID != "u-ana") {
				t.Fatalf("got %+v", in)
			}
		})
	}
}

func TestIncidentTransitions(t *testing.T) {
	later := t0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		from   IncidentState
		do     func(in *Incident) error
		code   Code
		want   IncidentState
		active bool
	}{
		{"seller resolves open", IncidentOpen, func(in *Incident) error { return ResolveIncident(sam, in, "sent a new one", later) }, "", IncidentResolvedBySeller, true},
		{"seller resolves without a message", IncidentOpen, func(in *Incident) error { return ResolveIncident(sam, in, " ", later) }, CodeInvalidIncident, IncidentOpen, true},
		{"other shop's seller resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(sue, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"customer resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(ana, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"operator resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(olga, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"resolve twice", IncidentResolvedBySeller, func(in *Incident) error { return ResolveIncident(sam, in, "x", later) }, CodeIncidentState, IncidentResolvedBySeller, true},
		{"resolve closed", IncidentClosed, func(in *Incident) error { return ResolveIncident(sam, in, "x", later) }, CodeIncidentState, IncidentClosed, false},
		{"operator closes resolved", IncidentResolvedBySeller, func(in *Incident) error { return CloseIncident(olga, in, "", later) }, "", IncidentClosed, false},
		{"operator closes open with a reason", IncidentOpen, func(in *Incident) error { return CloseIncident(olga, in, "duplicate", later) }, "", IncidentClosed, false},
		{"operator closes open without a reason", IncidentOpen, func(in *Incident) error { return CloseIncident(olga, in, "", later) }, CodeCloseReasonRequired, IncidentOpen, true},
		{"seller closes", IncidentResolvedBySeller, func(in *Incident) error { return CloseIncident(sam, in, "done", later) }, CodeForbidden, IncidentResolvedBySeller, true},
		{"customer closes", IncidentOpen, func(in *Incident) error { return CloseIncident(ana, in, "ok", later) }, CodeForbidden, IncidentOpen, true},
		{"close closed", IncidentClosed, func(in *Incident) error { return CloseIncident(adam, in, "again", later) }, CodeIncidentState, IncidentClosed, false},
		{"operator reopens resolved", IncidentResolvedBySeller, func(in *Incident) error { return ReopenIncident(olga, in, "not fixed", later) }, "", IncidentOpen, true},
		{"reopen open", IncidentOpen, func(in *Incident) error { return ReopenIncident(olga, in, "", later) }, CodeIncidentState, IncidentOpen, true},
		{"reopen closed", IncidentClosed, func(in *Incident) error { return ReopenIncident(olga, in, "", later) }, CodeIncidentState, IncidentClosed, false},
		{"seller reopens", IncidentResolvedBySeller, func(in *Incident) error { return ReopenIncident(sam, in, "", later) }, CodeForbidden, IncidentResolvedBySeller, true},
		{"total refund closes open", IncidentOpen, func(in *Incident) error {
			if !CloseIncidentByRefund(in, later) {
				t.Error("CloseIncidentByRefund changed nothing")
			}
			return nil
		}, "", IncidentClosed, false},
		{"total refund closes resolved", IncidentResolvedBySeller, func(in *Incident) error { CloseIncidentByRefund(in, later); return nil }, "", IncidentClosed, false},
		{"total refund leaves closed", IncidentClosed, func(in *Incident) error {
			if CloseIncidentByRefund(in, later) {
				t.Error("CloseIncidentByRefund changed a closed incident")
			}
			return nil
		}, "", IncidentClosed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &Incident{ID: "i1", OrderNumber: "1001", ShopID: "shop-1", CustomerID: "u-ana", State: tc.from, OpenedAt: t0}
			wantCode(t, tc.do(in), tc.code)
			if in.State != tc.want {
				t.Fatalf("state %s, want %s", in.State, tc.want)
			}
			if IncidentActive(in.State) != tc.active {
				t.Fatalf("active %v, want %v", IncidentActive(in.State), tc.active)
			}
			if tc.code == "" && tc.from != in.State && !in.UpdatedAt.Equal(later) {
				t.Fatalf("updated at %s, want %s", in.UpdatedAt, later)
			}
			if in.State == IncidentClosed && tc.from != IncidentClosed && in.ClosedAt == nil {
				t.Fatal("closed without closed_at")
			}
		})
	}
}

func TestCountIncidentFreezes(t *testing.T) {
	o := testOrder()
	CountIncident(o, 1)
	CountIncident(o, 1)
	if !o.Frozen || o.OpenIncidents != 2 {
		t.Fatalf("after two: frozen %v, open %d", o.Frozen, o.OpenIncidents)
	}
	CountIncident(o, -1)
	if !o.Frozen {
		t.Fatal("one incident still open, but not frozen")
	}
	CountIncident(o, -1)
	CountIncident(o, -1) // never below zero
	if o.Frozen || o.OpenIncidents != 0 {
		t.Fatalf("after closing: frozen %v, open %d", o.Frozen, o.OpenIncidents)
	}
}

func TestRefundWindow(t *testing.T) {
	p := DefaultPolicy()
	day := 24 * time.Hour
	for _, tc := range []struct {
		name string
		at   time.Duration // after shipment
		code Code
	}{
		{"day 1", day, ""},
		{"day 199", 199 * day, ""},
		{"day 200 exactly (4,800 h)", 200 * day, ""},
		{"a second after day 200", 200*day + time.Second, CodeRefundWindowClosed},
		{"day 201", 201 * day, CodeRefundWindowClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOrder()
			_, err := PlanRefund(p, o, RefundRequest{Kind: RefundTotal}, o.ShippedAt.Add(tc.at))
			wantCode(t, err, tc.code)
			if err != nil && ErrorKind(err) != Invalid {
				t.Fatalf("kind %s, want invalid", ErrorKind(err))
			}
		})
	}
	t.Run("not shipped: the window has not begun", func(t *testing.T) {
		o := testOrder()
		o.ShippedAt, o.DeliveredAt, o.State = nil, nil, OrderPaid
		if _, err := PlanRefund(p, o, RefundRequest{Kind: RefundTotal}, t0.Add(400*day)); err != nil {
			t.Fatal(err)
		}
		if RefundDeadline(p, o) != nil {
			t.Fatal("deadline for an order not shipped")
		}
	})
}

func TestPlanRefund(t *testing.T) {
	p := DefaultPolicy()
	now := t0.Add(10 * 24 * time.Hour)
	for _, tc := range []struct {
		name     string
		refunded Refunded // already held
		req      RefundRequest
		code     Code
		amount   int64
	}{
		{"total", Refunded{}, RefundRequest{Kind: RefundTotal}, "", 2800},
		{"total after a partial amount", Refunded{Total: 800}, RefundRequest{Kind: RefundTotal}, "", 2000},
		{"total when all refunded", Refunded{Total: 2800}, RefundRequest{Kind: RefundTotal}, CodeRefundExceedsPaid, 0},
		{"total with an amount", Refunded{}, RefundRequest{Kind: RefundTotal, Amount: 5}, CodeInvalidRefund, 0},
		{"partial amount", Refunded{}, RefundRequest{Kind: RefundPartial, Amount: 700}, "", 700},
		{"partial amount, all of it", Refunded{}, RefundRequest{Kind: RefundPartial, Amount: 2800}, "", 2800},
		{"partial amount over paid", Refunded{}, RefundRequest{Kind: RefundPartial, Amount: 2801}, CodeRefundExceedsPaid, 0},
		{"partial amount over what is left", Refunded{Total: 2000}, RefundRequest{Kind: RefundPartial, Amount: 801}, CodeRefundExceedsPaid, 0},
		{"units of a line", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 1}}}, "", 1000},
		{"units of two lines and shipping", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 1}, {Line: 1, Units: 2}}, Shipping: 300}, "", 2800},
		{"more units than bought", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 3}}}, CodeRefundExceedsPaid, 0},
		{"units already refunded", Refunded{Lines: map[int]LineRefunded{1: {Units: 2, Amount: 2000}}, Total: 2000}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 1}}}, CodeRefundExceedsPaid, 0},
		{"the other line still", Refunded{Lines: map[int]LineRefunded{1: {Units: 2, Amount: 2000}}, Total: 2000}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 1}}}, "", 500},
		{"line fits but total does not", Refunded{Total: 2500}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 1}}}, CodeRefundExceedsPaid, 0},
		{"shipping over paid", Refunded{}, RefundRequest{Kind: RefundPartial, Shipping: 301}, CodeRefundExceedsPaid, 0},
		{"shipping already refunded", Refunded{Shipping: 300, Total: 300}, RefundRequest{Kind: RefundPartial, Shipping: 1}, CodeRefundExceedsPaid, 0},
		{"zero units", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 0}}}, CodeInvalidRefund, 0},
		{"no such line", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 9, Units: 1}}}, CodeInvalidRefund, 0},
		{"line twice", Refunded{}, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 1}, {Line: 1, Units: 1}}}, CodeInvalidRefund, 0},
		{"nothing", Refunded{}, RefundRequest{Kind: RefundPartial}, CodeInvalidRefund, 0},
		{"negative amount", Refunded{}, RefundRequest{Kind: RefundPartial, Amount: -1, Shipping: 5}, CodeInvalidRefund, 0},
		{"unknown kind", Refunded{}, RefundRequest{Kind: "half"}, CodeInvalidRefund, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOrder()
			o.Refunded = tc.refunded
			r, err := PlanRefund(p, o, tc.req, now)
			wantCode(t, err, tc.code)
			if err != nil {
				return
			}
			if r.Amount != tc.amount || r.State != RefundRequested || r.Currency != "EUR" {
				t.Fatalf("got amount %d state %s, want %d requested", r.Amount, r.State, tc.amount)
			}
			HoldRefund(o, r)
			if o.Refunded.Total > o.Paid() {
				t.Fatalf("held %d of %d paid", o.Refunded.Total, o.Paid())
			}
			before := tc.refunded.Total
			ReleaseRefund(o, r)
			if o.Refunded.Total != before {
				t.Fatalf("released to %d, want %d", o.Refunded.Total, before)
			}
		})
	}
}

func TestHoldReleaseAndRefundsAll(t *testing.T) {
	o := testOrder()
	now := t0.Add(time.Hour)
	r1, err := PlanRefund(DefaultPolicy(), o, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 2}}, Shipping: 300}, now)
	if err != nil {
		t.Fatal(err)
	}
	HoldRefund(o, r1)
	if RefundsAll(o, r1) {
		t.Fatal("2300 of 2800 is not everything")
	}
	if got := o.Refunded.Lines[1]; got.Units != 2 || got.Amount != 2000 || o.Refunded.Shipping != 300 || o.Refunded.Total != 2300 {
		t.Fatalf("held %+v", o.Refunded)
	}
	r2, err := PlanRefund(DefaultPolicy(), o, RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 1}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	HoldRefund(o, r2)
	if !RefundsAll(o, r2) {
		t.Fatal("a partial refund of what is left counts as total")
	}
	// r1 fails: its units and shipping are free again, and a retry fits.
	ReleaseRefund(o, r1)
	if _, ok := o.Refunded.Lines[1]; ok || o.Refunded.Shipping != 0 || o.Refunded.Total != 500 {
		t.Fatalf("after release %+v", o.Refunded)
	}
	if err := CheckRefundFits(o, r1); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another refund took the shipping: the retry no longer fits.
	o.Refunded.Shipping, o.Refunded.Total = 300, 800
	wantCode(t, CheckRefundFits(o, r1), CodeRefundExceedsPaid)
}

func TestCanRefund(t *testing.T) {
	p := DefaultPolicy() // agents: 50000
	o := testOrder()
	raised := olga
	raised.Grants = []Grant{{Permission: PermRefundOver, Limit: 80000}}
	unlimited := olga
	unlimited.Grants = []Grant{{Permission: PermRefundOver}}
	for _, tc := range []struct {
		name   string
		a      Actor
		amount int64
		code   Code
	}{
		{"own shop's seller", sam, 1_000_000, ""},
		{"other shop's seller", sue, 1, CodeNotFound},
		{"the customer", ana, 1, CodeForbidden},
		{"another customer", ben, 1, CodeNotFound},
		{"agent at the limit", olga, 50000, ""},
		{"agent over the limit", olga, 50001, CodeRefundOverLimit},
		{"agent with a higher grant", raised, 80000, ""},
		{"agent over the higher grant", raised, 80001, CodeRefundOverLimit},
		{"agent with an unlimited grant", unlimited, 9_000_000, ""},
		{"admin", adam, 9_000_000, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CanRefund(tc.a, p, o, tc.amount)
			wantCode(t, err, tc.code)
			if tc.code == CodeRefundOverLimit && ErrorKind(err) != Forbidden {
				t.Fatalf("kind %s, want forbidden", ErrorKind(err))
			}
		})
	}
}

func TestRefundStateMachine(t *testing.T) {
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		from, to RefundState
		code     Code
		changed  bool
	}{
		{RefundRequested, RefundProcessing, "", true},
		{RefundRequested, RefundFailed, "", true},
		{RefundRequested, RefundRefunded, CodeRefundState, false},
		{RefundProcessing, RefundRefunded, "", true},
		{RefundProcessing, RefundFailed, "", true},
		{RefundProcessing, RefundRequested, CodeRefundState, false},
		{RefundProcessing, RefundProcessing, "", false}, // a repeated callback
		{RefundRefunded, RefundFailed, CodeRefundState, false},
		{RefundRefunded, RefundRefunded, "", false},
		{RefundFailed, RefundRefunded, CodeRefundState, false},
		{RefundFailed, RefundProcessing, CodeRefundState, false},
		{RefundRequested, "lost", CodeRefundState, false},
	} {
		t.Run(string(tc.from)+"→"+string(tc.to), func(t *testing.T) {
			r := &Refund{State: tc.from}
			changed, err := AdvanceRefund(r, tc.to, "card expired", now)
			wantCode(t, err, tc.code)
			if changed != tc.changed {
				t.Fatalf("changed %v, want %v", changed, tc.changed)
			}
			if changed && r.State != tc.to {
				t.Fatalf("state %s, want %s", r.State, tc.to)
			}
			if r.State == RefundFailed && changed && r.Failure != "card expired" {
				t.Fatalf("failure %q", r.Failure)
			}
		})
	}
	t.Run("retry", func(t *testing.T) {
		r := &Refund{State: RefundFailed, Failure: "x", Attempts: 1}
		if err := RetryRefund(r, now); err != nil {
			t.Fatal(err)
		}
		if r.State != RefundRequested || r.Failure != "" || r.Attempts != 2 {
			t.Fatalf("got %+v", r)
		}
		wantCode(t, RetryRefund(r, now), CodeRefundState)
	})
	t.Run("who advances", func(t *testing.T) {
		wantCode(t, CanAdvanceRefund(payments), "")
		wantCode(t, CanAdvanceRefund(olga), "")
		wantCode(t, CanAdvanceRefund(sam), CodeForbidden)
		wantCode(t, CanAdvanceRefund(ana), CodeForbidden)
	})
}

func TestPaymentCallbackSignature(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"state":"refunded"}`)
	for _, tc := range []struct {
		name   string
		secret []byte
		header string
		now    time.Time
		ok     bool
	}{
		{"fresh", secret, SignPaymentCallback(secret, t0, body), t0.Add(time.Second), true},
		{"4m59s old", secret, SignPaymentCallback(secret, t0, body), t0.Add(4*time.Minute + 59*time.Second), true},
		{"5m01s old", secret, SignPaymentCallback(secret, t0, body), t0.Add(5*time.Minute + time.Second), false},
		{"from the future", secret, SignPaymentCallback(secret, t0.Add(10*time.Minute), body), t0, false},
		{"other secret", secret, SignPaymentCallback([]byte("other"), t0, body), t0, false},
		{"no secret configured", nil, SignPaymentCallback(nil, t0, body), t0, false},
		{"timestamp changed", secret, strings.Replace(SignPaymentCallback(secret, t0, body), "t=", "t=1", 1), t0, false},
		{"second signature matches (rotation)", secret, SignPaymentCallback([]byte("old"), t0, body) + ",v1=" + paymentMAC(secret, strings.TrimPrefix(strings.Split(SignPaymentCallback(secret, t0, body), ",")[0], "t="), body), t0, true},
		{"empty", secret, "", t0, false},
		{"garbage", secret, "t=x,v1=y", t0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyPaymentCallback(tc.secret, tc.header, body, tc.now)
			if (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok %v", err, tc.ok)
			}
			if err != nil && ErrorCode(err) != CodePaymentSignature {
				t.Fatalf("code %q", ErrorCode(err))
			}
		})
	}
	if err := VerifyPaymentCallback(secret, SignPaymentCallback(secret, t0, body), []byte(`{"state":"failed"}`), t0); err == nil {
		t.Fatal("a changed body passed")
	}
}

func TestNewClaim(t *testing.T) {
	p := DefaultPolicy()
	notDelivered := testOrder()
	notDelivered.DeliveredAt, notDelivered.State = nil, OrderShipped
	for _, tc := range []struct {
		name   string
		a      Actor
		o      *Order
		reason string
		desc   string
		code   Code
	}{
		{"buyer after delivery", ana, testOrder(), ClaimDefect, "it broke", ""},
		{"buyer's remorse", ana, testOrder(), ClaimBuyersRemorse, "changed my mind", ""},
		{"before delivery", ana, notDelivered, ClaimDefect, "x", CodeOrderNotDelivered},
		{"another customer", ben, testOrder(), ClaimDefect, "x", CodeNotFound},
		{"the seller", sam, testOrder(), ClaimDefect, "x", CodeForbidden},
		{"an operator", olga, testOrder(), ClaimDefect, "x", CodeForbidden},
		{"unknown reason", ana, testOrder(), "late", "x", CodeInvalidClaim},
		{"no description", ana, testOrder(), ClaimDefect, "  ", CodeInvalidClaim},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(72 * time.Hour)
			c, err := NewClaim(p, tc.a, tc.o, tc.reason, tc.desc, now)
			wantCode(t, err, tc.code)
			if err != nil {
				return
			}
			if c.State != ClaimOpen || !c.ReputationDeadline.Equal(now.Add(72*time.Hour)) {
				t.Fatalf("got %+v", c)
			}
			want := ReputationPending
			if tc.reason == ClaimBuyersRemorse {
				want = ReputationNotAffected
			}
			if c.AffectsReputation != want {
				t.Fatalf("reputation %s, want %s", c.AffectsReputation, want)
			}
		})
	}
}

func TestClaimReputation(t *testing.T) {
	p := DefaultPolicy()
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	h := time.Hour
	for _, tc := range []struct {
		name     string
		reason   string
		resolved *time.Time
		now      time.Duration
		want     Reputation
	}{
		{"open at 71:59", ClaimDefect, nil, 71*h + 59*time.Minute, ReputationPending},
		{"open at 72:00", ClaimDefect, nil, 72 * h, ReputationPending},
		{"open at 72:01", ClaimDefect, nil, 72*h + time.Minute, ReputationAffected},
		{"resolved at 71:59", ClaimDefect, at(71*h + 59*time.Minute), 100 * h, ReputationNotAffected},
		{"resolved at 72:00", ClaimDamaged, at(72 * h), 100 * h, ReputationNotAffected},
		{"resolved at 72:01", ClaimDefect, at(72*h + time.Minute), 100 * h, ReputationAffected},
		{"buyer's remorse open at 72:01", ClaimBuyersRemorse, nil, 72*h + time.Minute, ReputationNotAffected},
		{"buyer's remorse resolved late", ClaimBuyersRemorse, at(500 * h), 600 * h, ReputationNotAffected},
		{"buyer's remorse open at 1 h", ClaimBuyersRemorse, nil, h, ReputationNotAffected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Claim{Reason: tc.reason, OpenedAt: t0, ResolvedAt: tc.resolved}
			got, deadline := ClaimReputation(p, c, t0.Add(tc.now))
			if got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if !deadline.Equal(t0.Add(72 * h)) {
				t.Fatalf("deadline %s", deadline)
			}
		})
	}
}

func TestReputationJSON(t *testing.T) {
	for r, want := range map[Reputation]string{ReputationAffected: "true", ReputationNotAffected: "false", ReputationPending: `"pending"`} {
		b, _ := r.MarshalJSON()
		if string(b) != want {
			t.Fatalf("%s → %s, want %s", r, b, want)
		}
	}
}

func openClaim() *Claim {
	return &Claim{ID: "c1", OrderNumber: "1001", ShopID: "shop-1", CustomerID: "u-ana", Reason: ClaimDefect, State: ClaimOpen, OpenedAt: t0, Offers: []Offer{}}
}

func TestOffers(t *testing.T) {
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name    string
		a       Actor
		percent int
		amount  int64
		prepare func(c *Claim, o *Order)
		code    Code
		want    int64
	}{
		{"seller offers 10 %", sam, 10, 0, nil, "", 280},
		{"seller offers 99 %", sam, 99, 0, nil, "", 2772},
		{"seller offers 1 %", sam, 1, 0, nil, "", 28},
		{"0 % and no amount", sam, 0, 0, nil, CodeInvalidOffer, 0},
		{"100 %", sam, 100, 0, nil, CodeInvalidOffer, 0},
		{"both", sam, 10, 100, nil, CodeInvalidOffer, 0},
		{"an amount", sam, 0, 1500, nil, "", 1500},
		{"amount over what was paid", sam, 0, 2801, nil, CodeRefundExceedsPaid, 0},
		{"amount over what is left", sam, 0, 1000, func(c *Claim, o *Order) { o.Refunded.Total = 2000 }, CodeRefundExceedsPaid, 0},
		{"percent over what is left", sam, 50, 0, func(c *Claim, o *Order) { o.Refunded.Total = 2000 }, CodeRefundExceedsPaid, 0},
		{"operator offers", olga, 20, 0, nil, "", 560},
		{"other shop", sue, 10, 0, nil, CodeForbidden, 0},
		{"the buyer", ana, 10, 0, nil, CodeForbidden, 0},
		{"one pending at a time", sam, 10, 0, func(c *Claim, o *Order) {
			c.Offers = append(c.Offers, Offer{ID: "o0", State: OfferPending})
		}, CodeOfferPending, 0},
		{"after a rejected one", sam, 10, 0, func(c *Claim, o *Order) {
			c.Offers = append(c.Offers, Offer{ID: "o0", State: OfferRejected})
		}, "", 280},
		{"on a closed claim", sam, 10, 0, func(c *Claim, o *Order) { c.State = ClaimClosed }, CodeClaimState, 0},
		{"during a return", sam, 10, 0, func(c *Claim, o *Order) { c.State = ClaimReturning }, CodeClaimState, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, o := openClaim(), testOrder()
			if tc.prepare != nil {
				tc.prepare(c, o)
			}
			n := len(c.Offers)
			off, err := NewOffer(tc.a, c, o, tc.percent, tc.amount, now, "o1")
			wantCode(t, err, tc.code)
			if err != nil {
				if len(c.Offers) != n {
					t.Fatal("a refused offer was added")
				}
				return
			}
			if off.Amount != tc.want || off.State != OfferPending || len(c.Offers) != n+1 || PendingOffer(c).ID != "o1" {
				t.Fatalf("got %+v (offers %d)", off, len(c.Offers))
			}
		})
	}
}

func TestAnswerOffer(t *testing.T) {
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		a      Actor
		id     string
		accept bool
		state  OfferState // of o1 before
		code   Code
	}{
		{"buyer accepts", ana, "o1", true, OfferPending, ""},
		{"buyer rejects", ana, "o1", false, OfferPending, ""},
		{"seller accepts", sam, "o1", true, OfferPending, CodeForbidden},
		{"operator accepts", olga, "o1", true, OfferPending, CodeForbidden},
		{"another customer", ben, "o1", true, OfferPending, CodeForbidden},
		{"unknown offer", ana, "o9", true, OfferPending, CodeNotFound},
		{"already rejected", ana, "o1", true, OfferRejected, CodeOfferState},
		{"already accepted", ana, "o1", false, OfferAccepted, CodeOfferState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := openClaim()
			c.Offers = []Offer{{ID: "o0", State: OfferRejected}, {ID: "o1", Amount: 100, State: tc.state}}
			off, err := AnswerOffer(tc.a, c, tc.id, tc.accept, now)
			wantCode(t, err, tc.code)
			if err != nil {
				if c.Offers[1].State != tc.state {
					t.Fatal("a refused answer changed the offer")
				}
				return
			}
			want := OfferRejected
			if tc.accept {
				want = OfferAccepted
			}
			if off.State != want || off.DecidedAt == nil || len(c.Offers) != 2 || c.Offers[0].State != OfferRejected {
				t.Fatalf("got %+v; history %+v", off, c.Offers)
			}
		})
	}
}

func TestSellerChoicesAndClose(t *testing.T) {
	p := DefaultPolicy()
	now := t0.Add(80 * time.Hour)
	pending := func(c *Claim) { c.Offers = []Offer{{ID: "o1", State: OfferPending}} }
	for _, tc := range []struct {
		name    string
		do      func(c *Claim) error
		prepare func(c *Claim)
		code    Code
		state   ClaimState
		res     string
	}{
		{"seller refunds in full", func(c *Claim) error { return CheckClaimRefund(sam, c) }, nil, "", ClaimOpen, ""},
		{"buyer refunds", func(c *Claim) error { return CheckClaimRefund(ana, c) }, nil, CodeForbidden, ClaimOpen, ""},
		{"refund with an offer pending", func(c *Claim) error { return CheckClaimRefund(sam, c) }, pending, CodeOfferPending, ClaimOpen, ""},
		{"seller starts a return", func(c *Claim) error { return CheckStartReturn(sam, c) }, nil, "", ClaimOpen, ""},
		{"other seller starts a return", func(c *Claim) error { return CheckStartReturn(sue, c) }, nil, CodeForbidden, ClaimOpen, ""},
		{"return on a returning claim", func(c *Claim) error { return CheckStartReturn(sam, c) }, func(c *Claim) { c.State = ClaimReturning }, CodeClaimState, ClaimReturning, ""},
		{"buyer closes", func(c *Claim) error { return CloseClaim(p, ana, c, "", now) }, nil, "", ClaimClosed, ResolutionBuyerClosed},
		{"buyer closes with an offer pending", func(c *Claim) error { return CloseClaim(p, ana, c, "", now) }, pending, "", ClaimClosed, ResolutionBuyerClosed},
		{"buyer closes during a return", func(c *Claim) error { return CloseClaim(p, ana, c, "", now) }, func(c *Claim) { c.State = ClaimReturning }, CodeClaimState, ClaimReturning, ""},
		{"operator closes with a reason", func(c *Claim) error { return CloseClaim(p, olga, c, "fraud", now) }, nil, "", ClaimClosed, ResolutionOperator},
		{"operator closes without a reason", func(c *Claim) error { return CloseClaim(p, olga, c, "", now) }, nil, CodeCloseReasonRequired, ClaimOpen, ""},
		{"seller closes", func(c *Claim) error { return CloseClaim(p, sam, c, "done", now) }, nil, CodeForbidden, ClaimOpen, ""},
		{"close a closed claim", func(c *Claim) error { return CloseClaim(p, olga, c, "x", now) }, func(c *Claim) { c.State = ClaimClosed }, CodeClaimState, ClaimClosed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := openClaim()
			if tc.prepare != nil {
				tc.prepare(c)
			}
			wantCode(t, tc.do(c), tc.code)
			if c.State != tc.state || c.Resolution != tc.res {
				t.Fatalf("state %s resolution %q, want %s %q", c.State, c.Resolution, tc.state, tc.res)
			}
			if c.State == ClaimClosed && tc.code == "" {
				if PendingOffer(c) != nil {
					t.Fatal("closed with an offer pending")
				}
				if c.AffectsReputation != ReputationAffected { // closed at 80 h
					t.Fatalf("reputation %s", c.AffectsReputation)
				}
			}
		})
	}
}

func TestReturns(t *testing.T) {
	now := t0.Add(time.Hour)
	c := openClaim()
	r := NewReturn(c, now)
	if c.State != ClaimReturning || r.State != ReturnLabelIssued || r.CustomerID != "u-ana" {
		t.Fatalf("claim %s, return %+v", c.State, r)
	}
	for _, tc := range []struct {
		name    string
		from    ReturnState
		a       Actor
		to      ReturnState
		code    Code
		changed bool
	}{
		{"buyer ships", ReturnLabelIssued, ana, ReturnShipped, "", true},
		{"operator ships", ReturnLabelIssued, olga, ReturnShipped, "", true},
		{"seller ships", ReturnLabelIssued, sam, ReturnShipped, CodeForbidden, false},
		{"other customer ships", ReturnLabelIssued, ben, ReturnShipped, CodeForbidden, false},
		{"received before shipped", ReturnLabelIssued, sam, ReturnReceived, CodeReturnState, false},
		{"seller receives", ReturnShipped, sam, ReturnReceived, "", true},
		{"operator receives", ReturnShipped, adam, ReturnReceived, "", true},
		{"buyer receives", ReturnShipped, ana, ReturnReceived, CodeForbidden, false},
		{"other seller receives", ReturnShipped, sue, ReturnReceived, CodeForbidden, false},
		{"shipped twice", ReturnShipped, ana, ReturnShipped, "", false},
		{"back to shipped", ReturnReceived, ana, ReturnShipped, CodeReturnState, false},
		{"refunded by hand", ReturnReceived, sam, ReturnRefunded, CodeReturnState, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Return{ShopID: "shop-1", CustomerID: "u-ana", State: tc.from}
			changed, err := AdvanceReturn(tc.a, r, tc.to, "TRACK1", now)
			wantCode(t, err, tc.code)
			if changed != tc.changed || (changed && r.State != tc.to) {
				t.Fatalf("changed %v state %s", changed, r.State)
			}
		})
	}
	MarkReturnRefunded(r, "rf1", now)
	if r.State != ReturnRefunded || r.RefundID != "rf1" {
		t.Fatalf("got %+v", r)
	}
	if label := ReturnLabel(r, "Nordic Home", now); !strings.Contains(label, "Nordic Home") || !strings.Contains(label, "1001") {
		t.Fatalf("label %q", label)
	}
}

func TestRankQueue(t *testing.T) {
	p := DefaultPolicy()
	now := t0.Add(100 * time.Hour)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	ptr := func(x time.Time) *time.Time { return &x }
	items := []QueueItem{
		ThreadQueueItem(p, &Thread{ID: "th-rest", LastMessage: at(1 * time.Hour)}, now),
		ThreadQueueItem(p, &Thread{ID: "th-late", SellerReplyNeededSince: ptr(at(60 * time.Hour)), LastMessage: at(60 * time.Hour)}, now),
		ThreadQueueItem(p, &Thread{ID: "th-soon", SellerReplyNeededSince: ptr(at(55 * time.Hour)), LastMessage: at(55 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-late", Reason: ClaimDefect, OpenedAt: at(50 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-soon", Reason: ClaimDefect, OpenedAt: at(30 * time.Hour)}, now),
		IncidentQueueItem(&Incident{ID: "in-new", State: IncidentOpen, OpenedAt: at(90 * time.Hour)}),
		IncidentQueueItem(&Incident{ID: "in-old", State: IncidentOpen, OpenedAt: at(10 * time.Hour)}),
		ThreadQueueItem(p, &Thread{ID: "th-rest-old", LastMessage: at(0)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-tie-b", Reason: ClaimDefect, OpenedAt: at(40 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-tie-a", Reason: ClaimDefect, OpenedAt: at(40 * time.Hour)}, now),
	}
	RankQueue(items)
	var got []string
	for i, it := range items {
		got = append(got, it.ID)
		if it.Rank != i+1 || it.Reason == "" {
			t.Fatalf("item %d: rank %d reason %q", i, it.Rank, it.Reason)
		}
	}
	want := "in-old in-new cl-soon cl-tie-a cl-tie-b cl-late th-soon th-late th-rest-old th-rest"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if d := items[2].DueAt; d == nil || !d.Equal(at(102*time.Hour)) {
		t.Fatalf("claim due %v", d)
	}
	if !strings.Contains(items[2].Reason, "2h00m left") {
		t.Fatalf("claim reason %q", items[2].Reason)
	}
	if !strings.Contains(items[6].Reason, "3h00m left") { // 55 h + 48 h − 100 h
		t.Fatalf("thread reason %q", items[6].Reason)
	}
	if items[8].DueAt != nil || items[8].Priority != PriorityRest {
		t.Fatalf("rest item %+v", items[8])
	}
}

func TestStats(t *testing.T) {
	now := time.Date(2025, 3, 31, 15, 0, 0, 0, time.UTC)
	from, to, err := StatsPeriod(time.Time{}, time.Time{}, now)
	if err != nil || !to.Equal(now) || !from.Equal(now.Add(-30*24*time.Hour)) {
		t.Fatalf("default period %s–%s %v", from, to, err)
	}
	if _, _, err := StatsPeriod(now, now.Add(-time.Hour), now); ErrorCode(err) != CodeInvalidPeriod {
		t.Fatalf("reversed period: %v", err)
	}
	if _, _, err := StatsPeriod(now.Add(-400*24*time.Hour), now, now); ErrorCode(err) != CodeInvalidPeriod {
		t.Fatalf("long period: %v", err)
	}
	s := NewShopStats("shop-1", from, to)
	if len(s.Daily) != 31 || s.Daily[0].Day != "2025-03-01" || s.Daily[30].Day != "2025-03-31" {
		t.Fatalf("days %d: %+v … %+v", len(s.Daily), s.Daily[0], s.Daily[len(s.Daily)-1])
	}
	if d := s.Day(now.Add(-time.Minute)); d == nil || d.Day != "2025-03-31" {
		t.Fatalf("day of now %+v", d)
	}
	if s.Day(to) != nil || s.Day(from.Add(-time.Second)) != nil {
		t.Fatal("a day outside the period")
	}
	s.CustomerMessages, s.AnsweredWithin48h, s.OrderLines = 8, 6, 20
	s.Finish(3, 2, 3*time.Hour)
	if s.AnsweredWithin48hPct != 75 || s.AvgFirstResponseSeconds != 5400 || s.IncidentRate != 0.15 {
		t.Fatalf("got %+v", s)
	}
	o := testOrder()
	if got := IncidentLines(&Incident{Line: 2}, o); len(got) != 1 || got[0] != 2 {
		t.Fatalf("lines %v", got)
	}
	if got := IncidentLines(&Incident{}, o); len(got) != 2 {
		t.Fatalf("whole order lines %v", got)
	}
}

func TestReplyStats(t *testing.T) {
	p := DefaultPolicy()
	h := time.Hour
	msg := func(from Party, to Party, at time.Duration) Message {
		return Message{From: from, To: []Party{to}, CreatedAt: t0.Add(at)}
	}
	msgs := []Message{
		msg(PartyCustomer, PartySeller, 0),                   // answered at 47:59
		msg(PartySeller, PartyOperator, time.Hour),           // not an answer: to the operator
		msg(PartySeller, PartyCustomer, 47*h+59*time.Minute), // answers the first
		msg(PartyCustomer, PartySeller, 50*h),                // answered at 98:01: 48:01 later, too late
		msg(PartySeller, PartyCustomer, 98*h+time.Minute),
		msg(PartyCustomer, PartySeller, 200*h),   // never answered
		msg(PartyCustomer, PartyOperator, 201*h), // not to the seller
	}
	out, first, ok := ReplyStats(p, msgs, t0, t0.Add(300*h))
	if len(out) != 3 || !out[0].Answered || out[1].Answered || out[2].Answered {
		t.Fatalf("outcomes %+v", out)
	}
	if !ok || first != 47*h+59*time.Minute {
		t.Fatalf("first response %s %v", first, ok)
	}
	// A period after the first message: no first response counted.
	out, _, ok = ReplyStats(p, msgs, t0.Add(10*h), t0.Add(300*h))
	if len(out) != 2 || ok {
		t.Fatalf("later period: %+v %v", out, ok)
	}
}
