package web

import (
	"testing"
	"time"
)

// TestBuckets: a client's burst is spent, then refilled evenly; the wait
// is until the next token; clients do not share.
func TestBuckets(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	b := newBuckets(300.0/60, 30, func() time.Time { return now })
	for i := range 30 {
		if _, ok := b.take("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	wait, ok := b.take("a")
	if ok || wait != 200*time.Millisecond {
		t.Fatalf("after the burst: ok %v, wait %v; want refused, 200ms", ok, wait)
	}
	if _, ok := b.take("b"); !ok {
		t.Fatal("another client was refused")
	}
	now = now.Add(time.Second)
	for i := range 5 {
		if _, ok := b.take("a"); !ok {
			t.Fatalf("a second later, request %d of 5 refused", i+1)
		}
	}
	if _, ok := b.take("a"); ok {
		t.Fatal("a sixth request a second later was let through")
	}
	now = now.Add(2 * time.Minute)
	b.take("c") // sweeps the full buckets
	if len(b.m) != 1 {
		t.Fatalf("%d buckets kept after two idle minutes, want 1", len(b.m))
	}
}
