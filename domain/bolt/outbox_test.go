package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// outboxMigrations is the schema with the outbox area's migration, whether
// or not migrate.go lists it yet.
func outboxMigrations() []migration {
	migs := migrations()
	for _, m := range migs {
		if m.id == outboxMigrationID {
			return migs
		}
	}
	return append(migs, migration{id: outboxMigrationID, up: outboxMigration})
}

// outboxDB opens a fresh DB whose clock is *now.
func outboxDB(t testing.TB, now *time.Time) *DB {
	t.Helper()
	db, err := open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(func() time.Time { return *now }), outboxMigrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	opAdam = domain.Actor{UserID: "u-adam", Name: "adam", Role: domain.RoleAdmin}
	opOlga = domain.Actor{UserID: "u-olga", Name: "olga", Role: domain.RoleAgent}
	cuAna  = domain.Actor{UserID: "u-ana", Name: "ana", Role: domain.RoleCustomer}
	cuBen  = domain.Actor{UserID: "u-ben", Name: "ben", Role: domain.RoleCustomer}
	seSam  = domain.Actor{UserID: "u-sam", Name: "sam", Role: domain.RoleSeller, ShopID: "shop-1"}
)

func actx(a domain.Actor) context.Context { return domain.WithActor(context.Background(), a) }

