package domain

import (
	"testing"
	"time"
)

func TestClaimReputation(t *testing.T) {
	p := DefaultPolicy()
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	h := time.Hour
	for _, tc := range []struct {
		name     string
		reason   string
		resolved *time.Time
		now      time.Duration
		want     Reputation
	}{
		{"open at 71:59", ClaimDefect, nil, 71*h + 59*time.Minute, ReputationPending},
		{"open at 72:00", ClaimDefect, nil, 72 * h, ReputationPending},
		{"open at 72:01", ClaimDefect, nil, 72*h + time.Minute, ReputationAffected},
		{"resolved at 71:59", ClaimDefect, at(71*h + 59*time.Minute), 100 * h, ReputationNotAffected},
		{"resolved at 72:00", ClaimDamaged, at(72 * h), 100 * h, ReputationNotAffected},
		{"resolved at 72:01", ClaimDefect, at(72*h + time.Minute), 100 * h, ReputationAffected},
		{"buyer's remorse open at 72:01", ClaimBuyersRemorse, nil, 72*h + time.Minute, ReputationNotAffected},
		{"buyer's remorse resolved late", ClaimBuyersRemorse, at(500 * h), 600 * h, ReputationNotAffected},
		{"buyer's remorse open at 1 h", ClaimBuyersRemorse, nil, h, ReputationNotAffected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Claim{Reason: tc.reason, OpenedAt: t0, ResolvedAt: tc.resolved}
			got, deadline := ClaimReputation(p, c, t0.Add(tc.now))
			if got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if !deadline.Equal(t0.Add(72 * h)) {
				t.Fatalf("deadline %s", deadline)
			}
		})
	}
}

func TestReputationJSON(t *testing.T) {
	for r, want := range map[Reputation]string{ReputationAffected: "true", ReputationNotAffected: "false", ReputationPending: `"pending"`} {
		b, _ := r.MarshalJSON()
		if string(b) != want {
			t.Fatalf("%s → %s, want %s", r, b, want)
		}
	}
}
