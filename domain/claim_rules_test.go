package domain

import (
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
