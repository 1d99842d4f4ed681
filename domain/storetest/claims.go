package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	returnlabel "github.com/marketplace/helpcentre/domain/label"
)

var claimCases = []testCase{
	{"offers_and_partial_refund", testClaimOffersAndPartialRefund},
	{"return_refunds_on_receipt", testClaimReturnRefundsOnReceipt},
	{"total_refund_and_close", testClaimTotalRefundAndClose},
	{"reputation_over_time", testClaimReputationOverTime},
	{"refusals", testClaimRefusals},
	{"return_received_without_shipped", testClaimReturnReceivedWithoutShipped},
	{"offer_withdrawn_and_expired", testClaimOfferWithdrawnAndExpired},
	{"remedy_in_time_spares_reputation", testClaimRemedyInTime},
	{"settled_after_the_window", testClaimSettledAfterTheWindow},
	{"failed_refund_reopens", testClaimFailedRefundReopens},
	{"failed_refund_with_another_claim_open", testClaimFailedRefundWithAnotherClaimOpen},
}

func testClaimOffersAndPartialRefund(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam, ana := w.as(t, "ben"), w.as(t, "sam"), w.as(t, "ana")
	// 2001: ben's, delivered 2 days ago, 5900 paid. 1001 is not delivered.
	if _, err := w.Claims.OpenClaim(ana, "1001", domain.ClaimDefect, "broken"); code(err) != domain.CodeOrderNotDelivered {
		t.Fatalf("claim before delivery: %v", err)
	}
	if _, err := w.Claims.OpenClaim(ana, "2001", domain.ClaimDefect, "broken"); code(err) != domain.CodeNotFound {
		t.Fatalf("claim on another's order: %v", err)
	}
	if _, err := w.Claims.OpenClaim(sam, "2001", domain.ClaimDefect, "broken"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller claims: %v", err)
	}
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "a hole in the throw")
	if err != nil || cl.AffectsReputation != domain.ReputationPending {
		t.Fatalf("open: %+v %v", cl, err)
	}
	if _, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimOther, "again"); code(err) != domain.CodeClaimOpen {
		t.Fatalf("second open claim: %v", err)
	}
	if n := w.notificationTypes(t, "sam"); len(n) != 1 || n[0] != domain.EventClaimOpened {
		t.Fatalf("sam's notifications %v", n)
	}
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 10, 0)
	if err != nil || len(cl.Offers) != 1 || cl.Offers[0].Amount != 590 {
		t.Fatalf("offer: %+v %v", cl, err)
	}
	if _, err := w.Claims.OfferPartialRefund(sam, cl.ID, 20, 0); code(err) != domain.CodeOfferPending {
		t.Fatalf("second pending offer: %v", err)
	}
	if _, err := w.Claims.AcceptOffer(sam, cl.ID, cl.Offers[0].ID); code(err) != domain.CodeForbidden {
		t.Fatalf("seller accepts: %v", err)
	}
	cl, err = w.Claims.RejectOffer(ben, cl.ID, cl.Offers[0].ID)
	if err != nil || cl.Offers[0].State != domain.OfferRejected || cl.State != domain.ClaimOpen {
		t.Fatalf("reject: %+v %v", cl, err)
	}
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 0, 1500)
	if err != nil || len(cl.Offers) != 2 {
		t.Fatalf("second offer: %+v %v", cl, err)
	}
	cl, err = w.Claims.AcceptOffer(ben, cl.ID, cl.Offers[1].ID)
	if err != nil || cl.State != domain.ClaimClosed || cl.Resolution != domain.ResolutionPartialRefund || cl.RefundID == "" {
		t.Fatalf("accept: %+v %v", cl, err)
	}
	if cl.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("resolved at once, reputation %s", cl.AffectsReputation)
	}
	if len(cl.Offers) != 2 || cl.Offers[0].State != domain.OfferRejected || cl.Offers[1].State != domain.OfferAccepted {
		t.Fatalf("history %+v", cl.Offers)
	}
	r, err := w.Refunds.FindRefund(ben, cl.RefundID)
	if err != nil || r.Amount != 1500 || r.ClaimID != cl.ID || r.CreatedBy != w.id("sam") {
		t.Fatalf("refund %+v %v", r, err)
	}
	if o := w.order(t, "2001"); o.Refunded.Total != 1500 {
		t.Fatalf("refunded %+v", o.Refunded)
	}
	if _, err := w.Claims.FindClaim(ana, cl.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("ana reads ben's claim: %v", err)
	}
	if _, err := w.Claims.FindClaim(w.as(t, "sue"), cl.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("sue reads shop-1's claim: %v", err)
	}
	// A closed claim frees the order for a new one.
	if _, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimBuyersRemorse, "changed my mind"); err != nil {
		t.Fatal(err)
	}
}

