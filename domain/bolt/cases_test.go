package bolt

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// caseServices are the cases area's services over the demo world.
type caseServices struct {
	db        *DB
	world     *demo.World
	orders    *OrderService
	incidents *IncidentService
	refunds   *RefundService
	claims    *ClaimService
}

func newCases(t testing.TB) *caseServices {
	db, w := testWorld(t)
	p := domain.DefaultPolicy()
	return &caseServices{db: db, world: w, orders: NewOrderService(db, p), incidents: NewIncidentService(db, p),
		refunds: NewRefundService(db, p), claims: NewClaimService(db, p)}
}

func (c *caseServices) order(t testing.TB, number string) *domain.Order {
	t.Helper()
	o, err := c.orders.FindOrder(as(t, c.db, "adam"), number)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func code(err error) domain.Code { return domain.ErrorCode(err) }

func auditActions(t testing.TB, db *DB, entity string) []string {
	t.Helper()
	var out []string
	err := db.view(context.Background(), func(tx *txn) error {
		c := tx.tx.Bucket(bucketAudit).Cursor()
		prefix := compositeKey([]byte(entity), nil)
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var e domain.AuditEntry
			if _, err := getJSON(tx.tx.Bucket(bucketAudit), k, &e); err != nil {
				return err
			}
			_ = v
			out = append(out, e.Action)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func notificationTypes(t testing.TB, db *DB, userID string) []string {
	t.Helper()
	var out []string
	db.view(context.Background(), func(tx *txn) error {
		c := tx.tx.Bucket(bucketNotifications).Cursor()
		prefix := compositeKey([]byte(userID), nil)
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var n domain.Notification
			getJSON(tx.tx.Bucket(bucketNotifications), k, &n)
			_ = v
			out = append(out, n.Type)
		}
		return nil
	})
	return out
}

func TestIncidentLifecycleFreezesOrder(t *testing.T) {
	c := newCases(t)
	ana, sam, olga := as(t, c.db, "ana"), as(t, c.db, "sam"), as(t, c.db, "olga")

	in, err := c.incidents.OpenIncident(ana, "1001", 2, domain.IncidentDamaged, "two bulbs broken")
	if err != nil {
		t.Fatal(err)
	}
	if o := c.order(t, "1001"); !o.Frozen || o.OpenIncidents != 1 {
		t.Fatalf("after opening: frozen %v open %d", o.Frozen, o.OpenIncidents)
	}
	// A frozen order does not move on.
	o := c.order(t, "1001")
	now := time.Now().UTC()
	o.State, o.DeliveredAt = domain.OrderDelivered, &now
	if _, _, err := c.orders.PutOrder(olga, o); code(err) != domain.CodeOrderFrozen {
		t.Fatalf("moving a frozen order on: %v", err)
	}
	if _, err := c.incidents.CloseIncident(sam, in.ID, "fixed"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller closes: %v", err)
	}
	if _, err := c.incidents.ResolveIncident(as(t, c.db, "sue"), in.ID, "x"); code(err) != domain.CodeNotFound {
		t.Fatalf("other shop resolves: %v", err)
	}
	if _, err := c.incidents.FindIncident(as(t, c.db, "ben"), in.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("other customer reads: %v", err)
	}
	got, err := c.incidents.ResolveIncident(sam, in.ID, "sent two new bulbs")
	if err != nil || got.State != domain.IncidentResolvedBySeller {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if !c.order(t, "1001").Frozen {
		t.Fatal("a solved incident waits for customer care: the order stays frozen")
	}
	if got, err = c.incidents.ReopenIncident(olga, in.ID, "bulbs not received"); err != nil || got.State != domain.IncidentOpen {
		t.Fatalf("reopen: %+v %v", got, err)
	}
	if _, err = c.incidents.ResolveIncident(sam, in.ID, "sent again, tracked"); err != nil {
		t.Fatal(err)
	}
	if got, err = c.incidents.CloseIncident(olga, in.ID, ""); err != nil || got.State != domain.IncidentClosed {
		t.Fatalf("close: %+v %v", got, err)
	}
	if o := c.order(t, "1001"); o.Frozen || o.OpenIncidents != 0 {
		t.Fatalf("after closing: frozen %v open %d", o.Frozen, o.OpenIncidents)
	}
	o = c.order(t, "1001")
	o.State, o.DeliveredAt = domain.OrderDelivered, &now
	if _, _, err := c.orders.PutOrder(olga, o); err != nil {
		t.Fatalf("moving the unfrozen order on: %v", err)
	}
	want := "incident.opened incident.resolved incident.reopened incident.resolved incident.closed"
	if got := strings.Join(auditActions(t, c.db, "incident:"+in.ID), " "); got != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
	if n := notificationTypes(t, c.db, c.world.Users["sam"].ID); len(n) == 0 || n[0] != domain.EventIncidentOpened {
		t.Fatalf("sam's notifications %v", n)
	}
	list, _, err := c.incidents.ListIncidents(ana, "1001", "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, _, err := c.incidents.ListIncidents(as(t, c.db, "ben"), "1001", "", 10); code(err) != domain.CodeNotFound {
		t.Fatalf("ben lists 1001: %v", err)
	}
	if _, err := c.incidents.OpenIncident(sam, "1001", 1, domain.IncidentOther, ""); code(err) != domain.CodeForbidden {
		t.Fatalf("seller opens: %v", err)
	}
}

func TestRefundIdempotencyAndCaps(t *testing.T) {
	c := newCases(t)
	sam, olga := as(t, c.db, "sam"), as(t, c.db, "olga")
	// 1001: lamp 1 × 4990, bulbs 3 × 650, shipping 495: 7435 in all.
	r1, replayed, err := c.refunds.CreateRefund(sam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}})
	if err != nil || replayed || r1.Amount != 1300 || r1.State != domain.RefundRequested {
		t.Fatalf("first: %+v %v %v", r1, replayed, err)
	}
	again, replayed, err := c.refunds.CreateRefund(sam, "1001", "k1", domain.RefundRequest{Kind: domain.RefundTotal})
	if err != nil || !replayed || again.ID != r1.ID || again.Amount != 1300 {
		t.Fatalf("replay: %+v %v %v", again, replayed, err)
	}
	if o := c.order(t, "1001"); o.Refunded.Total != 1300 || o.Refunded.Lines[2].Units != 2 {
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
		if _, _, err := c.refunds.CreateRefund(sam, "1001", key, tc.req); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, _, err := c.refunds.CreateRefund(as(t, c.db, "ana"), "1001", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeForbidden {
		t.Fatalf("customer refunds: %v", err)
	}
	if _, _, err := c.refunds.CreateRefund(as(t, c.db, "sue"), "1001", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeNotFound {
		t.Fatalf("other shop refunds: %v", err)
	}
	if _, _, err := c.refunds.CreateRefund(sam, "1002", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeNotFound {
		t.Fatalf("sam refunds shop-2's order: %v", err)
	}
	if _, _, err := c.refunds.CreateRefund(as(t, c.db, "sue"), "1002", "k9", domain.RefundRequest{Kind: domain.RefundTotal}); code(err) != domain.CodeRefundWindowClosed {
		t.Fatalf("250 days after shipment: %v", err)
	}

	// The payment side fails r1: its bulbs are free again; retry holds them.
	system := domain.WithActor(context.Background(), domain.Actor{UserID: "system", Name: "payments"})
	if _, err := c.refunds.AdvanceRefund(system, r1.ID, domain.RefundRefunded, ""); code(err) != domain.CodeRefundState {
		t.Fatalf("requested → refunded: %v", err)
	}
	if _, err := c.refunds.AdvanceRefund(sam, r1.ID, domain.RefundFailed, "x"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller advances: %v", err)
	}
	if _, err := c.refunds.AdvanceRefund(system, r1.ID, domain.RefundProcessing, ""); err != nil {
		t.Fatal(err)
	}
	failed, err := c.refunds.AdvanceRefund(system, r1.ID, domain.RefundFailed, "card closed")
	if err != nil || failed.State != domain.RefundFailed || failed.Failure != "card closed" {
		t.Fatalf("fail: %+v %v", failed, err)
	}
	if o := c.order(t, "1001"); o.Refunded.Total != 0 || len(o.Refunded.Lines) != 0 {
		t.Fatalf("after failure %+v", o.Refunded)
	}
	if _, err := c.refunds.AdvanceRefund(system, r1.ID, domain.RefundFailed, "card closed"); err != nil {
		t.Fatalf("a repeated callback: %v", err)
	}
	if o := c.order(t, "1001"); o.Refunded.Total != 0 {
		t.Fatalf("a repeated failure released twice: %+v", o.Refunded)
	}
	retried, err := c.refunds.RetryRefund(sam, r1.ID)
	if err != nil || retried.State != domain.RefundRequested || retried.Attempts != 2 {
		t.Fatalf("retry: %+v %v", retried, err)
	}
	if o := c.order(t, "1001"); o.Refunded.Total != 1300 {
		t.Fatalf("after retry %+v", o.Refunded)
	}
	c.refunds.AdvanceRefund(olga, r1.ID, domain.RefundProcessing, "")
	if done, err := c.refunds.AdvanceRefund(system, r1.ID, domain.RefundRefunded, ""); err != nil || done.State != domain.RefundRefunded {
		t.Fatalf("refunded: %+v %v", done, err)
	}
	if n := notificationTypes(t, c.db, c.world.Users["ana"].ID); !strings.Contains(strings.Join(n, " "), domain.EventRefundIssued) {
		t.Fatalf("ana was not told: %v", n)
	}
	// The agent's limit is 50000 by default: 1001 is below it.
	if _, _, err := c.refunds.CreateRefund(olga, "1001", "k-olga", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 495}); err != nil {
		t.Fatal(err)
	}
	list, _, err := c.refunds.ListRefunds(sam, "1001", "", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %v %v", list, err)
	}
	if got := strings.Join(auditActions(t, c.db, "refund:"+r1.ID), " "); got != "refund.created refund.processing refund.failed refund.retried refund.processing refund.refunded" {
		t.Fatalf("audit %q", got)
	}
}

func TestRefundAgentLimit(t *testing.T) {
	db, _ := testWorld(t)
	p := domain.DefaultPolicy()
	p.AgentRefundLimit = 1000
	refunds := NewRefundService(db, p)
	olga := as(t, db, "olga")
	_, _, err := refunds.CreateRefund(olga, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1001})
	if code(err) != domain.CodeRefundOverLimit || domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("over the limit: %v", err)
	}
	if _, _, err := refunds.CreateRefund(olga, "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := refunds.CreateRefund(as(t, db, "adam"), "1001", "k", domain.RefundRequest{Kind: domain.RefundTotal}); err != nil {
		t.Fatalf("admins have no limit: %v", err)
	}
}

func TestConcurrentRefundsWithOneKeyMakeOne(t *testing.T) {
	c := newCases(t)
	sam := as(t, c.db, "sam")
	var wg sync.WaitGroup
	ids := make([]string, 16)
	replays := make([]bool, 16)
	errs := make([]error, 16)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, rep, err := c.refunds.CreateRefund(sam, "1001", "same-key", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000})
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
	if o := c.order(t, "1001"); o.Refunded.Total != 1000 {
		t.Fatalf("refunded %d, want 1000", o.Refunded.Total)
	}
	// Concurrent refunds with different keys never take more than was paid.
	var ok int
	var mu sync.Mutex
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.refunds.CreateRefund(sam, "1001", "k"+string(rune('a'+i)), domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1000})
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
	if o := c.order(t, "1001"); ok != 6 || o.Refunded.Total != 7000 {
		t.Fatalf("%d refunds of 1000 succeeded (refunded %d); 7435 paid allows 6 after the first", ok, o.Refunded.Total)
	}
}

func TestTotalRefundClosesIncidentsAndUnfreezes(t *testing.T) {
	c := newCases(t)
	ana, sam := as(t, c.db, "ana"), as(t, c.db, "sam")
	in1, err := c.incidents.OpenIncident(ana, "1001", 1, domain.IncidentDefective, "")
	if err != nil {
		t.Fatal(err)
	}
	in2, _ := c.incidents.OpenIncident(as(t, c.db, "olga"), "1001", 0, domain.IncidentNotReceived, "")
	c.incidents.ResolveIncident(sam, in2.ID, "tracking sent")
	if o := c.order(t, "1001"); o.OpenIncidents != 2 || !o.Frozen {
		t.Fatalf("before: %+v", o)
	}
	// A partial refund leaves them open.
	if _, _, err := c.refunds.CreateRefund(sam, "1001", "p", domain.RefundRequest{Kind: domain.RefundPartial, Shipping: 495}); err != nil {
		t.Fatal(err)
	}
	if !c.order(t, "1001").Frozen {
		t.Fatal("a partial refund unfroze the order")
	}
	r, _, err := c.refunds.CreateRefund(sam, "1001", "t", domain.RefundRequest{Kind: domain.RefundTotal})
	if err != nil || r.Amount != 7435-495 || r.Shipping != 0 {
		t.Fatalf("total: %+v %v", r, err)
	}
	for _, id := range []string{in1.ID, in2.ID} {
		in, _ := c.incidents.FindIncident(ana, id)
		if in.State != domain.IncidentClosed || in.CloseReason != "total refund" {
			t.Fatalf("incident %s: %+v", id, in)
		}
	}
	if o := c.order(t, "1001"); o.Frozen || o.OpenIncidents != 0 || o.Refunded.Total != 7435 {
		t.Fatalf("after: %+v", o)
	}
	if _, _, err := c.refunds.CreateRefund(sam, "1001", "t2", domain.RefundRequest{Kind: domain.RefundPartial, Amount: 1}); code(err) != domain.CodeRefundExceedsPaid {
		t.Fatalf("after everything: %v", err)
	}
}

func TestClaimOffersAndPartialRefund(t *testing.T) {
	c := newCases(t)
	ben, sam, ana := as(t, c.db, "ben"), as(t, c.db, "sam"), as(t, c.db, "ana")
	// 2001: ben's, delivered 2 days ago, 5900 paid. 1001 is not delivered.
	if _, err := c.claims.OpenClaim(ana, "1001", domain.ClaimDefect, "broken"); code(err) != domain.CodeOrderNotDelivered {
		t.Fatalf("claim before delivery: %v", err)
	}
	if _, err := c.claims.OpenClaim(ana, "2001", domain.ClaimDefect, "broken"); code(err) != domain.CodeNotFound {
		t.Fatalf("claim on another's order: %v", err)
	}
	if _, err := c.claims.OpenClaim(sam, "2001", domain.ClaimDefect, "broken"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller claims: %v", err)
	}
	cl, err := c.claims.OpenClaim(ben, "2001", domain.ClaimDefect, "a hole in the throw")
	if err != nil || cl.AffectsReputation != domain.ReputationPending {
		t.Fatalf("open: %+v %v", cl, err)
	}
	if _, err := c.claims.OpenClaim(ben, "2001", domain.ClaimOther, "again"); code(err) != domain.CodeClaimOpen {
		t.Fatalf("second open claim: %v", err)
	}
	if n := notificationTypes(t, c.db, c.world.Users["sam"].ID); len(n) != 1 || n[0] != domain.EventClaimOpened {
		t.Fatalf("sam's notifications %v", n)
	}
	cl, err = c.claims.OfferPartialRefund(sam, cl.ID, 10, 0)
	if err != nil || len(cl.Offers) != 1 || cl.Offers[0].Amount != 590 {
		t.Fatalf("offer: %+v %v", cl, err)
	}
	if _, err := c.claims.OfferPartialRefund(sam, cl.ID, 20, 0); code(err) != domain.CodeOfferPending {
		t.Fatalf("second pending offer: %v", err)
	}
	if _, err := c.claims.AcceptOffer(sam, cl.ID, cl.Offers[0].ID); code(err) != domain.CodeForbidden {
		t.Fatalf("seller accepts: %v", err)
	}
	cl, err = c.claims.RejectOffer(ben, cl.ID, cl.Offers[0].ID)
	if err != nil || cl.Offers[0].State != domain.OfferRejected || cl.State != domain.ClaimOpen {
		t.Fatalf("reject: %+v %v", cl, err)
	}
	cl, err = c.claims.OfferPartialRefund(sam, cl.ID, 0, 1500)
	if err != nil || len(cl.Offers) != 2 {
		t.Fatalf("second offer: %+v %v", cl, err)
	}
	cl, err = c.claims.AcceptOffer(ben, cl.ID, cl.Offers[1].ID)
	if err != nil || cl.State != domain.ClaimClosed || cl.Resolution != domain.ResolutionPartialRefund || cl.RefundID == "" {
		t.Fatalf("accept: %+v %v", cl, err)
	}
	if cl.AffectsReputation != domain.ReputationNotAffected {
		t.Fatalf("resolved at once, reputation %s", cl.AffectsReputation)
	}
	if len(cl.Offers) != 2 || cl.Offers[0].State != domain.OfferRejected || cl.Offers[1].State != domain.OfferAccepted {
		t.Fatalf("history %+v", cl.Offers)
	}
	r, err := c.refunds.FindRefund(ben, cl.RefundID)
	if err != nil || r.Amount != 1500 || r.ClaimID != cl.ID || r.CreatedBy != c.world.Users["sam"].ID {
		t.Fatalf("refund %+v %v", r, err)
	}
	if o := c.order(t, "2001"); o.Refunded.Total != 1500 {
		t.Fatalf("refunded %+v", o.Refunded)
	}
	if _, err := c.claims.FindClaim(ana, cl.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("ana reads ben's claim: %v", err)
	}
	if _, err := c.claims.FindClaim(as(t, c.db, "sue"), cl.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("sue reads shop-1's claim: %v", err)
	}
	// A closed claim frees the order for a new one.
	if _, err := c.claims.OpenClaim(ben, "2001", domain.ClaimBuyersRemorse, "changed my mind"); err != nil {
		t.Fatal(err)
	}
}

func TestClaimReturnRefundsOnReceipt(t *testing.T) {
	c := newCases(t)
	ben, sam := as(t, c.db, "ben"), as(t, c.db, "sam")
	cl, err := c.claims.OpenClaim(ben, "2001", domain.ClaimDifferentProduct, "blue, not grey")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.claims.StartReturn(ben, cl.ID); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer starts the return: %v", err)
	}
	ret, err := c.claims.StartReturn(sam, cl.ID)
	if err != nil || ret.State != domain.ReturnLabelIssued || ret.Label.Size == 0 {
		t.Fatalf("return: %+v %v", ret, err)
	}
	_, label, err := c.claims.ReturnLabel(ben, ret.ID)
	if err != nil || !strings.Contains(string(label), "Nordic Home") || !strings.Contains(string(label), ret.ID) {
		t.Fatalf("label %q %v", label, err)
	}
	if _, _, err := c.claims.ReturnLabel(as(t, c.db, "ana"), ret.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("ana reads ben's label: %v", err)
	}
	if got, _ := c.claims.FindClaim(ben, cl.ID); got.State != domain.ClaimReturning || got.ReturnID != ret.ID {
		t.Fatalf("claim %+v", got)
	}
	if _, err := c.claims.AdvanceReturn(sam, ret.ID, domain.ReturnReceived, ""); code(err) != domain.CodeReturnState {
		t.Fatalf("received before shipped: %v", err)
	}
	if ret, err = c.claims.AdvanceReturn(ben, ret.ID, domain.ReturnShipped, "TRACK-1"); err != nil || ret.Tracking != "TRACK-1" {
		t.Fatalf("shipped: %+v %v", ret, err)
	}
	if _, err := c.claims.AdvanceReturn(ben, ret.ID, domain.ReturnReceived, ""); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer receives: %v", err)
	}
	ret, err = c.claims.AdvanceReturn(sam, ret.ID, domain.ReturnReceived, "")
	if err != nil || ret.State != domain.ReturnRefunded || ret.RefundID == "" {
		t.Fatalf("received: %+v %v", ret, err)
	}
	got, _ := c.claims.FindClaim(ben, cl.ID)
	if got.State != domain.ClaimClosed || got.Resolution != domain.ResolutionReturn || got.RefundID != ret.RefundID {
		t.Fatalf("claim after return %+v", got)
	}
	if o := c.order(t, "2001"); o.Refunded.Total != 5900 {
		t.Fatalf("refunded %+v", o.Refunded)
	}
	want := "return.label_issued return.shipped return.received"
	if got := strings.Join(auditActions(t, c.db, "return:"+ret.ID), " "); got != want {
		t.Fatalf("audit %q", got)
	}
}

