package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var incidentCases = []testCase{
	{"lifecycle_freezes_order", testIncidentLifecycleFreezesOrder},
	{"refusals", testIncidentRefusals},
}

func testIncidentLifecycleFreezesOrder(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, olga := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "olga")

	in, err := w.Incidents.OpenIncident(ana, "1001", 2, domain.IncidentDamaged, "two bulbs broken")
	if err != nil {
		t.Fatal(err)
	}
	if o := w.order(t, "1001"); !o.Frozen || o.OpenIncidents != 1 {
		t.Fatalf("after opening: frozen %v open %d", o.Frozen, o.OpenIncidents)
	}
	// A frozen order does not move on.
	o := w.order(t, "1001")
	now := time.Now().UTC()
	o.State, o.DeliveredAt = domain.OrderDelivered, &now
	if _, _, err := w.Orders.PutOrder(olga, o); code(err) != domain.CodeOrderFrozen {
		t.Fatalf("moving a frozen order on: %v", err)
	}
	if _, err := w.Incidents.CloseIncident(sam, in.ID, "fixed"); code(err) != domain.CodeForbidden {
		t.Fatalf("seller closes: %v", err)
	}
	if _, err := w.Incidents.ResolveIncident(w.as(t, "sue"), in.ID, "x"); code(err) != domain.CodeNotFound {
		t.Fatalf("other shop resolves: %v", err)
	}
	if _, err := w.Incidents.FindIncident(w.as(t, "ben"), in.ID); code(err) != domain.CodeNotFound {
		t.Fatalf("other customer reads: %v", err)
	}
	got, err := w.Incidents.ResolveIncident(sam, in.ID, "sent two new bulbs")
	if err != nil || got.State != domain.IncidentResolvedBySeller {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if !w.order(t, "1001").Frozen {
		t.Fatal("a solved incident waits for customer care: the order stays frozen")
	}
	if got, err = w.Incidents.ReopenIncident(olga, in.ID, "bulbs not received"); err != nil || got.State != domain.IncidentOpen {
		t.Fatalf("reopen: %+v %v", got, err)
	}
	if _, err = w.Incidents.ResolveIncident(sam, in.ID, "sent again, tracked"); err != nil {
		t.Fatal(err)
	}
	if got, err = w.Incidents.CloseIncident(olga, in.ID, ""); err != nil || got.State != domain.IncidentClosed {
		t.Fatalf("close: %+v %v", got, err)
	}
	if o := w.order(t, "1001"); o.Frozen || o.OpenIncidents != 0 {
		t.Fatalf("after closing: frozen %v open %d", o.Frozen, o.OpenIncidents)
	}
	o = w.order(t, "1001")
	o.State, o.DeliveredAt = domain.OrderDelivered, &now
	if _, _, err := w.Orders.PutOrder(olga, o); err != nil {
		t.Fatalf("moving the unfrozen order on: %v", err)
	}
	want := "incident.opened incident.resolved incident.reopened incident.resolved incident.closed"
	if got := w.audit(t, "incident:"+in.ID); got != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
	if n := w.notificationTypes(t, "sam"); len(n) == 0 || n[len(n)-1] != domain.EventIncidentOpened {
		t.Fatalf("sam's notifications %v", n)
	}
	list, _, err := w.Incidents.ListIncidents(ana, "1001", "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, _, err := w.Incidents.ListIncidents(w.as(t, "ben"), "1001", "", 10); code(err) != domain.CodeNotFound {
		t.Fatalf("ben lists 1001: %v", err)
	}
	if _, err := w.Incidents.OpenIncident(sam, "1001", 1, domain.IncidentOther, ""); code(err) != domain.CodeForbidden {
		t.Fatalf("seller opens: %v", err)
	}
}

// long is more text than any case field takes.
var long = strings.Repeat("x", 5001)

func testIncidentRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, ben, sam, sue, olga := w.as(t, "ana"), w.as(t, "ben"), w.as(t, "sam"), w.as(t, "sue"), w.as(t, "olga")
	open1, err := w.Incidents.OpenIncident(ana, "1001", 1, domain.IncidentDamaged, "")
	if err != nil {
		t.Fatal(err)
	}
	solved, _ := w.Incidents.OpenIncident(ana, "1001", 2, domain.IncidentDamaged, "")
	if _, err := w.Incidents.ResolveIncident(sam, solved.ID, "sent new ones"); err != nil {
		t.Fatal(err)
	}
	closed, _ := w.Incidents.OpenIncident(olga, "2001", 0, domain.IncidentOther, "")
	if _, err := w.Incidents.CloseIncident(olga, closed.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	openIn := func(ctx context.Context, order string, line int, reason, desc string) func() error {
		return func() error { _, err := w.Incidents.OpenIncident(ctx, order, line, reason, desc); return err }
	}
	resolve := func(ctx context.Context, id, msg string) func() error {
		return func() error { _, err := w.Incidents.ResolveIncident(ctx, id, msg); return err }
	}
	closeIn := func(ctx context.Context, id, reason string) func() error {
		return func() error { _, err := w.Incidents.CloseIncident(ctx, id, reason); return err }
	}
	reopen := func(ctx context.Context, id, why string) func() error {
		return func() error { _, err := w.Incidents.ReopenIncident(ctx, id, why); return err }
	}
	w.refuseAll(t, []refusal{
		{"open anonymous", domain.CodeNotFound, openIn(anon, "1001", 1, domain.IncidentDamaged, "")},
		{"open on another's order", domain.CodeNotFound, openIn(ben, "1001", 1, domain.IncidentDamaged, "")},
		{"open on an unknown order", domain.CodeNotFound, openIn(ana, "9999", 1, domain.IncidentDamaged, "")},
		{"open as the seller", domain.CodeForbidden, openIn(sam, "1001", 1, domain.IncidentOther, "")},
		{"open with an unknown reason", domain.CodeInvalidIncident, openIn(ana, "1001", 1, "bored", "")},
		{"open on a line not there", domain.CodeInvalidIncident, openIn(ana, "1001", 3, domain.IncidentDamaged, "")},
		{"open with too long a description", domain.CodeInvalidIncident, openIn(ana, "1001", 1, domain.IncidentDamaged, long)},
		{"resolve as another shop", domain.CodeNotFound, resolve(sue, open1.ID, "x")},
		{"resolve as the customer", domain.CodeForbidden, resolve(ana, open1.ID, "x")},
		{"resolve as customer care", domain.CodeForbidden, resolve(olga, open1.ID, "x")},
		{"resolve without a message", domain.CodeInvalidIncident, resolve(sam, open1.ID, " ")},
		{"resolve a solved one", domain.CodeIncidentState, resolve(sam, solved.ID, "again")},
		{"resolve a closed one", domain.CodeIncidentState, resolve(sam, closed.ID, "again")},
		{"resolve unknown", domain.CodeNotFound, resolve(sam, "no-such-incident", "x")},
		{"close as the seller", domain.CodeForbidden, closeIn(sam, open1.ID, "fixed")},
		{"close as the customer", domain.CodeForbidden, closeIn(ana, open1.ID, "fixed")},
		{"close an open one without reason", domain.CodeCloseReasonRequired, closeIn(olga, open1.ID, " ")},
		{"close with too long a reason", domain.CodeInvalidIncident, closeIn(olga, open1.ID, long)},
		{"close a closed one", domain.CodeIncidentState, closeIn(olga, closed.ID, "again")},
		{"close unknown", domain.CodeNotFound, closeIn(olga, "no-such-incident", "x")},
		{"reopen as the seller", domain.CodeForbidden, reopen(sam, solved.ID, "x")},
		{"reopen an open one", domain.CodeIncidentState, reopen(olga, open1.ID, "x")},
		{"reopen a closed one", domain.CodeIncidentState, reopen(olga, closed.ID, "x")},
		{"reopen with too long a reason", domain.CodeInvalidIncident, reopen(olga, solved.ID, long)},
		{"reopen unknown", domain.CodeNotFound, reopen(olga, "no-such-incident", "x")},
		{"find another's", domain.CodeNotFound, func() error { _, err := w.Incidents.FindIncident(ben, open1.ID); return err }},
		{"find as another shop", domain.CodeNotFound, func() error { _, err := w.Incidents.FindIncident(sue, open1.ID); return err }},
		{"find anonymous", domain.CodeNotFound, func() error { _, err := w.Incidents.FindIncident(anon, open1.ID); return err }},
		{"list another's order", domain.CodeNotFound, func() error { _, _, err := w.Incidents.ListIncidents(ben, "1001", "", 10); return err }},
		{"list bad cursor", domain.CodeInvalidCursor, func() error { _, _, err := w.Incidents.ListIncidents(ana, "1001", "!!", 10); return err }},
	})
}
