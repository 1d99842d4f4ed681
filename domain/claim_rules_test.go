package domain

import (
	"strings"
	"testing"
	"time"
)

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
		{"shipped 200 days ago: the last instant", ana, shippedAgo(200 * 24 * time.Hour), ClaimDefect, "x", ""},
		{"past the claim window", ana, shippedAgo(200*24*time.Hour + time.Second), ClaimDefect, "x", CodeClaimWindowClosed},
		{"refunded in full", ana, refundedInFull(), ClaimDefect, "x", CodeClaimWindowClosed},
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

func openClaim() *Claim {
	return &Claim{ID: "c1", OrderNumber: "1001", ShopID: "shop-1", CustomerID: "u-ana", Reason: ClaimDefect, State: ClaimOpen, OpenedAt: t0, Offers: []Offer{}}
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
		{"refund with an offer pending", func(c *Claim) error { return CheckClaimRefund(sam, c) }, pending, "", ClaimOpen, ""},
		{"return with an offer pending", func(c *Claim) error { return CheckStartReturn(sam, c) }, pending, "", ClaimOpen, ""},
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

// shippedAgo is testOrder shipped d before the claim is opened (at t0+72h
// in TestNewClaim) and delivered a day later.
func shippedAgo(d time.Duration) *Order {
	o := testOrder()
	shipped := t0.Add(72*time.Hour - d)
	delivered := shipped.Add(24 * time.Hour)
	o.ShippedAt, o.DeliveredAt = &shipped, &delivered
	return o
}

func refundedInFull() *Order {
	o := testOrder()
	o.Refunded.Total = o.Paid()
	return o
}

// The claim window is a setting: by default the refund window, or its own.
func TestClaimWindowSetting(t *testing.T) {
	p := DefaultPolicy()
	o := testOrder() // shipped at t0
	if got := ClaimDeadline(p, o); !got.Equal(t0.Add(p.RefundWithin)) {
		t.Fatalf("default claim deadline %s", got)
	}
	p.RefundWithin = 30 * 24 * time.Hour
	if got := ClaimDeadline(p, o); !got.Equal(t0.Add(30 * 24 * time.Hour)) {
		t.Fatalf("the claim window follows the refund window: %s", got)
	}
	p.ClaimWindow = 10 * 24 * time.Hour
	if err := CheckClaimWindow(p, o, t0.Add(11*24*time.Hour)); ErrorCode(err) != CodeClaimWindowClosed {
		t.Fatalf("past its own window: %v", err)
	}
	// A claim opened in time is settled after the refund window closed:
	// its refund skips the window, another refund does not.
	late := t0.Add(31 * 24 * time.Hour)
	if _, err := PlanRefund(p, o, RefundRequest{Kind: RefundTotal, ClaimID: "c1"}, late); err != nil {
		t.Fatalf("the claim's refund after the window: %v", err)
	}
	if _, err := PlanRefund(p, o, RefundRequest{Kind: RefundTotal}, late); ErrorCode(err) != CodeRefundWindowClosed {
		t.Fatalf("a plain refund after the window: %v", err)
	}
}

// The seller's remedy within the 72 h resolves the claim for the
// reputation at once, whenever the parcel or the refund follows.
func TestRemedyResolvesReputation(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name    string
		prepare func(c *Claim)
		at      time.Duration // when the reputation is read
		want    Reputation
	}{
		{"return granted at 10 h, read at once", func(c *Claim) { ChooseRemedy(p, c, t0.Add(10*time.Hour)) }, 10 * time.Hour, ReputationNotAffected},
		{"return granted at 10 h, parcel at 100 h", func(c *Claim) {
			ChooseRemedy(p, c, t0.Add(10*time.Hour))
			c.State = ClaimReturning
			ResolveClaim(p, c, ResolutionReturn, t0.Add(100*time.Hour))
		}, 100 * time.Hour, ReputationNotAffected},
		{"remedy at 73 h", func(c *Claim) { ChooseRemedy(p, c, t0.Add(73*time.Hour)) }, 73 * time.Hour, ReputationAffected},
		{"offer made at 70 h, still pending at 80 h", func(c *Claim) {
			c.Offers = []Offer{{ID: "o1", State: OfferPending, CreatedAt: t0.Add(70 * time.Hour)}}
		}, 80 * time.Hour, ReputationPending},
		{"offer made at 70 h, accepted at 80 h", func(c *Claim) {
			c.Offers = []Offer{{ID: "o1", State: OfferPending, CreatedAt: t0.Add(70 * time.Hour)}}
			off, _ := AnswerOffer(ana, c, "o1", true, t0.Add(80*time.Hour))
			AcceptedOffer(c, off)
			ResolveClaim(p, c, ResolutionPartialRefund, t0.Add(80*time.Hour))
		}, 80 * time.Hour, ReputationNotAffected},
		{"offer made at 70 h, rejected at 80 h", func(c *Claim) {
			c.Offers = []Offer{{ID: "o1", State: OfferPending, CreatedAt: t0.Add(70 * time.Hour)}}
			AnswerOffer(ana, c, "o1", false, t0.Add(80*time.Hour))
		}, 80 * time.Hour, ReputationAffected},
		{"offer made at 73 h, pending", func(c *Claim) {
			c.Offers = []Offer{{ID: "o1", State: OfferPending, CreatedAt: t0.Add(73 * time.Hour)}}
		}, 80 * time.Hour, ReputationAffected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := openClaim()
			tc.prepare(c)
			if got, _ := ClaimReputation(p, c, t0.Add(tc.at)); got != tc.want {
				t.Fatalf("reputation %s, want %s", got, tc.want)
			}
		})
	}
	// Choosing a remedy withdraws the pending offer.
	c := openClaim()
	c.Offers = []Offer{{ID: "o1", State: OfferPending}}
	ChooseRemedy(p, c, t0.Add(time.Hour))
	if c.Offers[0].State != OfferWithdrawn || c.AffectsReputation != ReputationNotAffected {
		t.Fatalf("after the remedy: %+v", c)
	}
}