func TestClaimTotalRefundAndClose(t *testing.T) {
	c := newCases(t)
	ben, sam, olga := as(t, c.db, "ben"), as(t, c.db, "sam"), as(t, c.db, "olga")
	cl, _ := c.claims.OpenClaim(ben, "2001", domain.ClaimDamaged, "torn")
	if _, err := c.claims.CloseClaim(sam, cl.ID, "done"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller closes: %v", err)
	}
	if _, err := c.claims.RefundClaim(ben, cl.ID); code(err) != domain.CodeForbidden {
		t.Fatalf("buyer refunds: %v", err)
	}
	got, err := c.claims.RefundClaim(sam, cl.ID)
	if err != nil || got.Resolution != domain.ResolutionTotalRefund || got.State != domain.ClaimClosed {
		t.Fatalf("total: %+v %v", got, err)
	}
	if _, err := c.claims.CloseClaim(olga, cl.ID, "x"); code(err) != domain.CodeClaimState {
		t.Fatalf("close closed: %v", err)
	}
	// A new claim: the buyer closes it after guidance.
	cl2, err := c.claims.OpenClaim(ben, "2001", domain.ClaimOther, "how do I wash it?")
	if err != nil {
		t.Fatal(err)
	}
	if got, err = c.claims.CloseClaim(ben, cl2.ID, ""); err != nil || got.Resolution != domain.ResolutionBuyerClosed {
		t.Fatalf("buyer closes: %+v %v", got, err)
	}
	list, _, err := c.claims.ListClaims(ben, "", "", 10)
	if err != nil || len(list) != 2 || list[0].ID != cl2.ID {
		t.Fatalf("ben's claims %+v %v", list, err)
	}
}

