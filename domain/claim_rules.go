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
	c := &Claim{OrderNumber: o.Number, ShopID: o.ShopID, CustomerID: o.CustomerID, Reason: reason, Description: description,
		State: ClaimOpen, OpenedAt: now, Offers: []Offer{}, UpdatedAt: now}
	SetClaimReputation(p, c, now)
	return c, nil
}

// canActForShop: the claim's seller or customer care.
func canActForShop(a Actor, shopID string) bool {
	return a.Role.Operator() || (a.Role == RoleSeller && a.ShopID == shopID)
}

// checkSellerChoice: the seller (or customer care) decides on an open claim
// with no offer waiting for the buyer.
func checkSellerChoice(a Actor, c *Claim, what string) error {
	if !canActForShop(a, c.ShopID) {
		return Errorf(CodeForbidden, "Only the shop or customer care %s.", what)
	}
	if c.State != ClaimOpen {
		return Errorf(CodeClaimState, "The claim is %s.", c.State)
	}
	if PendingOffer(c) != nil {
		return Errorf(CodeOfferPending, "An offer is waiting for the buyer's answer.")
	}
	return nil
}

// CheckClaimRefund checks that a may refund c in full (the buyer keeps the
// product).
func CheckClaimRefund(a Actor, c *Claim) error { return checkSellerChoice(a, c, "refunds a claim") }

// CheckStartReturn checks that a may send the buyer a return label for c.
func CheckStartReturn(a Actor, c *Claim) error { return checkSellerChoice(a, c, "starts a return") }

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
