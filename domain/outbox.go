package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Webhook delivery: every outbox event is POSTed, signed, to one endpoint
// until it answers 2xx, retried on a fixed schedule with jitter, and given up
// ("dead") after the last retry or at once on a refusal that retrying cannot
// fix. Signing follows Standard Webhooks (https://www.standardwebhooks.com):
//
//	Webhook-Id:        the event's ULID, the same on every retry (deduplicate on it)
//	Webhook-Timestamp: Unix seconds of this attempt
//	Webhook-Signature: v1,<base64 of HMAC-SHA256(secret, id + "." + timestamp + "." + body)>
//
// A receiver recomputes the signature over the raw body and refuses a
// timestamp far from its clock (VerifyWebhook does both).

// retryDelays are the waits after each failed attempt: attempt n failing
// waits retryDelays[n-1]. About 47 h in all; the attempt after the last delay
// is the last one.
var retryDelays = []time.Duration{
	10 * time.Second,
	30 * time.Second,
	2 * time.Minute,
	10 * time.Minute,
	30 * time.Minute,
	1 * time.Hour,
	3 * time.Hour,
	6 * time.Hour,
	12 * time.Hour,
	24 * time.Hour,
}

// MaxDeliveryAttempts is how often an event is tried before it is dead.
var MaxDeliveryAttempts = len(retryDelays) + 1

// NextDelivery returns when to try an event again after its attempts-th
// attempt failed at failedAt, or dead once that was the last attempt. jitter
// in [0, 1) spreads retries over ±20 % of the delay, so that events that
// failed together do not all come back together.
func NextDelivery(attempts int, failedAt time.Time, jitter float64) (next time.Time, dead bool) {
	if attempts >= MaxDeliveryAttempts {
		return time.Time{}, true
	}
	d := retryDelays[max(attempts, 1)-1]
	jitter = min(max(jitter, 0), 1)
	d = time.Duration(float64(d) * (0.8 + 0.4*jitter))
	return failedAt.Add(d), false
}

// DeliveryOutcome is what a webhook endpoint's answer means for the event.
type DeliveryOutcome int

// The outcomes.
const (
	Delivered DeliveryOutcome = iota // 2xx
	Retry                            // 5xx, 408, 429, anything not HTTP (network error, timeout), 1xx, 3xx
	Refused                          // any other 4xx: the endpoint rejects this event; retrying will not help
)

// OutcomeOf classifies an HTTP status; 0 stands for no answer at all.
func OutcomeOf(status int) DeliveryOutcome {
	switch {
	case status >= 200 && status < 300:
		return Delivered
	case status == 408 || status == 429:
		return Retry
	case status >= 400 && status < 500:
		return Refused
	}
	return Retry
}

// SignWebhook returns the Webhook-Signature header value for one attempt.
func SignWebhook(secret []byte, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(webhookMAC(secret, id, strconv.FormatInt(ts.Unix(), 10), body))
}

func webhookMAC(secret []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// WebhookTolerance is how far a webhook's timestamp may be from the
// receiver's clock (Standard Webhooks' figure): older deliveries are replays.
const WebhookTolerance = 5 * time.Minute

// Reasons VerifyWebhook refuses a delivery.
var (
	ErrWebhookSignature = Errorf(CodeWebhookSignature, "The webhook signature does not match.")
	ErrWebhookTimestamp = Errorf(CodeWebhookTimestamp, "The webhook timestamp is missing or too far from now.")
)

// VerifyWebhook checks a delivery as its receiver would: the timestamp header
// within WebhookTolerance of now, and one of the space-separated v1
// signatures matching the body.
func VerifyWebhook(secret []byte, id, timestamp, signature string, body []byte, now time.Time) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrWebhookTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return ErrWebhookTimestamp
	}
	want := webhookMAC(secret, id, timestamp, body)
	for _, s := range strings.Fields(signature) {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrWebhookSignature
}

// OutboxEvent is a notification to deliver, written in the same transaction as
// the change it tells of, then delivered by a worker as a signed webhook.
type OutboxEvent struct {
	ID          string          `json:"id"`                // ULID; also the webhook's idempotency id
	Type        string          `json:"type"`              // "refund.issued", "thread.message", …
	UserID      string          `json:"user_id,omitempty"` // who is told, if one person
	ShopID      string          `json:"shop_id,omitempty"`
	Entity      string          `json:"entity"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	Attempts    int             `json:"attempts"`
	NextAttempt time.Time       `json:"next_attempt_at"`
	// ClaimedUntil: a worker (on one of the replicas) is delivering it and
	// holds it until then (ClaimLease); NextAttempt is the same time, when
	// it is tried again unless the worker reports back. Nil otherwise.
	ClaimedUntil *time.Time `json:"claimed_until,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at"`
	LastError    string     `json:"last_error,omitempty"`
	Dead         bool       `json:"dead,omitempty"` // gave up after the last retry
}

// Notification is an entry in a user's in-app list.
type Notification struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Type      string     `json:"type"`
	Title     string     `json:"title"`
	Link      string     `json:"link,omitempty"` // API path of what it is about
	Entity    string     `json:"entity"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}
