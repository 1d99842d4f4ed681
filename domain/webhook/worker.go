// Package webhook delivers the outbox: every event, POSTed as signed JSON to
// one endpoint, retried with backoff until it answers 2xx or is given up.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Defaults of Worker.
const (
	DefaultPoll        = time.Second
	DefaultConcurrency = 16
	DefaultAlertEvery  = time.Minute
	DefaultTimeout     = 10 * time.Second
)

// Worker delivers due outbox events. With a URL each event is POSTed there
// (see Body and the headers in domain.SignWebhook's documentation) and marked
// delivered only once the endpoint answers 2xx; until then it stays due, so a
// failed delivery or a crash loses nothing and a retry carries the same
// Webhook-Id. With no URL there is nowhere to send to: events are marked
// delivered at once, and people read them in their in-app lists
// (GET /api/v1/notifications), written with the event.
//
// Set the fields, then call Run once; Kick may be called from anywhere.
type Worker struct {
	Outbox domain.OutboxService
	URL    string // the one endpoint for every event; empty: in-app lists only
	Secret []byte // HMAC key of the signatures
	Client *http.Client
	Now    func() time.Time
	Log    *slog.Logger

	Poll        time.Duration  // look for due events this often (and on Kick); 0: DefaultPoll
	Concurrency int            // deliveries under way at once; 0: DefaultConcurrency
	AlertEvery  time.Duration  // schedule deadline alerts this often; 0: DefaultAlertEvery; < 0: never
	Jitter      func() float64 // in [0, 1), spreads retries; nil: random

	once sync.Once
	kick chan struct{}
}

// Body is what a webhook POSTs, as JSON. Data is the event's payload:
// for notifications {"notification": {...}, "data": {...}}.
type Body struct {
	ID        string          `json:"id"` // = Webhook-Id: deduplicate on it
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"` // when the change happened
	UserID    string          `json:"user_id,omitempty"`
	ShopID    string          `json:"shop_id,omitempty"`
	Entity    string          `json:"entity"`
	Data      json.RawMessage `json:"data"`
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.kick = make(chan struct{}, 1)
		if w.Client == nil {
			w.Client = &http.Client{Timeout: DefaultTimeout}
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Poll <= 0 {
			w.Poll = DefaultPoll
		}
		if w.Concurrency <= 0 {
			w.Concurrency = DefaultConcurrency
		}
		if w.AlertEvery == 0 {
			w.AlertEvery = DefaultAlertEvery
		}
		if w.Jitter == nil {
			w.Jitter = rand.Float64
		}
	})
}

// Kick wakes Run to look for due events now rather than at the next poll:
// call it after a command wrote to the outbox. It never blocks.
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then returns once the deliveries under way
// have been recorded. It schedules deadline alerts every AlertEvery.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	if w.URL == "" {
		w.Log.Info("webhooks: no URL configured; notifications go to the in-app lists only")
	} else {
		w.Log.Info("webhooks: delivering", "url", w.URL, "signed", len(w.Secret) > 0)
	}
	poll := time.NewTimer(0)
	defer poll.Stop()
	var alerts <-chan time.Time
	if w.AlertEvery > 0 {
		t := time.NewTicker(w.AlertEvery)
		defer t.Stop()
		alerts = t.C
		w.scheduleAlerts(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-w.kick:
		case <-alerts:
			w.scheduleAlerts(ctx)
		}
		for {
			n, err := w.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.Error("webhooks: reading the outbox", "err", err)
			}
			if err != nil || n < w.batch() {
				break
			}
			// A full batch: more may be due.
		}
		poll.Reset(w.Poll)
	}
}

func (w *Worker) scheduleAlerts(ctx context.Context) {
	n, err := w.Outbox.ScheduleAlerts(ctx, w.Now())
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("webhooks: scheduling deadline alerts", "err", err)
		}
		return
	}
	if n > 0 {
		w.Log.Info("webhooks: deadline alerts written", "alerts", n)
		w.Kick()
	}
}

// timeout bounds one attempt: the client's timeout, else DefaultTimeout.
func (w *Worker) timeout() time.Duration {
	if w.Client.Timeout > 0 {
		return w.Client.Timeout
	}
	return DefaultTimeout
}

