package domain

import (
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
