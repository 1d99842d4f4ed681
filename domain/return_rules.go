package domain

import (
	"time"
	"unicode/utf8"
)

// The rules of returns: label issued → shipped → received → refunded.

// NewReturn is the return c starts at now, with its label to be attached.
func NewReturn(c *Claim, now time.Time) *Return {
	c.State, c.UpdatedAt = ClaimReturning, now
	return &Return{ClaimID: c.ID, OrderNumber: c.OrderNumber, ShopID: c.ShopID, CustomerID: c.CustomerID,
		State: ReturnLabelIssued, CreatedAt: now, UpdatedAt: now}
}

// AdvanceReturn moves r on: label_issued → shipped (the buyer, or customer
// care; the tracking number is optional), label_issued or shipped → received
// (the shop, or customer care: a parcel may arrive before the buyer says it
// left). Received means the refund is issued: the store makes it and calls
// MarkReturnRefunded. Repeating the current state changes nothing.
func AdvanceReturn(a Actor, r *Return, to ReturnState, tracking string, now time.Time) (changed bool, err error) {
	if to == r.State {
		return false, nil
	}
	if len(tracking) > 200 || !utf8.ValidString(tracking) {
		return false, FieldErrorf(CodeInvalidClaim, "tracking", "Tracking is at most 200 bytes of text.")
	}
	switch {
	case r.State == ReturnLabelIssued && to == ReturnShipped:
		if !a.Role.Operator() && !(a.Role == RoleCustomer && a.UserID == r.CustomerID) {
			return false, Errorf(CodeForbidden, "The buyer marks a return as shipped.")
		}
		r.Tracking = tracking
	case (r.State == ReturnLabelIssued || r.State == ReturnShipped) && to == ReturnReceived:
		if !canActForShop(a, r.ShopID) {
			return false, Errorf(CodeForbidden, "The shop marks a return as received.")
		}
	default:
		return false, Errorf(CodeReturnState, "A return that is %s cannot become %q.", r.State, to)
	}
	r.State, r.UpdatedAt = to, now
	return true, nil
}

// MarkReturnRefunded records that r's refund was issued: received → refunded.
func MarkReturnRefunded(r *Return, refundID string, now time.Time) {
	r.State, r.RefundID, r.UpdatedAt = ReturnRefunded, refundID, now
}

// ---- Work queue ----
