package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	returnlabel "github.com/marketplace/helpcentre/domain/label"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

// casesAgentLimit is olga's refund limit in these tests.
const casesAgentLimit = 2000

var paymentSecret = []byte("payment-test-secret")

// casesWorld is the demo world with the cases area's services, and a second
// server over the same services whose shared secret is known, for signed
// payment callbacks.
type casesWorld struct {
	*domainWorld
	signed *server.Server
}

func plugCases(p domain.Policy) func(db *bolt.DB, d *server.Domain) {
	return func(db *bolt.DB, d *server.Domain) {
		d.Incidents = bolt.NewIncidentService(db, p)
		d.Refunds = bolt.NewRefundService(db, p)
		d.Claims = bolt.NewClaimService(db, p)
		d.Work = struct {
			*bolt.WorkStats
			*bolt.RoutingService
		}{bolt.NewWorkStats(db, p), bolt.NewRoutingService(db)}
	}
}

func newCasesWorld(t *testing.T) *casesWorld {
	t.Helper()
	p := domain.DefaultPolicy()
	p.AgentRefundLimit = casesAgentLimit
	var dom *server.Domain
	w := newDomainWorld(t, plugCases(p), func(db *bolt.DB, d *server.Domain) { dom = d })
	ix, err := index.Open(context.Background(), t.TempDir(), tinyContent, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	signed, err := server.New(server.Config{AdminToken: adminToken, Domain: dom, Secret: paymentSecret}, ix, search.New(ix, search.DefaultOptions()),
		bolt.NewFeedbackService(w.db), discard(), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return &casesWorld{domainWorld: w, signed: signed}
}

// want checks a response's status and, for problems, its code.
func want(t *testing.T, what string, r response, status int, code domain.Code) {
	t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		t.Fatalf("%s: %d %s, want %d %s", what, r.status, r.body, status, code)
	}
}

func TestIncidentPermissionsOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	want(t, "ben opens on ana's order", w.call(t, "ben", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}), 404, "not_found")
	want(t, "sue opens on shop-1's order", w.call(t, "sue", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}), 404, "not_found")
	want(t, "sam opens", w.call(t, "sam", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}), 403, "forbidden")
	want(t, "bad reason", w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "meh", "line": 1}), 400, domain.CodeInvalidIncident)
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 2, "description": "bulbs broken"})
	want(t, "ana opens", r, 201, "")
	var in domain.Incident
	r.decode(t, &in)
	if in.ID == "" || in.State != domain.IncidentOpen || in.Line != 2 {
		t.Fatalf("incident %+v", in)
	}
	var o domain.Order
	w.call(t, "ana", "GET", "/api/v1/orders/1001", nil).decode(t, &o)
	if !o.Frozen {
		t.Fatal("order not frozen")
	}
	path := "/api/v1/incidents/" + in.ID
	for _, who := range []string{"ana", "sam", "olga", "adam"} {
		want(t, who+" reads", w.call(t, who, "GET", path, nil), 200, "")
	}
	for _, who := range []string{"ben", "sue"} {
		want(t, who+" reads", w.call(t, who, "GET", path, nil), 404, "not_found")
		want(t, who+" resolves", w.call(t, who, "POST", path+"/resolve", map[string]any{"message": "x"}), 404, "not_found")
	}
	want(t, "anonymous reads", w.call(t, "", "GET", path, nil), 401, "unauthorized")
	want(t, "sam closes", w.call(t, "sam", "POST", path+"/close", map[string]any{"reason": "done"}), 403, "forbidden")
	want(t, "ana closes", w.call(t, "ana", "POST", path+"/close", map[string]any{"reason": "done"}), 403, "forbidden")
	want(t, "olga closes an open incident without a reason", w.call(t, "olga", "POST", path+"/close", nil), 400, domain.CodeCloseReasonRequired)
	want(t, "ana resolves", w.call(t, "ana", "POST", path+"/resolve", map[string]any{"message": "x"}), 403, "forbidden")
	want(t, "sam resolves", w.call(t, "sam", "POST", path+"/resolve", map[string]any{"message": "sent new bulbs"}), 200, "")
	want(t, "olga reopens", w.call(t, "olga", "POST", path+"/reopen", map[string]any{"reason": "not arrived"}), 200, "")
	want(t, "sam reopens", w.call(t, "sam", "POST", path+"/reopen", nil), 403, "forbidden")
	want(t, "sam resolves again", w.call(t, "sam", "POST", path+"/resolve", map[string]any{"message": "tracked"}), 200, "")
	r = w.call(t, "olga", "POST", path+"/close", nil)
	want(t, "olga closes", r, 200, "")
	r.decode(t, &in)
	if in.State != domain.IncidentClosed {
		t.Fatalf("closed incident %+v", in)
	}
	want(t, "close twice", w.call(t, "olga", "POST", path+"/close", map[string]any{"reason": "x"}), 409, domain.CodeIncidentState)
	var list struct{ Incidents []domain.Incident }
	w.call(t, "sam", "GET", "/api/v1/incidents?order=1001", nil).decode(t, &list)
	if len(list.Incidents) != 1 {
		t.Fatalf("list %+v", list)
	}
	want(t, "ben lists 1001", w.call(t, "ben", "GET", "/api/v1/incidents?order=1001", nil), 404, "not_found")
}

func TestRefundsOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	path := "/api/v1/orders/1001/refunds"
	partial := map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 2, "units": 1}}}
	want(t, "no key", w.call(t, "sam", "POST", path, partial), 400, domain.CodeIdempotencyKeyRequired)
	want(t, "customer refunds", w.call(t, "ana", "POST", path, partial, "Idempotency-Key", "a1"), 403, "forbidden")
	want(t, "other shop refunds", w.call(t, "sue", "POST", path, partial, "Idempotency-Key", "s1"), 404, "not_found")
	want(t, "other customer refunds", w.call(t, "ben", "POST", path, partial, "Idempotency-Key", "b1"), 404, "not_found")
	first := w.call(t, "sam", "POST", path, partial, "Idempotency-Key", "k1")
	want(t, "sam refunds a bulb", first, 201, "")
	again := w.call(t, "sam", "POST", path, partial, "Idempotency-Key", "k1")
	want(t, "replay", again, 200, "")
	if string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay body differs:\n%s\n%s", first.body, again.body)
	}
	want(t, "the key of a partial refund with a total one", w.call(t, "sam", "POST", path, map[string]any{"kind": "total"}, "Idempotency-Key", "k1"), 422, domain.CodeIdempotencyKeyReused)
	want(t, "the key of one bulb with two", w.call(t, "sam", "POST", path, map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 2, "units": 2}}}, "Idempotency-Key", "k1"), 422, domain.CodeIdempotencyKeyReused)
	var rf domain.Refund
	first.decode(t, &rf)
	if rf.Amount != 650 || rf.State != domain.RefundRequested {
		t.Fatalf("refund %+v", rf)
	}
	want(t, "over paid", w.call(t, "sam", "POST", path, map[string]any{"kind": "partial", "shipping": 496}, "Idempotency-Key", "k2"), 400, domain.CodeRefundExceedsPaid)
	// The agent's limit is per order: sam's 6.50 EUR counts.
	want(t, "agent over limit", w.call(t, "olga", "POST", path, map[string]any{"kind": "partial", "amount": casesAgentLimit - 650 + 1}, "Idempotency-Key", "o1"), 403, domain.CodeRefundOverLimit)
	want(t, "agent within limit", w.call(t, "olga", "POST", path, map[string]any{"kind": "partial", "amount": casesAgentLimit - 650}, "Idempotency-Key", "o1"), 201, "")
	want(t, "agent splitting", w.call(t, "olga", "POST", path, map[string]any{"kind": "partial", "amount": 1}, "Idempotency-Key", "o2"), 403, domain.CodeRefundOverLimit)
	want(t, "admin over the agents' limit", w.call(t, "adam", "POST", path, map[string]any{"kind": "partial", "amount": casesAgentLimit + 1}, "Idempotency-Key", "o1"), 201, "")
	want(t, "250 days after shipment", w.call(t, "sue", "POST", "/api/v1/orders/1002/refunds", map[string]any{"kind": "total"}, "Idempotency-Key", "x"), 400, domain.CodeRefundWindowClosed)

	rpath := "/api/v1/refunds/" + rf.ID
	want(t, "ana reads her refund", w.call(t, "ana", "GET", rpath, nil), 200, "")
	want(t, "ben reads it", w.call(t, "ben", "GET", rpath, nil), 404, "not_found")

	// The callback: signed by the payment side, or by customer care.
	cb := rpath + "/callback"
	want(t, "unsigned callback", w.call(t, "", "POST", cb, `{"refund_id":"`+rf.ID+`","state":"processing"}`), 401, domain.CodePaymentSignature)
	processing := paymentCallback(rf.ID, "evt_http_1", `"state":"processing"`, time.Now())
	// The first server's secret is random: its own key refuses this one.
	want(t, "signed with another key", w.call(t, "", "POST", cb, processing.body, processing.headers...), 401, domain.CodePaymentSignature)
	signed := &domainWorld{srv: w.signed, db: w.db, world: w.world}
	want(t, "signed callback", signed.call(t, "", "POST", cb, processing.body, processing.headers...), 200, "")
	want(t, "the same callback again", signed.call(t, "", "POST", cb, processing.body, processing.headers...), 409, domain.CodePaymentReplayed)
	old := paymentCallback(rf.ID, "evt_http_2", `"state":"failed"`, time.Now().Add(-6*time.Minute))
	want(t, "6 minutes old", signed.call(t, "", "POST", cb, old.body, old.headers...), 401, domain.CodePaymentSignature)
	tampered := paymentCallback(rf.ID, "evt_http_3", `"state":"refunded"`, time.Now())
	want(t, "body changed", signed.call(t, "", "POST", cb, strings.Replace(tampered.body, "refunded", "failed", 1), tampered.headers...), 401, domain.CodePaymentSignature)
	legacy := []byte(`{"state":"failed"}`)
	want(t, "the old X-Helpcentre-Signature", signed.call(t, "", "POST", cb, string(legacy), "X-Helpcentre-Signature",
		"t="+strconv.FormatInt(time.Now().Unix(), 10)+",v1="+hex.EncodeToString(hmacSHA256(server.PaymentCallbackKey(paymentSecret), []byte(strconv.FormatInt(time.Now().Unix(), 10)+"."+string(legacy))))), 401, domain.CodePaymentSignature)
	want(t, "seller calls back", w.call(t, "sam", "POST", cb, `{"state":"failed"}`), 403, "forbidden")
	want(t, "customer calls back", w.call(t, "ben", "POST", cb, `{"state":"failed"}`), 404, "not_found")
	r := w.call(t, "olga", "POST", cb, `{"state":"failed","failure":"card closed"}`)
	want(t, "operator fails it", r, 200, "")
	r.decode(t, &rf)
	if rf.State != domain.RefundFailed || rf.Failure != "card closed" {
		t.Fatalf("failed refund %+v", rf)
	}
	want(t, "customer retries", w.call(t, "ana", "POST", rpath+"/retry", nil), 403, "forbidden")
	want(t, "seller retries", w.call(t, "sam", "POST", rpath+"/retry", nil), 200, "")
	want(t, "retry a requested refund", w.call(t, "sam", "POST", rpath+"/retry", nil), 409, domain.CodeRefundState)
	var list struct{ Refunds []domain.Refund }
	w.call(t, "sam", "GET", path, nil).decode(t, &list)
	if len(list.Refunds) != 3 {
		t.Fatalf("refunds %d", len(list.Refunds))
	}
}

