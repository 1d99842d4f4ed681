package server_test

// The claim journeys of issue 21 over the API, with the demo world: a
// return granted in time spares the seller's reputation at once, the seller
// receives it without the buyer's "shipped" and the refund is made; a
// withdrawn offer frees the claim; offers expire; claims only while a
// remedy is possible; a failed refund opens its case again. The browser
// walks the same journey in browser_returns_test.go.

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

func TestReturnJourneyOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	r := w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "The seam came open."})
	want(t, "ben's claim", r, 201, "")
	var cl domain.Claim
	r.decode(t, &cl)
	path := "/api/v1/claims/" + cl.ID
	if cl.AffectsReputation != domain.ReputationPending {
		t.Fatalf("a new claim: %s", r.body)
	}

	// An offer, withdrawn: the claim is free for another.
	r = w.call(t, "sam", "POST", path+"/offers", map[string]any{"percent": 20})
	want(t, "sam offers 20 %", r, 201, "")
	r.decode(t, &cl)
	first := cl.Offers[0]
	if first.Amount != 1180 || first.ExpiresAt.IsZero() {
		t.Fatalf("offer %+v", first)
	}
	want(t, "a second offer while one is pending", w.call(t, "sam", "POST", path+"/offers", map[string]any{"amount": 500}), 409, domain.CodeOfferPending)
	want(t, "ben withdraws the shop's offer", w.call(t, "ben", "POST", path+"/offers/"+first.ID+"/withdraw", nil), 403, "forbidden")
	want(t, "sue withdraws it", w.call(t, "sue", "POST", path+"/offers/"+first.ID+"/withdraw", nil), 404, "not_found")
	r = w.call(t, "sam", "POST", path+"/offers/"+first.ID+"/withdraw", nil)
	want(t, "sam withdraws", r, 200, "")
	r.decode(t, &cl)
	if cl.Offers[0].State != domain.OfferWithdrawn || domain.PendingOffer(&cl) != nil {
		t.Fatalf("withdrawn: %s", r.body)
	}
	want(t, "ben accepts the withdrawn offer", w.call(t, "ben", "POST", path+"/offers/"+first.ID+"/accept", nil), 409, domain.CodeOfferState)
	want(t, "withdraw it again", w.call(t, "sam", "POST", path+"/offers/"+first.ID+"/withdraw", nil), 409, domain.CodeOfferState)
	want(t, "a new offer once withdrawn", w.call(t, "sam", "POST", path+"/offers", map[string]any{"amount": 500}), 201, "")

	// A pending offer does not block a return; granting it resolves the
	// claim for the reputation at once.
	r = w.call(t, "sam", "POST", path+"/return", nil)
	want(t, "sam grants a return with an offer pending", r, 201, "")
	var ret domain.Return
	r.decode(t, &ret)
	r = w.call(t, "ben", "GET", path, nil)
	r.decode(t, &cl)
	if !strings.Contains(string(r.body), `"affects_reputation":false`) || cl.State != domain.ClaimReturning || cl.RemedyAt == nil ||
		cl.Offers[1].State != domain.OfferWithdrawn {
		t.Fatalf("after the return was granted: %s", r.body)
	}

	// The parcel arrives before the buyer says it left: the seller marks it
	// received, the refund is made and the claim closed.
	rpath := "/api/v1/returns/" + ret.ID
	want(t, "ben receives it", w.call(t, "ben", "POST", rpath+"/received", nil), 403, "forbidden")
	r = w.call(t, "sam", "POST", rpath+"/received", nil)
	want(t, "sam receives it unshipped", r, 200, "")
	r.decode(t, &ret)
	if ret.State != domain.ReturnRefunded || ret.RefundID == "" {
		t.Fatalf("return %s", r.body)
	}
	var rf domain.Refund
	r = w.call(t, "ben", "GET", "/api/v1/refunds/"+ret.RefundID, nil)
	want(t, "ben reads his refund", r, 200, "")
	r.decode(t, &rf)
	if rf.Amount != 5900 || rf.Kind != domain.RefundTotal || rf.Reason != "Your return was received" {
		t.Fatalf("refund %s", r.body)
	}
	r = w.call(t, "ben", "GET", path, nil)
	r.decode(t, &cl)
	if cl.State != domain.ClaimClosed || cl.Resolution != domain.ResolutionReturn || !strings.Contains(string(r.body), `"affects_reputation":false`) {
		t.Fatalf("claim after receipt: %s", r.body)
	}

	// The payment side fails the refund: the claim is open again (the
	// return back to received), ben and customer care are told; the retry
	// closes it again.
	want(t, "the refund fails", w.call(t, "olga", "POST", "/api/v1/refunds/"+rf.ID+"/callback", `{"state":"failed","failure":"card closed"}`), 200, "")
	r = w.call(t, "ben", "GET", path, nil)
	cl = domain.Claim{}
	r.decode(t, &cl)
	if cl.State != domain.ClaimReturning || cl.Resolution != "" || !strings.Contains(string(r.body), `"affects_reputation":false`) {
		t.Fatalf("claim after the refund failed: %s", r.body)
	}
	w.call(t, "ben", "GET", rpath, nil).decode(t, &ret)
	if ret.State != domain.ReturnReceived {
		t.Fatalf("return after the refund failed: %s", ret.State)
	}
	if r := w.call(t, "ben", "GET", "/api/v1/notifications?unread=true", nil); !strings.Contains(string(r.body), `"refund.failed"`) ||
		!strings.Contains(string(r.body), "your claim is open again") {
		t.Errorf("ben is not told: %s", r.body)
	}
	if r := w.call(t, "olga", "GET", "/api/v1/admin/outbox?undelivered=true", nil); !strings.Contains(string(r.body), `"refund.failed"`) {
		t.Errorf("customer care is not told: %s", r.body)
	}
	want(t, "sam retries", w.call(t, "sam", "POST", "/api/v1/refunds/"+rf.ID+"/retry", nil), 200, "")
	w.call(t, "ben", "GET", path, nil).decode(t, &cl)
	if cl.State != domain.ClaimClosed || cl.Resolution != domain.ResolutionReturn {
		t.Fatalf("claim after the retry: %+v", cl)
	}

	// Refunded in full: no remedy is left, so no new claim.
	want(t, "a claim on a refunded order", w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "other", "description": "x"}), 400, domain.CodeClaimWindowClosed)
}

