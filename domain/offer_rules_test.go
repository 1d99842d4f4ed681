package domain

import (
	"strings"
	"testing"
	"time"
)

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
		{"seller offers 10 % of the products, not the shipping", sam, 10, 0, nil, "", 250},
		{"seller offers 99 %", sam, 99, 0, nil, "", 2475},
		{"seller offers 1 %", sam, 1, 0, nil, "", 25},
		{"0 % and no amount", sam, 0, 0, nil, CodeInvalidOffer, 0},
		{"100 %", sam, 100, 0, nil, CodeInvalidOffer, 0},
		{"both", sam, 10, 100, nil, CodeInvalidOffer, 0},
		{"an amount", sam, 0, 1500, nil, "", 1500},
		{"amount over what was paid", sam, 0, 2801, nil, CodeRefundExceedsPaid, 0},
		{"amount over what is left", sam, 0, 1000, func(c *Claim, o *Order) { o.Refunded.Total = 2000 }, CodeRefundExceedsPaid, 0},
		{"percent over what is left", sam, 50, 0, func(c *Claim, o *Order) { o.Refunded.Total = 2000 }, CodeRefundExceedsPaid, 0},
		{"operator offers", olga, 20, 0, nil, "", 500},
		{"other shop", sue, 10, 0, nil, CodeForbidden, 0},
		{"the buyer", ana, 10, 0, nil, CodeForbidden, 0},
		{"one pending at a time", sam, 10, 0, func(c *Claim, o *Order) {
			c.Offers = append(c.Offers, Offer{ID: "o0", State: OfferPending})
		}, CodeOfferPending, 0},
		{"after a rejected one", sam, 10, 0, func(c *Claim, o *Order) {
			c.Offers = append(c.Offers, Offer{ID: "o0", State: OfferRejected})
		}, "", 250},
		{"after a withdrawn one", sam, 10, 0, func(c *Claim, o *Order) {
			c.Offers = append(c.Offers, Offer{ID: "o0", State: OfferWithdrawn})
		}, "", 250},
		{"on a closed claim", sam, 10, 0, func(c *Claim, o *Order) { c.State = ClaimClosed }, CodeClaimState, 0},
		{"during a return", sam, 10, 0, func(c *Claim, o *Order) { c.State = ClaimReturning }, CodeClaimState, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, o := openClaim(), testOrder()
			if tc.prepare != nil {
				tc.prepare(c, o)
			}
			n := len(c.Offers)
			off, err := NewOffer(DefaultPolicy(), tc.a, c, o, tc.percent, tc.amount, now, "o1")
			wantCode(t, err, tc.code)
			if err != nil {
				if len(c.Offers) != n {
					t.Fatal("a refused offer was added")
				}
				return
			}
			if off.Amount != tc.want || off.State != OfferPending || len(c.Offers) != n+1 || PendingOffer(c).ID != "o1" || !off.ExpiresAt.Equal(now.Add(72*time.Hour)) {
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
		{"withdrawn", ana, "o1", true, OfferWithdrawn, CodeOfferState},
		{"expired", ana, "o1", true, OfferExpired, CodeOfferState},
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

// The "amount over what is left" error says money as people write it.
func TestOfferErrorFormatsMoney(t *testing.T) {
	c, o := openClaim(), testOrder()
	o.Refunded.Total = 2000
	_, err := NewOffer(DefaultPolicy(), sam, c, o, 0, 1000, t0, "o1")
	if err == nil || !strings.Contains(err.Error(), "8.00 EUR left to refund, not 10.00 EUR") {
		t.Fatalf("got %v", err)
	}
}

func TestWithdrawOffer(t *testing.T) {
	now := t0.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		a     Actor
		id    string
		state OfferState // of o1 before
		claim ClaimState
		code  Code
	}{
		{"seller withdraws", sam, "o1", OfferPending, ClaimOpen, ""},
		{"customer care withdraws", olga, "o1", OfferPending, ClaimOpen, ""},
		{"buyer withdraws", ana, "o1", OfferPending, ClaimOpen, CodeForbidden},
		{"another shop", sue, "o1", OfferPending, ClaimOpen, CodeForbidden},
		{"unknown offer", sam, "o9", OfferPending, ClaimOpen, CodeNotFound},
		{"a rejected offer", sam, "o1", OfferRejected, ClaimOpen, CodeOfferState},
		{"an accepted offer", sam, "o1", OfferAccepted, ClaimClosed, CodeOfferState},
		{"an expired offer", sam, "o1", OfferExpired, ClaimOpen, CodeOfferState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := openClaim()
			c.State = tc.claim
			c.Offers = []Offer{{ID: "o1", Amount: 100, State: tc.state}}
			off, err := WithdrawOffer(tc.a, c, tc.id, now)
			wantCode(t, err, tc.code)
			if err != nil {
				if c.Offers[0].State != tc.state {
					t.Fatal("a refused withdrawal changed the offer")
				}
				return
			}
			if off.State != OfferWithdrawn || off.DecidedAt == nil || PendingOffer(c) != nil {
				t.Fatalf("got %+v", off)
			}
			// The claim is free for a new offer.
			if _, err := NewOffer(DefaultPolicy(), sam, c, testOrder(), 10, 0, now, "o2"); err != nil {
				t.Fatalf("a new offer after withdrawing: %v", err)
			}
		})
	}
}

// An unanswered offer expires after Policy.OfferExpiresAfter (the last
// instant is inside), as of its expiry.
func TestExpireOffers(t *testing.T) {
	p := DefaultPolicy()
	c := openClaim()
	off, err := NewOffer(p, sam, c, testOrder(), 10, 0, t0, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if ExpireOffers(p, c, t0.Add(72*time.Hour)) || PendingOffer(c) == nil {
		t.Fatal("expired at its last instant")
	}
	if !ExpireOffers(p, c, t0.Add(72*time.Hour+time.Second)) || c.Offers[0].State != OfferExpired || !c.Offers[0].DecidedAt.Equal(off.ExpiresAt) {
		t.Fatalf("after the expiry: %+v", c.Offers[0])
	}
	if ExpireOffers(p, c, t0.Add(100*time.Hour)) {
		t.Fatal("expired twice")
	}
	if _, err := AnswerOffer(ana, c, "o1", true, t0.Add(73*time.Hour)); ErrorCode(err) != CodeOfferState {
		t.Fatalf("accepting an expired offer: %v", err)
	}
}

// An offer stored before offers had an expiry expires as if it had one.
func TestExpireOldOffers(t *testing.T) {
	c := openClaim()
	c.Offers = []Offer{{ID: "o1", State: OfferPending, CreatedAt: t0}}
	if ExpireOffers(DefaultPolicy(), c, t0.Add(72*time.Hour)) {
		t.Fatal("expired at its last instant")
	}
	if !ExpireOffers(DefaultPolicy(), c, t0.Add(73*time.Hour)) || c.Offers[0].State != OfferExpired {
		t.Fatalf("got %+v", c.Offers[0])
	}
}