func testClaimReturnRefundsOnReceipt(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam := w.as(t, "ben"), w.as(t, "sam")
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDifferentProduct, "blue, not grey")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Claims.StartReturn(ben, cl.ID); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer starts the return: %v", err)
	}
	ret, err := w.Claims.StartReturn(sam, cl.ID)
	if err != nil || ret.State != domain.ReturnLabelIssued || ret.Label.Size == 0 {
		t.Fatalf("return: %+v %v", ret, err)
	}
	_, label, err := w.Claims.ReturnLabel(ben, ret.ID)
	if text := returnlabel.Text(label); err != nil || !strings.Contains(text, "Nordic Home") || ret.Reference == "" || !strings.Contains(text, ret.Reference) {
		t.Fatalf("label %q %v", label, err)
	}
	if _, _, err := w.Claims.ReturnLabel(w.as(t, "ana"), ret.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("ana reads ben's label: %v", err)
	}
	if got, _ := w.Claims.FindClaim(ben, cl.ID); got.State != domain.ClaimReturning || got.ReturnID != ret.ID {
		t.Fatalf("claim %+v", got)
	}
	if ret, err = w.Claims.AdvanceReturn(ben, ret.ID, domain.ReturnShipped, "TRACK-1"); err != nil || ret.Tracking != "TRACK-1" {
		t.Fatalf("shipped: %+v %v", ret, err)
	}
	if _, err := w.Claims.AdvanceReturn(ben, ret.ID, domain.ReturnReceived, ""); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer receives: %v", err)
	}
	ret, err = w.Claims.AdvanceReturn(sam, ret.ID, domain.ReturnReceived, "")
	if err != nil || ret.State != domain.ReturnRefunded || ret.RefundID == "" {
		t.Fatalf("received: %+v %v", ret, err)
	}
	got, _ := w.Claims.FindClaim(ben, cl.ID)
	if got.State != domain.ClaimClosed || got.Resolution != domain.ResolutionReturn || got.RefundID != ret.RefundID {
		t.Fatalf("claim after return %+v", got)
	}
	if o := w.order(t, "2001"); o.Refunded.Total != 5900 {
		t.Fatalf("refunded %+v", o.Refunded)
	}
	want := "return.label_issued return.shipped return.received"
	if got := w.audit(t, "return:"+ret.ID); got != want {
		t.Fatalf("audit %q", got)
	}
}

func testClaimTotalRefundAndClose(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, sam, olga := w.as(t, "ben"), w.as(t, "sam"), w.as(t, "olga")
	cl, _ := w.Claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "torn")
	if _, err := w.Claims.CloseClaim(sam, cl.ID, "done"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller closes: %v", err)
	}
	if _, err := w.Claims.RefundClaim(ben, cl.ID); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer refunds: %v", err)
	}
	// The buyer closes it after guidance.
	got, err := w.Claims.CloseClaim(ben, cl.ID, "")
	if err != nil || got.Resolution != domain.ResolutionBuyerClosed {
		t.Fatalf("buyer closes: %+v %v", got, err)
	}
	// A new claim, refunded in full.
	cl2, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimOther, "the colour runs")
	if err != nil {
		t.Fatal(err)
	}
	got, err = w.Claims.RefundClaim(sam, cl2.ID)
	if err != nil || got.Resolution != domain.ResolutionTotalRefund || got.State != domain.ClaimClosed || got.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("total: %+v %v", got, err)
	}
	if _, err := w.Claims.CloseClaim(olga, cl2.ID, "x"); code(err) != domain.CodeClaimState {
		t.Fatalf("close closed: %v", err)
	}
	// Nothing is left to refund: no remedy is possible, so no claim.
	if _, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimOther, "again"); code(err) != domain.CodeClaimWindowClosed {
		t.Fatalf("a claim on an order refunded in full: %v", err)
	}
	list, _, err := w.Claims.ListClaims(ben, "", "", 10)
	if err != nil || len(list) != 2 || list[0].ID != cl2.ID {
		t.Fatalf("ben's claims %+v %v", list, err)
	}
}

