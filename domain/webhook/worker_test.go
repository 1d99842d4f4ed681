package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/webhook"
)

// memOutbox is an in-memory domain.OutboxService with the bolt one's
// delivery semantics, claims included (the store contract covers the file).
type memOutbox struct {
	domain.OutboxService // the list methods are not used here
	mu                   sync.Mutex
	events               map[string]*domain.OutboxEvent
	alerts               int
}

func newMemOutbox() *memOutbox { return &memOutbox{events: map[string]*domain.OutboxEvent{}} }

func (m *memOutbox) add(id string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[id] = &domain.OutboxEvent{ID: id, Type: "refund.issued", UserID: "u-ana", Entity: "refund:" + id,
		Payload: json.RawMessage(`{"amount":1250}`), CreatedAt: at, NextAttempt: at}
}

func (m *memOutbox) get(id string) domain.OutboxEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.events[id]
}

func (m *memOutbox) Due(ctx context.Context, now time.Time, n int) ([]domain.OutboxEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*domain.OutboxEvent
	for _, e := range m.events {
		if e.DeliveredAt == nil && !e.Dead && !e.NextAttempt.After(now) {
			due = append(due, e)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].ID < due[j].ID })
	if len(due) > n {
		due = due[:n]
	}
	out := make([]domain.OutboxEvent, len(due))
	for i, e := range due {
		e.NextAttempt = now.Add(domain.ClaimLease) // claimed
		out[i] = *e
	}
	return out, nil
}

func (m *memOutbox) MarkDelivered(ctx context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.events[id]
	e.DeliveredAt = &at
	e.Attempts++
	return nil
}

func (m *memOutbox) MarkDueDelivered(ctx context.Context, now time.Time, n int) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	done := 0
	for _, e := range m.events {
		if done < n && e.DeliveredAt == nil && !e.Dead && !e.NextAttempt.After(now) {
			at := now
			e.DeliveredAt = &at
			e.Attempts++
			done++
		}
	}
	return done, nil
}

func (m *memOutbox) MarkFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.events[id]
	e.Attempts++
	e.LastError = errText
	e.NextAttempt = next
	e.Dead = dead
	return nil
}

func (m *memOutbox) ScheduleAlerts(ctx context.Context, now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts++
	return 0, nil
}

// receiver is a webhook endpoint that verifies signatures and answers with
// the statuses given in turn (then 200).
type receiver struct {
	t        *testing.T
	secret   []byte
	now      func() time.Time
	mu       sync.Mutex
	statuses []int
	got      []delivery
}

type delivery struct {
	id, ts string
	body   webhook.Body
	err    error // of the signature check
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	d := delivery{id: req.Header.Get("Webhook-Id"), ts: req.Header.Get("Webhook-Timestamp")}
	d.err = domain.VerifyWebhook(r.secret, d.id, d.ts, req.Header.Get("Webhook-Signature"), raw, r.now())
	if err := json.Unmarshal(raw, &d.body); err != nil {
		d.err = err
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		d.err = fmt.Errorf("%s with %q", req.Method, req.Header.Get("Content-Type"))
	}
	r.mu.Lock()
	r.got = append(r.got, d)
	status := 200
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.mu.Unlock()
	w.WriteHeader(status)
	fmt.Fprintf(w, "answer %d", status)
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, statuses ...int) (*memOutbox, *receiver, *clock, *webhook.Worker) {
	t.Helper()
	clk := &clock{t: start}
	ob := newMemOutbox()
	rc := &receiver{t: t, secret: []byte("whsec-test"), now: clk.Now, statuses: statuses}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	w := &webhook.Worker{Outbox: ob, URL: srv.URL, Secret: rc.secret, Client: srv.Client(), Now: clk.Now,
		Jitter: func() float64 { return 0.5 }, AlertEvery: -1}
	return ob, rc, clk, w
}

