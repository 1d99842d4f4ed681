package domain

import "time"

// Reputation: a claim resolved within Policy.ClaimResolveWithin (72 h) of
// opening, or for buyer's remorse, does not count against the seller.
//
// "Resolved" is read as the seller guide reads it: "if you resolve your
// claims before 72 h, either by working out the issue directly with the buyer
// or using a solution as a refund/return, your reputation will not be
// affected". So a claim is resolved for the reputation at the first of
// - its closing (the buyer closes it after guidance, customer care closes
//   it, or a refund ends it), and
// - the seller's remedy (Claim.RemedyAt): the return granted (not the parcel
//   received, which the seller does not control), the total refund made,
//   or a partial-refund offer made that the buyer accepts. An offer made in
//   time and accepted after the deadline counts as made in time: the seller
//   acted in time, the buyer's answer only confirms it. Until the buyer
//   answers such an offer the claim stays pending; if the offer is
//   rejected, withdrawn or expires, the claim counts as if it had not been
//   made.

// ClaimReputation says whether c counts against the seller's reputation at
// now, and until when it can still be resolved without counting: buyer's
// remorse never counts; a claim resolved (see above) within
// p.ClaimResolveWithin of its opening (the last instant included) does not;
// one resolved later, or open past the deadline, does; an open claim before
// the deadline, or with an offer made before it still waiting for the
// buyer, is pending.
func ClaimReputation(p Policy, c *Claim, now time.Time) (Reputation, time.Time) {
	deadline := c.OpenedAt.Add(p.ClaimResolveWithin)
	settled := c.ResolvedAt
	if c.RemedyAt != nil && (settled == nil || c.RemedyAt.Before(*settled)) {
		settled = c.RemedyAt
	}
	switch {
	case c.Reason == ClaimBuyersRemorse:
		return ReputationNotAffected, deadline
	case settled != nil && !settled.After(deadline):
		return ReputationNotAffected, deadline
	case settled != nil:
		return ReputationAffected, deadline
	case now.After(deadline):
		if off := PendingOffer(c); off != nil && !off.CreatedAt.After(deadline) && c.State == ClaimOpen {
			return ReputationPending, deadline
		}
		return ReputationAffected, deadline
	}
	return ReputationPending, deadline
}

// SetClaimReputation sets c's reputation fields as at now.
func SetClaimReputation(p Policy, c *Claim, now time.Time) {
	c.AffectsReputation, c.ReputationDeadline = ClaimReputation(p, c, now)
}
