package domain

import (
	"slices"
	"strings"
	"time"
)

// The rules of claims: the buyer opens one after delivery; the seller
// chooses a partial refund (offer_rules.go), a total refund or a return; the
// buyer may close it after guidance.

// ClaimReasons are the reason codes a claim is opened with.
func ClaimReasons() []string {
	return []string{ClaimDefect, ClaimDifferentProduct, ClaimDamaged, ClaimBuyersRemorse, ClaimOther}
}

// NewClaim checks that a may open a claim on o and returns it, open at now.
// Only the buyer opens claims, and only once the order was delivered.
func NewClaim(p Policy, a Actor, o *Order, reason, description string, now time.Time) (*Claim, error) {
	if !CanSeeOrder(a, o) {
		return nil, ErrNotFound("Order " + o.Number)
	}
	if a.Role != RoleCustomer {
		return nil, Errorf(CodeForbidden, "Claims are opened by the buyer.")
	}
	if !slices.Contains(ClaimReasons(), reason) {
		return nil, FieldErrorf(CodeInvalidClaim, "reason", "Reason must be one of %s.", strings.Join(ClaimReasons(), ", "))
	}
	if !caseText(description, true) {
		return nil, FieldErrorf(CodeInvalidClaim, "description", "Describe the problem in 1 to %d characters.", maxCaseText)
	}
	if o.DeliveredAt == nil || o.DeliveredAt.After(now) {
		return nil, Errorf(CodeOrderNotDelivered, "Order %s has not been delivered yet: claims are opened after delivery (or open an incident).", o.Number)
	}
	if err := CheckClaimWindow(p, o, now); err != nil {
		return nil, err
	}
	c := &Claim{OrderNumber: o.Number, ShopID: o.ShopID, CustomerID: o.CustomerID, Reason: reason, Description: description,
		State: ClaimOpen, OpenedAt: now, Offers: []Offer{}, UpdatedAt: now}
	SetClaimReputation(p, c, now)
	return c, nil
}

// ClaimDeadline is the last instant a claim can be opened on o: the claim
// window (Policy.ClaimWindowOf, by default the refund window) after its
// shipment, or after its delivery when no shipment was recorded.
func ClaimDeadline(p Policy, o *Order) time.Time {
	from := o.DeliveredAt
	if o.ShippedAt != nil {
		from = o.ShippedAt
	}
	if from == nil {
		return time.Time{}
	}
	return from.Add(p.ClaimWindowOf())
}

// CheckClaimWindow refuses a claim whose remedies are no longer possible:
// opened after the claim window (the last instant is inside), or on an order
// refunded in full. A claim opened in time is settled even once the window
// has closed: its refunds skip the refund window (PlanRefund).
func CheckClaimWindow(p Policy, o *Order, now time.Time) error {
	if d := ClaimDeadline(p, o); !d.IsZero() && now.After(d) {
		return Errorf(CodeClaimWindowClosed, "Order %s can no longer be claimed: claims are opened up to %d days after shipment, until %s. Contact customer care.",
			o.Number, int(p.ClaimWindowOf()/(24*time.Hour)), d.UTC().Format(time.DateOnly))
	}
	if RefundableLeft(o).Total <= 0 {
		return Errorf(CodeClaimWindowClosed, "Order %s has been refunded in full: there is nothing left to claim. Contact customer care.", o.Number)
	}
	return nil
}

// canActForShop: the claim's seller or customer care.
func canActForShop(a Actor, shopID string) bool {
	return a.Role.Operator() || (a.Role == RoleSeller && a.ShopID == shopID)
}

// checkSellerChoice: the seller (or customer care) decides on an open
// claim.
func checkSellerChoice(a Actor, c *Claim, what string) error {
	if !canActForShop(a, c.ShopID) {
		return Errorf(CodeForbidden, "Only the shop or customer care %s.", what)
	}
	if c.State != ClaimOpen {
		return Errorf(CodeClaimState, "The claim is %s.", c.State)
	}
	return nil
}

// CheckClaimRefund checks that a may refund c in full (the buyer keeps the
// product). An offer waiting for the buyer does not stand in the way: the
// total refund replaces it (ChooseRemedy).
func CheckClaimRefund(a Actor, c *Claim) error { return checkSellerChoice(a, c, "refunds a claim") }