// A total refund closes the order's incident; if it fails, the incident is
// open again where it was and the order frozen again.
func TestFailedRefundReopensIncidentOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1})
	want(t, "ana's incident", r, 201, "")
	var in domain.Incident
	r.decode(t, &in)
	want(t, "sam marks it solved", w.call(t, "sam", "POST", "/api/v1/incidents/"+in.ID+"/resolve", map[string]any{"message": "Refunding in full."}), 200, "")
	r = w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "total", "reason": "The lamp arrived broken: sorry!"}, "Idempotency-Key", "t1")
	want(t, "sam refunds in full", r, 201, "")
	var rf domain.Refund
	r.decode(t, &rf)
	var o domain.Order
	w.call(t, "ana", "GET", "/api/v1/orders/1001", nil).decode(t, &o)
	w.call(t, "ana", "GET", "/api/v1/incidents/"+in.ID, nil).decode(t, &in)
	if o.Frozen || in.State != domain.IncidentClosed {
		t.Fatalf("after the total refund: frozen %v, incident %s", o.Frozen, in.State)
	}
	want(t, "the refund fails", w.call(t, "olga", "POST", "/api/v1/refunds/"+rf.ID+"/callback", `{"state":"failed","failure":"bank refused"}`), 200, "")
	w.call(t, "ana", "GET", "/api/v1/orders/1001", nil).decode(t, &o)
	w.call(t, "ana", "GET", "/api/v1/incidents/"+in.ID, nil).decode(t, &in)
	if !o.Frozen || in.State != domain.IncidentResolvedBySeller || in.ClosedAt != nil {
		t.Fatalf("after the refund failed: frozen %v, incident %+v", o.Frozen, in)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/notifications?unread=true", nil); !strings.Contains(string(r.body), "your incident is open again") {
		t.Errorf("ana is not told: %s", r.body)
	}
	// The customer sees the reason the seller wrote, on her order page.
	ana := w.forms()
	ana.login(t, "ana")
	if status, body, _ := ana.get(t, "/account/orders/1001"); status != 200 || !strings.Contains(body, "The lamp arrived broken: sorry!") {
		t.Errorf("ana's order page lacks the refund reason: %d", status)
	}
}