func testClaimReputationOverTime(t *testing.T, open Opener) {
	w := newWorld(t, open)
	claims := w.Claims
	start := w.clock.Now()
	ben := w.as(t, "ben")
	cl, err := claims.OpenClaim(ben, "2001", domain.ClaimDefect, "hole")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		want domain.Reputation
	}{ // in order: the clock only moves forward
		{71*time.Hour + 59*time.Minute, domain.ReputationPending},
		{72*time.Hour + time.Minute, domain.ReputationAffected},
	} {
		got, err := w.findClaimAt(t, ben, start.Add(tc.at), cl.ID)
		if err != nil || got.AffectsReputation != tc.want || !got.ReputationDeadline.Equal(start.Add(72*time.Hour)) {
			t.Fatalf("at %s: %s (deadline %s) %v, want %s", tc.at, got.AffectsReputation, got.ReputationDeadline, err, tc.want)
		}
	}
	w.clock.Add(start.Add(72*time.Hour + time.Minute).Sub(w.clock.Now()))
	got, err := claims.CloseClaim(ben, cl.ID, "")
	if err != nil || got.AffectsReputation != domain.ReputationAffected {
		t.Fatalf("closed late: %+v %v", got, err)
	}
}

// findClaimAt moves the clock to at and reads the claim.
func (w *world) findClaimAt(t testing.TB, ctx context.Context, at time.Time, id string) (*domain.Claim, error) {
	t.Helper()
	w.clock.Add(at.Sub(w.clock.Now()))
	return w.Claims.FindClaim(ctx, id)
}

func testClaimRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben, ana, sam, sue, olga := w.as(t, "ben"), w.as(t, "ana"), w.as(t, "sam"), w.as(t, "sue"), w.as(t, "olga")
	// A closed claim with a rejected offer and a return on the way.
	old, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDefect, "hole")
	if err != nil {
		t.Fatal(err)
	}
	old, _ = w.Claims.OfferPartialRefund(sam, old.ID, 10, 0)
	rejected := old.Offers[0].ID
	if _, err := w.Claims.RejectOffer(ben, old.ID, rejected); err != nil {
		t.Fatal(err)
	}
	ret, err := w.Claims.StartReturn(sam, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Closed by the return? No: a return waits for the parcel. Close another.
	doneClaim, _ := w.Claims.FindClaim(ben, old.ID)
	// The open claim: an offer pending.
	w.clock.Add(time.Minute)
	if _, err := w.Claims.CloseClaim(olga, doneClaim.ID, "handled by the return"); err != nil && code(err) != domain.CodeClaimState {
		t.Fatal(err)
	}
	cl, err := w.Claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "torn")
	if err != nil {
		t.Fatal(err)
	}
	cl, err = w.Claims.OfferPartialRefund(sam, cl.ID, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	pending := cl.Offers[0].ID
	openC := func(ctx context.Context, order, reason, desc string) func() error {
		return func() error { _, err := w.Claims.OpenClaim(ctx, order, reason, desc); return err }
	}
	offer := func(ctx context.Context, id string, pct int, amount int64) func() error {
		return func() error { _, err := w.Claims.OfferPartialRefund(ctx, id, pct, amount); return err }
	}
	answer := func(accept bool, ctx context.Context, id, offerID string) func() error {
		return func() error {
			var err error
			if accept {
				_, err = w.Claims.AcceptOffer(ctx, id, offerID)
			} else {
				_, err = w.Claims.RejectOffer(ctx, id, offerID)
			}
			return err
		}
	}
	advance := func(ctx context.Context, id string, to domain.ReturnState, tracking string) func() error {
		return func() error { _, err := w.Claims.AdvanceReturn(ctx, id, to, tracking); return err }
	}
	closeC := func(ctx context.Context, id, why string) func() error {
		return func() error { _, err := w.Claims.CloseClaim(ctx, id, why); return err }
	}
	w.refuseAll(t, []refusal{
		{"open anonymous", domain.CodeNotFound, openC(anon, "2001", domain.ClaimOther, "x")},
		{"open on another's order", domain.CodeNotFound, openC(ana, "2001", domain.ClaimOther, "x")},
		{"open on an unknown order", domain.CodeNotFound, openC(ben, "9999", domain.ClaimOther, "x")},
		{"open as the seller", domain.CodeForbidden, openC(sam, "2001", domain.ClaimOther, "x")},
		{"open with an unknown reason", domain.CodeInvalidClaim, openC(ana, "1002", "meh", "x")},
		{"open without a description", domain.CodeInvalidClaim, openC(ana, "1002", domain.ClaimOther, " ")},
		{"open before delivery", domain.CodeOrderNotDelivered, openC(ana, "1001", domain.ClaimDefect, "broken")},
		{"open past the claim window", domain.CodeClaimWindowClosed, openC(ana, "1002", domain.ClaimDefect, "frayed")},
		{"open a second", domain.CodeClaimOpen, openC(ben, "2001", domain.ClaimOther, "again")},
		{"offer as another shop", domain.CodeNotFound, offer(sue, cl.ID, 10, 0)},
		{"offer as the buyer", domain.CodeForbidden, offer(ben, cl.ID, 10, 0)},
		{"offer while one is pending", domain.CodeOfferPending, offer(sam, cl.ID, 20, 0)},
		{"offer on a closed claim", domain.CodeClaimState, offer(sam, old.ID, 10, 0)},
		{"offer unknown claim", domain.CodeNotFound, offer(sam, "no-such-claim", 10, 0)},
		{"accept as the seller", domain.CodeForbidden, answer(true, sam, cl.ID, pending)},
		{"accept unknown offer", domain.CodeNotFound, answer(true, ben, cl.ID, "no-such-offer")},
		{"accept a rejected offer", domain.CodeOfferState, answer(true, ben, old.ID, rejected)},
		{"reject as another customer", domain.CodeNotFound, answer(false, ana, cl.ID, pending)},
		{"reject a rejected offer", domain.CodeOfferState, answer(false, ben, old.ID, rejected)},
		{"refund as the buyer", domain.CodeForbidden, func() error { _, err := w.Claims.RefundClaim(ben, cl.ID); return err }},
		{"withdraw as the buyer", domain.CodeForbidden, func() error { _, err := w.Claims.WithdrawOffer(ben, cl.ID, pending); return err }},
		{"withdraw as another shop", domain.CodeNotFound, func() error { _, err := w.Claims.WithdrawOffer(sue, cl.ID, pending); return err }},
		{"withdraw an unknown offer", domain.CodeNotFound, func() error { _, err := w.Claims.WithdrawOffer(sam, cl.ID, "no-such-offer"); return err }},
		{"withdraw a rejected offer", domain.CodeOfferState, func() error { _, err := w.Claims.WithdrawOffer(sam, old.ID, rejected); return err }},
		{"refund a closed claim", domain.CodeClaimState, func() error { _, err := w.Claims.RefundClaim(sam, old.ID); return err }},
		{"return as the buyer", domain.CodeForbidden, func() error { _, err := w.Claims.StartReturn(ben, cl.ID); return err }},
		{"return twice", domain.CodeClaimState, func() error { _, err := w.Claims.StartReturn(sam, old.ID); return err }},
		{"return unknown claim", domain.CodeNotFound, func() error { _, err := w.Claims.StartReturn(sam, "no-such-claim"); return err }},
		{"advance return received by the buyer", domain.CodeForbidden, advance(ben, ret.ID, domain.ReturnReceived, "")},
		{"advance return to an unknown state", domain.CodeReturnState, advance(ben, ret.ID, "lost", "")},
		{"advance return by the seller to shipped", domain.CodeForbidden, advance(sam, ret.ID, domain.ReturnShipped, "T")},
		{"advance return with too long tracking", domain.CodeInvalidClaim, advance(ben, ret.ID, domain.ReturnShipped, long)},
		{"advance another's return", domain.CodeNotFound, advance(ana, ret.ID, domain.ReturnShipped, "T")},
		{"advance unknown return", domain.CodeNotFound, advance(ben, "no-such-return", domain.ReturnShipped, "T")},
		{"close as the seller", domain.CodeForbidden, closeC(sam, cl.ID, "done")},
		{"close by care without reason", domain.CodeCloseReasonRequired, closeC(olga, cl.ID, " ")},
		{"close with too long a reason", domain.CodeInvalidClaim, closeC(ben, cl.ID, long)},
		{"close another's", domain.CodeNotFound, closeC(ana, cl.ID, "x")},
		{"find another's", domain.CodeNotFound, func() error { _, err := w.Claims.FindClaim(ana, cl.ID); return err }},
		{"find as another shop", domain.CodeNotFound, func() error { _, err := w.Claims.FindClaim(sue, cl.ID); return err }},
		{"find another's return", domain.CodeNotFound, func() error { _, err := w.Claims.FindReturn(ana, ret.ID); return err }},
		{"find unknown return", domain.CodeNotFound, func() error { _, err := w.Claims.FindReturn(olga, "no-such-return"); return err }},
		{"label of another's return", domain.CodeNotFound, func() error { _, _, err := w.Claims.ReturnLabel(ana, ret.ID); return err }},
		{"list another's order", domain.CodeNotFound, func() error { _, _, err := w.Claims.ListClaims(ana, "2001", "", 10); return err }},
		{"list bad cursor", domain.CodeInvalidCursor, func() error { _, _, err := w.Claims.ListClaims(ben, "", "!!", 10); return err }},
	})
}
