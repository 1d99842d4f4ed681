package domain

import (
	"strings"
	"testing"
	"time"
)

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
		{"agent splitting: the order has 300.00 EUR refunded", olga, 20001, CodeRefundOverLimit},
		{"agent adding up to the limit", olga, 20000, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := o
			if strings.HasPrefix(tc.name, "agent splitting") || strings.HasPrefix(tc.name, "agent adding") {
				o = testOrder()
				o.Refunded.Total = 30000
			}
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

// The limit is per order and the error says money as people write it.
func TestRefundLimitPerOrderText(t *testing.T) {
	o := testOrder()
	o.Refunded.Total = 30000
	err := CanRefund(olga, DefaultPolicy(), o, 25000)
	if err == nil || !strings.Contains(err.Error(), "550.00 EUR refunded, above your limit of 500.00 EUR per order") {
		t.Fatalf("got %v", err)
	}
	if _, err := PlanRefund(DefaultPolicy(), testOrder(), RefundRequest{Kind: RefundPartial, Amount: 5785}, t0); err == nil ||
		!strings.Contains(err.Error(), "28.00 EUR left to refund, not 57.85 EUR") {
		t.Fatalf("got %v", err)
	}
}
