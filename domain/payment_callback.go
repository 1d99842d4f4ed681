package domain

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// The payment side's refund callbacks are signed the way the outbox signs its
// webhooks (Standard Webhooks, see outbox.go), with the refund inside the
// signed body so that a callback is good for one refund and one event only:
//
//	Webhook-Id:        the event's id, unique per event (1–128 of A–Z a–z 0–9 _ -)
//	Webhook-Timestamp: Unix seconds when it was sent
//	Webhook-Signature: v1,<base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body)>
//	body:              {"refund_id": "…", "attempt": 1, "state": "refunded", "failure": "…"}
//
// A callback is refused when its signature does not match, its timestamp is
// more than PaymentCallbackMaxAge from now, its refund_id is not the refund
// of the URL, or its event id was seen before (the store records every
// applied event id, in the transaction that applies it, for
// PaymentEventRetention).

// PaymentCallback is a verified callback of the payment side about a refund.
type PaymentCallback struct {
	EventID  string      `json:"-"` // Webhook-Id
	SentAt   time.Time   `json:"-"` // Webhook-Timestamp
	RefundID string      `json:"refund_id"`
	Attempt  int         `json:"attempt,omitempty"` // the refund's Attempts it is about; 0 for any
	State    RefundState `json:"state"`
	Failure  string      `json:"failure,omitempty"`
}

// PaymentCallbackMaxAge is how far a callback's timestamp may be from now,
// either way: older ones are refused as replays.
const PaymentCallbackMaxAge = WebhookTolerance

// PaymentEventRetention is how long a store remembers an applied callback's
// event id. It must exceed the 2 × PaymentCallbackMaxAge a timestamp can be
// accepted for (5 minutes early to 5 minutes late), so that no replay that
// passes the timestamp check finds its event id forgotten.
const PaymentEventRetention = 24 * time.Hour

// MaxPaymentEventID is the longest Webhook-Id accepted, in bytes.
const MaxPaymentEventID = 128

// SignPaymentCallback returns the Webhook-Signature of a callback with event
// id eventID sent at t: the payment side's half, used by tests and the demo.
func SignPaymentCallback(secret []byte, eventID string, t time.Time, body []byte) string {
	return SignWebhook(secret, eventID, t, body)
}

// VerifyPaymentCallback checks a callback to refund refundID (the URL's) and
// decodes it: a valid event id, a v1 signature of id, timestamp and body
// within PaymentCallbackMaxAge of now, and a body about refundID. An empty
// secret refuses everything. Whether the event was seen before is the
// store's to check (it remembers them).
// Errors: payment_signature, invalid_json.
func VerifyPaymentCallback(secret []byte, refundID, eventID, timestamp, signature string, body []byte, now time.Time) (*PaymentCallback, error) {
	bad := Errorf(CodePaymentSignature, "The payment callback's Webhook-Id, Webhook-Timestamp or Webhook-Signature is missing, wrong or too old.")
	if len(secret) == 0 || !validPaymentEventID(eventID) {
		return nil, bad
	}
	if err := VerifyWebhook(secret, eventID, timestamp, signature, body, now); err != nil {
		return nil, bad
	}
	var cb PaymentCallback
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&cb); err != nil {
		return nil, Errorf(CodeInvalidJSON, "%s", `The body is {"refund_id": "…", "attempt": 1, "state": "processing"|"refunded"|"failed", "failure": "…"}.`)
	}
	if cb.RefundID != refundID {
		return nil, Errorf(CodePaymentSignature, "This callback is signed for another refund.")
	}
	sec, _ := parseUnix(timestamp) // VerifyWebhook parsed it
	cb.EventID, cb.SentAt = eventID, sec
	return &cb, nil
}

func parseUnix(s string) (time.Time, error) {
	sec, err := strconv.ParseInt(s, 10, 64)
	return time.Unix(sec, 0).UTC(), err
}

func validPaymentEventID(id string) bool {
	if id == "" || len(id) > MaxPaymentEventID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CheckPaymentCallback is the store's check of a verified callback against
// the refund r it names, at the store's time now: the timestamp still within
// PaymentCallbackMaxAge (the store's clock decides how long event ids are
// kept), and, when the callback names an attempt, r's current one (a late
// callback about an attempt that failed before a retry does not fit).
// seen reports whether the store has recorded cb.EventID before.
// Errors: payment_signature, payment_callback_replayed, refund_state.
func CheckPaymentCallback(cb *PaymentCallback, r *Refund, seen bool, now time.Time) error {
	if d := now.Sub(cb.SentAt); d > PaymentCallbackMaxAge || d < -PaymentCallbackMaxAge {
		return Errorf(CodePaymentSignature, "The payment callback is too old.")
	}
	if seen {
		return Errorf(CodePaymentReplayed, "The payment callback %s was received before; it is not applied twice.", cb.EventID)
	}
	if cb.RefundID != r.ID {
		return Errorf(CodePaymentSignature, "This callback is signed for another refund.")
	}
	if cb.Attempt != 0 && cb.Attempt != r.Attempts {
		return Errorf(CodeRefundState, "This callback is about attempt %d of the refund; it is on attempt %d.", cb.Attempt, r.Attempts)
	}
	return nil
}
