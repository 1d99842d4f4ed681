package domain

import "time"

// The rules of partial-refund offers on a claim: one pending at a time, the
// buyer accepts or rejects, the seller may withdraw it, it expires
// unanswered after Policy.OfferExpiresAfter, and a total refund or a return
// replaces it. Offers that did not end in a refund stay in history.

// PendingOffer returns c's pending offer, or nil.
func PendingOffer(c *Claim) *Offer {
	for i := range c.Offers {
		if c.Offers[i].State == OfferPending {
			return &c.Offers[i]
		}
	}
	return nil
}

// OfferBase is what a percent offer is a percent of: what was paid for the
// products, shipping excluded.
func OfferBase(o *Order) int64 { return o.Paid() - o.Shipping }

// NewOffer checks a partial-refund offer on c (percent 1–99 of what o's
// products cost, or an amount up to what is left to refund) and appends it,
// pending until now + p.OfferExpiresAfter.
func NewOffer(p Policy, a Actor, c *Claim, o *Order, percent int, amount int64, now time.Time, id string) (*Offer, error) {
	if err := checkSellerChoice(a, c, "offers partial refunds"); err != nil {
		return nil, err
	}
	if PendingOffer(c) != nil {
		return nil, Errorf(CodeOfferPending, "An offer is waiting for the buyer's answer: withdraw it first.")
	}
	if (percent == 0) == (amount == 0) {
		return nil, Errorf(CodeInvalidOffer, "Offer either a percent (1 to 99) or an amount.")
	}
	if percent != 0 {
		if percent < 1 || percent > 99 {
			return nil, FieldErrorf(CodeInvalidOffer, "percent", "A percent is 1 to 99 (a full refund is a total refund).")
		}
		amount = OfferBase(o) * int64(percent) / 100
	}
	if amount < 1 {
		return nil, FieldErrorf(CodeInvalidOffer, "amount", "An offer is at least %s.", FormatMoney(1, o.Currency))
	}
	if left := RefundableLeft(o).Total; amount > left {
		return nil, Errorf(CodeRefundExceedsPaid, "Order %s has %s left to refund, not %s.", o.Number, FormatMoney(max(0, left), o.Currency), FormatMoney(amount, o.Currency))
	}
	off := Offer{ID: id, Percent: percent, Amount: amount, State: OfferPending, CreatedBy: a.UserID, CreatedAt: now}
	if p.OfferExpiresAfter > 0 {
		off.ExpiresAt = now.Add(p.OfferExpiresAfter)
	}
	c.Offers = append(c.Offers, off)
	c.UpdatedAt = now
	return &c.Offers[len(c.Offers)-1], nil
}

// ExpireOffers marks c's pending offer expired once now is past its
// expiry (the last instant is inside), as of that instant, and reports
// whether anything changed. An offer stored before offers had an expiry
// expires p.OfferExpiresAfter after it was made. Stores call it whenever
// they read a claim.
func ExpireOffers(p Policy, c *Claim, now time.Time) bool {
	changed := false
	for i := range c.Offers {
		off := &c.Offers[i]
		if off.State != OfferPending {
			continue
		}
		at := off.ExpiresAt
		if at.IsZero() && p.OfferExpiresAfter > 0 {
			at = off.CreatedAt.Add(p.OfferExpiresAfter)
		}
		if !at.IsZero() && now.After(at) {
			off.State, off.DecidedAt = OfferExpired, &at
			changed = true
		}
	}
	return changed
}

// findOffer is c's offer id, or NotFound.
func findOffer(c *Claim, id string) (*Offer, error) {
	for i := range c.Offers {
		if c.Offers[i].ID == id {
			return &c.Offers[i], nil
		}
	}
	return nil, ErrNotFound("Offer " + id)
}

// WithdrawOffer is the seller (or customer care) taking back the pending
// offer id: the claim is free for another offer, a total refund or a
// return.
func WithdrawOffer(a Actor, c *Claim, id string, now time.Time) (*Offer, error) {
	if !canActForShop(a, c.ShopID) {
		return nil, Errorf(CodeForbidden, "Only the shop or customer care withdraws an offer.")
	}
	off, err := findOffer(c, id)
	if err != nil {
		return nil, err
	}
	if off.State != OfferPending || c.State != ClaimOpen {
		return nil, Errorf(CodeOfferState, "The offer is %s: only a pending offer can be withdrawn.", off.State)
	}
	off.State, off.DecidedAt = OfferWithdrawn, &now
	c.UpdatedAt = now
	return off, nil
}

// AnswerOffer is the buyer accepting or rejecting the pending offer id.
// Accepting resolves the claim (the store makes the refund: AcceptedOffer);
// a rejected offer stays in the history and the claim stays open.
func AnswerOffer(a Actor, c *Claim, id string, accept bool, now time.Time) (*Offer, error) {
	if a.Role != RoleCustomer || a.UserID != c.CustomerID {
		return nil, Errorf(CodeForbidden, "Only the buyer answers an offer.")
	}
	off, err := findOffer(c, id)
	if err != nil {
		return nil, err
	}
	if off.State != OfferPending || c.State != ClaimOpen {
		return nil, Errorf(CodeOfferState, "The offer is %s.", off.State)
	}
	off.State, off.DecidedAt = OfferRejected, &now
	if accept {
		off.State = OfferAccepted
	}
	c.UpdatedAt = now
	return off, nil
}

// AcceptedOffer records on c that the buyer accepted off: the seller's
// remedy was made when the offer was, so an offer made within the 72 h and
// accepted after them still spares the reputation (ClaimReputation).
func AcceptedOffer(c *Claim, off *Offer) {
	at := off.CreatedAt
	if c.RemedyAt == nil || at.Before(*c.RemedyAt) {
		c.RemedyAt = &at
	}
}
