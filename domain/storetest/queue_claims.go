package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Several replicas work the outbox and the mail queue of one store: a worker
// claims what it sends (OutboxService.Due, MailService.DueMail) for
// domain.ClaimLease. Workers here are goroutines on one store's services, as
// replicas are processes on one database.
var queueClaimCases = []testCase{
	{"outbox_claimed_once", testOutboxClaimedOnce},
	{"mail_claimed_once", testMailClaimedOnce},
	{"outbox_claim_comes_back", testOutboxClaimComesBack},
	{"mail_claim_settled", testMailClaimSettled},
	{"alerts_once_concurrently", testAlertsOnceConcurrently},
}

// unlimited is the default policy without the per-user rate limits, so that
// writers can post as fast as they like.
func unlimited() domain.Policy {
	p := domain.DefaultPolicy()
	p.MessagesPerMinute, p.HandoffsPerHour = 0, 0
	return p
}

// claimed counts how often each item was claimed, by any worker.
type claimed struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *claimed) add(id string) {
	c.mu.Lock()
	c.n[id]++
	c.mu.Unlock()
}

// Workers claiming concurrently while commands write to the outbox: every
// event is delivered, each exactly once in total.
func testOutboxClaimedOnce(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, unlimited())
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"})
	ana, sam := w.as(t, "ana"), w.as(t, "sam")
	ctx := context.Background()

	const writers, posts, workers = 2, 15, 6
	var writing sync.WaitGroup
	for i := range writers {
		writing.Go(func() {
			who, to := ana, domain.PartySeller
			if i%2 == 1 {
				who, to = sam, domain.PartyCustomer
			}
			for j := range posts {
				if _, err := w.Threads.PostMessage(who, th.ID, domain.NewMessage{To: []domain.Party{to}, Body: fmt.Sprintf("message %d of writer %d", j, i)}); err != nil {
					t.Errorf("writer %d: %v", i, err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { writing.Wait(); close(done) }()

	got := &claimed{n: map[string]int{}}
	var working sync.WaitGroup
	for range workers {
		working.Go(func() {
			for {
				finished := false
				select {
				case <-done:
					finished = true // one more round after the last write
				default:
				}
				evs, err := w.Outbox.Due(ctx, w.clock.Now(), 3)
				if err != nil {
					t.Error(err)
					return
				}
				for _, ev := range evs {
					got.add(ev.ID)
					if err := w.Outbox.MarkDelivered(ctx, ev.ID, w.clock.Now()); err != nil {
						t.Error(err)
					}
				}
				if finished && len(evs) == 0 {
					return
				}
			}
		})
	}
	working.Wait()

	all := pagedOutbox(t, w, false, domain.MaxPageLimit)
	if len(all) < writers*posts {
		t.Fatalf("%d events in the outbox, want at least %d", len(all), writers*posts)
	}
	for _, e := range all {
		if n := got.n[e.ID]; n != 1 {
			t.Errorf("event %s (%s) claimed %d times, want once", e.ID, e.Type, n)
		}
		if e.DeliveredAt == nil || e.Attempts != 1 {
			t.Errorf("event %s: delivered %v after %d attempts, want once", e.ID, e.DeliveredAt, e.Attempts)
		}
	}
	if len(got.n) != len(all) {
		t.Errorf("%d events claimed, %d in the outbox", len(got.n), len(all))
	}
	if und := pagedOutbox(t, w, true, domain.MaxPageLimit); len(und) != 0 {
		t.Errorf("undelivered after the workers: %v", eventIDs(und))
	}
}

// Workers claiming mails concurrently: each mail is claimed by one of them.
func testMailClaimedOnce(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, unlimited())
	const mails, workers = 24, 6
	for i := range mails {
		if _, err := w.Threads.Handoff(anon, domain.Handoff{Subject: "Help", Body: "Please", Email: fmt.Sprintf("v%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	got := &claimed{n: map[string]int{}}
	var working sync.WaitGroup
	for range workers {
		working.Go(func() {
			for {
				ms, err := w.Mail.DueMail(ctx, w.clock.Now(), 2)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms) == 0 {
					return
				}
				for _, m := range ms {
					got.add(m.ID)
					if err := w.Mail.MarkMailSent(ctx, m.ID, w.clock.Now()); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	working.Wait()
	if len(got.n) != mails {
		t.Errorf("%d mails claimed, want %d", len(got.n), mails)
	}
	for id, n := range got.n {
		if n != 1 {
			t.Errorf("mail %s claimed %d times, want once", id, n)
		}
	}
	if left := w.dueMail(t); len(left) != 0 {
		t.Errorf("mails left unsent: %+v", left)
	}
}

// An event claimed by a worker that never reports back (it died) is due
// again when the lease ends, to any worker, and is then settled as usual.
func testOutboxClaimComesBack(t *testing.T, open Opener) {
	w := withEvents(t, open)
	ctx, now := context.Background(), w.clock.Now()
	first, err := w.Outbox.Due(ctx, now, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("claim: %v, %v", eventIDs(first), err)
	}
	id := first[0].ID
	isIt := func(evs []domain.OutboxEvent) bool {
		for _, e := range evs {
			if e.ID == id {
				return true
			}
		}
		return false
	}
	// The operator sees it in delivery, tried again when the claim ends.
	lease := now.Add(domain.ClaimLease)
	for _, e := range pagedOutbox(t, w, true, domain.MaxPageLimit) {
		if e.ID == id && (!e.NextAttempt.Equal(lease) || e.ClaimedUntil == nil || !e.ClaimedUntil.Equal(lease) || e.Attempts != 0 || e.Dead) {
			t.Errorf("the claimed event as listed: %+v", e)
		}
	}
	w.clock.Add(domain.ClaimLease - time.Millisecond)
	if isIt(mustDue(t, w, w.clock.Now())) {
		t.Fatal("claimed again before the lease ended")
	}
	w.clock.Add(time.Millisecond)
	again := mustDue(t, w, w.clock.Now())
	if !isIt(again) {
		t.Fatalf("not due when the lease ended: %v", eventIDs(again))
	}
	if err := w.Outbox.MarkFailed(ctx, id, w.clock.Now(), "HTTP 503", w.clock.Now().Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Minute)
	third := mustDue(t, w, w.clock.Now())
	if !isIt(third) {
		t.Fatalf("not due after the failure: %v", eventIDs(third))
	}
	if err := w.Outbox.MarkDelivered(ctx, id, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if isIt(mustDue(t, w, w.clock.Now().Add(1000*time.Hour))) {
		t.Error("a delivered event is due")
	}
	for _, e := range pagedOutbox(t, w, false, domain.MaxPageLimit) {
		if e.ID == id && (e.DeliveredAt == nil || e.Attempts != 2 || e.LastError != "HTTP 503" || e.ClaimedUntil != nil) {
			t.Errorf("the event once delivered: %+v", e)
		}
	}
}

// Mails: a claim settled as sent or failed leaves the lease; one not
// settled comes back when it ends.
func testMailClaimSettled(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, unlimited())
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if _, err := w.Threads.Handoff(anon, domain.Handoff{Subject: "Help", Body: "Please", Email: e}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, now := context.Background(), w.clock.Now()
	ms := w.claimMail(t)
	if len(ms) != 3 {
		t.Fatalf("claimed %+v", ms)
	}
	for _, m := range ms {
		if lease := now.Add(domain.ClaimLease); !m.NextAttempt.Equal(lease) || m.ClaimedUntil == nil || !m.ClaimedUntil.Equal(lease) {
			t.Errorf("claimed mail: next attempt %v, claimed until %v; want the lease's end", m.NextAttempt, m.ClaimedUntil)
		}
	}
	sent, failed, lost := ms[0], ms[1], ms[2]
	if err := w.Mail.MarkMailSent(ctx, sent.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := w.Mail.MarkMailFailed(ctx, failed.ID, now, "421 busy", now.Add(30*time.Second), false); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(30 * time.Second)
	if got := w.claimMail(t); len(got) != 1 || got[0].ID != failed.ID || got[0].Attempts != 1 {
		t.Fatalf("due after the failure: %+v", got)
	}
	w.clock.Add(domain.ClaimLease - 30*time.Second)
	if got := w.claimMail(t); len(got) != 1 || got[0].ID != lost.ID || got[0].Attempts != 0 {
		t.Fatalf("due when the lease ended: %+v", got)
	}
	if err := w.Mail.MarkMailSent(ctx, lost.ID, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := w.Mail.MarkMailSent(ctx, failed.ID, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Hour)
	if got := w.claimMail(t); len(got) != 0 {
		t.Errorf("due after every mail was sent: %+v", got)
	}
	if left := w.dueMail(t); len(left) != 0 {
		t.Errorf("waiting after every mail was sent: %+v", left)
	}
	list, err := w.Mail.ListMail(w.as(t, "olga"), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.ClaimedUntil != nil {
			t.Errorf("a sent mail is still claimed: %+v", m)
		}
	}
}

// Every replica schedules the deadline alerts: run at once, they fire each
// alert once between them (the "already sent" mark is read and written in
// the one transaction that writes the alert).
func testAlertsOnceConcurrently(t *testing.T, open Opener) {
	w := newWorld(t, open)
	t0 := w.clock.Now()
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Subject: "Where is it?", Body: "Hello"})
	at := t0.Add(42 * time.Hour) // 6 h before the seller's reply is due
	var total sync.Mutex
	fired := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			n, err := w.Outbox.ScheduleAlerts(context.Background(), at)
			if err != nil {
				t.Error(err)
			}
			total.Lock()
			fired += n
			total.Unlock()
		})
	}
	wg.Wait()
	if fired != 1 {
		t.Errorf("%d alerts fired by 8 schedulers, want 1", fired)
	}
	ns, err := w.Outbox.Notifications(w.as(t, "sam"), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, n := range ns {
		if n.Type == domain.EventReplyDueSoon && n.Entity == "thread:"+th.ID {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("sam has %d alerts for the thread, want 1", alerts)
	}
}
