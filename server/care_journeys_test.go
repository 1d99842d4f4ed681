package server_test

// Issue 21, journeys 5, 9 and 10 over the API with the demo world: customer
// care is told of what needs it and has its own reply clock; administration
// goes both ways, every change in the audit log; seller statistics are fair.

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

type careNotification struct {
	ID     string  `json:"id"`
	Type   string  `json:"type"`
	Title  string  `json:"title"`
	Entity string  `json:"entity"`
	ReadAt *string `json:"read_at"`
}

// notified returns who's notifications about entity of type typ.
func (w *domainWorld) notified(t *testing.T, who, typ, entity string) []careNotification {
	t.Helper()
	var ns struct{ Notifications []careNotification }
	w.call(t, who, "GET", "/api/v1/notifications", nil).decode(t, &ns)
	var out []careNotification
	for _, n := range ns.Notifications {
		if n.Type == typ && n.Entity == entity {
			out = append(out, n)
		}
	}
	return out
}

// auditActions are the actions of entity's audit log.
func (w *domainWorld) auditActions(t *testing.T, entity string) []string {
	t.Helper()
	var log struct {
		Entries []struct{ Action string }
	}
	r := w.call(t, "adam", "GET", "/api/v1/audit?entity="+entity, nil)
	if r.status != http.StatusOK {
		t.Fatalf("audit of %s: %d %s", entity, r.status, r.body)
	}
	r.decode(t, &log)
	var out []string
	for _, e := range log.Entries {
		out = append(out, e.Action)
	}
	return out
}

// TestCareIsToldAPI (21.5): customer care hears of a customer's incident,
// the seller's "solved", a claim, a failed refund and a message addressed to
// it (which now reaches customer care, not the seller's queue), and answers
// within its own 24 h, alerted before it runs out and ranked in its queue.
func TestCareIsToldAPI(t *testing.T) {
	var dom *server.Domain
	w := newDomainWorld(t, func(_ *bolt.DB, d *server.Domain) { dom = d })

	// An incident the customer opens: the care team (olga, adam) is told.
	var in domain.Incident
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1, "description": "Cracked."})
	if r.status != http.StatusCreated {
		t.Fatalf("open incident: %d %s", r.status, r.body)
	}
	r.decode(t, &in)
	for _, who := range []string{"olga", "adam"} {
		ns := w.notified(t, who, domain.EventIncidentOpened, "incident:"+in.ID)
		if len(ns) != 1 || !strings.Contains(ns[0].Title, "New incident on order 1001") {
			t.Errorf("%s's notifications of the incident: %+v", who, ns)
		}
	}
	if ns := w.notified(t, "ana", domain.EventIncidentOpened, "incident:"+in.ID); len(ns) != 0 {
		t.Errorf("ana is told of her own incident: %+v", ns)
	}

	// The seller marks it solved: customer care checks it.
	if r := w.call(t, "sam", "POST", "/api/v1/incidents/"+in.ID+"/resolve", map[string]any{"message": "New lamp sent."}); r.status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	if ns := w.notified(t, "olga", domain.EventIncidentResolved, "incident:"+in.ID); len(ns) != 1 || !strings.Contains(ns[0].Title, "check it") {
		t.Errorf("olga's notification of the solved incident: %+v", ns)
	}

	// A claim on ben's delivered order.
	var cl domain.Claim
	r = w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "defect", "description": "Torn."})
	if r.status != http.StatusCreated {
		t.Fatalf("open claim: %d %s", r.status, r.body)
	}
	r.decode(t, &cl)
	if ns := w.notified(t, "olga", domain.EventClaimOpened, "claim:"+cl.ID); len(ns) != 1 {
		t.Errorf("olga's notification of the claim: %+v", ns)
	}

	// A refund the payment side fails.
	var ref domain.Refund
	r = w.call(t, "sam", "POST", "/api/v1/orders/2001/refunds", map[string]any{"kind": "partial", "amount": 100}, "Idempotency-Key", "care-1")
	if r.status != http.StatusCreated {
		t.Fatalf("refund: %d %s", r.status, r.body)
	}
	r.decode(t, &ref)
	for _, st := range []map[string]any{{"state": "processing"}, {"state": "failed", "failure": "card expired"}} {
		if r := w.call(t, "olga", "POST", "/api/v1/refunds/"+ref.ID+"/callback", st); r.status != http.StatusOK {
			t.Fatalf("callback %v: %d %s", st, r.status, r.body)
		}
	}
	if ns := w.notified(t, "adam", domain.EventRefundFailed, "refund:"+ref.ID); len(ns) != 1 {
		t.Errorf("adam's notification of the failed refund: %+v", ns)
	}

	// A message to customer care about an order goes to customer care, with
	// its own clock; not to the seller's queue with nobody on it.
	var th domain.Thread
	r = w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "operator", "topic": "delivery", "subject": "The shop does not answer", "body": "Can you help?"})
	if r.status != http.StatusCreated {
		t.Fatalf("thread to customer care: %d %s", r.status, r.body)
	}
	r.decode(t, &th)
	th = staffView(t, w, th.ID) // customers are not shown the routing
	if th.Assignment == nil || th.Assignment.Team != domain.TeamCustomerCare || th.Assignment.AgentID != w.world.Users["olga"].ID {
		t.Fatalf("a message to customer care was assigned %+v", th.Assignment)
	}
	if th.CareReplyDueAt == nil || th.CareReplyDueAt.Sub(th.CreatedAt).Round(time.Minute) != 24*time.Hour {
		t.Fatalf("care_reply_due_at = %v, want 24 h after %v", th.CareReplyDueAt, th.CreatedAt)
	}
	if ns := w.notified(t, "olga", "thread.message", "thread:"+th.ID); len(ns) != 1 {
		t.Errorf("olga's notification of the message: %+v", ns)
	}
	if ns := w.notified(t, "sam", "thread.message", "thread:"+th.ID); len(ns) != 0 {
		t.Errorf("the seller is told of a message to customer care: %+v", ns)
	}
	// Customer care's queue ranks it by its 24 h.
	var q struct{ Items []domain.QueueItem }
	w.call(t, "olga", "GET", "/api/v1/queue", nil).decode(t, &q)
	i := slices.IndexFunc(q.Items, func(it domain.QueueItem) bool { return it.ID == th.ID })
	if i < 0 || q.Items[i].Priority != domain.PriorityThread || !strings.Contains(q.Items[i].Reason, "customer care's reply") || q.Items[i].DueAt == nil || !q.Items[i].DueAt.Equal(*th.CareReplyDueAt) {
		t.Fatalf("the queue's item for the thread: %d %+v", i, q.Items)
	}
	// 20 h later, within the 6 h notice, the alert goes to the agent who holds it.
	n, err := dom.Outbox.ScheduleAlerts(context.Background(), th.CreatedAt.Add(20*time.Hour))
	if err != nil || n == 0 {
		t.Fatalf("alerts: %d %v", n, err)
	}
	if ns := w.notified(t, "olga", domain.EventCareReplyDue, "thread:"+th.ID); len(ns) != 1 || !strings.Contains(ns[0].Title, "Customer care's reply due") {
		t.Errorf("olga's alert: %+v", ns)
	}
	// Customer care's answer stops the clock.
	if r := w.call(t, "olga", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "On it."}); r.status != http.StatusCreated {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	var after domain.Thread
	w.call(t, "olga", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &after)
	if after.CareReplyDueAt != nil || after.CareReplyNeededSince != nil {
		t.Errorf("after customer care's answer: due %v", after.CareReplyDueAt)
	}
}

