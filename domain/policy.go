package domain

import "time"

// Policy holds the marketplace's after-sales deadlines and limits. Each is a
// setting with the seller guide's figure as its default (DefaultPolicy).
// Deadlines are elapsed time from a UTC instant: no business hours.
type Policy struct {
	// SellerReplyWithin: a seller answers the oldest unanswered customer
	// message within this (48 h).
	SellerReplyWithin time.Duration
	// CareReplyWithin: customer care answers the oldest unanswered message
	// addressed to it within this (24 h; 0: no clock).
	CareReplyWithin time.Duration
	// ClaimResolveWithin: a claim resolved within this of its opening does not
	// affect the seller's reputation (72 h).
	ClaimResolveWithin time.Duration
	// RefundWithin: refunds are possible up to this long after shipment
	// (200 days = 4,800 h).
	RefundWithin time.Duration
	// ClaimWindow: a claim can be opened this long after shipment (or
	// delivery, for an order with no shipment date), while its remedies are
	// possible; 0 means the refund window (RefundWithin). A claim opened in
	// time can be settled even once the window has closed (ClaimWindowOf).
	ClaimWindow time.Duration
	// OfferExpiresAfter: a partial-refund offer the buyer has not answered
	// within this expires (72 h).
	OfferExpiresAfter time.Duration
	// AlertBefore: people who must act are alerted this long before a
	// deadline is missed (6 h).
	AlertBefore time.Duration
	// AgentRefundLimit: the largest refund, in minor units, an agent may issue
	// without a refund_over grant.
	AgentRefundLimit int64
	// StrictDeflectionWindow: a hand-off-free session counts as strictly
	// deflected only if no thread, incident or claim follows on its order
	// within this (7 days).
	StrictDeflectionWindow time.Duration

	// MessagesPerMinute: the messages one user may post in a minute (20; 0:
	// no limit), refused with too_many_messages.
	MessagesPerMinute int
	// UploadsPerDay and UploadBytesPerDay: the files, and bytes, one user
	// may upload in a day (100 files, 200 MiB; 0: no limit), refused with
	// upload_quota.
	UploadsPerDay     int
	UploadBytesPerDay int64
	// UnreferencedUploadTTL: an upload no message carries is removed this
	// long after it was made (24 h; 0: kept).
	UnreferencedUploadTTL time.Duration
	// HandoffsPerHour: the hand-offs one client address may make in an
	// hour (10; 0: no limit), refused with too_many_handoffs.
	HandoffsPerHour int
}

// DefaultPolicy returns the seller guide's figures.
func DefaultPolicy() Policy {
	return Policy{
		SellerReplyWithin:      48 * time.Hour,
		CareReplyWithin:        24 * time.Hour,
		ClaimResolveWithin:     72 * time.Hour,
		RefundWithin:           200 * 24 * time.Hour,
		OfferExpiresAfter:      72 * time.Hour,
		AlertBefore:            6 * time.Hour,
		AgentRefundLimit:       50000,
		StrictDeflectionWindow: 7 * 24 * time.Hour,
		MessagesPerMinute:      20,
		UploadsPerDay:          100,
		UploadBytesPerDay:      200 << 20,
		UnreferencedUploadTTL:  24 * time.Hour,
		HandoffsPerHour:        10,
	}
}

// ClaimWindowOf is how long after shipment a claim can be opened:
// p.ClaimWindow, or the refund window when that is unset.
func (p Policy) ClaimWindowOf() time.Duration {
	if p.ClaimWindow > 0 {
		return p.ClaimWindow
	}
	return p.RefundWithin
}