func TestClaimReputationOverTime(t *testing.T) {
	db, _ := testWorld(t)
	p := domain.DefaultPolicy()
	claims := NewClaimService(db, p)
	start := time.Now().UTC()
	ben := as(t, db, "ben")
	cl, err := claims.OpenClaim(AtTime(ben, start), "2001", domain.ClaimDefect, "hole")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		want domain.Reputation
	}{
		{71*time.Hour + 59*time.Minute, domain.ReputationPending},
		{72*time.Hour + time.Minute, domain.ReputationAffected},
	} {
		got, err := claims.FindClaim(AtTime(ben, start.Add(tc.at)), cl.ID)
		if err != nil || got.AffectsReputation != tc.want || !got.ReputationDeadline.Equal(start.Add(72*time.Hour)) {
			t.Fatalf("at %s: %s (deadline %s) %v, want %s", tc.at, got.AffectsReputation, got.ReputationDeadline, err, tc.want)
		}
	}
	got, err := claims.CloseClaim(AtTime(ben, start.Add(72*time.Hour+time.Minute)), cl.ID, "")
	if err != nil || got.AffectsReputation != domain.ReputationAffected {
		t.Fatalf("closed late: %+v %v", got, err)
	}
}

func TestQueueAndStatsWithThreads(t *testing.T) {
	c := newCases(t)
	p := domain.DefaultPolicy()
	threads := NewThreadService(c.db, p)
	work := NewWorkStats(c.db, p)
	ana, sam := as(t, c.db, "ana"), as(t, c.db, "sam")
	th, err := threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is my lamp?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.incidents.OpenIncident(ana, "1001", 1, domain.IncidentNotReceived, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.claims.OpenClaim(as(t, c.db, "ben"), "2001", domain.ClaimDefect, "hole"); err != nil {
		t.Fatal(err)
	}
	q, err := work.Queue(sam, 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, it := range q {
		kinds = append(kinds, it.Kind)
	}
	if strings.Join(kinds, " ") != "incident claim thread" || q[2].ID != th.ID || q[2].DueAt == nil || q[2].Priority != domain.PriorityThread {
		t.Fatalf("sam's queue %+v", q)
	}
	if q, _ := work.Queue(as(t, c.db, "sue"), 10); len(q) != 0 {
		t.Fatalf("sue's queue %+v", q)
	}
	if _, err := threads.PostMessage(sam, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "It ships today."}); err != nil {
		t.Fatal(err)
	}
	st, err := work.ShopStats(sam, "shop-1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Orders 1001 (2 lines, placed 12 days ago) and 2001 (1 line): one line
	// with an incident.
	if st.CustomerMessages != 1 || st.AnsweredWithin48h != 1 || st.AnsweredWithin48hPct != 100 || st.AvgFirstResponseSeconds < 0 ||
		st.IncidentsOpened != 1 || st.OpenIncidentsNow != 1 || st.OrderLines != 3 || st.IncidentRate != 1.0/3 || st.Claims != 1 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := work.ShopStats(sam, "shop-2", time.Time{}, time.Time{}); code(err) != domain.CodeNotFound {
		t.Fatalf("sam reads shop-2: %v", err)
	}
}