// TestAdminBothWaysAPI (21.9): adding a rule keeps the defaults; a rule is
// edited (reordered) and deleted; a grant revoked takes the power it gave
// away (close_incidents gates closing); an agent made without a team gets
// work; each change is in the audit log.
func TestAdminBothWaysAPI(t *testing.T) {
	w := newDomainWorld(t)
	type rules struct{ Rules []domain.RoutingRule }
	ids := func() []string {
		var rs rules
		w.call(t, "adam", "GET", "/api/v1/admin/routing-rules", nil).decode(t, &rs)
		var out []string
		for _, r := range rs.Rules {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(); !slices.Equal(got, []string{"default-account", "default-no-order", "default-order"}) {
		t.Fatalf("the rules of a new store: %v", got)
	}
	var rule domain.RoutingRule
	r := w.call(t, "adam", "POST", "/api/v1/admin/routing-rules", map[string]any{"name": "spanish to care", "priority": 50, "locales": []string{"es"}, "team": "customer_care"})
	if r.status != http.StatusCreated {
		t.Fatalf("add rule: %d %s", r.status, r.body)
	}
	r.decode(t, &rule)
	if got := ids(); !slices.Equal(got, []string{"default-account", "default-no-order", "default-order", rule.ID}) {
		t.Fatalf("after adding one rule: %v: the defaults must stay", got)
	}
	// Reordered before the order rule: a Spanish order question goes to care.
	r = w.call(t, "adam", "PUT", "/api/v1/admin/routing-rules/"+rule.ID, map[string]any{"name": "spanish to care", "priority": 25, "locales": []string{"es"}, "team": "customer_care"})
	if r.status != http.StatusOK {
		t.Fatalf("edit rule: %d %s", r.status, r.body)
	}
	if got := ids(); !slices.Equal(got, []string{"default-account", "default-no-order", rule.ID, "default-order"}) {
		t.Fatalf("after moving it to 25: %v", got)
	}
	var th domain.Thread
	w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "¿Dónde está?"}).decode(t, &th)
	th = staffView(t, w, th.ID)
	if th.Assignment == nil || th.Assignment.Rule != rule.ID {
		t.Errorf("ana (es) asking about delivery: %+v", th.Assignment)
	}
	if r := w.call(t, "adam", "PUT", "/api/v1/admin/routing-rules/nope", map[string]any{"name": "x", "team": "customer_care"}); r.status != http.StatusNotFound {
		t.Errorf("editing a rule that does not exist: %d", r.status)
	}
	if r := w.call(t, "adam", "PUT", "/api/v1/admin/routing-rules/"+rule.ID, map[string]any{"name": "", "team": "customer_care"}); r.status != http.StatusBadRequest || r.code() != domain.CodeInvalidRoutingRule {
		t.Errorf("a bad edit: %d %s", r.status, r.body)
	}
	// Delete it and a default: the others stay.
	for _, id := range []string{rule.ID, "default-no-order"} {
		if r := w.call(t, "adam", "DELETE", "/api/v1/admin/routing-rules/"+id, nil); r.status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %s", id, r.status, r.body)
		}
	}
	if got := ids(); !slices.Equal(got, []string{"default-account", "default-order"}) {
		t.Fatalf("after deleting: %v", got)
	}
	if r := w.call(t, "adam", "DELETE", "/api/v1/admin/routing-rules/"+rule.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("deleting twice: %d", r.status)
	}
	if got := w.auditActions(t, "routing_rule:"+rule.ID); !slices.Equal(got, []string{"routing_rule.created", "routing_rule.updated", "routing_rule.deleted"}) {
		t.Errorf("the rule's audit log: %v", got)
	}

	// Revoking olga's close_incidents: she may no longer close incidents.
	var in domain.Incident
	w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}).decode(t, &in)
	var gs struct{ Grants []domain.Grant }
	w.call(t, "adam", "GET", "/api/v1/admin/grants?agent="+w.world.Users["olga"].ID, nil).decode(t, &gs)
	if len(gs.Grants) != 1 || gs.Grants[0].Permission != domain.PermCloseIncidents {
		t.Fatalf("olga's grants in the demo world: %+v", gs.Grants)
	}
	if r := w.call(t, "olga", "DELETE", "/api/v1/admin/grants/"+gs.Grants[0].ID, nil); r.status != http.StatusForbidden {
		t.Errorf("an agent revoking: %d", r.status)
	}
	if r := w.call(t, "adam", "DELETE", "/api/v1/admin/grants/"+gs.Grants[0].ID, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := w.call(t, "olga", "POST", "/api/v1/incidents/"+in.ID+"/close", map[string]any{"reason": "Duplicate."}); r.status != http.StatusForbidden || !strings.Contains(string(r.body), "close_incidents") {
		t.Errorf("olga closing without the grant: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "DELETE", "/api/v1/admin/grants/"+gs.Grants[0].ID, nil); r.status != http.StatusNotFound {
		t.Errorf("revoking twice: %d", r.status)
	}
	if got := w.auditActions(t, "user:"+w.world.Users["olga"].ID); !slices.Contains(got, "grant.revoked") {
		t.Errorf("olga's audit log: %v", got)
	}
	if ns := w.notified(t, "olga", "grant.revoked", "user:"+w.world.Users["olga"].ID); len(ns) != 1 {
		t.Errorf("olga is not told: %+v", ns)
	}

	// An agent made without a team is in customer care and gets work; the
	// admin gives them a skill.
	var oscar domain.User
	r = w.call(t, "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "oscar", "role": "agent"})
	if r.status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", r.status, r.body)
	}
	r.decode(t, &oscar)
	if oscar.Team != domain.TeamCustomerCare {
		t.Fatalf("an agent made without a team: %+v", oscar)
	}
	r = w.call(t, "adam", "PUT", "/api/v1/admin/users/"+oscar.ID+"/team", map[string]any{"team": "customer_care", "skills": []string{"account"}})
	if r.status != http.StatusOK {
		t.Fatalf("set team: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "PUT", "/api/v1/admin/users/"+w.world.Users["sam"].ID+"/team", map[string]any{"team": "customer_care"}); r.status != http.StatusBadRequest || r.code() != domain.CodeInvalidUser {
		t.Errorf("a seller in a team: %d %s", r.status, r.body)
	}
	// olga holds a thread already; oscar (none, skill account) gets the next account question.
	w.call(t, "ben", "POST", "/api/v1/threads", map[string]any{"recipient": "operator", "topic": "account", "body": "I cannot log in"}).decode(t, &th)
	th = staffView(t, w, th.ID)
	if th.Assignment == nil || th.Assignment.AgentID != oscar.ID {
		t.Errorf("the account question went to %+v, want oscar", th.Assignment)
	}
	if got := w.auditActions(t, "user:"+oscar.ID); !slices.Contains(got, "user.team") {
		t.Errorf("oscar's audit log: %v", got)
	}
}

// TestFairStatsAPI (21.10): a message still inside its 48 h does not count
// as a miss; an incident customer care closes as a duplicate leaves the
// incident rate.
func TestFairStatsAPI(t *testing.T) {
	w := newDomainWorld(t)
	stats := func() domain.ShopStats {
		var s domain.ShopStats
		r := w.call(t, "sam", "GET", "/api/v1/shops/shop-1/stats", nil)
		if r.status != http.StatusOK {
			t.Fatalf("stats: %d %s", r.status, r.body)
		}
		r.decode(t, &s)
		return s
	}
	before := stats()
	w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "Where is it?"})
	if s := stats(); s.CustomerMessages != before.CustomerMessages || s.AnsweredWithin48hPct != before.AnsweredWithin48hPct {
		t.Errorf("a message 0 h old counts: %d messages (%d before), %.0f %%", s.CustomerMessages, before.CustomerMessages, s.AnsweredWithin48hPct)
	}
	var in domain.Incident
	w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}).decode(t, &in)
	with := stats()
	if with.IncidentRate <= before.IncidentRate {
		t.Fatalf("incident rate with an open incident: %v (before %v)", with.IncidentRate, before.IncidentRate)
	}
	r := w.call(t, "olga", "POST", "/api/v1/incidents/"+in.ID+"/close", map[string]any{"reason": "Same as the earlier report.", "close_as": "duplicate"})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"close_as":"duplicate"`) {
		t.Fatalf("close as duplicate: %d %s", r.status, r.body)
	}
	if s := stats(); s.IncidentRate != before.IncidentRate || s.IncidentsOpened != with.IncidentsOpened {
		t.Errorf("after closing as a duplicate: rate %v (want %v), opened %d", s.IncidentRate, before.IncidentRate, s.IncidentsOpened)
	}
	if r := w.call(t, "olga", "POST", "/api/v1/incidents/"+in.ID+"/close", map[string]any{"close_as": "whatever"}); r.status != http.StatusBadRequest && r.status != http.StatusConflict {
		t.Errorf("a bad close_as: %d", r.status)
	}
}

// TestCareDueOnPages: customer care's pages show its own deadline on a
// conversation addressed to it (the thread and the inbox), and the
// notifications page lists what it was told.
func TestCareDueOnPages(t *testing.T) {
	w := newOperatorWorld(t)
	th, err := w.dom.Threads.CreateThread(w.as(t, "ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyOperator,
		Topic: domain.TopicDelivery, Subject: "The shop is silent", Body: "Can you help?"})
	if err != nil {
		t.Fatal(err)
	}
	olga := w.signedIn(t, "olga")
	status, body, _ := olga.get(t, "/operator/messages/"+th.ID)
	if status != http.StatusOK || !strings.Contains(body, `id="care-due"`) || !strings.Contains(body, "customer care's reply due") {
		t.Errorf("the thread page (%d) does not show customer care's deadline", status)
	}
	if _, body, _ = olga.get(t, "/operator/messages"); !strings.Contains(body, "customer care: ") {
		t.Errorf("the inbox does not show customer care's deadline")
	}
	if _, body, _ = olga.get(t, "/operator/notifications"); !strings.Contains(body, "New message from Ana García") {
		t.Errorf("the notifications page lacks the message: %.500s", body)
	}
	sam := w.signedIn(t, "sam")
	if status, _, _ := sam.get(t, "/operator/notifications"); status != http.StatusForbidden {
		t.Errorf("a seller on customer care's notifications: %d", status)
	}
}

// staffView is a thread as customer care reads it (with its routing, which
// customers are not shown).
func staffView(t *testing.T, w *domainWorld, id string) domain.Thread {
	t.Helper()
	var th domain.Thread
	r := w.call(t, "adam", "GET", "/api/v1/threads/"+id, nil)
	if r.status != http.StatusOK {
		t.Fatalf("adam reads thread %s: %d %s", id, r.status, r.body)
	}
	r.decode(t, &th)
	return th
}
