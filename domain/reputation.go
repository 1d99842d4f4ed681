package domain

import "time"

// Reputation: a claim resolved within Policy.ClaimGrace (72 h) of opening, or
// for buyer's remorse, does not count against the seller.

// ClaimReputation says whether c counts against the seller's reputation at
// now, and until when it can still be resolved without counting: buyer's
// remorse never counts; a claim resolved within p.ClaimResolveWithin of its
// opening (the last instant included) does not; one resolved later, or open
// past the deadline, does; an open claim before the deadline is pending.
func ClaimReputation(p Policy, c *Claim, now time.Time) (Reputation, time.Time) {
	deadline := c.OpenedAt.Add(p.ClaimResolveWithin)
	switch {
	case c.Reason == ClaimBuyersRemorse:
		return ReputationNotAffected, deadline
	case c.ResolvedAt != nil && !c.ResolvedAt.After(deadline):
		return ReputationNotAffected, deadline
	case c.ResolvedAt != nil, now.After(deadline):
		return ReputationAffected, deadline
	}
	return ReputationPending, deadline
}

// SetClaimReputation sets c's reputation fields as at now.
func SetClaimReputation(p Policy, c *Claim, now time.Time) {
	c.AffectsReputation, c.ReputationDeadline = ClaimReputation(p, c, now)
}
