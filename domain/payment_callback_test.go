package domain

import (
	"strconv"
	"testing"
	"time"
)

func TestVerifyPaymentCallback(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"refund_id":"r1","attempt":1,"state":"refunded"}`)
	ts := strconv.FormatInt(t0.Unix(), 10)
	sign := func(key []byte, id string, at time.Time, b []byte) string { return SignPaymentCallback(key, id, at, b) }
	for _, tc := range []struct {
		name                string
		secret              []byte
		refund, id, ts, sig string
		body                []byte
		now                 time.Time
		code                Code
	}{
		{"fresh", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, body), body, t0.Add(time.Second), ""},
		{"4m59s old", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, body), body, t0.Add(4*time.Minute + 59*time.Second), ""},
		{"5m01s old", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, body), body, t0.Add(5*time.Minute + time.Second), CodePaymentSignature},
		{"from the future", secret, "r1", "evt_1", strconv.FormatInt(t0.Add(10*time.Minute).Unix(), 10), sign(secret, "evt_1", t0.Add(10*time.Minute), body), body, t0, CodePaymentSignature},
		{"other secret", secret, "r1", "evt_1", ts, sign([]byte("other"), "evt_1", t0, body), body, t0, CodePaymentSignature},
		{"no secret configured", nil, "r1", "evt_1", ts, sign(nil, "evt_1", t0, body), body, t0, CodePaymentSignature},
		{"event id changed", secret, "r1", "evt_2", ts, sign(secret, "evt_1", t0, body), body, t0, CodePaymentSignature},
		{"no event id", secret, "r1", "", ts, sign(secret, "", t0, body), body, t0, CodePaymentSignature},
		{"event id with a dot", secret, "r1", "evt.1", ts, sign(secret, "evt.1", t0, body), body, t0, CodePaymentSignature},
		{"timestamp changed", secret, "r1", "evt_1", ts + "1", sign(secret, "evt_1", t0, body), body, t0, CodePaymentSignature},
		{"body changed", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, body), []byte(`{"refund_id":"r1","attempt":1,"state":"failed"}`), t0, CodePaymentSignature},
		{"another refund's callback (the URL names r2)", secret, "r2", "evt_1", ts, sign(secret, "evt_1", t0, body), body, t0, CodePaymentSignature},
		{"the old format: no refund in the body", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, []byte(`{"state":"refunded"}`)), []byte(`{"state":"refunded"}`), t0, CodePaymentSignature},
		{"second signature matches (rotation)", secret, "r1", "evt_1", ts, sign([]byte("old"), "evt_1", t0, body) + " " + sign(secret, "evt_1", t0, body), body, t0, ""},
		{"signed garbage", secret, "r1", "evt_1", ts, sign(secret, "evt_1", t0, []byte("nope")), []byte("nope"), t0, CodeInvalidJSON},
		{"empty", secret, "r1", "", "", "", body, t0, CodePaymentSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := VerifyPaymentCallback(tc.secret, tc.refund, tc.id, tc.ts, tc.sig, tc.body, tc.now)
			wantCode(t, err, tc.code)
			if err == nil && (cb.EventID != tc.id || cb.RefundID != "r1" || cb.State != RefundRefunded || cb.Attempt != 1 || !cb.SentAt.Equal(t0)) {
				t.Fatalf("got %+v", cb)
			}
		})
	}
}

func TestCheckPaymentCallback(t *testing.T) {
	r := &Refund{ID: "r1", State: RefundProcessing, Attempts: 2}
	cb := func(attempt int, sent time.Time) *PaymentCallback {
		return &PaymentCallback{EventID: "e", SentAt: sent, RefundID: "r1", Attempt: attempt, State: RefundRefunded}
	}
	for _, tc := range []struct {
		name string
		cb   *PaymentCallback
		seen bool
		now  time.Time
		code Code
	}{
		{"fits", cb(2, t0), false, t0.Add(time.Minute), ""},
		{"no attempt named", cb(0, t0), false, t0, ""},
		{"seen before", cb(2, t0), true, t0.Add(time.Minute), CodePaymentReplayed},
		{"too old by the store's clock", cb(2, t0), false, t0.Add(PaymentCallbackMaxAge + time.Second), CodePaymentSignature},
		{"about the attempt before a retry", cb(1, t0), false, t0, CodeRefundState},
		{"another refund", &PaymentCallback{EventID: "e", SentAt: t0, RefundID: "r2", State: RefundRefunded}, false, t0, CodePaymentSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, CheckPaymentCallback(tc.cb, r, tc.seen, tc.now), tc.code)
		})
	}
	if PaymentEventRetention <= 2*PaymentCallbackMaxAge {
		t.Fatalf("event ids are kept %v, less than the %v a timestamp is accepted for", PaymentEventRetention, 2*PaymentCallbackMaxAge)
	}
}

func TestIdempotentReplay(t *testing.T) {
	a := RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 1}, {Line: 1, Units: 1}}, Reason: "broken"}
	sameOtherOrder := RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 1, Units: 1}, {Line: 2, Units: 1}}, Reason: "broken"}
	if RefundRequestDigest(a) != RefundRequestDigest(sameOtherOrder) {
		t.Fatal("the order of lines changed the digest")
	}
	made := &Refund{ID: "r1", Amount: 5640}
	for _, tc := range []struct {
		name   string
		stored string
		req    RefundRequest
		code   Code
	}{
		{"same request", RefundRequestDigest(a), sameOtherOrder, ""},
		{"a key stored before digests", "", RefundRequest{Kind: RefundTotal}, ""},
		{"total instead", RefundRequestDigest(a), RefundRequest{Kind: RefundTotal}, CodeIdempotencyKeyReused},
		{"another unit count", RefundRequestDigest(a), RefundRequest{Kind: RefundPartial, Lines: []RefundLine{{Line: 2, Units: 2}, {Line: 1, Units: 1}}, Reason: "broken"}, CodeIdempotencyKeyReused},
		{"another reason", RefundRequestDigest(a), RefundRequest{Kind: RefundPartial, Lines: a.Lines, Reason: "late"}, CodeIdempotencyKeyReused},
		{"shipping added", RefundRequestDigest(a), RefundRequest{Kind: RefundPartial, Lines: a.Lines, Reason: "broken", Shipping: 1}, CodeIdempotencyKeyReused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckIdempotentReplay("k1", tc.stored, RefundRequestDigest(tc.req), made)
			wantCode(t, err, tc.code)
			if err != nil && ErrorKind(err) != Unprocessable {
				t.Fatalf("kind %s", ErrorKind(err))
			}
		})
	}
}
