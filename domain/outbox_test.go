package domain_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestNextDelivery(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		jitter   float64
		want     time.Duration
		dead     bool
	}{
		{1, 0.5, 10 * time.Second, false},
		{1, 0, 8 * time.Second, false},         // -20 %
		{1, 0.999999, 12 * time.Second, false}, // almost +20 %
		{2, 0.5, 30 * time.Second, false},
		{3, 0.5, 2 * time.Minute, false},
		{10, 0.5, 24 * time.Hour, false}, // the last retry waits a day
		{11, 0.5, 0, true},               // and that was the last attempt
		{50, 0.5, 0, true},
		{0, 0.5, 10 * time.Second, false}, // nonsense counts as a first failure
		{1, -3, 8 * time.Second, false},   // jitter clamped
	} {
		next, dead := domain.NextDelivery(tc.attempts, t0, tc.jitter)
		if dead != tc.dead {
			t.Errorf("attempts %d: dead = %v, want %v", tc.attempts, dead, tc.dead)
			continue
		}
		if dead {
			continue
		}
		if got := next.Sub(t0); got.Round(time.Millisecond) != tc.want {
			t.Errorf("attempts %d, jitter %v: next after %s, want %s", tc.attempts, tc.jitter, got, tc.want)
		}
	}
	if domain.MaxDeliveryAttempts != 11 {
		t.Errorf("MaxDeliveryAttempts = %d, want 11", domain.MaxDeliveryAttempts)
	}
	// The whole schedule gives an endpoint about two days to come back.
	var total time.Duration
	last := t0
	for n := 1; ; n++ {
		next, dead := domain.NextDelivery(n, last, 0.5)
		if dead {
			break
		}
		total += next.Sub(last)
		last = next
	}
	if total < 46*time.Hour || total > 48*time.Hour {
		t.Errorf("retries span %s, want about 47h", total)
	}
}

func TestOutcomeOf(t *testing.T) {
	for status, want := range map[int]domain.DeliveryOutcome{
		0: domain.Retry, 100: domain.Retry, 200: domain.Delivered, 202: domain.Delivered, 204: domain.Delivered,
		299: domain.Delivered, 301: domain.Retry, 400: domain.Refused, 401: domain.Refused, 404: domain.Refused,
		408: domain.Retry, 410: domain.Refused, 429: domain.Retry, 499: domain.Refused, 500: domain.Retry,
		502: domain.Retry, 503: domain.Retry,
	} {
		if got := domain.OutcomeOf(status); got != want {
			t.Errorf("OutcomeOf(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestSignAndVerifyWebhook(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"type":"refund.issued"}`)
	id := "01JABCDEFGHJKMNPQRSTVWXYZ0"
	ts := strconv.FormatInt(t0.Unix(), 10)
	sig := domain.SignWebhook(secret, id, t0, body)
	if err := domain.VerifyWebhook(secret, id, ts, sig, body, t0.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh signature does not verify: %v", err)
	}
	// Several signatures (a receiver rotating secrets) are space-separated.
	if err := domain.VerifyWebhook(secret, id, ts, "v1,Zm9v "+sig, body, t0); err != nil {
		t.Errorf("second of two signatures: %v", err)
	}
	for name, tc := range map[string]struct {
		secret    []byte
		id, ts    string
		sig       string
		body      []byte
		now       time.Time
		wantError error
	}{
		"other body":      {secret, id, ts, sig, []byte(`{"type":"refund.failed"}`), t0, domain.ErrWebhookSignature},
		"other id":        {secret, "01JOTHER", ts, sig, body, t0, domain.ErrWebhookSignature},
		"other secret":    {[]byte("guess"), id, ts, sig, body, t0, domain.ErrWebhookSignature},
		"other timestamp": {secret, id, strconv.FormatInt(t0.Unix()+1, 10), sig, body, t0, domain.ErrWebhookSignature},
		"v2 scheme":       {secret, id, ts, "v2," + sig[3:], body, t0, domain.ErrWebhookSignature},
		"no signature":    {secret, id, ts, "", body, t0, domain.ErrWebhookSignature},
		"replayed later":  {secret, id, ts, sig, body, t0.Add(5*time.Minute + time.Second), domain.ErrWebhookTimestamp},
		"from the future": {secret, id, ts, sig, body, t0.Add(-5*time.Minute - time.Second), domain.ErrWebhookTimestamp},
		"bad timestamp":   {secret, id, "soon", sig, body, t0, domain.ErrWebhookTimestamp},
	} {
		if err := domain.VerifyWebhook(tc.secret, tc.id, tc.ts, tc.sig, tc.body, tc.now); err != tc.wantError {
			t.Errorf("%s: got %v, want %v", name, err, tc.wantError)
		}
	}
	// A known vector, so that receivers in other languages can check theirs:
	// printf '%s' '01JABCDEFGHJKMNPQRSTVWXYZ0.1740830400.{"type":"refund.issued"}' |
	//   openssl dgst -sha256 -hmac s3cret -binary | base64
	if want := "v1,txXdn92IJ1iAkChw54//vgAO8NcyGCx7ZNWTF71Uoi8="; sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}
}