// notifyAt writes one notification (and so one outbox event) at time at.
func notifyAt(t testing.TB, db *DB, at time.Time, user, typ string) {
	t.Helper()
	err := db.update(AtTime(context.Background(), at), func(tx *txn) error {
		return tx.notify(user, typ, "title "+typ, "thread:x", "/api/v1/threads/x", map[string]int{"n": 1})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ids(evs []domain.OutboxEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

func TestOutboxDueDeliveredFailedDead(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, &now)
	s := NewOutboxService(db, domain.DefaultPolicy())
	ctx := context.Background()

	notifyAt(t, db, now.Add(-3*time.Second), "u-ana", "a")
	notifyAt(t, db, now.Add(-2*time.Second), "u-ana", "b")
	notifyAt(t, db, now.Add(-1*time.Second), "u-sam", "c")
	notifyAt(t, db, now.Add(time.Minute), "u-sam", "later")

	due, err := s.Due(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(due)); got != "[a b c]" {
		t.Fatalf("due = %s, want [a b c] (oldest first, not the future one)", got)
	}
	if due[0].Entity != "thread:x" || due[0].UserID != "u-ana" || due[0].DeliveredAt != nil {
		t.Errorf("event = %+v", due[0])
	}
	var body struct {
		Notification domain.Notification `json:"notification"`
		Data         map[string]int      `json:"data"`
	}
	if err := json.Unmarshal(due[0].Payload, &body); err != nil || body.Notification.Title != "title a" || body.Data["n"] != 1 {
		t.Errorf("payload %s (%v)", due[0].Payload, err)
	}
	if two, _ := s.Due(ctx, now, 2); len(two) != 2 {
		t.Errorf("Due(n=2) gave %d", len(two))
	}
	if got, _ := s.Due(ctx, now.Add(time.Minute), 10); len(got) != 4 {
		t.Errorf("a minute later %d are due, want 4", len(got))
	}

	// a is delivered: it leaves the due index, keeps its record.
	if err := s.MarkDelivered(ctx, due[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, due[0].ID, now.Add(time.Hour)); err != nil {
		t.Fatalf("marking again: %v", err)
	}
	// b failed: due again in 10 s, with its error and attempt count.
	if err := s.MarkFailed(ctx, due[1].ID, now, "HTTP 500", now.Add(10*time.Second), false); err != nil {
		t.Fatal(err)
	}
	// c was refused: dead.
	if err := s.MarkFailed(ctx, due[2].ID, now, "HTTP 410", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Due(ctx, now, 10); len(got) != 0 {
		t.Errorf("still due now: %v", ids(got))
	}
	got, _ := s.Due(ctx, now.Add(10*time.Second), 10)
	if fmt.Sprint(ids(got)) != "[b]" || got[0].Attempts != 1 || got[0].LastError != "HTTP 500" || !got[0].NextAttempt.Equal(now.Add(10*time.Second)) {
		t.Errorf("after the failure, due = %+v", got)
	}
	if err := s.MarkDelivered(ctx, "01NOSUCHEVENT0000000000000", now); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("unknown event: %v", err)
	}

	// The operator's view: everything newest first; undelivered = dead, then pending.
	all, next, err := s.ListOutbox(actx(opOlga), false, "", 10)
	if err != nil || next != "" {
		t.Fatal(err, next)
	}
	if fmt.Sprint(ids(all)) != "[later c b a]" {
		t.Errorf("all = %v", ids(all))
	}
	if all[3].DeliveredAt == nil || !all[3].DeliveredAt.Equal(now) || all[3].Attempts != 1 {
		t.Errorf("delivered event = %+v", all[3])
	}
	if !all[1].Dead || all[1].LastError != "HTTP 410" {
		t.Errorf("dead event = %+v", all[1])
	}
	und, _, err := s.ListOutbox(actx(opAdam), true, "", 10)
	if err != nil || fmt.Sprint(ids(und)) != "[c b later]" {
		t.Errorf("undelivered = %v, %v; want [c b later]", ids(und), err)
	}
	// Paging one at a time crosses from the dead to the pending.
	var paged []string
	cursor := ""
	for i := 0; i < 10; i++ {
		page, n, err := s.ListOutbox(actx(opAdam), true, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, ids(page)...)
		if n == "" {
			break
		}
		cursor = n
	}
	if fmt.Sprint(paged) != "[c b later]" {
		t.Errorf("paged undelivered = %v", paged)
	}
	paged, cursor = nil, ""
	for i := 0; i < 10; i++ {
		page, n, err := s.ListOutbox(actx(opAdam), false, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, ids(page)...)
		if n == "" {
			break
		}
		cursor = n
	}
	if fmt.Sprint(paged) != "[later c b a]" {
		t.Errorf("paged all = %v", paged)
	}
	if _, _, err := s.ListOutbox(actx(opAdam), true, "x!!", 1); domain.ErrorCode(err) != domain.CodeInvalidCursor {
		t.Errorf("bad cursor: %v", err)
	}
	for _, a := range []domain.Actor{cuAna, seSam} {
		if _, _, err := s.ListOutbox(actx(a), false, "", 10); domain.ErrorKind(err) != domain.Forbidden {
			t.Errorf("%s lists the outbox: %v", a.Name, err)
		}
	}
	if _, _, err := s.ListOutbox(context.Background(), false, "", 10); domain.ErrorKind(err) != domain.Unauthorized {
		t.Errorf("anonymous lists the outbox: %v", err)
	}

	// A dead event stays dead; failing it again changes nothing.
	if err := s.MarkFailed(ctx, due[2].ID, now, "again", now, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Due(ctx, now.Add(time.Hour), 10); fmt.Sprint(ids(got)) != "[b later]" {
		t.Errorf("due after failing a dead one = %v", ids(got))
	}
}

func TestOutboxRetriesUntilDead(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, &now)
	s := NewOutboxService(db, domain.DefaultPolicy())
	ctx := context.Background()
	notifyAt(t, db, now, "u-ana", "a")
	at := now
	for attempt := 1; ; attempt++ {
		due, err := s.Due(ctx, at, 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("attempt %d: due %v, %v", attempt, ids(due), err)
		}
		next, dead := domain.NextDelivery(attempt, at, 0.5)
		if err := s.MarkFailed(ctx, due[0].ID, at, "HTTP 503", next, dead); err != nil {
			t.Fatal(err)
		}
		if dead {
			if attempt != domain.MaxDeliveryAttempts {
				t.Errorf("dead after %d attempts", attempt)
			}
			break
		}
		if got, _ := s.Due(ctx, next.Add(-time.Millisecond), 10); len(got) != 0 {
			t.Fatalf("attempt %d: due before its time", attempt)
		}
		at = next
	}
	if got, _ := s.Due(ctx, at.Add(1000*time.Hour), 10); len(got) != 0 {
		t.Errorf("a dead event is still due")
	}
	und, _, _ := s.ListOutbox(actx(opAdam), true, "", 10)
	if len(und) != 1 || !und[0].Dead || und[0].Attempts != domain.MaxDeliveryAttempts {
		t.Errorf("undelivered = %+v", und)
	}
}

func TestNotificationsOwnOnly(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, &now)
	s := NewOutboxService(db, domain.DefaultPolicy())
	for i, typ := range []string{"n1", "n2", "n3"} {
		notifyAt(t, db, now.Add(time.Duration(i)*time.Second), "u-ana", typ)
	}
	notifyAt(t, db, now, "u-ben", "ben1")

	list, err := s.Notifications(actx(cuAna), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	types := func(ns []domain.Notification) string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Type)
		}
		return fmt.Sprint(out)
	}
	if types(list) != "[n3 n2 n1]" {
		t.Fatalf("ana's list = %s, want newest first [n3 n2 n1]", types(list))
	}
	if err := s.MarkNotificationRead(actx(cuAna), list[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotificationRead(actx(cuAna), list[1].ID); err != nil {
		t.Fatalf("reading twice: %v", err)
	}
	unread, _ := s.Notifications(actx(cuAna), true, 0)
	if types(unread) != "[n3 n1]" {
		t.Errorf("unread = %s", types(unread))
	}
	if one, _ := s.Notifications(actx(cuAna), true, 1); types(one) != "[n3]" {
		t.Errorf("unread, limit 1 = %s", types(one))
	}
	all, _ := s.Notifications(actx(cuAna), false, 0)
	if all[1].ReadAt == nil || !all[1].ReadAt.Equal(now) {
		t.Errorf("read notification = %+v", all[1])
	}
	// Ben cannot see or touch ana's, and learns nothing of their existence.
	benList, _ := s.Notifications(actx(cuBen), false, 0)
	if types(benList) != "[ben1]" {
		t.Errorf("ben's list = %s", types(benList))
	}
	if err := s.MarkNotificationRead(actx(cuBen), list[0].ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("ben marks ana's: %v", err)
	}
	if err := s.MarkNotificationRead(actx(opAdam), list[0].ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("an admin marks ana's: %v", err)
	}
	if err := s.MarkNotificationRead(actx(cuAna), "nope"); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := s.Notifications(context.Background(), false, 0); domain.ErrorKind(err) != domain.Unauthorized {
		t.Errorf("anonymous: %v", err)
	}
	if empty, err := s.Notifications(actx(seSam), false, 0); err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("sam's empty list = %#v, %v (want [] for JSON)", empty, err)
	}
}

func TestOutboxMarksConcurrently(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, &now)
	s := NewOutboxService(db, domain.DefaultPolicy())
	ctx := context.Background()
	for i := 0; i < 50; i++ {
		notifyAt(t, db, now, "u-ana", fmt.Sprint(i))
	}
	due, _ := s.Due(ctx, now, 100)
	errs := make(chan error, len(due))
	for i, ev := range due {
		go func() {
			if i%2 == 0 {
				errs <- s.MarkDelivered(ctx, ev.ID, now)
			} else {
				errs <- s.MarkFailed(ctx, ev.ID, now, "x", now.Add(time.Minute), false)
			}
		}()
	}
	for range due {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Due(ctx, now.Add(time.Minute), 100); len(got) != 25 {
		t.Errorf("%d due after marking, want 25", len(got))
	}
}

func TestScheduleAlertsForReplyDeadlines(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(clk.Now), outboxMigrations())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := domain.DefaultPolicy()
	wd, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, p)}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &threadWorld{db: db, clock: clk, threads: NewThreadService(db, p), world: wd}
	s := NewOutboxService(db, p)
	t0 := clk.Now()
	th := w.start(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Subject: "Where is it?", Body: "Hello"})
	if th.SellerReplyDueAt == nil || !th.SellerReplyDueAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("due = %v", th.SellerReplyDueAt)
	}
	alertsOf := func(who string) []domain.Notification {
		ns, err := s.Notifications(w.as(who), false, 0)
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
		if ev.Type == domain.EventReplyDueSoon && ev.UserID == wd.Users["sam"].ID {
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
	th2 := w.start(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "Invoice please"})
	clk.Add(time.Hour)
	w.post(t, "sam", th2.ID, "Attached", domain.PartyCustomer)
	if n, _ := s.ScheduleAlerts(context.Background(), th2.CreatedAt.Add(43*time.Hour)); n != 0 {
		t.Errorf("an answered thread: %d alerts", n)
	}
}