// CheckStartReturn checks that a may send the buyer a return label for c;
// a pending offer is replaced, as for a total refund.
func CheckStartReturn(a Actor, c *Claim) error { return checkSellerChoice(a, c, "starts a return") }

// ChooseRemedy records the seller's remedy on c at now (a total refund or a
// return granted): a pending offer is withdrawn, and for the reputation the
// claim is resolved at now (ClaimReputation), whenever the refund or the
// parcel follows.
func ChooseRemedy(p Policy, c *Claim, now time.Time) {
	for i := range c.Offers {
		if c.Offers[i].State == OfferPending {
			c.Offers[i].State, c.Offers[i].DecidedAt = OfferWithdrawn, &now
		}
	}
	if c.RemedyAt == nil {
		c.RemedyAt = &now
	}
	c.UpdatedAt = now
	SetClaimReputation(p, c, now)
}

// ReopenClaim opens c again because refund, which closed it, failed: a
// returned claim goes back to returning (the parcel is back, the money is
// not), others to open. Its remedy stays made: the reputation does not
// change. It reports whether c changed.
func ReopenClaim(p Policy, c *Claim, refundID string, now time.Time) bool {
	if c.State != ClaimClosed || c.RefundID != refundID {
		return false
	}
	c.State = ClaimOpen
	if c.Resolution == ResolutionReturn {
		c.State = ClaimReturning
	}
	c.Resolution, c.ResolvedAt, c.UpdatedAt = "", nil, now
	SetClaimReputation(p, c, now)
	return true
}

// ResettleClaim closes c again when its failed refund is retried: as a
// return, a total refund or an accepted offer, as before. It reports whether
// c changed.
func ResettleClaim(p Policy, c *Claim, r *Refund, now time.Time) bool {
	if c.State == ClaimClosed || c.RefundID != r.ID {
		return false
	}
	res := ResolutionPartialRefund
	switch {
	case c.State == ClaimReturning:
		res = ResolutionReturn
	case r.Kind == RefundTotal:
		res = ResolutionTotalRefund
	}
	ResolveClaim(p, c, res, now)
	return true
}

// ResolveClaim closes c at now with resolution and fixes its reputation.
func ResolveClaim(p Policy, c *Claim, resolution string, now time.Time) {
	c.State, c.Resolution, c.ResolvedAt, c.UpdatedAt = ClaimClosed, resolution, &now, now
	SetClaimReputation(p, c, now)
}

// CloseClaim is the buyer closing c after guidance (buyer_closed), or
// customer care closing it with a reason (operator). Sellers resolve claims
// by refunds or returns, not by closing them.
func CloseClaim(p Policy, a Actor, c *Claim, why string, now time.Time) error {
	if !caseText(why, false) {
		return FieldErrorf(CodeInvalidClaim, "reason", "The reason is text of at most %d characters.", maxCaseText)
	}
	var res string
	switch {
	case a.Role == RoleCustomer && a.UserID == c.CustomerID:
		if c.State != ClaimOpen {
			return Errorf(CodeClaimState, "The claim is %s.", c.State)
		}
		res = ResolutionBuyerClosed
	case a.Role.Operator():
		if c.State == ClaimClosed {
			return Errorf(CodeClaimState, "The claim is closed already.")
		}
		if strings.TrimSpace(why) == "" {
			return FieldErrorf(CodeCloseReasonRequired, "reason", "Customer care closes a claim with a reason.")
		}
		res = ResolutionOperator
	default:
		return Errorf(CodeForbidden, "The buyer or customer care closes a claim.")
	}
	for i := range c.Offers {
		if c.Offers[i].State == OfferPending {
			c.Offers[i].State, c.Offers[i].DecidedAt = OfferRejected, &now
		}
	}
	ResolveClaim(p, c, res, now)
	return nil
}

// CheckNoOpenClaim refuses a second claim on order number while one of its
// claims (in states) is not closed: the buyer continues there.
func CheckNoOpenClaim(number string, states []ClaimState) error {
	for _, st := range states {
		if st != ClaimClosed {
			return Errorf(CodeClaimOpen, "Order %s has an open claim already: continue there.", number)
		}
	}
	return nil
}