func TestDeliveryIsSignedAndMarked(t *testing.T) {
	ob, rc, _, w := setup(t)
	ob.add("01A", start)
	ob.add("01B", start)
	ob.add("01C", start.Add(time.Hour)) // not due yet
	n, err := w.DeliverDue(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("DeliverDue = %d, %v; want 2", n, err)
	}
	got := rc.deliveries()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2", len(got))
	}
	for _, d := range got {
		if d.err != nil {
			t.Errorf("delivery %s: %v", d.id, d.err)
		}
		if d.body.ID != d.id || d.body.Type != "refund.issued" || d.body.Entity != "refund:"+d.id || string(d.body.Data) != `{"amount":1250}` || !d.body.Timestamp.Equal(start) {
			t.Errorf("body = %+v", d.body)
		}
		if d.ts != fmt.Sprint(start.Unix()) {
			t.Errorf("Webhook-Timestamp = %s", d.ts)
		}
	}
	for _, id := range []string{"01A", "01B"} {
		if e := ob.get(id); e.DeliveredAt == nil || e.Attempts != 1 {
			t.Errorf("%s after delivery: %+v", id, e)
		}
	}
	if e := ob.get("01C"); e.DeliveredAt != nil || e.Attempts != 0 {
		t.Errorf("01C was touched: %+v", e)
	}
	// A wrong secret does not verify.
	if err := domain.VerifyWebhook([]byte("other"), got[0].id, got[0].ts, domain.SignWebhook(rc.secret, got[0].id, start, []byte("{}")), []byte("{}"), start); err == nil {
		t.Error("another secret verifies")
	}
}

func TestRetriesOn500ThenDelivers(t *testing.T) {
	ob, rc, clk, w := setup(t, 500, 503, 429, 408)
	ob.add("01A", start)
	for round := 1; round <= 5; round++ {
		if _, err := w.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		e := ob.get("01A")
		if e.Attempts != round {
			t.Fatalf("round %d: %d attempts", round, e.Attempts)
		}
		if round < 5 {
			if e.DeliveredAt != nil || e.Dead || e.LastError == "" {
				t.Fatalf("round %d: %+v", round, e)
			}
			// Not again before its time…
			clk.Set(e.NextAttempt.Add(-time.Millisecond))
			if n, _ := w.DeliverDue(context.Background()); n != 0 {
				t.Fatalf("round %d: retried %s early", round, e.NextAttempt.Sub(clk.Now()))
			}
			// …and at it.
			clk.Set(e.NextAttempt)
		}
	}
	e := ob.get("01A")
	if e.DeliveredAt == nil || e.LastError != "HTTP 408: answer 408" {
		t.Errorf("after the 5th attempt: %+v", e)
	}
	got := rc.deliveries()
	if len(got) != 5 {
		t.Fatalf("%d requests, want 5", len(got))
	}
	for _, d := range got {
		if d.id != "01A" || d.body.ID != "01A" || d.err != nil {
			t.Errorf("retry %+v: want the same id 01A, signed", d)
		}
	}
	if got[0].ts == got[4].ts {
		t.Error("retries carry the first attempt's timestamp; want each attempt's own")
	}
	// Backoff grows: 10 s, 30 s, 2 min, 10 min (jitter fixed at the middle).
	if d := e.DeliveredAt.Sub(start); d != 10*time.Second+30*time.Second+2*time.Minute+10*time.Minute {
		t.Errorf("delivered %s after the first attempt", d)
	}
}

func TestDeadAfterMaxAttempts(t *testing.T) {
	statuses := make([]int, 100)
	for i := range statuses {
		statuses[i] = 500
	}
	ob, rc, clk, w := setup(t, statuses...)
	ob.add("01A", start)
	for i := 0; i < 100; i++ {
		n, _ := w.DeliverDue(context.Background())
		e := ob.get("01A")
		if e.Dead {
			break
		}
		if n != 1 {
			t.Fatalf("round %d: nothing due", i)
		}
		clk.Set(e.NextAttempt)
	}
	e := ob.get("01A")
	if !e.Dead || e.Attempts != domain.MaxDeliveryAttempts || e.DeliveredAt != nil {
		t.Errorf("after giving up: %+v", e)
	}
	if n := len(rc.deliveries()); n != domain.MaxDeliveryAttempts {
		t.Errorf("%d requests, want %d", n, domain.MaxDeliveryAttempts)
	}
	clk.Add(1000 * time.Hour)
	if n, _ := w.DeliverDue(context.Background()); n != 0 {
		t.Error("a dead event is tried again")
	}
}

func TestRefusedIsDeadAtOnce(t *testing.T) {
	ob, _, _, w := setup(t, 410)
	ob.add("01A", start)
	w.DeliverDue(context.Background())
	if e := ob.get("01A"); !e.Dead || e.Attempts != 1 || e.LastError != "HTTP 410: answer 410" {
		t.Errorf("after a 410: %+v", e)
	}
}

