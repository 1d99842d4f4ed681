package domain

import "time"

// The rules of partial-refund offers on a claim: one pending at a time, the
// buyer accepts or rejects, rejected offers stay in history.

// PendingOffer returns c's pending offer, or nil.
func PendingOffer(c *Claim) *Offer {
	for i := range c.Offers {
		if c.Offers[i].State == OfferPending {
			return &c.Offers[i]
		}
	}
	return nil
}

// NewOffer checks a partial-refund offer on c (percent 1–99 of what o cost,
// or an amount up to what is left to refund) and appends it, pending.
func NewOffer(a Actor, c *Claim, o *Order, percent int, amount int64, now time.Time, id string) (*Offer, error) {
	if err := checkSellerChoice(a, c, "offers partial refunds"); err != nil {
		return nil, err
	}
	if (percent == 0) == (amount == 0) {
		return nil, Errorf(CodeInvalidOffer, "Offer either a percent (1 to 99) or an amount.")
	}
	if percent != 0 {
		if percent < 1 || percent > 99 {
			return nil, FieldErrorf(CodeInvalidOffer, "percent", "A percent is 1 to 99 (a full refund is a total refund).")
		}
		amount = o.Paid() * int64(percent) / 100
	}
	if amount < 1 {
		return nil, FieldErrorf(CodeInvalidOffer, "amount", "An offer is at least 1 minor unit.")
	}
	if left := RefundableLeft(o).Total; amount > left {
		return nil, Errorf(CodeRefundExceedsPaid, "Order %s has %d left to refund, not %d.", o.Number, max(0, left), amount)
	}
	c.Offers = append(c.Offers, Offer{ID: id, Percent: percent, Amount: amount, State: OfferPending, CreatedBy: a.UserID, CreatedAt: now})
	c.UpdatedAt = now
	return &c.Offers[len(c.Offers)-1], nil
}

// AnswerOffer is the buyer accepting or rejecting the pending offer id.
// Accepting resolves the claim (the store makes the refund: ResolveClaim);
// a rejected offer stays in the history and the claim stays open.
func AnswerOffer(a Actor, c *Claim, id string, accept bool, now time.Time) (*Offer, error) {
	if a.Role != RoleCustomer || a.UserID != c.CustomerID {
		return nil, Errorf(CodeForbidden, "Only the buyer answers an offer.")
	}
	var off *Offer
	for i := range c.Offers {
		if c.Offers[i].ID == id {
			off = &c.Offers[i]
		}
	}
	if off == nil {
		return nil, ErrNotFound("Offer " + id)
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
