package domain

import (
	"testing"
	"time"
)

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
		{"seller receives before the buyer said shipped", ReturnLabelIssued, sam, ReturnReceived, "", true},
		{"buyer receives before shipping", ReturnLabelIssued, ana, ReturnReceived, CodeForbidden, false},
		{"buyer ships without tracking", ReturnLabelIssued, ana, ReturnShipped, "", true},
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
}
