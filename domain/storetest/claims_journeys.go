package storetest

import (
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Claims that finish: the seller receives a return the buyer never marked
// shipped, offers can be withdrawn and expire, the seller's remedy in time
// spares the reputation at once, a claim opened in time is settled after
// the refund window, and a refund that fails opens its claim again.

func testClaimReturnReceivedWithoutShipped(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "the seam is open")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Hour)
	ret, err := w.Claims.StartReturn(sam, cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Granting the return resolves the claim for the reputation at once.
	got, err := w.Claims.FindClaim(ben, cl.ID)
	if err != nil || got.State != domain.ClaimReturning || got.AffectsReputation != domain.ReputationNotAffected || got.RemedyAt == nil {
		t.Fatalf("after the return was granted: %+v %v", got, err)
	}
	// Still so long after the 72 h, with the parcel on its way.
	w.clock.Add(100 * time.Hour)
	if got, _ := w.Claims.FindClaim(sam, cl.ID); got.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("at 101 h with the return under way: %s", got.AffectsReputation)
	}
	// The parcel arrives; the buyer never said it left.
	ret, err = w.Claims.AdvanceReturn(sam, ret.ID, domain.ReturnReceived, "")
	if err != nil || ret.State != domain.ReturnRefunded || ret.RefundID == "" {
		t.Fatalf("received: %+v %v", ret, err)
	}
	got, _ = w.Claims.FindClaim(ben, cl.ID)
	if got.State != domain.ClaimClosed || got.Resolution != domain.ResolutionReturn || got.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("claim after receipt %+v", got)
	}
	if r, err := w.Refunds.FindRefund(ben, ret.RefundID); err != nil || r.Amount != 5900 || r.ClaimID != cl.ID {
		t.Fatalf("refund %+v %v", r, err)
	}
}

func testClaimOfferWithdrawnAndExpired(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "a moth hole")
	if err != nil {
		t.Fatal(err)
	}
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 10, 0)
	if err != nil || !cl.Offers[0].ExpiresAt.Equal(w.clock.Now().Add(72*time.Hour)) {
		t.Fatalf("offer: %+v %v", cl, err)
	}
	first := cl.Offers[0].ID
	cl, err = w.Claims.WithdrawOffer(sam, cl.ID, first)
	if err != nil || cl.Offers[0].State != domain.OfferWithdrawn || domain.PendingOffer(cl) != nil {
		t.Fatalf("withdraw: %+v %v", cl, err)
	}
	if _, err := w.Claims.AcceptOffer(ben, cl.ID, first); code(err) != domain.CodeOfferState {
		t.Fatalf("accept a withdrawn offer: %v", err)
	}
	if n := w.notificationTypes(t, "ben"); len(n) != 2 || n[0] != domain.EventClaimOffer {
		t.Fatalf("ben's notifications %v", n)
	}
	// The claim is free: a new offer, left unanswered, expires.
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	second := cl.Offers[1].ID
	w.clock.Add(72*time.Hour + time.Second)
	got, _ := w.Claims.FindClaim(ben, cl.ID)
	if got.Offers[1].State != domain.OfferExpired || got.AffectsReputation != domain.ReputationAffected {
		t.Fatalf("after 72 h: %+v", got)
	}
	if _, err := w.Claims.AcceptOffer(ben, cl.ID, second); code(err) != domain.CodeOfferState {
		t.Fatalf("accept an expired offer: %v", err)
	}
	// A pending offer does not block a total refund: it is withdrawn.
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 0, 1500)
	if err != nil {
		t.Fatal(err)
	}
	cl, err = w.Claims.RefundClaim(sam, cl.ID)
	if err != nil || cl.State != domain.ClaimClosed || cl.Offers[2].State != domain.OfferWithdrawn {
		t.Fatalf("total refund with an offer pending: %+v %v", cl, err)
	}
	if o := w.order(t, "2001"); o.Refunded.Total != 5900 {
		t.Fatalf("refunded %+v", o.Refunded)
	}
}

func testClaimRemedyInTime(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	opened := w.clock.Now()
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "it pills")
	if err != nil {
		t.Fatal(err)
	}
	// An offer made at 70 h, answered at 80 h: pending meanwhile, then
	// spared, since the seller acted in time.
	w.clock.Add(70 * time.Hour)
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 20, 0)
	if err != nil || cl.Offers[0].Amount != 1180 {
		t.Fatalf("offer: %+v %v", cl, err)
	}
	got, err := w.findClaimAt(t, ben, opened.Add(80*time.Hour), cl.ID)
	if err != nil || got.AffectsReputation != domain.ReputationPending {
		t.Fatalf("at 80 h with the offer pending: %+v %v", got, err)
	}
	got, err = w.Claims.AcceptOffer(ben, cl.ID, cl.Offers[0].ID)
	if err != nil || got.State != domain.ClaimClosed || got.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("accepted at 80 h: %+v %v", got, err)
	}
}