// signedCallback is a payment callback as the payment side sends it.
type signedCallback struct {
	body    string
	headers []string
}

// paymentCallback signs {"refund_id": refundID, fields} as event id sent at
// at, with the key of the server whose secret is paymentSecret.
func paymentCallback(refundID, id, fields string, at time.Time) signedCallback {
	body := `{"refund_id":"` + refundID + `",` + fields + `}`
	return signedCallback{body, []string{
		"Webhook-Id", id,
		"Webhook-Timestamp", strconv.FormatInt(at.Unix(), 10),
		"Webhook-Signature", domain.SignPaymentCallback(server.PaymentCallbackKey(paymentSecret), id, at, []byte(body)),
	}}
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// TestPaymentCallbackReplaysOverHTTP is the attack of the issue: a captured
// "refunded" callback of one refund, sent for another, marked a 49.90 EUR
// refund refunded and told the customer so; a replayed "failed" gave back
// units that were then refunded twice.
func TestPaymentCallbackReplaysOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	signed := &domainWorld{srv: w.signed, db: w.db, world: w.world}
	refund := func(key string, line int) domain.Refund {
		var r domain.Refund
		res := w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "partial", "lines": []map[string]any{{"line": line, "units": 1}}}, "Idempotency-Key", key)
		want(t, "refund "+key, res, 201, "")
		res.decode(t, &r)
		return r
	}
	bulb, lamp := refund("bulb", 2), refund("lamp", 1)
	if lamp.Amount != 4990 {
		t.Fatalf("lamp %+v", lamp)
	}
	now := time.Now()
	processing := paymentCallback(bulb.ID, "evt_1", `"attempt":1,"state":"processing"`, now)
	refunded := paymentCallback(bulb.ID, "evt_2", `"attempt":1,"state":"refunded"`, now)
	want(t, "bulb processing", signed.call(t, "", "POST", "/api/v1/refunds/"+bulb.ID+"/callback", processing.body, processing.headers...), 200, "")
	want(t, "bulb refunded", signed.call(t, "", "POST", "/api/v1/refunds/"+bulb.ID+"/callback", refunded.body, refunded.headers...), 200, "")
	notified := func() string { return string(w.call(t, "ana", "GET", "/api/v1/notifications", nil).body) }
	before := notified()

	lampCB := "/api/v1/refunds/" + lamp.ID + "/callback"
	want(t, "bulb's processing sent for the lamp", signed.call(t, "", "POST", lampCB, processing.body, processing.headers...), 401, domain.CodePaymentSignature)
	want(t, "bulb's refunded sent for the lamp", signed.call(t, "", "POST", lampCB, refunded.body, refunded.headers...), 401, domain.CodePaymentSignature)
	want(t, "bulb's refunded again", signed.call(t, "", "POST", "/api/v1/refunds/"+bulb.ID+"/callback", refunded.body, refunded.headers...), 409, domain.CodePaymentReplayed)
	var got domain.Refund
	w.call(t, "ana", "GET", "/api/v1/refunds/"+lamp.ID, nil).decode(t, &got)
	if got.State != domain.RefundRequested {
		t.Fatalf("the lamp's refund is %s", got.State)
	}
	if after := notified(); after != before {
		t.Fatalf("ana was told something:\n%s\n%s", before, after)
	}

	// A replayed failure after a retry.
	failed := paymentCallback(lamp.ID, "evt_3", `"attempt":1,"state":"failed","failure":"card closed"`, now)
	want(t, "lamp failed", signed.call(t, "", "POST", lampCB, failed.body, failed.headers...), 200, "")
	want(t, "lamp retried", w.call(t, "sam", "POST", "/api/v1/refunds/"+lamp.ID+"/retry", nil), 200, "")
	want(t, "lamp's failure again", signed.call(t, "", "POST", lampCB, failed.body, failed.headers...), 409, domain.CodePaymentReplayed)
	late := paymentCallback(lamp.ID, "evt_4", `"attempt":1,"state":"failed"`, now)
	want(t, "a new failure of the first attempt", signed.call(t, "", "POST", lampCB, late.body, late.headers...), 409, domain.CodeRefundState)
	want(t, "the lamp refunded twice", w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 1, "units": 1}}}, "Idempotency-Key", "lamp-2"), 400, domain.CodeRefundExceedsPaid)
	stale := paymentCallback(lamp.ID, "evt_5", `"attempt":2,"state":"processing"`, now.Add(-6*time.Minute))
	want(t, "a stale timestamp", signed.call(t, "", "POST", lampCB, stale.body, stale.headers...), 401, domain.CodePaymentSignature)
	for i, st := range []string{"processing", "refunded"} {
		ok := paymentCallback(lamp.ID, "evt_ok_"+strconv.Itoa(i), `"attempt":2,"state":"`+st+`"`, now)
		want(t, "lamp "+st, signed.call(t, "", "POST", lampCB, ok.body, ok.headers...), 200, "")
	}
	w.call(t, "ana", "GET", "/api/v1/refunds/"+lamp.ID, nil).decode(t, &got)
	if got.State != domain.RefundRefunded || got.Attempts != 2 {
		t.Fatalf("the lamp's refund %+v", got)
	}
	want(t, "refunded → failed", signed.call(t, "", "POST", lampCB, failed.body, failed.headers...), 409, domain.CodePaymentReplayed)
	again := paymentCallback(lamp.ID, "evt_6", `"state":"failed"`, now)
	want(t, "refunded → failed, a new event", signed.call(t, "", "POST", lampCB, again.body, again.headers...), 409, domain.CodeRefundState)
}

func TestClaimsOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	want(t, "ana claims on ben's order", w.call(t, "ana", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "x"}), 404, "not_found")
	want(t, "not delivered", w.call(t, "ana", "POST", "/api/v1/orders/1001/claims", map[string]any{"reason": "defect", "description": "x"}), 409, domain.CodeOrderNotDelivered)
	want(t, "seller claims", w.call(t, "sam", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "x"}), 403, "forbidden")
	r := w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "a hole"})
	want(t, "ben claims", r, 201, "")
	var cl domain.Claim
	r.decode(t, &cl)
	if !strings.Contains(string(r.body), `"affects_reputation":"pending"`) || cl.ReputationDeadline.IsZero() {
		t.Fatalf("claim %s", r.body)
	}
	path := "/api/v1/claims/" + cl.ID
	want(t, "ana reads", w.call(t, "ana", "GET", path, nil), 404, "not_found")
	want(t, "sue reads", w.call(t, "sue", "GET", path, nil), 404, "not_found")
	want(t, "sue offers", w.call(t, "sue", "POST", path+"/offers", map[string]any{"percent": 10}), 404, "not_found")
	want(t, "ben offers", w.call(t, "ben", "POST", path+"/offers", map[string]any{"percent": 10}), 403, "forbidden")
	want(t, "100 percent", w.call(t, "sam", "POST", path+"/offers", map[string]any{"percent": 100}), 400, domain.CodeInvalidOffer)
	r = w.call(t, "sam", "POST", path+"/offers", map[string]any{"percent": 10})
	want(t, "sam offers", r, 201, "")
	r.decode(t, &cl)
	off := cl.Offers[0]
	if off.Amount != 590 {
		t.Fatalf("offer %+v", off)
	}
	want(t, "second offer", w.call(t, "sam", "POST", path+"/offers", map[string]any{"amount": 100}), 409, domain.CodeOfferPending)
	want(t, "sam accepts", w.call(t, "sam", "POST", path+"/offers/"+off.ID+"/accept", nil), 403, "forbidden")
	want(t, "ben rejects", w.call(t, "ben", "POST", path+"/offers/"+off.ID+"/reject", nil), 200, "")
	r = w.call(t, "sam", "POST", path+"/return", nil)
	want(t, "sam starts a return", r, 201, "")
	var ret domain.Return
	r.decode(t, &ret)
	rpath := "/api/v1/returns/" + ret.ID
	label := w.call(t, "ben", "GET", rpath+"/label", nil)
	want(t, "ben downloads the label", label, 200, "")
	if !strings.HasPrefix(label.header.Get("Content-Type"), "application/pdf") || !strings.HasPrefix(string(label.body), "%PDF-") {
		t.Fatalf("label %s %.60q", label.header.Get("Content-Type"), label.body)
	}
	// From Ben's delivery address to the shop's returns address, with the
	// reference the shop reads off the parcel.
	if text := returnlabel.Text(label.body); ret.Reference == "" || !strings.Contains(text, "Return reference: "+ret.Reference) ||
		!strings.Contains(text, "Ben Carter") || !strings.Contains(text, "14 Elm Road") || !strings.Contains(text, "Nordic Home Returns") ||
		!strings.Contains(text, "Hamngatan 12") {
		t.Fatalf("the label (reference %q) says:\n%s", ret.Reference, text)
	}
	want(t, "ana downloads it", w.call(t, "ana", "GET", rpath+"/label", nil), 404, "not_found")
	want(t, "sam ships it", w.call(t, "sam", "POST", rpath+"/shipped", nil), 403, "forbidden")
	want(t, "ben ships it", w.call(t, "ben", "POST", rpath+"/shipped", map[string]any{"tracking": "TRK1"}), 200, "")
	r = w.call(t, "sam", "POST", rpath+"/received", nil)
	want(t, "sam receives it", r, 200, "")
	r.decode(t, &ret)
	if ret.State != domain.ReturnRefunded || ret.RefundID == "" {
		t.Fatalf("return %+v", ret)
	}
	w.call(t, "ben", "GET", path, nil).decode(t, &cl)
	if cl.State != domain.ClaimClosed || cl.Resolution != domain.ResolutionReturn {
		t.Fatalf("claim %+v", cl)
	}
	want(t, "ben reads the refund", w.call(t, "ben", "GET", "/api/v1/refunds/"+ret.RefundID, nil), 200, "")

	// Refunded in full, the order takes no other claim: no remedy is left.
	want(t, "second claim", w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "buyers_remorse", "description": "changed my mind"}), 400, domain.CodeClaimWindowClosed)
}