func TestUnreachableEndpointRetries(t *testing.T) {
	ob, _, _, w := setup(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	w.URL = srv.URL
	srv.Close() // nothing listens there now
	ob.add("01A", start)
	w.DeliverDue(context.Background())
	if e := ob.get("01A"); e.Dead || e.DeliveredAt != nil || e.Attempts != 1 || e.LastError == "" || !e.NextAttempt.After(start) {
		t.Errorf("after a connection failure: %+v", e)
	}
}

func TestNoURLMarksDeliveredToInAppOnly(t *testing.T) {
	ob, rc, _, w := setup(t)
	w.URL = ""
	ob.add("01A", start)
	ob.add("01B", start)
	if n, err := w.DeliverDue(context.Background()); n != 2 || err != nil {
		t.Errorf("with no URL: a round marked %d, %v; want both", n, err)
	}
	for _, id := range []string{"01A", "01B"} {
		if e := ob.get(id); e.DeliveredAt == nil {
			t.Errorf("with no URL: %+v", e)
		}
	}
	if n := len(rc.deliveries()); n != 0 {
		t.Errorf("%d requests with no URL", n)
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	ob := newMemOutbox()
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	for i := 0; i < 40; i++ {
		ob.add(fmt.Sprintf("01%03d", i), start)
	}
	w := &webhook.Worker{Outbox: ob, URL: srv.URL, Client: srv.Client(), Now: func() time.Time { return start }, Concurrency: 3, AlertEvery: -1}
	for {
		n, _ := w.DeliverDue(context.Background())
		if n == 0 {
			break
		}
	}
	if m := most.Load(); m > 3 || m < 2 {
		t.Errorf("at most %d deliveries at once, want 3", m)
	}
	for i := 0; i < 40; i++ {
		if e := ob.get(fmt.Sprintf("01%03d", i)); e.DeliveredAt == nil {
			t.Fatalf("%s not delivered", e.ID)
		}
	}
}

func TestRunWakesOnKickAndStops(t *testing.T) {
	ob, rc, _, w := setup(t)
	w.Poll = time.Hour // only Kick wakes it
	w.AlertEvery = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond) // the first round finds nothing
	ob.add("01A", start)
	w.Kick()
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.deliveries()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(rc.deliveries()) != 1 {
		t.Fatal("Kick did not wake the worker")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	ob.mu.Lock()
	alerts := ob.alerts
	ob.mu.Unlock()
	if alerts != 1 {
		t.Errorf("ScheduleAlerts ran %d times, want once at start", alerts)
	}
}

func TestShutdownMidDeliveryLeavesTheEventDue(t *testing.T) {
	ob := newMemOutbox()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ob.add("01A", start)
	w := &webhook.Worker{Outbox: ob, URL: srv.URL, Client: srv.Client(), Now: func() time.Time { return start }, AlertEvery: -1}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	w.DeliverDue(ctx)
	if e := ob.get("01A"); e.Attempts != 0 || e.DeliveredAt != nil || e.Dead {
		t.Errorf("an attempt cut short by shutdown was recorded: %+v", e)
	}
}

// slowRound is an outbox whose claims take most of their lease to reach
// the deliveries (a worker stalled after claiming).
type slowRound struct {
	*memOutbox
	clk *clock
}

func (s slowRound) Due(ctx context.Context, now time.Time, n int) ([]domain.OutboxEvent, error) {
	evs, err := s.memOutbox.Due(ctx, now, n)
	s.clk.Add(domain.ClaimLease - 5*time.Second)
	return evs, err
}

// An event whose claim would end before an attempt could time out is not
// attempted: another replica may claim it then. It comes back when the
// lease ends.
func TestNoAttemptOutlivesItsClaim(t *testing.T) {
	ob, rc, clk, w := setup(t)
	w.Outbox = slowRound{ob, clk}
	ob.add("01A", start)
	if n, err := w.DeliverDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v; want 1 claimed", n, err)
	}
	if len(rc.deliveries()) != 0 {
		t.Fatal("attempted with 5 s of the claim left and a 10 s timeout")
	}
	if e := ob.get("01A"); e.Attempts != 0 || e.DeliveredAt != nil || !e.NextAttempt.Equal(start.Add(domain.ClaimLease)) {
		t.Errorf("the event left alone: %+v", e)
	}
	w.Outbox = ob
	clk.Set(start.Add(domain.ClaimLease))
	if n, _ := w.DeliverDue(context.Background()); n != 1 || len(rc.deliveries()) != 1 || ob.get("01A").DeliveredAt == nil {
		t.Errorf("when the lease ended: %d claimed, %d deliveries", n, len(rc.deliveries()))
	}
}
