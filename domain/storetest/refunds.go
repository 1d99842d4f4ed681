package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var refundCases = []testCase{
	{"idempotency_and_caps", testRefundIdempotencyAndCaps},
	{"agent_limit", testRefundAgentLimit},
	{"concurrent_one_key", testConcurrentRefundsWithOneKeyMakeOne},
	{"total_closes_incidents", testTotalRefundClosesIncidentsAndUnfreezes},
	{"refusals", testRefundRefusals},
	{"idempotency_key_reused", testRefundIdempotencyKeyReused},
	{"payment_callbacks", testPaymentCallbacks},
	{"payment_callback_replays", testPaymentCallbackReplays},
	{"payment_callback_failed_replay", testPaymentCallbackFailedReplay},
}

func testRefundIdempotencyAndCaps(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam, olga := w.as(t, "sam"), w.as(t, "olga")
	// 1001: lamp 1 × 4990, bulbs 3 × 650, shipping 495: 7435 in all.
	r1, replayed, err := w.Refunds.CreateRefund(sam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}})
	if err != nil || replayed || r1.Amount != 1300 || r1.State != domain.RefundRequested {
		t.Fatalf("first: %+v %v %v", r1, replayed, err)
	}
	again, replayed, err := w.Refunds.CreateRefund(sam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}})
	if err != nil || !replayed || again.ID != r1.ID || again.Amount != 1300 {
		t.Fatalf("replay: %+v %v %v", again, replayed, err)
	}
	if o := w.order(t, "1001"); o.Refunded.Total != 1300 || o.Refunded.Lines[2].Units != 2 {
		t.Fatalf("held %+v", o.Refunded)
	}
	for _, tc := range []struct {
		name string
		req  domain.RefundRequest
		code domain.Code
	}{
		{"two more bulbs than left", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}}, domain.CodeRefundExceedsPaid},
		{"shipping over paid", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 496}, domain.CodeRefundExceedsPaid},
		{"amount over what is left", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 7435 - 1300 + 1}, domain.CodeRefundExceedsPaid},
		{"no key", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1}, domain.CodeIdempotencyKeyRequired},
	} {
		key := "k-" + tc.name
		if tc.code == domain.CodeIdempotencyKeyRequired {
			key = ""
		}
		if _, _, err := w.Refunds.CreateRefund(sam, "1001", key, tc.req); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, _, err := w.Refunds.CreateRefund(w.as(t, "ana"), "1001", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeForbidden {
		t.Fatalf("customer refunds: %v", err)
	}
	if _, _, err := w.Refunds.CreateRefund(w.as(t, "sue"), "1001", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeNotFound {
		t.Fatalf("other shop refunds: %v", err)
	}
	if _, _, err := w.Refunds.CreateRefund(sam, "1002", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeNotFound {
		t.Fatalf("sam refunds shop-2's order: %v", err)
	}
	if _, _, err := w.Refunds.CreateRefund(w.as(t, "sue"), "1002", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeRefundWindowClosed {
		t.Fatalf("250 days after shipment: %v", err)
	}

	// The payment side fails r1: its bulbs are free again; retry holds them.
	system := domain.WithActor(context.Background(), domain.Actor{UserID: "system", Name: "payments"})
	if _, err := w.Refunds.AdvanceRefund(system, r1.ID, domain.RefundRefunded, ""); code(err) != domain.CodeRefundState {
		t.Fatalf("requested → refunded: %v", err)
	}
	if _, err := w.Refunds.AdvanceRefund(sam, r1.ID, domain.RefundFailed, "x"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller advances: %v", err)
	}
	if _, err := w.Refunds.AdvanceRefund(system, r1.ID, domain.RefundProcessing, ""); err != nil {
		t.Fatal(err)
	}
	failed, err := w.Refunds.AdvanceRefund(system, r1.ID, domain.RefundFailed, "card closed")
	if err != nil || failed.State != domain.RefundFailed || failed.Failure != "card closed" {
		t.Fatalf("fail: %+v %v", failed, err)
	}
	if o := w.order(t, "1001"); o.Refunded.Total != 0 || len(o.Refunded.Lines) != 0 {
		t.Fatalf("after failure %+v", o.Refunded)
	}
	if _, err := w.Refunds.AdvanceRefund(system, r1.ID, domain.RefundFailed, "card closed"); err != nil {
		t.Fatalf("a repeated callback: %v", err)
	}
	if o := w.order(t, "1001"); o.Refunded.Total != 0 {
		t.Fatalf("a repeated failure released twice: %+v", o.Refunded)
	}
	retried, err := w.Refunds.RetryRefund(sam, r1.ID)
	if err != nil || retried.State != domain.RefundRequested || retried.Attempts != 2 {
		t.Fatalf("retry: %+v %v", retried, err)
	}
	if o := w.order(t, "1001"); o.Refunded.Total != 1300 {
		t.Fatalf("after retry %+v", o.Refunded)
	}
	w.Refunds.AdvanceRefund(olga, r1.ID, domain.RefundProcessing, "")
	if done, err := w.Refunds.AdvanceRefund(system, r1.ID, domain.RefundRefunded, ""); err != nil || done.State != domain.RefundRefunded {
		t.Fatalf("refunded: %+v %v", done, err)
	}
	if n := w.notificationTypes(t, "ana"); !strings.Contains(strings.Join(n, " "), domain.EventRefundIssued) {
		t.Fatalf("ana was not told: %v", n)
	}
	// The agent's limit is 50000 by default: 1001 is below it.
	if _, _, err := w.Refunds.CreateRefund(olga, "1001", "k-olga", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 495}); err != nil {
		t.Fatal(err)
	}
	list, _, err := w.Refunds.ListRefunds(sam, "1001", "", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %v %v", list, err)
	}
	if got := w.audit(t, "refund:"+r1.ID); got != "refund.created refund.processing refund.failed refund.retried refund.processing refund.refunded" {
		t.Fatalf("audit %q", got)
	}
}

func testRefundAgentLimit(t *testing.T, open Opener) {
	p := domain.DefaultPolicy()
	p.AgentRefundLimit = 1000
	w := newWorldPolicy(t, open, p)
	refunds := w.Refunds
	olga := w.as(t, "olga")
	_, _, err := refunds.CreateRefund(olga, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1001})
	if code(err) != domain.CodeRefundOverLimit || domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("over the limit: %v", err)
	}
	if _, _, err := refunds.CreateRefund(olga, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	// The limit is per order: a second refund may not add up past it.
	if _, _, err := refunds.CreateRefund(olga, "1001", "k2", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1}); code(err) != domain.CodeRefundOverLimit {
		t.Fatalf("a second refund past the limit: %v", err)
	}
	if _, _, err := refunds.CreateRefund(w.as(t, "adam"), "1001", "k", domain.RefundRequest{Kind: domain.RefundTotal}); err != nil {
		t.Fatalf("admins have no limit: %v", err)
	}
}

func testConcurrentRefundsWithOneKeyMakeOne(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam := w.as(t, "sam")
	var wg sync.WaitGroup
	ids := make([]string, 16)
	replays := make([]bool, 16)
	errs := make([]error, 16)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, rep, err := w.Refunds.CreateRefund(sam, "1001", "same-key", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000})
			if err == nil {
				ids[i], replays[i] = r.ID, rep
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	fresh := 0
	for i := range ids {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("two refunds: %s and %s", ids[0], ids[i])
		}
		if !replays[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d requests made a refund, want 1", fresh)
	}
	if o := w.order(t, "1001"); o.Refunded.Total != 1000 {
		t.Fatalf("refunded %d, want 1000", o.Refunded.Total)
	}
	// Concurrent refunds with different keys never take more than was paid.
	var ok int
	var mu sync.Mutex
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := w.Refunds.CreateRefund(sam, "1001", "k"+string(rune('a'+i)), domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if code(err) != domain.CodeRefundExceedsPaid {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if o := w.order(t, "1001"); ok != 6 || o.Refunded.Total != 7000 {
		t.Fatalf("%d refunds of 1000 succeeded (refunded %d); 7435 paid allows 6 after the first", ok, o.Refunded.Total)
	}
}

func testTotalRefundClosesIncidentsAndUnfreezes(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam := w.as(t, "ana"), w.as(t, "sam")
	in1, err := w.Incidents.OpenIncident(ana, "1001", 1, domain.IncidentDefective, "")
	if err != nil {
		t.Fatal(err)
	}
	in2, _ := w.Incidents.OpenIncident(w.as(t, "olga"), "1001", 0, domain.IncidentNotReceived, "")
	w.Incidents.ResolveIncident(sam, in2.ID, "tracking sent")
	if o := w.order(t, "1001"); o.OpenIncidents != 2 || !o.Frozen {
		t.Fatalf("before: %+v", o)
	}
	// A partial refund leaves them open.
	if _, _, err := w.Refunds.CreateRefund(sam, "1001", "p", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 495}); err != nil {
		t.Fatal(err)
	}
	if !w.order(t, "1001").Frozen {
		t.Fatal("a partial refund unfroze the order")
	}
	r, _, err := w.Refunds.CreateRefund(sam, "1001", "t", domain.RefundRequest{Kind: domain.RefundTotal})
	if err != nil || r.Amount != 7435-495 || r.Shipping != 0 {
		t.Fatalf("total: %+v %v", r, err)
	}
	for _, id := range []string{in1.ID, in2.ID} {
		in, _ := w.Incidents.FindIncident(ana, id)
		if in.State != domain.IncidentClosed || in.CloseReason != "total refund" {
			t.Fatalf("incident %s: %+v", id, in)
		}
	}
	if o := w.order(t, "1001"); o.Frozen || o.OpenIncidents != 0 || o.Refunded.Total != 7435 {
		t.Fatalf("after: %+v", o)
	}
	if _, _, err := w.Refunds.CreateRefund(sam, "1001", "t2", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1}); code(err) != domain.CodeRefundExceedsPaid {
		t.Fatalf("after everything: %v", err)
	}
}

func testRefundRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam, sue, ana, ben, olga := w.as(t, "sam"), w.as(t, "sue"), w.as(t, "ana"), w.as(t, "ben"), w.as(t, "olga")
	payments := domain.WithActor(context.Background(), domain.Actor{UserID: "system", Name: "payments"})
	requested, _, err := w.Refunds.CreateRefund(sam, "1001", "req", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	done, _, _ := w.Refunds.CreateRefund(sam, "2001", "done", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 100})
	for _, to := range []domain.RefundState{domain.RefundProcessing, domain.RefundRefunded} {
		if _, err := w.Refunds.AdvanceRefund(payments, done.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	create := func(ctx context.Context, order, key string, r domain.RefundRequest) func() error {
		return func() error { _, _, err := w.Refunds.CreateRefund(ctx, order, key, r); return err }
	}
	advance := func(ctx context.Context, id string, to domain.RefundState, failure string) func() error {
		return func() error { _, err := w.Refunds.AdvanceRefund(ctx, id, to, failure); return err }
	}
	partial := func(amount int64) domain.RefundRequest {
		return domain.RefundRequest{Kind: domain.RefundPartial, Amount: amount}
	}
	w.refuseAll(t, []refusal{
		{"create anonymous", domain.CodeNotFound, create(anon, "1001", "k", partial(1))},
		{"create as the customer", domain.CodeForbidden, create(ana, "1001", "k", partial(1))},
		{"create as another shop", domain.CodeNotFound, create(sue, "1001", "k", partial(1))},
		{"create on an unknown order", domain.CodeNotFound, create(sam, "9999", "k", partial(1))},
		{"create without a key", domain.CodeIdempotencyKeyRequired, create(sam, "1001", "", partial(1))},
		{"create past the window", domain.CodeRefundWindowClosed, create(sue, "1002", "k", domain.RefundRequest{Kind: domain.RefundTotal})},
		{"create of an unknown kind", domain.CodeInvalidRefund, create(sam, "1001", "k", domain.RefundRequest{Kind: "some"})},
		{"create total with an amount", domain.CodeInvalidRefund, create(sam, "1001", "k", domain.RefundRequest{Kind: domain.RefundTotal, Amount: 5})},
		{"create negative", domain.CodeInvalidRefund, create(sam, "1001", "k", partial(-5))},
		{"create with too long a reason", domain.CodeInvalidRefund, create(sam, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1, Reason: long})},
		{"create over what is left", domain.CodeRefundExceedsPaid, create(sam, "1001", "k", partial(7435))},
		{"create shipping over paid", domain.CodeRefundExceedsPaid, create(sam, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 496})},
		{"create units over paid", domain.CodeRefundExceedsPaid, create(sam, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 4}}})},
		{"advance as the seller", domain.CodeForbidden, advance(sam, requested.ID, domain.RefundProcessing, "")},
		{"advance as the customer", domain.CodeNotFound, advance(ben, requested.ID, domain.RefundProcessing, "")},
		{"advance requested to refunded", domain.CodeRefundState, advance(payments, requested.ID, domain.RefundRefunded, "")},
		{"advance refunded to failed", domain.CodeRefundState, advance(olga, done.ID, domain.RefundFailed, "x")},
		{"advance to an unknown state", domain.CodeRefundState, advance(payments, requested.ID, "lost", "")},
		{"advance with too long a failure", domain.CodeInvalidRefund, advance(payments, requested.ID, domain.RefundFailed, long)},
		{"advance unknown", domain.CodeNotFound, advance(payments, "no-such-refund", domain.RefundProcessing, "")},
		{"retry a requested one", domain.CodeRefundState, func() error { _, err := w.Refunds.RetryRefund(sam, requested.ID); return err }},
		{"retry a refunded one", domain.CodeRefundState, func() error { _, err := w.Refunds.RetryRefund(sam, done.ID); return err }},
		{"retry another shop's", domain.CodeNotFound, func() error { _, err := w.Refunds.RetryRefund(sue, requested.ID); return err }},
		{"retry unknown", domain.CodeNotFound, func() error { _, err := w.Refunds.RetryRefund(sam, "no-such-refund"); return err }},
		{"find another's", domain.CodeNotFound, func() error { _, err := w.Refunds.FindRefund(ben, requested.ID); return err }},
		{"find unknown", domain.CodeNotFound, func() error { _, err := w.Refunds.FindRefund(olga, "no-such-refund"); return err }},
		{"list another's order", domain.CodeNotFound, func() error { _, _, err := w.Refunds.ListRefunds(ben, "1001", "", 10); return err }},
		{"list bad cursor", domain.CodeInvalidCursor, func() error { _, _, err := w.Refunds.ListRefunds(sam, "1001", "!!", 10); return err }},
	})
}