func TestQueueAndStatsOverHTTP(t *testing.T) {
	w := newCasesWorld(t)
	want(t, "ana's incident", w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}), 201, "")
	want(t, "ben's claim", w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "hole"}), 201, "")
	for _, who := range []string{"sam", "olga"} {
		r := w.call(t, who, "GET", "/api/v1/queue", nil)
		want(t, who+"'s queue", r, 200, "")
		var q struct{ Items []domain.QueueItem }
		r.decode(t, &q)
		if len(q.Items) < 2 || q.Items[0].Kind != "incident" || q.Items[1].Kind != "claim" || q.Items[0].Reason == "" || q.Items[1].DueAt == nil {
			t.Fatalf("%s's queue %s", who, r.body)
		}
	}
	var q struct{ Items []domain.QueueItem }
	w.call(t, "sue", "GET", "/api/v1/queue", nil).decode(t, &q)
	if len(q.Items) != 0 {
		t.Fatalf("sue sees shop-1's work: %+v", q.Items)
	}
	want(t, "customer's queue", w.call(t, "ana", "GET", "/api/v1/queue", nil), 403, "forbidden")

	r := w.call(t, "sam", "GET", "/api/v1/shops/shop-1/stats", nil)
	want(t, "sam's stats", r, 200, "")
	var st domain.ShopStats
	r.decode(t, &st)
	if st.IncidentsOpened != 1 || st.OpenIncidentsNow != 1 || st.Claims != 1 || len(st.Daily) < 30 {
		t.Fatalf("stats %s", r.body)
	}
	want(t, "sue reads shop-1's stats", w.call(t, "sue", "GET", "/api/v1/shops/shop-1/stats", nil), 404, "not_found")
	want(t, "ana reads stats", w.call(t, "ana", "GET", "/api/v1/shops/shop-1/stats", nil), 404, "not_found")
	want(t, "adam reads stats", w.call(t, "adam", "GET", "/api/v1/shops/shop-1/stats", nil), 200, "")
	want(t, "olga without view_stats", w.call(t, "olga", "GET", "/api/v1/shops/shop-1/stats", nil), 403, "forbidden")
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	want(t, "reversed period", w.call(t, "sam", "GET", "/api/v1/shops/shop-1/stats?from="+from+"&to="+time.Now().Add(-2*time.Hour).UTC().Format(time.RFC3339), nil), 400, domain.CodeInvalidPeriod)
	want(t, "bad time", w.call(t, "sam", "GET", "/api/v1/shops/shop-1/stats?from=yesterday", nil), 400, "invalid_parameter")
}

// TestOpenAPIDescribesCaseRoutes: with the cases area plugged in, every
// route it registers is in openapi.json.
func TestOpenAPIDescribesCaseRoutes(t *testing.T) {
	w := newCasesWorld(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	w.call(t, "", "GET", "/api/v1/openapi.json", nil).decode(t, &doc)
	param := regexp.MustCompile(`:([A-Za-z_]+)\??`)
	for _, rt := range w.srv.App().GetRoutes(true) {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1")
		if !ok || p == "" || p == "/" || rt.Method == "HEAD" || rt.Method == "USE" || strings.Contains(p, "*") {
			continue
		}
		p = param.ReplaceAllString(p, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s /api/v1%s is not in openapi.json", rt.Method, p)
		}
	}
}
