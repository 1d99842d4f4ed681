package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var workCases = []testCase{
	{"queue_and_stats", testQueueAndStatsWithThreads},
	{"routing_rules", testRoutingRulesAssign},
	{"refusals", testWorkRefusals},
}

func testQueueAndStatsWithThreads(t *testing.T, open Opener) {
	w := newWorld(t, open)
	threads, work := w.Threads, w.Work
	ana, sam := w.as(t, "ana"), w.as(t, "sam")
	th, err := threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is my lamp?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Incidents.OpenIncident(ana, "1001", 1, domain.IncidentNotReceived, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Claims.OpenClaim(w.as(t, "ben"), "2001", domain.ClaimDefect, "hole"); err != nil {
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
	if q, _ := work.Queue(w.as(t, "sue"), 10); len(q) != 0 {
		t.Fatalf("sue's queue %+v", q)
	}
	if _, err := threads.PostMessage(sam, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "It ships today."}); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Minute) // the default period ends now, exclusive
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

func testWorkRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, olga, adam := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "olga"), w.as(t, "adam")
	day := 24 * time.Hour
	stats := func(ctx context.Context, shop string, from, to time.Time) func() error {
		return func() error { _, err := w.Work.ShopStats(ctx, shop, from, to); return err }
	}
	rule := func(ctx context.Context, r domain.RoutingRule) func() error {
		return func() error { return w.Work.CreateRoutingRule(ctx, &r) }
	}
	now := w.clock.Now()
	w.refuseAll(t, []refusal{
		{"queue anonymous", domain.CodeUnauthorized, func() error { _, err := w.Work.Queue(anon, 10); return err }},
		{"queue of a customer", domain.CodeForbidden, func() error { _, err := w.Work.Queue(ana, 10); return err }},
		{"rules anonymous", domain.CodeUnauthorized, func() error { _, err := w.Work.ListRoutingRules(anon); return err }},
		{"rules as a seller", domain.CodeForbidden, func() error { _, err := w.Work.ListRoutingRules(sam); return err }},
		{"create rule anonymous", domain.CodeUnauthorized, rule(anon, domain.RoutingRule{Name: "x", Team: domain.TeamCustomerCare})},
		{"create rule as a seller", domain.CodeForbidden, rule(sam, domain.RoutingRule{Name: "x", Team: domain.TeamCustomerCare})},
		{"create rule without the grant", domain.CodeForbidden, rule(olga, domain.RoutingRule{Name: "x", Team: domain.TeamCustomerCare})},
		{"create a bad rule", domain.CodeInvalidRoutingRule, rule(adam, domain.RoutingRule{Name: "bad", Team: "nobody"})},
		{"stats anonymous", domain.CodeUnauthorized, stats(anon, "shop-1", time.Time{}, time.Time{})},
		{"stats of another shop", domain.CodeNotFound, stats(sam, "shop-2", time.Time{}, time.Time{})},
		{"stats as a customer", domain.CodeNotFound, stats(ana, "shop-1", time.Time{}, time.Time{})},
		{"stats without the grant", domain.CodeForbidden, stats(olga, "shop-1", time.Time{}, time.Time{})},
		{"stats of an unknown shop", domain.CodeNotFound, stats(adam, "shop-9", time.Time{}, time.Time{})},
		{"stats over a reversed period", domain.CodeInvalidPeriod, stats(sam, "shop-1", now, now.Add(-day))},
	})
}