func testRefundIdempotencyKeyReused(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam, adam := w.as(t, "sam"), w.as(t, "adam")
	bulbs := domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 1}}, Reason: "broken"}
	first, _, err := w.Refunds.CreateRefund(sam, "1001", "k1", bulbs)
	if err != nil {
		t.Fatal(err)
	}
	again, replayed, err := w.Refunds.CreateRefund(sam, "1001", "k1", bulbs)
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("the same request again: %+v %v %v", again, replayed, err)
	}
	create := func(ctx context.Context, key string, r domain.RefundRequest) func() error {
		return func() error { _, _, err := w.Refunds.CreateRefund(ctx, "1001", key, r); return err }
	}
	w.refuseAll(t, []refusal{
		{"total under the key of a partial", domain.CodeIdempotencyKeyReused, create(sam, "k1", domain.RefundRequest{Kind: domain.RefundTotal})},
		{"two bulbs under the key of one", domain.CodeIdempotencyKeyReused, create(sam, "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}, Reason: "broken"})},
		{"another reason", domain.CodeIdempotencyKeyReused, create(sam, "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: bulbs.Lines, Reason: "late"})},
		{"shipping added", domain.CodeIdempotencyKeyReused, create(sam, "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: bulbs.Lines, Reason: "broken", Shipping: 495})},
	})
	if _, _, err := w.Refunds.CreateRefund(sam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundTotal}); domain.ErrorKind(err) != domain.Unprocessable {
		t.Fatalf("kind of %v, want unprocessable", err)
	}
	// The key is the caller's: another caller's k1 is another key.
	if r, replayed, err := w.Refunds.CreateRefund(adam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 495}); err != nil || replayed || r.ID == first.ID {
		t.Fatalf("adam's k1: %+v %v %v", r, replayed, err)
	}
}

// payments is the payment side's signed callback, as the server hands it on.
var payments = domain.WithActor(context.Background(), domain.SystemAs("payment-callback", ""))

// callback is a verified callback about r sent now.
func (w *world) callback(id string, r *domain.Refund, to domain.RefundState) domain.PaymentCallback {
	return domain.PaymentCallback{EventID: id, SentAt: w.clock.Now(), RefundID: r.ID, Attempt: r.Attempts, State: to}
}

func (w *world) apply(cb domain.PaymentCallback) func() error {
	return func() error { _, err := w.Refunds.ApplyPaymentCallback(payments, cb); return err }
}

func testPaymentCallbacks(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam := w.as(t, "sam")
	r, _, err := w.Refunds.CreateRefund(sam, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 1, Units: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, to := range []domain.RefundState{domain.RefundProcessing, domain.RefundProcessing, domain.RefundRefunded} {
		got, err := w.Refunds.ApplyPaymentCallback(payments, w.callback("evt_"+string(rune('a'+i)), r, to))
		if err != nil || got.State != to {
			t.Fatalf("callback %d (%s): %+v %v", i, to, got, err)
		}
	}
	if n := w.notificationTypes(t, "ana"); len(n) == 0 || n[0] != domain.EventRefundIssued {
		t.Fatalf("ana was not told: %v", n)
	}
	if got := w.audit(t, "refund:"+r.ID); got != "refund.created refund.processing refund.refunded" {
		t.Fatalf("audit %q", got)
	}
	cb := func(id string, to domain.RefundState) domain.PaymentCallback { return w.callback(id, r, to) }
	stale := cb("evt_stale", domain.RefundFailed)
	stale.SentAt = stale.SentAt.Add(-domain.PaymentCallbackMaxAge - time.Second)
	unknown := cb("evt_unknown", domain.RefundProcessing)
	unknown.RefundID = "no-such-refund"
	w.refuseAll(t, []refusal{
		{"refunded → failed", domain.CodeRefundState, w.apply(cb("evt_x1", domain.RefundFailed))},
		{"refunded → processing", domain.CodeRefundState, w.apply(cb("evt_x2", domain.RefundProcessing))},
		{"a stale timestamp", domain.CodePaymentSignature, w.apply(stale)},
		{"an unknown refund", domain.CodeNotFound, w.apply(unknown)},
		{"as the seller", domain.CodeForbidden, func() error {
			_, err := w.Refunds.ApplyPaymentCallback(sam, cb("evt_x3", domain.RefundRefunded))
			return err
		}},
		{"as the customer", domain.CodeNotFound, func() error {
			_, err := w.Refunds.ApplyPaymentCallback(w.as(t, "ben"), cb("evt_x4", domain.RefundRefunded))
			return err
		}},
	})

	// failed → refunded without a retry is refused; a refused callback is
	// not recorded, so it is good again once it fits (after a retry).
	f, _, err := w.Refunds.CreateRefund(sam, "2001", "f", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 100})
	if err != nil {
		t.Fatal(err)
	}
	early := w.callback("evt_early", f, domain.RefundProcessing)
	if _, err := w.Refunds.ApplyPaymentCallback(payments, w.callback("evt_f1", f, domain.RefundFailed)); err != nil {
		t.Fatal(err)
	}
	w.refuse(t, "failed → refunded without a retry", domain.CodeRefundState, w.apply(w.callback("evt_f2", f, domain.RefundRefunded)))
	w.refuse(t, "failed → processing without a retry", domain.CodeRefundState, w.apply(early))
	f, err = w.Refunds.RetryRefund(sam, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.refuse(t, "a callback about attempt 1 after the retry", domain.CodeRefundState, w.apply(w.callback("evt_f3", &domain.Refund{ID: f.ID, Attempts: 1}, domain.RefundFailed)))
	early.Attempt = 0 // names no attempt
	if got, err := w.Refunds.ApplyPaymentCallback(payments, early); err != nil || got.State != domain.RefundProcessing {
		t.Fatalf("a refused callback's event id was kept: %+v %v", got, err)
	}
}

// testPaymentCallbackReplays: a captured callback is applied once, whichever
// refund it is sent for.
func testPaymentCallbackReplays(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam := w.as(t, "sam")
	bulb, _, err := w.Refunds.CreateRefund(sam, "1001", "a", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	lamp, _, err := w.Refunds.CreateRefund(sam, "1001", "b", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 1, Units: 1}}})
	if err != nil || lamp.Amount != 4990 {
		t.Fatalf("lamp: %+v %v", lamp, err)
	}
	processing, refunded := w.callback("evt_1", bulb, domain.RefundProcessing), w.callback("evt_2", bulb, domain.RefundRefunded)
	for _, cb := range []domain.PaymentCallback{processing, refunded} {
		if _, err := w.Refunds.ApplyPaymentCallback(payments, cb); err != nil {
			t.Fatal(err)
		}
	}
	onLamp := func(cb domain.PaymentCallback) domain.PaymentCallback { cb.RefundID = lamp.ID; return cb }
	w.refuseAll(t, []refusal{
		{"the same refund", domain.CodePaymentReplayed, w.apply(refunded)},
		{"the same refund, its first callback", domain.CodePaymentReplayed, w.apply(processing)},
		{"another refund: processing", domain.CodePaymentReplayed, w.apply(onLamp(processing))},
		{"another refund: refunded", domain.CodePaymentReplayed, w.apply(onLamp(refunded))},
	})
	// Event ids are kept longer than a timestamp is accepted.
	w.clock.Add(domain.PaymentCallbackMaxAge + time.Minute)
	late := onLamp(processing)
	late.SentAt = w.clock.Now()
	w.refuse(t, "after the window, with a fresh timestamp", domain.CodePaymentReplayed, w.apply(late))
	if got, err := w.Refunds.FindRefund(sam, lamp.ID); err != nil || got.State != domain.RefundRequested {
		t.Fatalf("the lamp's refund: %+v %v", got, err)
	}
}

// testPaymentCallbackFailedReplay: a replayed "failed" would give back what a
// retried refund holds, and let it be refunded twice.
func testPaymentCallbackFailedReplay(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam := w.as(t, "sam")
	lamp, _, err := w.Refunds.CreateRefund(sam, "1001", "a", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 1, Units: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	failed := w.callback("evt_fail", lamp, domain.RefundFailed)
	failed.Attempt = 0 // a payment side that names no attempt
	if _, err := w.Refunds.ApplyPaymentCallback(payments, failed); err != nil {
		t.Fatal(err)
	}
	if o := w.order(t, "1001"); o.Refunded.Lines[1].Units != 0 {
		t.Fatalf("a failed refund still holds the lamp: %+v", o.Refunded)
	}
	if _, err := w.Refunds.RetryRefund(sam, lamp.ID); err != nil {
		t.Fatal(err)
	}
	w.refuse(t, "the failure again after the retry", domain.CodePaymentReplayed, w.apply(failed))
	if o := w.order(t, "1001"); o.Refunded.Lines[1].Units != 1 {
		t.Fatalf("the retried refund does not hold the lamp: %+v", o.Refunded)
	}
	w.refuse(t, "the lamp refunded a second time", domain.CodeRefundExceedsPaid, func() error {
		_, _, err := w.Refunds.CreateRefund(sam, "1001", "b", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 1, Units: 1}}})
		return err
	})
	lamp, _ = w.Refunds.FindRefund(sam, lamp.ID)
	for i, to := range []domain.RefundState{domain.RefundProcessing, domain.RefundRefunded} {
		if _, err := w.Refunds.ApplyPaymentCallback(payments, w.callback("evt_retry_"+string(rune('a'+i)), lamp, to)); err != nil {
			t.Fatal(err)
		}
	}
	if o := w.order(t, "1001"); o.Refunded.Lines[1].Units != 1 || o.Refunded.Total != 4990 {
		t.Fatalf("after the retried refund: %+v", o.Refunded)
	}
}