func testClaimSettledAfterTheWindow(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	// 2001 shipped 4 days ago: the window closes 196 days from now.
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "faded")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(197 * 24 * time.Hour)
	got, err := w.Claims.RefundClaim(sam, cl.ID)
	if err != nil || got.State != domain.ClaimClosed {
		t.Fatalf("refund of a claim opened in time, after the window: %+v %v", got, err)
	}
	// A claim opened past the window is refused.
	if _, err := w.Claims.OpenClaim(w.as(t, "ana"), "1002", domain.ClaimDefect, "frayed"); code(err) != domain.CodeClaimWindowClosed {
		t.Fatalf("claim past the window: %v", err)
	}
}

func testClaimFailedRefundReopens(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam, olga := w.as(t, "ben"), w.as(t, "sam"), w.as(t, "olga")
	in, err := w.Incidents.OpenIncident(ben, "2001", 1, domain.IncidentDamaged, "torn")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "torn")
	if err != nil {
		t.Fatal(err)
	}
	ret, err := w.Claims.StartReturn(sam, cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	ret, err = w.Claims.AdvanceReturn(sam, ret.ID, domain.ReturnReceived, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Incidents.FindIncident(ben, in.ID); got.State != domain.IncidentClosed {
		t.Fatalf("incident after the total refund: %s", got.State)
	}
	if o := w.order(t, "2001"); o.Frozen {
		t.Fatal("order frozen after the total refund")
	}
	// The payment side refuses the money.
	w.clock.Add(time.Minute)
	r, _ := w.Refunds.FindRefund(ben, ret.RefundID)
	if _, err := w.Refunds.ApplyPaymentCallback(payments, w.callback("evt_fail", r, domain.RefundFailed)); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Incidents.FindIncident(ben, in.ID); got.State != domain.IncidentOpen {
		t.Fatalf("incident after the refund failed: %s", got.State)
	}
	if o := w.order(t, "2001"); !o.Frozen || o.Refunded.Total != 0 {
		t.Fatalf("order after the refund failed: frozen %v, refunded %+v", o.Frozen, o.Refunded)
	}
	got, _ := w.Claims.FindClaim(ben, cl.ID)
	if got.State != domain.ClaimReturning || got.Resolution != "" || got.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("claim after the refund failed: %+v", got)
	}
	if back, _ := w.Claims.FindReturn(ben, ret.ID); back.State != domain.ReturnReceived {
		t.Fatalf("return after the refund failed: %s", back.State)
	}
	if n := w.notificationTypes(t, "ben"); len(n) == 0 || n[0] != domain.EventRefundFailed {
		t.Fatalf("ben's notifications %v", n)
	}
	// Customer care sends it again: everything closes again.
	if _, err := w.Refunds.RetryRefund(olga, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Claims.FindClaim(ben, cl.ID); got.State != domain.ClaimClosed || got.Resolution != domain.ResolutionReturn {
		t.Fatalf("claim after the retry: %+v", got)
	}
	if back, _ := w.Claims.FindReturn(ben, ret.ID); back.State != domain.ReturnRefunded {
		t.Fatalf("return after the retry: %s", back.State)
	}
	if got, _ := w.Incidents.FindIncident(ben, in.ID); got.State != domain.IncidentClosed {
		t.Fatalf("incident after the retry: %s", got.State)
	}
	if o := w.order(t, "2001"); o.Frozen || o.Refunded.Total != 5900 {
		t.Fatalf("order after the retry: frozen %v, refunded %+v", o.Frozen, o.Refunded)
	}
}

func testClaimFailedRefundWithAnotherClaimOpen(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	first, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "a moth hole")
	if err != nil {
		t.Fatal(err)
	}
	first, _ = w.Claims.OfferPartialRefund(sam, first.ID, 10, 0)
	first, err = w.Claims.AcceptOffer(ben, first.ID, first.Offers[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "and now the seam")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := w.Refunds.FindRefund(ben, first.RefundID)
	if _, err := w.Refunds.ApplyPaymentCallback(payments, w.callback("evt_fail", r, domain.RefundFailed)); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Claims.FindClaim(ben, first.ID); got.State != domain.ClaimClosed {
		t.Fatalf("the first claim reopened beside the second: %s", got.State)
	}
	if got, _ := w.Claims.FindClaim(ben, second.ID); got.State != domain.ClaimOpen {
		t.Fatalf("the second claim: %s", got.State)
	}
}
