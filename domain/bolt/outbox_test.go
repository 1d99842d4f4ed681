package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
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
	err := db.At(at).update(context.Background(), func(tx *txn) error {
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
	// Claimed: no other worker gets them until the lease ends.
	if again, _ := s.Due(ctx, now, 2); len(again) != 0 {
		t.Errorf("claimed events claimed again: %v", ids(again))
	}
	if got, _ := s.Due(ctx, now.Add(time.Minute), 10); fmt.Sprint(ids(got)) != "[later]" {
		t.Errorf("a minute later due = %v, want [later] (the others are claimed)", ids(got))
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
	if fmt.Sprint(ids(got)) != "[b]" || got[0].Attempts != 1 || got[0].LastError != "HTTP 500" || !got[0].NextAttempt.Equal(now.Add(10*time.Second+domain.ClaimLease)) {
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
