package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var outboxCases = []testCase{
	{"due_delivered_failed_dead", testOutboxDelivery},
	{"due_marked_delivered_unclaimed", testOutboxMarkDueDelivered},
	{"retries_until_dead", testOutboxRetriesUntilDead},
	{"notifications_own_only", testNotificationsOwnOnly},
	{"alerts_reply_deadlines", testScheduleAlertsForReplyDeadlines},
	{"alerts_claim_deadlines", testScheduleAlertsForClaimDeadlines},
	{"refusals", testOutboxRefusals},
}

// withEvents is a world where three commands, a second apart, wrote
// notifications: ana's and ben's questions to sam, and ana's incident.
func withEvents(t *testing.T, open Opener) *world {
	t.Helper()
	w := newWorld(t, open)
	w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"})
	w.clock.Add(time.Second)
	w.startThread(t, "ben", domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "Invoice?"})
	w.clock.Add(time.Second)
	if _, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

func eventIDs(evs []domain.OutboxEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func testOutboxDelivery(t *testing.T, open Opener) {
	w := withEvents(t, open)
	ctx, now := context.Background(), w.clock.Now()
	due, err := w.Outbox.Due(ctx, now, 100)
	if err != nil || len(due) < 3 {
		t.Fatalf("due = %d, %v; want at least 3", len(due), err)
	}
	for i, e := range due {
		if e.DeliveredAt != nil || e.UserID == "" || e.Type == "" || !json.Valid(e.Payload) {
			t.Errorf("event %d = %+v", i, e)
		}
		if i > 0 && e.CreatedAt.Before(due[i-1].CreatedAt) {
			t.Errorf("due not oldest first: %v after %v", e.CreatedAt, due[i-1].CreatedAt)
		}
	}
	// Claimed: their next attempt is the lease's end, and no other worker
	// gets them until then.
	for _, e := range due {
		if !e.NextAttempt.Equal(now.Add(domain.ClaimLease)) {
			t.Errorf("claimed event's next attempt %v, want the lease's end %v", e.NextAttempt, now.Add(domain.ClaimLease))
		}
	}
	if again, _ := w.Outbox.Due(ctx, now, 2); len(again) != 0 {
		t.Errorf("claimed events claimed again: %v", eventIDs(again))
	}
	if early, _ := w.Outbox.Due(ctx, start.Add(-time.Second), 100); len(early) != 0 {
		t.Errorf("%d events due before they were written", len(early))
	}
	a, b, c := due[0], due[1], due[2]
	if err := w.Outbox.MarkDelivered(ctx, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := w.Outbox.MarkDelivered(ctx, a.ID, now.Add(time.Hour)); err != nil {
		t.Fatalf("delivered twice: %v", err)
	}
	if err := w.Outbox.MarkFailed(ctx, b.ID, now, "HTTP 500", now.Add(10*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if err := w.Outbox.MarkFailed(ctx, c.ID, now, "HTTP 410", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Outbox.Due(ctx, now, 100); len(got) != 0 {
		t.Errorf("due now = %v, want none (settled or claimed)", eventIDs(got))
	}
	later, _ := w.Outbox.Due(ctx, now.Add(10*time.Second), 100)
	if len(later) != 1 || later[0].ID != b.ID || later[0].Attempts != 1 || later[0].LastError != "HTTP 500" || !later[0].NextAttempt.Equal(now.Add(10*time.Second+domain.ClaimLease)) {
		t.Errorf("due after the failure = %+v", later)
	}
	// The others were claimed and never settled (as by a worker that died):
	// they come back when the lease ends.
	rest := eventIDs(due[3:])
	if got, _ := w.Outbox.Due(ctx, now.Add(domain.ClaimLease), 100); !slices.Equal(eventIDs(got), rest) {
		t.Errorf("due when the lease ends = %v, want %v", eventIDs(got), rest)
	}
	// A dead event stays dead.
	if err := w.Outbox.MarkFailed(ctx, c.ID, now, "again", now, false); err != nil {
		t.Fatal(err)
	}
	for _, e := range mustDue(t, w, now.Add(1000*time.Hour)) {
		if e.ID == c.ID || e.ID == a.ID {
			t.Errorf("a dead or delivered event is due: %+v", e)
		}
	}
	// The operator's view: everything newest first; undelivered ones: dead, then pending.
	adam := w.as(t, "adam")
	all := pagedOutbox(t, w, false, 100)
	if len(all) != len(due) {
		t.Fatalf("listed %d, want %d", len(all), len(due))
	}
	for i, e := range all {
		if e.ID != due[len(due)-1-i].ID {
			t.Fatalf("all = %v, want newest first %v", eventIDs(all), eventIDs(due))
		}
	}
	if paged := pagedOutbox(t, w, false, 1); !slices.Equal(eventIDs(paged), eventIDs(all)) {
		t.Errorf("paged one at a time = %v, want %v", eventIDs(paged), eventIDs(all))
	}
	und := pagedOutbox(t, w, true, 100)
	if len(und) != len(due)-1 || und[0].ID != c.ID || !und[0].Dead || und[0].LastError != "HTTP 410" {
		t.Errorf("undelivered = %+v", und)
	}
	if paged := pagedOutbox(t, w, true, 1); !slices.Equal(eventIDs(paged), eventIDs(und)) {
		t.Errorf("undelivered paged = %v, want %v", eventIDs(paged), eventIDs(und))
	}
	if first, _, err := w.Outbox.ListOutbox(adam, false, "", 100); err != nil || first[len(first)-1].DeliveredAt == nil || !first[len(first)-1].DeliveredAt.Equal(now) {
		t.Errorf("the delivered event = %+v %v", first[len(first)-1], err)
	}
}

func mustDue(t *testing.T, w *world, at time.Time) []domain.OutboxEvent {
	t.Helper()
	due, err := w.Outbox.Due(context.Background(), at, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func pagedOutbox(t *testing.T, w *world, undelivered bool, limit int) []domain.OutboxEvent {
	t.Helper()
	var out []domain.OutboxEvent
	cursor := ""
	for range 1000 {
		page, next, err := w.Outbox.ListOutbox(w.as(t, "olga"), undelivered, cursor, limit)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		cursor = next
	}
	t.Fatal("pagination does not end")
	return nil
}

// With no endpoint, the worker marks due events delivered in batches,
// without claiming them: the oldest first, n at a time, each once, and
// never one another worker has claimed (Due) or one not yet due.
func testOutboxMarkDueDelivered(t *testing.T, open Opener) {
	w := withEvents(t, open)
	ctx, now := context.Background(), w.clock.Now()
	all, _, err := w.Outbox.ListOutbox(w.as(t, "adam"), true, "", 100)
	if err != nil || len(all) < 4 {
		t.Fatalf("undelivered = %d, %v; want at least 4", len(all), err)
	}
	claimed, err := w.Outbox.Due(ctx, now, 1) // another worker's, under way
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim one: %d, %v", len(claimed), err)
	}
	if n, err := w.Outbox.MarkDueDelivered(ctx, start.Add(-time.Second), 100); err != nil || n != 0 {
		t.Errorf("before any was written: %d marked, %v; want none", n, err)
	}
	if n, err := w.Outbox.MarkDueDelivered(ctx, now, 2); err != nil || n != 2 {
		t.Fatalf("first batch: %d marked, %v; want 2", n, err)
	}
	rest := len(all) - 3
	if n, err := w.Outbox.MarkDueDelivered(ctx, now, 100); err != nil || n != rest {
		t.Fatalf("second batch: %d marked, %v; want the %d left unclaimed", n, err, rest)
	}
	if n, err := w.Outbox.MarkDueDelivered(ctx, now, 100); err != nil || n != 0 {
		t.Errorf("third batch: %d marked, %v; want none left", n, err)
	}
	left, _, err := w.Outbox.ListOutbox(w.as(t, "adam"), true, "", 100)
	if err != nil || len(left) != 1 || left[0].ID != claimed[0].ID {
		t.Fatalf("undelivered now = %v, %v; want only the claimed %s", eventIDs(left), err, claimed[0].ID)
	}
	delivered, _, _ := w.Outbox.ListOutbox(w.as(t, "adam"), false, "", 100)
	for _, e := range delivered {
		if e.ID == claimed[0].ID {
			continue
		}
		if e.DeliveredAt == nil || !e.DeliveredAt.Equal(now) || e.Attempts != 1 || e.ClaimedUntil != nil {
			t.Errorf("event %s after MarkDueDelivered: delivered %v, attempts %d, claimed until %v", e.ID, e.DeliveredAt, e.Attempts, e.ClaimedUntil)
		}
	}
	// The claimed one, unsettled, comes back when its lease ends, and is
	// marked then.
	if n, err := w.Outbox.MarkDueDelivered(ctx, now.Add(domain.ClaimLease), 100); err != nil || n != 1 {
		t.Errorf("when the lease ends: %d marked, %v; want the claimed one", n, err)
	}
}

func testOutboxRetriesUntilDead(t *testing.T, open Opener) {
	w := newWorld(t, open)
	w.startThread(t, "ana", domain.NewThread{Recipient: domain.PartyOperator, Topic: domain.TopicAccount, Body: "I cannot log in"})
	ctx := context.Background()
	id, at := "", w.clock.Now()
	for attempt := 1; ; attempt++ {
		due := mustDue(t, w, at)
		if attempt == 1 && len(due) > 0 {
			id = due[0].ID
		}
		if !slices.ContainsFunc(due, func(e domain.OutboxEvent) bool { return e.ID == id }) {
			t.Fatalf("attempt %d: due %v", attempt, eventIDs(due))
		}
		next, dead := domain.NextDelivery(attempt, at, 0.5)
		if err := w.Outbox.MarkFailed(ctx, id, at, "HTTP 503", next, dead); err != nil {
			t.Fatal(err)
		}
		if dead {
			if attempt != domain.MaxDeliveryAttempts {
				t.Errorf("dead after %d attempts", attempt)
			}
			break
		}
		for _, e := range mustDue(t, w, next.Add(-time.Millisecond)) {
			if e.ID == id {
				t.Fatalf("attempt %d: due before its time", attempt)
			}
		}
		at = next
	}
	for _, e := range pagedOutbox(t, w, true, 100) {
		if e.ID == id && (!e.Dead || e.Attempts != domain.MaxDeliveryAttempts) {
			t.Errorf("the dead event = %+v", e)
		}
	}
}

func testNotificationsOwnOnly(t *testing.T, open Opener) {
	w := withEvents(t, open)
	sam := w.as(t, "sam")
	list, err := w.Outbox.Notifications(sam, false, 0)
	if err != nil || len(list) < 3 {
		t.Fatalf("sam's list = %+v, %v", list, err)
	}
	for i := 1; i < len(list); i++ {
		if list[i].CreatedAt.After(list[i-1].CreatedAt) {
			t.Errorf("not newest first: %+v", list)
		}
	}
	if err := w.Outbox.MarkNotificationRead(sam, list[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Outbox.MarkNotificationRead(sam, list[1].ID); err != nil {
		t.Fatalf("reading twice: %v", err)
	}
	unread, _ := w.Outbox.Notifications(sam, true, 0)
	if len(unread) != len(list)-1 || slices.ContainsFunc(unread, func(n domain.Notification) bool { return n.ID == list[1].ID }) {
		t.Errorf("unread = %+v", unread)
	}
	if one, _ := w.Outbox.Notifications(sam, true, 1); len(one) != 1 || one[0].ID != list[0].ID {
		t.Errorf("unread, limit 1 = %+v", one)
	}
	all, _ := w.Outbox.Notifications(sam, false, 0)
	if all[1].ReadAt == nil || !all[1].ReadAt.Equal(w.clock.Now()) {
		t.Errorf("read notification = %+v", all[1])
	}
	for _, n := range all {
		if n.UserID != w.id("sam") {
			t.Errorf("sam sees another's notification %+v", n)
		}
	}
	if empty, err := w.Outbox.Notifications(w.as(t, "sue"), false, 0); err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("sue's empty list = %#v, %v (want [] for JSON)", empty, err)
	}
}

func testOutboxRefusals(t *testing.T, open Opener) {
	w := withEvents(t, open)
	ctx, now := context.Background(), w.clock.Now()
	samsN, err := w.Outbox.Notifications(w.as(t, "sam"), false, 1)
	if err != nil || len(samsN) != 1 {
		t.Fatal(samsN, err)
	}
	unknown := "01NOSUCHEVENT0000000000000"
	list := func(ctx context.Context, cursor string) func() error {
		return func() error { _, _, err := w.Outbox.ListOutbox(ctx, false, cursor, 10); return err }
	}
	w.refuseAll(t, []refusal{
		{"deliver unknown", domain.CodeNotFound, func() error { return w.Outbox.MarkDelivered(ctx, unknown, now) }},
		{"fail unknown", domain.CodeNotFound, func() error { return w.Outbox.MarkFailed(ctx, unknown, now, "x", now, false) }},
		{"list as a customer", domain.CodeForbidden, list(w.as(t, "ana"), "")},
		{"list as a seller", domain.CodeForbidden, list(w.as(t, "sam"), "")},
		{"list anonymous", domain.CodeUnauthorized, list(anon, "")},
		{"list bad cursor", domain.CodeInvalidCursor, list(w.as(t, "adam"), "x!!")},
		{"notifications anonymous", domain.CodeUnauthorized, func() error { _, err := w.Outbox.Notifications(anon, false, 0); return err }},
		{"read another's", domain.CodeNotFound, func() error { return w.Outbox.MarkNotificationRead(w.as(t, "ben"), samsN[0].ID) }},
		{"admin reads another's", domain.CodeNotFound, func() error { return w.Outbox.MarkNotificationRead(w.as(t, "adam"), samsN[0].ID) }},
		{"read unknown", domain.CodeNotFound, func() error { return w.Outbox.MarkNotificationRead(w.as(t, "sam"), "nope") }},
		{"read anonymous", domain.CodeUnauthorized, func() error { return w.Outbox.MarkNotificationRead(anon, samsN[0].ID) }},
	})
}

func testScheduleAlertsForReplyDeadlines(t *testing.T, open Opener) {
	w := newWorld(t, open)
	s, clk := w.Outbox, w.clock
	t0 := clk.Now()
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Subject: "Where is it?", Body: "Hello"})
	if th.SellerReplyDueAt == nil || !th.SellerReplyDueAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("due = %v", th.SellerReplyDueAt)
	}
	alertsOf := func(who string) []domain.Notification {
		ns, err := s.Notifications(w.as(t, who), false, 0)
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(ns, func(n domain.Notification) bool { return n.Type != domain.EventReplyDueSoon })
	}
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{
		{0, 0},
		{41*time.Hour + 59*time.Minute, 0},
		{42 * time.Hour, 1},                // 6 h before
		{42*time.Hour + time.Minute, 0},    // once
		{47*time.Hour + 59*time.Minute, 0}, // still once
		{48*time.Hour + time.Minute, 0},    // missed: no "soon" alert
	} {
		n, err := s.ScheduleAlerts(context.Background(), t0.Add(tc.at))
		if err != nil || n != tc.want {
			t.Errorf("at %s: %d alerts, %v; want %d", tc.at, n, err, tc.want)
		}
	}
	got := alertsOf("sam")
	if len(got) != 1 || got[0].Entity != "thread:"+th.ID || !strings.Contains(got[0].Title, "order 1001") {
		t.Fatalf("sam's alerts = %+v", got)
	}
	if len(alertsOf("sue")) != 0 || len(alertsOf("ana")) != 0 {
		t.Error("someone else was alerted")
	}
	// The alert went to the outbox too, for the webhook, and to the audit log.
	due, _ := s.Due(context.Background(), t0.Add(49*time.Hour), 100)
	var hooks int
	for _, ev := range due {
		if ev.Type == domain.EventReplyDueSoon && ev.UserID == w.id("sam") {
			hooks++
		}
	}
	if hooks != 1 {
		t.Errorf("%d webhook events for the alert, want 1", hooks)
	}

	// A seller reply clears the clock; the customer's next message starts a
	// new one, alerted in its turn.
	clk.Add(time.Hour)
	w.post(t, "sam", th.ID, "On its way", domain.PartyCustomer)
	clk.Add(time.Hour)
	w.post(t, "ana", th.ID, "Still nothing", domain.PartySeller)
	t1 := clk.Now()
	if n, _ := s.ScheduleAlerts(context.Background(), t1.Add(42*time.Hour)); n != 1 {
		t.Errorf("second deadline: %d alerts, want 1", n)
	}
	if n, _ := s.ScheduleAlerts(context.Background(), t1.Add(43*time.Hour)); n != 0 {
		t.Errorf("second deadline again: %d alerts, want 0", n)
	}
	if n := len(alertsOf("sam")); n != 2 {
		t.Errorf("sam has %d alerts, want 2", n)
	}
	// A thread answered in time is not alerted.
	th2 := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "Invoice please"})
	clk.Add(time.Hour)
	w.post(t, "sam", th2.ID, "Attached", domain.PartyCustomer)
	if n, _ := s.ScheduleAlerts(context.Background(), th2.CreatedAt.Add(43*time.Hour)); n != 0 {
		t.Errorf("an answered thread: %d alerts", n)
	}
}
func testScheduleAlertsForClaimDeadlines(t *testing.T, open Opener) {
	w := newWorld(t, open)
	s, clk := w.Outbox, w.clock
	t0 := clk.Now()
	cl, err := w.Claims.OpenClaim(w.as(t, "ben"), "2001", domain.ClaimDefect, "It arrived broken")
	if err != nil {
		t.Fatal(err)
	}
	if !cl.ReputationDeadline.Equal(t0.Add(72 * time.Hour)) {
		t.Fatalf("deadline %s", cl.ReputationDeadline)
	}
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{
		{65*time.Hour + 59*time.Minute, 0}, // 71:59 → 6:01 before: too early
		{66 * time.Hour, 1},                // 6 h before
		{70 * time.Hour, 0},                // once
		{72*time.Hour + time.Minute, 0},    // missed
	} {
		n, err := s.ScheduleAlerts(context.Background(), t0.Add(tc.at))
		if err != nil || n != tc.want {
			t.Errorf("at %s: %d alerts, %v; want %d", tc.at, n, err, tc.want)
		}
	}
	ns, _ := s.Notifications(w.as(t, "sam"), false, 0)
	var got []domain.Notification
	for _, n := range ns {
		if n.Type == domain.EventClaimDueSoon {
			got = append(got, n)
		}
	}
	if len(got) != 1 || got[0].Entity != "claim:"+cl.ID || !strings.Contains(got[0].Title, "2001") {
		t.Errorf("sam's claim alerts = %+v", got)
	}
	// Buyer's remorse never affects reputation: no clock, no alert. Nor has a
	// claim closed in time.
	for _, reason := range []string{domain.ClaimBuyersRemorse, domain.ClaimDamaged} {
		if _, err := w.Claims.CloseClaim(w.as(t, "ben"), cl.ID, "sorted"); err != nil {
			t.Fatal(err)
		}
		if cl, err = w.Claims.OpenClaim(w.as(t, "ben"), "2001", reason, "Again"); err != nil {
			t.Fatal(err)
		}
		if reason != domain.ClaimBuyersRemorse {
			if _, err := w.Claims.CloseClaim(w.as(t, "ben"), cl.ID, "sorted"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.ScheduleAlerts(context.Background(), cl.OpenedAt.Add(67*time.Hour)); n != 0 || err != nil {
			t.Errorf("%s claim: %d alerts, %v", reason, n, err)
		}
	}
}