// A failed refund opens its claim again (a return goes back to returning);
// its retry closes it as before; the reputation stays as the remedy made it.
func TestReopenAndResettleClaim(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		res    string
		kind   string
		reopen ClaimState
	}{
		{ResolutionReturn, RefundTotal, ClaimReturning},
		{ResolutionTotalRefund, RefundTotal, ClaimOpen},
		{ResolutionPartialRefund, RefundPartial, ClaimOpen},
	} {
		t.Run(tc.res, func(t *testing.T) {
			c := openClaim()
			ChooseRemedy(p, c, t0.Add(time.Hour))
			c.RefundID = "r1"
			ResolveClaim(p, c, tc.res, t0.Add(2*time.Hour))
			if ReopenClaim(p, c, "r2", t0.Add(3*time.Hour)) {
				t.Fatal("another refund reopened the claim")
			}
			if !ReopenClaim(p, c, "r1", t0.Add(3*time.Hour)) || c.State != tc.reopen || c.Resolution != "" || c.ResolvedAt != nil {
				t.Fatalf("reopened: %+v", c)
			}
			if c.AffectsReputation != ReputationNotAffected {
				t.Fatalf("reputation after the failure %s", c.AffectsReputation)
			}
			if !ResettleClaim(p, c, &Refund{ID: "r1", Kind: tc.kind}, t0.Add(4*time.Hour)) || c.State != ClaimClosed || c.Resolution != tc.res {
				t.Fatalf("resettled: %+v", c)
			}
		})
	}
}

// In the queue, a claim whose remedy was made in time says so.
func TestClaimQueueItemAfterRemedy(t *testing.T) {
	p := DefaultPolicy()
	c := openClaim()
	ChooseRemedy(p, c, t0.Add(time.Hour))
	c.State = ClaimReturning
	if it := ClaimQueueItem(p, c, t0.Add(80*time.Hour)); !strings.Contains(it.Reason, "remedy was made in time") {
		t.Fatalf("queue reason %q", it.Reason)
	}
}