// Claims are opened only while a remedy is possible; a percent offer is a
// percent of the products, not the shipping; money in errors reads as
// money.
func TestClaimWindowAndOfferAmountsOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	r := w.call(t, "ana", "POST", "/api/v1/orders/1002/claims", map[string]any{"reason": "defect", "description": "It frays."})
	want(t, "a claim 250 days after shipment", r, 400, domain.CodeClaimWindowClosed)
	if !strings.Contains(string(r.body), "can no longer be claimed") {
		t.Errorf("the window's refusal: %s", r.body)
	}
	// Her order page offers no claim there, and does on a recent order.
	ana := w.forms()
	ana.login(t, "ana")
	// (Ana reads Spanish: "Make a claim" is "Hacer una reclamación".)
	if _, body, _ := ana.get(t, "/account/orders/1002"); strings.Contains(body, "Hacer una reclamación") {
		t.Error("1002, past the claim window, offers \"Make a claim\"")
	}
	at := func(h time.Duration) string { return w.now.Add(-h * time.Hour).UTC().Format(time.RFC3339) }
	want(t, "import 1003", w.call(t, "olga", "PUT", "/api/v1/orders/1003", map[string]any{"customer": "ana", "shop_id": "shop-2", "currency": "EUR",
		"state": "delivered", "shipped_at": at(96), "delivered_at": at(48), "shipping": 390,
		"lines": []map[string]any{{"line": 1, "sku": "CS-TOWEL-L", "title": "Cotton beach towel", "quantity": 2, "unit_price": 1890}}}), 201, "")
	if _, body, _ := ana.get(t, "/account/orders/1003"); !strings.Contains(body, "Hacer una reclamación") {
		t.Error("1003, delivered two days ago, offers no claim")
	}
	r = w.call(t, "ana", "POST", "/api/v1/orders/1003/claims", map[string]any{"reason": "defect", "description": "It frays."})
	want(t, "a claim 4 days after shipment", r, 201, "")
	var cl domain.Claim
	r.decode(t, &cl)
	r = w.call(t, "sue", "POST", "/api/v1/claims/"+cl.ID+"/offers", map[string]any{"amount": 5000})
	want(t, "an offer over what was paid", r, 400, domain.CodeRefundExceedsPaid)
	if !strings.Contains(string(r.body), "41.70 EUR left to refund, not 50.00 EUR") {
		t.Errorf("the error's money: %s", r.body)
	}
	r = w.call(t, "sue", "POST", "/api/v1/claims/"+cl.ID+"/offers", map[string]any{"percent": 10})
	want(t, "10 %", r, 201, "")
	r.decode(t, &cl)
	if cl.Offers[0].Amount != 378 { // 10 % of 37.80 EUR of towels, not of the 3.90 EUR shipping
		t.Errorf("10 %% offer: %d", cl.Offers[0].Amount)
	}
}

// Customer care withdraws a seller's pending offer from its claim page.
func TestOperatorWithdrawsOfferPage(t *testing.T) {
	w := newCasesWorld(t)
	r := w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "The seam came open."})
	var cl domain.Claim
	r.decode(t, &cl)
	r = w.call(t, "sam", "POST", "/api/v1/claims/"+cl.ID+"/offers", map[string]any{"percent": 5})
	r.decode(t, &cl)
	olga := w.forms()
	olga.login(t, "olga")
	p := "/operator/claims/" + cl.ID
	_, body, _ := olga.get(t, p)
	action := p + "/offers/" + cl.Offers[0].ID + "/withdraw"
	if !strings.Contains(body, `action="`+action+`"`) {
		t.Fatalf("the claim page offers no withdrawal")
	}
	status, h, _ := olga.post(t, p, action, url.Values{})
	if status != 303 || h.Get("Location") != p+"?done=withdrawn" {
		t.Fatalf("withdraw: %d %s", status, h.Get("Location"))
	}
	_, body, _ = olga.get(t, h.Get("Location"))
	if !strings.Contains(body, "The offer was withdrawn") || strings.Contains(body, `action="`+action+`"`) {
		t.Errorf("after withdrawing the page says otherwise")
	}
}