func TestScheduleAlertsForClaimDeadlines(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := open(filepath.Join(t.TempDir(), "domain.db"), fastOptions(clk.Now), outboxMigrations())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := domain.DefaultPolicy()
	wd, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, p)}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &threadWorld{db: db, clock: clk, threads: NewThreadService(db, p), world: wd}
	claims := NewClaimService(db, p)
	s := NewOutboxService(db, p)
	t0 := clk.Now()
	cl, err := claims.OpenClaim(w.as("ben"), "2001", domain.ClaimDefect, "It arrived broken")
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
	ns, _ := s.Notifications(w.as("sam"), false, 0)
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
		if _, err := claims.CloseClaim(w.as("ben"), cl.ID, "sorted"); err != nil {
			t.Fatal(err)
		}
		if cl, err = claims.OpenClaim(w.as("ben"), "2001", reason, "Again"); err != nil {
			t.Fatal(err)
		}
		if reason != domain.ClaimBuyersRemorse {
			if _, err := claims.CloseClaim(w.as("ben"), cl.ID, "sorted"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.ScheduleAlerts(context.Background(), cl.OpenedAt.Add(67*time.Hour)); n != 0 || err != nil {
			t.Errorf("%s claim: %d alerts, %v", reason, n, err)
		}
	}
}
