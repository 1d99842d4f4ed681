package domain_test

import (
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

func TestAlertDue(t *testing.T) {
	p := domain.DefaultPolicy()
	deadline := t0.Add(48 * time.Hour)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{t0, false},
		{deadline.Add(-6*time.Hour - time.Second), false}, // 41:59:59 after the message
		{deadline.Add(-6 * time.Hour), true},              // 42:00
		{deadline.Add(-time.Minute), true},                // 47:59
		{deadline, false},                                 // 48:00: missed, no "soon" alert
		{deadline.Add(time.Minute), false},                // 48:01
	} {
		if got := domain.AlertDue(p, deadline, tc.now); got != tc.want {
			t.Errorf("AlertDue at %s before the deadline = %v, want %v", deadline.Sub(tc.now), got, tc.want)
		}
	}
}

func TestOpenClaimDeadline(t *testing.T) {
	due := t0.Add(72 * time.Hour)
	for name, tc := range map[string]struct {
		c    domain.Claim
		want bool
	}{
		"open, pending":      {domain.Claim{State: domain.ClaimOpen, AffectsReputation: domain.ReputationPending, ReputationDeadline: due}, true},
		"returning, pending": {domain.Claim{State: domain.ClaimReturning, AffectsReputation: domain.ReputationPending, ReputationDeadline: due}, true},
		"buyer's remorse":    {domain.Claim{State: domain.ClaimOpen, AffectsReputation: domain.ReputationNotAffected, ReputationDeadline: due}, false},
		"closed":             {domain.Claim{State: domain.ClaimClosed, AffectsReputation: domain.ReputationPending, ReputationDeadline: due}, false},
		"already affected":   {domain.Claim{State: domain.ClaimOpen, AffectsReputation: domain.ReputationAffected, ReputationDeadline: due}, false},
		"no deadline (bug?)": {domain.Claim{State: domain.ClaimOpen, AffectsReputation: domain.ReputationPending}, false},
	} {
		got := domain.OpenClaimDeadline(&tc.c)
		if (got != nil) != tc.want || (got != nil && !got.Equal(due)) {
			t.Errorf("%s: OpenClaimDeadline = %v, want a deadline: %v", name, got, tc.want)
		}
	}
}
