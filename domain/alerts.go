package domain

import "time"

// Alerts: outbox event types that tell whoever must act before a
// deadline is missed.
const (
	EventReplyDueSoon = "alert.reply_due" // a seller's 48 h reply deadline is near
	EventClaimDueSoon = "alert.claim_due" // a claim's 72 h reputation deadline is near
)

// AlertDue reports whether an alert for deadline belongs to now: within
// p.AlertBefore of it and not yet past it. A deadline already missed gets no
// alert of this kind (the queue shows it as overdue).
func AlertDue(p Policy, deadline, now time.Time) bool {
	return !now.Before(deadline.Add(-p.AlertBefore)) && now.Before(deadline)
}

// OpenClaimDeadline is when an open claim must be resolved to spare the seller's
// reputation, or nil when no clock runs: closed claims and claims whose
// reputation is already decided (buyer's remorse never counts).
func OpenClaimDeadline(c *Claim) *time.Time {
	if c.State == ClaimClosed || c.AffectsReputation != ReputationPending || c.ReputationDeadline.IsZero() {
		return nil
	}
	d := c.ReputationDeadline
	return &d
}
