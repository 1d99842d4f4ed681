package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Issue 21.5, 21.9, 21.10: customer care told and on a clock of its own;
// administration both ways; fair statistics.
var careCases = []testCase{
	{"care_told_and_clock", testCareToldAndClock},
	{"routing_rules_edit_delete", testRoutingRulesEditDelete},
	{"grants_revoked_team_set", testGrantsRevokedTeamSet},
	{"fair_reply_rate", testFairReplyRate},
}

// careNotes are who's notifications of type typ about entity.
func careNotes(t *testing.T, w *world, who, typ, entity string) int {
	t.Helper()
	ns, err := w.Outbox.Notifications(w.as(t, who), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Type == typ && x.Entity == entity {
			n++
		}
	}
	return n
}

func testCareToldAndClock(t *testing.T, open Opener) {
	w := newWorld(t, open)
	t0 := w.clock.Now()
	in, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"olga", "adam"} {
		if n := careNotes(t, w, who, domain.EventIncidentOpened, "incident:"+in.ID); n != 1 {
			t.Errorf("%s told %d times of the new incident", who, n)
		}
	}
	// A message to customer care about an order: customer care's, on a 24 h clock.
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyOperator, Topic: domain.TopicDelivery, Body: "The shop is silent."})
	if th.Assignment.Team != domain.TeamCustomerCare || th.CareReplyDueAt == nil || !th.CareReplyDueAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("assignment %+v, care due %v", th.Assignment, th.CareReplyDueAt)
	}
	if th.SellerReplyDueAt != nil {
		t.Errorf("a message to customer care started the seller's clock: %v", th.SellerReplyDueAt)
	}
	// A second one, closed: no alert for it.
	other := w.startThread(t, "ben", domain.NewThread{Recipient: domain.PartyOperator, Topic: domain.TopicAccount, Body: "Locked out."})
	if _, err := w.Threads.CloseThread(w.as(t, "olga"), other.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Outbox.ScheduleAlerts(context.Background(), t0.Add(19*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := careNotes(t, w, "olga", domain.EventCareReplyDue, "thread:"+th.ID); n != 1 {
		t.Errorf("olga alerted %d times of her reply due", n)
	}
	if n := careNotes(t, w, "olga", domain.EventCareReplyDue, "thread:"+other.ID); n != 0 {
		t.Errorf("olga alerted of a closed conversation")
	}
	// Customer care's queue: the thread ranked by its care deadline.
	q, err := w.Work.Queue(w.as(t, "olga"), 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range q {
		if it.ID == th.ID {
			found = it.Priority == domain.PriorityThread && it.DueAt != nil && it.DueAt.Equal(*th.CareReplyDueAt)
		}
	}
	if !found {
		t.Errorf("the thread is not in olga's queue by its care deadline: %+v", q)
	}
}

func testRoutingRulesEditDelete(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam, olga := w.as(t, "adam"), w.as(t, "olga")
	r := &domain.RoutingRule{Name: "es", Priority: 40, Locales: []string{"es"}, Team: domain.TeamCustomerCare}
	if err := w.Work.CreateRoutingRule(adam, r); err != nil {
		t.Fatal(err)
	}
	rules, _ := w.Work.ListRoutingRules(olga)
	if len(rules) != len(domain.DefaultRoutingRules())+1 {
		t.Fatalf("adding a rule dropped the defaults: %+v", rules)
	}
	edit := *r
	edit.Priority = 1
	if err := w.Work.UpdateRoutingRule(olga, &edit); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("an agent without manage_routing edits: %v", err)
	}
	if err := w.Work.UpdateRoutingRule(adam, &edit); err != nil || !edit.CreatedAt.Equal(r.CreatedAt) || edit.CreatedBy != r.CreatedBy {
		t.Fatalf("edit: %v %+v", err, edit)
	}
	if rules, _ = w.Work.ListRoutingRules(olga); rules[0].ID != r.ID {
		t.Errorf("priority 1 is not tried first: %+v", rules)
	}
	if err := w.Work.UpdateRoutingRule(adam, &domain.RoutingRule{ID: "nope", Name: "x", Team: domain.TeamCustomerCare}); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("editing a rule that is not there: %v", err)
	}
	if _, err := w.Work.DeleteRoutingRule(adam, "default-order"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Work.DeleteRoutingRule(adam, "default-order"); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("deleting twice: %v", err)
	}
	// Without the order rule, an order question goes to customer care.
	th := w.startThread(t, "ben", domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Hello"})
	if th.Assignment.Team != domain.TeamCustomerCare || th.Assignment.Rule != "default" {
		t.Errorf("with the order rule deleted: %+v", th.Assignment)
	}
	log, err := w.Audit.AuditLog(adam, "routing_rule:default-order")
	if err != nil || len(log) != 1 || log[0].Action != "routing_rule.deleted" {
		t.Errorf("audit of the deletion: %v %+v", err, log)
	}
}

func testGrantsRevokedTeamSet(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam, olga := w.as(t, "adam"), w.as(t, "olga")
	gs, err := w.Access.ListGrants(adam, w.users["olga"].ID)
	if err != nil || len(gs) != 1 || gs[0].Permission != domain.PermCloseIncidents {
		t.Fatalf("olga's demo grants: %v %+v", err, gs)
	}
	in, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.RevokeGrant(olga, gs[0].ID); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("an agent revokes: %v", err)
	}
	if g, err := w.Access.RevokeGrant(adam, gs[0].ID); err != nil || g.Permission != domain.PermCloseIncidents {
		t.Fatalf("revoke: %v %+v", err, g)
	}
	if _, err := w.Access.RevokeGrant(adam, gs[0].ID); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := w.Incidents.CloseIncident(w.as(t, "olga"), in.ID, "dup"); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("olga closes without close_incidents: %v", err)
	}
	// An agent made without a team is customer care's; the admin sets skills.
	u := &domain.User{Name: "otto", Role: domain.RoleAgent}
	if err := w.Access.CreateUser(adam, u); err != nil || u.Team != domain.TeamCustomerCare {
		t.Fatalf("agent without a team: %v %+v", err, u)
	}
	if _, err := w.Access.SetUserTeam(olga, u.ID, domain.TeamCustomerCare, nil); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("an agent sets a team: %v", err)
	}
	got, err := w.Access.SetUserTeam(adam, u.ID, "", []string{"returns"})
	if err != nil || got.Team != domain.TeamCustomerCare || len(got.Skills) != 1 {
		t.Fatalf("set team: %v %+v", err, got)
	}
	if _, err := w.Access.SetUserTeam(adam, w.users["ana"].ID, domain.TeamCustomerCare, nil); domain.ErrorCode(err) != domain.CodeInvalidUser {
		t.Errorf("a customer in a team: %v", err)
	}
	if _, err := w.Access.SetUserTeam(adam, "nobody", domain.TeamCustomerCare, nil); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("no such user: %v", err)
	}
}

func testFairReplyRate(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam := w.as(t, "sam")
	stats := func() *domain.ShopStats {
		t.Helper()
		s, err := w.Work.ShopStats(sam, "shop-1", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"})
	w.clock.Add(time.Hour)
	if s := stats(); s.CustomerMessages != 0 {
		t.Errorf("a message 1 h old counts: %+v", s.CustomerMessages)
	}
	w.clock.Add(48 * time.Hour)
	if s := stats(); s.CustomerMessages != 1 || s.AnsweredWithin48h != 0 {
		t.Errorf("a message 49 h old, unanswered: %d messages, %d answered", s.CustomerMessages, s.AnsweredWithin48h)
	}
	// A "thank you" the seller marks as needing no reply never counts.
	th := w.startThread(t, "ben", domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller, Topic: domain.TopicOther, Body: "Thanks!"})
	w.clock.Add(time.Hour)
	if _, err := w.Threads.MarkNoReplyNeeded(sam, th.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(100 * time.Hour)
	if s := stats(); s.CustomerMessages != 1 {
		t.Errorf("a message marked no reply needed counts: %d messages", s.CustomerMessages)
	}
}