// batch is how many due events one round claims (Outbox.Due): at most 4
// rounds of Concurrency attempts of DefaultTimeout each, well within
// domain.ClaimLease.
func (w *Worker) batch() int { return 4 * w.Concurrency }

// DeliverDue makes one round: it claims up to a batch of due events and
// attempts each, at most Concurrency at once, returning when all are
// recorded. It reports how many it claimed (with no URL: how many it marked
// delivered, in one transaction). An event whose claim would end
// before an attempt could time out is left to come back when it ends.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	w.init()
	if w.URL == "" {
		// Nowhere to send to: the due events are marked delivered, a
		// batch in one transaction, with nothing to claim them for.
		return w.Outbox.MarkDueDelivered(ctx, w.Now(), w.batch())
	}
	evs, err := w.Outbox.Due(ctx, w.Now(), w.batch())
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	for i := range evs {
		sem <- struct{}{}
		wg.Add(1)
		go func(ev *domain.OutboxEvent) {
			defer func() { <-sem; wg.Done() }()
			w.deliver(ctx, ev)
		}(&evs[i])
	}
	wg.Wait()
	return len(evs), nil
}

// deliver attempts one event and records the outcome. A delivery cut short
// by ctx (shutdown) is not recorded: the event stays due as it was.
func (w *Worker) deliver(ctx context.Context, ev *domain.OutboxEvent) {
	// The outcome is recorded even if ctx ends meanwhile: an endpoint that
	// said 2xx must not be sent the event again for nothing.
	rec := context.WithoutCancel(ctx)
	if !domain.ClaimCovers(ev.NextAttempt, w.Now(), w.timeout()) {
		// Too little of the claim is left for a whole attempt: the event
		// comes back when the claim ends, here or on another replica.
		return
	}
	status, errText := w.post(ctx, ev)
	if ctx.Err() != nil && status == 0 {
		return
	}
	now := w.Now()
	var err error
	switch domain.OutcomeOf(status) {
	case domain.Delivered:
		err = w.Outbox.MarkDelivered(rec, ev.ID, now)
	case domain.Refused:
		w.Log.Error("webhooks: the endpoint refused an event; giving up on it", "id", ev.ID, "type", ev.Type, "status", status, "error", errText)
		err = w.Outbox.MarkFailed(rec, ev.ID, now, errText, time.Time{}, true)
	default:
		next, dead := domain.NextDelivery(ev.Attempts+1, now, w.Jitter())
		if dead {
			w.Log.Error("webhooks: last attempt failed; giving up on the event", "id", ev.ID, "type", ev.Type, "attempts", ev.Attempts+1, "error", errText)
		} else {
			w.Log.Warn("webhooks: delivery failed; will retry", "id", ev.ID, "attempt", ev.Attempts+1, "next", next, "error", errText)
		}
		err = w.Outbox.MarkFailed(rec, ev.ID, now, errText, next, dead)
	}
	if err != nil {
		w.Log.Error("webhooks: recording a delivery", "id", ev.ID, "err", err)
	}
}

// post sends ev once and returns the HTTP status (0 when there was no
// answer) and, unless 2xx, what went wrong.
func (w *Worker) post(ctx context.Context, ev *domain.OutboxEvent) (int, string) {
	data := ev.Payload
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	body, err := json.Marshal(Body{ID: ev.ID, Type: ev.Type, Timestamp: ev.CreatedAt, UserID: ev.UserID, ShopID: ev.ShopID, Entity: ev.Entity, Data: data})
	if err != nil {
		return 0, "encoding the body: " + err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	ts := w.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "helpcentre-webhooks/1")
	req.Header.Set("Webhook-Id", ev.ID)
	req.Header.Set("Webhook-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("Webhook-Signature", domain.SignWebhook(w.Secret, ev.ID, ts, body))
	res, err := w.Client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, "timed out"
		}
		return 0, err.Error()
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)) // lets the connection be reused
	if domain.OutcomeOf(res.StatusCode) == domain.Delivered {
		return res.StatusCode, ""
	}
	return res.StatusCode, fmt.Sprintf("HTTP %d: %s", res.StatusCode, bytes.TrimSpace(snippet))
}
