package domain

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The rules of incidents, refunds, claims, offers and returns, the work
// queue's priority and the shop statistics' arithmetic. Each rule takes the
// time it decides at; the store calls them inside its transaction and writes
// what they return.

// Notification types of the cases area.
const (
	EventIncidentOpened   = "incident.opened"
	EventIncidentResolved = "incident.resolved"
	EventIncidentClosed   = "incident.closed"
	EventIncidentReopened = "incident.reopened"
	EventRefundRequested  = "refund.requested"
	EventRefundIssued     = "refund.issued"
	EventRefundFailed     = "refund.failed"
	EventClaimOpened      = "claim.opened"
	EventClaimOffer       = "claim.offer"
	EventClaimOfferAnswer = "claim.offer_answered"
	EventClaimClosed      = "claim.closed"
	EventReturnIssued     = "return.label_issued"
	EventReturnUpdated    = "return.updated"
)

const maxCaseText = 5000

func caseText(s string, required bool) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxCaseText {
		return false
	}
	return !required || strings.TrimSpace(s) != ""
}

// IncidentReasons are the reason codes an incident is opened with.
func IncidentReasons() []string {
	return []string{IncidentNotReceived, IncidentDamaged, IncidentDefective, IncidentNotAsDescribed, IncidentOther}
}

// ClaimReasons are the reason codes a claim is opened with.
func ClaimReasons() []string {
	return []string{ClaimDefect, ClaimDifferentProduct, ClaimDamaged, ClaimBuyersRemorse, ClaimOther}
}

// CanSeeCase reports whether a may see a case (incident, refund, claim,
// return) of the given shop and customer: the same people who see its order.
func CanSeeCase(a Actor, shopID, customerID string) bool {
	return CanSeeOrder(a, &Order{ShopID: shopID, CustomerID: customerID})
}

// ---- Incidents ----

// IncidentActive reports whether an incident in state s holds its order
// frozen: until the operator closes it (a "solved" incident still waits for
// the operator's check).
func IncidentActive(s IncidentState) bool { return s == IncidentOpen || s == IncidentResolvedBySeller }

// NewIncident checks that a may open an incident on line of o (0: the whole
// order) and returns it, open at now; the store sets its ID. Customers open
// on their own orders, customer care on any; sellers may not (they resolve).
// An order a may not see is NotFound.
func NewIncident(a Actor, o *Order, line int, reason, description string, now time.Time) (*Incident, error) {
	if !CanSeeOrder(a, o) {
		return nil, ErrNotFound("Order " + o.Number)
	}
	if a.Role != RoleCustomer && !a.Role.Operator() {
		return nil, Errorf(CodeForbidden, "Incidents are opened by the customer or by customer care.")
	}
	if !slices.Contains(IncidentReasons(), reason) {
		return nil, Errorf(CodeInvalidIncident, "Reason must be one of %s.", strings.Join(IncidentReasons(), ", "))
	}
	if line < 0 || line > len(o.Lines) {
		return nil, Errorf(CodeInvalidIncident, "Order %s has lines 1 to %d (0: the whole order).", o.Number, len(o.Lines))
	}
	if !caseText(description, false) {
		return nil, Errorf(CodeInvalidIncident, "The description is text of at most %d characters.", maxCaseText)
	}
	return &Incident{OrderNumber: o.Number, Line: line, ShopID: o.ShopID, CustomerID: o.CustomerID, Reason: reason,
		Description: description, State: IncidentOpen, OpenedBy: a.UserID, OpenedAt: now, UpdatedAt: now}, nil
}

// ResolveIncident is the seller's "mark as solved", with a message telling
// the operator what was done: OPEN → RESOLVED_BY_SELLER.
func ResolveIncident(a Actor, in *Incident, message string, now time.Time) error {
	if a.Role != RoleSeller || a.ShopID != in.ShopID {
		return Errorf(CodeForbidden, "Only the shop's seller marks an incident as solved.")
	}
	if !caseText(message, true) {
		return Errorf(CodeInvalidIncident, "Tell customer care what was done: a message of 1 to %d characters.", maxCaseText)
	}
	if in.State != IncidentOpen {
		return Errorf(CodeIncidentState, "Only an open incident can be marked as solved; this one is %s.", in.State)
	}
	in.State, in.ResolvedAt, in.UpdatedAt = IncidentResolvedBySeller, &now, now
	return nil
}

// CloseIncident is the operator closing an incident: after the seller's
// "solved" (reason optional), or directly from OPEN with a close reason.
func CloseIncident(a Actor, in *Incident, reason string, now time.Time) error {
	if !a.Role.Operator() {
		return Errorf(CodeForbidden, "Only customer care closes incidents.")
	}
	if !caseText(reason, false) {
		return Errorf(CodeInvalidIncident, "The close reason is text of at most %d characters.", maxCaseText)
	}
	switch in.State {
	case IncidentResolvedBySeller:
	case IncidentOpen:
		if strings.TrimSpace(reason) == "" {
			return Errorf(CodeCloseReasonRequired, "An incident the seller has not marked as solved is closed with a reason.")
		}
	default:
		return Errorf(CodeIncidentState, "The incident is already %s.", in.State)
	}
	in.State, in.ClosedAt, in.CloseReason, in.UpdatedAt = IncidentClosed, &now, reason, now
	return nil
}

// ReopenIncident is the operator refusing the seller's "solved":
// RESOLVED_BY_SELLER → OPEN. A closed incident stays closed (open a new one).
func ReopenIncident(a Actor, in *Incident, why string, now time.Time) error {
	if !a.Role.Operator() {
		return Errorf(CodeForbidden, "Only customer care reopens incidents.")
	}
	if !caseText(why, false) {
		return Errorf(CodeInvalidIncident, "The reason is text of at most %d characters.", maxCaseText)
	}
	if in.State != IncidentResolvedBySeller {
		return Errorf(CodeIncidentState, "Only an incident the seller marked as solved can be reopened; this one is %s.", in.State)
	}
	in.State, in.ResolvedAt, in.UpdatedAt = IncidentOpen, nil, now
	return nil
}

// CloseIncidentByRefund closes an active incident because its order was
// refunded in full, reporting whether it changed anything.
func CloseIncidentByRefund(in *Incident, now time.Time) bool {
	if !IncidentActive(in.State) {
		return false
	}
	in.State, in.ClosedAt, in.CloseReason, in.UpdatedAt = IncidentClosed, &now, "total refund", now
	return true
}

// CountIncident records on o that an incident became active (+1) or stopped
// being (−1): the order is frozen while any is.
func CountIncident(o *Order, delta int) {
	o.OpenIncidents = max(0, o.OpenIncidents+delta)
	o.Frozen = o.OpenIncidents > 0
}

// ---- Refunds ----

// RefundDeadline is the last instant o may be refunded, or nil when it has
// not shipped. An order not shipped yet may be refunded (e.g. a cancellation):
// the 200-day window runs from shipment, so it has not begun.
func RefundDeadline(p Policy, o *Order) *time.Time {
	if o.ShippedAt == nil {
		return nil
	}
	d := o.ShippedAt.Add(p.RefundWithin)
	return &d
}

// CheckRefundWindow refuses a refund more than p.RefundWithin after shipment
// (the last instant itself is inside).
func CheckRefundWindow(p Policy, o *Order, now time.Time) error {
	if d := RefundDeadline(p, o); d != nil && now.After(*d) {
		return Errorf(CodeRefundWindowClosed, "Order %s shipped on %s: refunds are possible for %d days after shipment, until %s.",
			o.Number, o.ShippedAt.UTC().Format(time.DateOnly), int(p.RefundWithin/(24*time.Hour)), d.UTC().Format(time.RFC3339))
	}
	return nil
}

// CanRefund checks that a may refund amount on o: the shop's seller or
// customer care, agents up to their limit (RefundLimit). Customers may not;
// an order a may not see is NotFound.
func CanRefund(a Actor, p Policy, o *Order, amount int64) error {
	if !CanSeeOrder(a, o) {
		return ErrNotFound("Order " + o.Number)
	}
	if a.Role != RoleSeller && !a.Role.Operator() {
		return Errorf(CodeForbidden, "Refunds are issued by the shop or by customer care.")
	}
	if limit, ok := RefundLimit(a, p); ok && amount > limit {
		return Errorf(CodeRefundOverLimit, "This refund of %d is above your limit of %d: ask an admin for the refund_over permission.", amount, limit)
	}
	return nil
}

// Left is what of o is still refundable: per line (units and amount), for
// shipping, and in all.
type Left struct {
	Units    map[int]int
	Amounts  map[int]int64
	Shipping int64
	Total    int64
}

// RefundableLeft returns what o has not had refunded.
func RefundableLeft(o *Order) Left {
	l := Left{Units: map[int]int{}, Amounts: map[int]int64{}, Shipping: o.Shipping - o.Refunded.Shipping, Total: o.Paid() - o.Refunded.Total}
	for _, ln := range o.Lines {
		r := o.Refunded.Lines[ln.No]
		l.Units[ln.No] = ln.Quantity - r.Units
		l.Amounts[ln.No] = ln.Total() - r.Amount
	}
	return l
}

// PlanRefund turns a request into the refund it makes on o at now, checking
// the window and that it takes no more than is left per line, for shipping
// and in all. A total refund takes everything left (its lines and shipping
// say what it covers; its amount is what is left in all, which is less when
// earlier refunds were given as amounts). It does not check who asks
// (CanRefund) and does not change o (HoldRefund).
func PlanRefund(p Policy, o *Order, req RefundRequest, now time.Time) (*Refund, error) {
	if err := CheckRefundWindow(p, o, now); err != nil {
		return nil, err
	}
	if !caseText(req.Reason, false) {
		return nil, Errorf(CodeInvalidRefund, "The reason is text of at most %d characters.", maxCaseText)
	}
	left := RefundableLeft(o)
	r := &Refund{OrderNumber: o.Number, ShopID: o.ShopID, CustomerID: o.CustomerID, Kind: req.Kind, Currency: o.Currency,
		State: RefundRequested, Reason: req.Reason, ClaimID: req.ClaimID, Attempts: 1, CreatedAt: now, UpdatedAt: now}
	switch req.Kind {
	case RefundTotal:
		if req.Amount != 0 || len(req.Lines) != 0 || req.Shipping != 0 {
			return nil, Errorf(CodeInvalidRefund, "A total refund takes everything left: send no amount, lines or shipping.")
		}
		if left.Total <= 0 {
			return nil, Errorf(CodeRefundExceedsPaid, "Order %s has been refunded in full already.", o.Number)
		}
		for _, ln := range o.Lines {
			if u := left.Units[ln.No]; u > 0 {
				r.Lines = append(r.Lines, RefundLine{Line: ln.No, Units: u, Amount: left.Amounts[ln.No]})
			}
		}
		r.Shipping, r.Amount = left.Shipping, left.Total
		return r, nil
	case RefundPartial:
	default:
		return nil, Errorf(CodeInvalidRefund, "Kind must be total or partial.")
	}
	if req.Amount < 0 || req.Shipping < 0 {
		return nil, Errorf(CodeInvalidRefund, "Amounts are positive minor units.")
	}
	seen := map[int]bool{}
	var sum int64
	for _, rl := range req.Lines {
		if rl.Line < 1 || rl.Line > len(o.Lines) {
			return nil, Errorf(CodeInvalidRefund, "Order %s has lines 1 to %d; there is no line %d.", o.Number, len(o.Lines), rl.Line)
		}
		if seen[rl.Line] {
			return nil, Errorf(CodeInvalidRefund, "Line %d is named twice.", rl.Line)
		}
		seen[rl.Line] = true
		if rl.Units < 1 {
			return nil, Errorf(CodeInvalidRefund, "Line %d: refund at least one unit.", rl.Line)
		}
		if rl.Units > left.Units[rl.Line] {
			return nil, Errorf(CodeRefundExceedsPaid, "Line %d has %d units left to refund, not %d.", rl.Line, max(0, left.Units[rl.Line]), rl.Units)
		}
		amt := int64(rl.Units) * o.Lines[rl.Line-1].UnitPrice
		if amt > left.Amounts[rl.Line] {
			return nil, Errorf(CodeRefundExceedsPaid, "Line %d has %d left to refund, not %d.", rl.Line, max(0, left.Amounts[rl.Line]), amt)
		}
		r.Lines = append(r.Lines, RefundLine{Line: rl.Line, Units: rl.Units, Amount: amt})
		sum += amt
	}
	slices.SortFunc(r.Lines, func(a, b RefundLine) int { return cmp.Compare(a.Line, b.Line) })
	if req.Shipping > left.Shipping {
		return nil, Errorf(CodeRefundExceedsPaid, "Shipping has %d left to refund, not %d.", max(0, left.Shipping), req.Shipping)
	}
	r.Shipping, r.Extra = req.Shipping, req.Amount
	r.Amount = sum + req.Shipping + req.Amount
	if r.Amount <= 0 {
		return nil, Errorf(CodeInvalidRefund, "A partial refund gives an amount, units of lines or shipping.")
	}
	if r.Amount > left.Total {
		return nil, Errorf(CodeRefundExceedsPaid, "Order %s has %d left to refund, not %d.", o.Number, max(0, left.Total), r.Amount)
	}
	return r, nil
}

// CheckRefundFits re-checks, for a retry, that r still fits in what o has
// left (another refund may have taken the room while r had failed).
func CheckRefundFits(o *Order, r *Refund) error {
	left := RefundableLeft(o)
	for _, rl := range r.Lines {
		if rl.Units > left.Units[rl.Line] || rl.Amount > left.Amounts[rl.Line] {
			return Errorf(CodeRefundExceedsPaid, "Line %d no longer has %d units left to refund.", rl.Line, rl.Units)
		}
	}
	if r.Shipping > left.Shipping || r.Amount > left.Total {
		return Errorf(CodeRefundExceedsPaid, "Order %s no longer has %d left to refund.", o.Number, r.Amount)
	}
	return nil
}

// HoldRefund records r in o.Refunded: what a requested, processing or
// refunded refund takes from the order.
func HoldRefund(o *Order, r *Refund) { moveRefund(o, r, 1) }

// ReleaseRefund gives back to o what a failed refund held.
func ReleaseRefund(o *Order, r *Refund) { moveRefund(o, r, -1) }

func moveRefund(o *Order, r *Refund, sign int) {
	if o.Refunded.Lines == nil {
		o.Refunded.Lines = map[int]LineRefunded{}
	}
	for _, rl := range r.Lines {
		lr := o.Refunded.Lines[rl.Line]
		lr.Units += sign * rl.Units
		lr.Amount += int64(sign) * rl.Amount
		if lr.Units == 0 && lr.Amount == 0 {
			delete(o.Refunded.Lines, rl.Line)
		} else {
			o.Refunded.Lines[rl.Line] = lr
		}
	}
	o.Refunded.Shipping += int64(sign) * r.Shipping
	o.Refunded.Total += int64(sign) * r.Amount
}

// RefundsAll reports whether, with r held, nothing of o is left to refund:
// such a refund is total whatever its kind, and closes the order's incidents.
func RefundsAll(o *Order, r *Refund) bool {
	return r.Kind == RefundTotal || o.Refunded.Total >= o.Paid()
}

// AdvanceRefund moves r to state to at the payment side's word: requested →
// processing → refunded | failed (requested → failed too, when the payment
// side refuses at once). A callback that repeats the current state changes
// nothing (changed false, no error): callbacks are retried.
func AdvanceRefund(r *Refund, to RefundState, failure string, now time.Time) (changed bool, err error) {
	if to == r.State {
		return false, nil
	}
	ok := false
	switch r.State {
	case RefundRequested:
		ok = to == RefundProcessing || to == RefundFailed
	case RefundProcessing:
		ok = to == RefundRefunded || to == RefundFailed
	}
	if !ok {
		return false, Errorf(CodeRefundState, "A %s refund cannot become %q.", r.State, to)
	}
	if !caseText(failure, false) {
		return false, Errorf(CodeInvalidRefund, "The failure is text of at most %d characters.", maxCaseText)
	}
	r.State, r.UpdatedAt = to, now
	if to == RefundFailed {
		r.Failure = failure
	}
	return true, nil
}

// RetryRefund sends a failed refund again: failed → requested.
func RetryRefund(r *Refund, now time.Time) error {
	if r.State != RefundFailed {
		return Errorf(CodeRefundState, "Only a failed refund can be retried; this one is %s.", r.State)
	}
	r.State, r.Failure, r.UpdatedAt = RefundRequested, "", now
	r.Attempts++
	return nil
}

// CanAdvanceRefund: the payment side (the system actor of a signed callback)
// or customer care.
func CanAdvanceRefund(a Actor) error {
	if a.IsSystem() || a.Role.Operator() {
		return nil
	}
	return Errorf(CodeForbidden, "Only the payment side or customer care moves a refund on.")
}

// PaymentCallbackMaxAge is how old a signed payment callback may be.
const PaymentCallbackMaxAge = 5 * time.Minute

// SignPaymentCallback returns the X-Helpcentre-Signature header value for
// body sent at t: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<unix>." + body)>".
func SignPaymentCallback(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + paymentMAC(secret, ts, body)
}

func paymentMAC(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyPaymentCallback checks a signature header against body: a v1 value
// matching the HMAC, and a timestamp within PaymentCallbackMaxAge of now
// either way (a replayed old callback is refused). An empty secret refuses
// everything.
func VerifyPaymentCallback(secret []byte, header string, body []byte, now time.Time) error {
	bad := Errorf(CodePaymentSignature, "The payment callback's signature is missing, wrong or too old.")
	if len(secret) == 0 {
		return bad
	}
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bad
	}
	if d := now.Sub(time.Unix(sec, 0)); d > PaymentCallbackMaxAge || d < -PaymentCallbackMaxAge {
		return bad
	}
	want := paymentMAC(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return bad
}

// ---- Claims ----

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
		return nil, Errorf(CodeInvalidClaim, "Reason must be one of %s.", strings.Join(ClaimReasons(), ", "))
	}
	if !caseText(description, true) {
		return nil, Errorf(CodeInvalidClaim, "Describe the problem in 1 to %d characters.", maxCaseText)
	}
	if o.DeliveredAt == nil || o.DeliveredAt.After(now) {
		return nil, Errorf(CodeOrderNotDelivered, "Order %s has not been delivered yet: claims are opened after delivery (or open an incident).", o.Number)
	}
	c := &Claim{OrderNumber: o.Number, ShopID: o.ShopID, CustomerID: o.CustomerID, Reason: reason, Description: description,
		State: ClaimOpen, OpenedAt: now, Offers: []Offer{}, UpdatedAt: now}
	SetClaimReputation(p, c, now)
	return c, nil
}

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

// canActForShop: the claim's seller or customer care.
func canActForShop(a Actor, shopID string) bool {
	return a.Role.Operator() || (a.Role == RoleSeller && a.ShopID == shopID)
}

// PendingOffer returns c's pending offer, or nil.
func PendingOffer(c *Claim) *Offer {
	for i := range c.Offers {
		if c.Offers[i].State == OfferPending {
			return &c.Offers[i]
		}
	}
	return nil
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
			return nil, Errorf(CodeInvalidOffer, "A percent is 1 to 99 (a full refund is a total refund).")
		}
		amount = o.Paid() * int64(percent) / 100
	}
	if amount < 1 {
		return nil, Errorf(CodeInvalidOffer, "An offer is at least 1 minor unit.")
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
		return Errorf(CodeInvalidClaim, "The reason is text of at most %d characters.", maxCaseText)
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
			return Errorf(CodeCloseReasonRequired, "Customer care closes a claim with a reason.")
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

// NewReturn is the return c starts at now, with its label to be attached.
func NewReturn(c *Claim, now time.Time) *Return {
	c.State, c.UpdatedAt = ClaimReturning, now
	return &Return{ClaimID: c.ID, OrderNumber: c.OrderNumber, ShopID: c.ShopID, CustomerID: c.CustomerID,
		State: ReturnLabelIssued, CreatedAt: now, UpdatedAt: now}
}

// AdvanceReturn moves r on: label_issued → shipped (the buyer, or customer
// care), shipped → received (the shop, or customer care). Received means the
// refund is issued: the store makes it and calls MarkReturnRefunded. Repeating the
// current state changes nothing.
func AdvanceReturn(a Actor, r *Return, to ReturnState, tracking string, now time.Time) (changed bool, err error) {
	if to == r.State {
		return false, nil
	}
	if len(tracking) > 200 || !utf8.ValidString(tracking) {
		return false, Errorf(CodeInvalidClaim, "Tracking is at most 200 bytes of text.")
	}
	switch {
	case r.State == ReturnLabelIssued && to == ReturnShipped:
		if !a.Role.Operator() && !(a.Role == RoleCustomer && a.UserID == r.CustomerID) {
			return false, Errorf(CodeForbidden, "The buyer marks a return as shipped.")
		}
		r.Tracking = tracking
	case r.State == ReturnShipped && to == ReturnReceived:
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

// ReturnLabel is the text of a return's shipping label: addressed to the
// shop, naming the return, order and claim, for the buyer to print.
func ReturnLabel(r *Return, shopName string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "RETURN SHIPPING LABEL\n\n")
	fmt.Fprintf(&b, "To:       %s (shop %s), returns department\n", shopName, r.ShopID)
	fmt.Fprintf(&b, "Return:   %s\n", r.ID)
	fmt.Fprintf(&b, "Order:    %s\n", r.OrderNumber)
	fmt.Fprintf(&b, "Claim:    %s\n", r.ClaimID)
	fmt.Fprintf(&b, "Issued:   %s\n\n", now.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Postage is paid by the marketplace. Pack the product with this label\n")
	fmt.Fprintf(&b, "on the outside and hand it to the carrier; then mark the return as shipped.\n")
	return b.String()
}

// ---- Work queue ----

// Queue priority classes (QueueItem.Priority).
const (
	PriorityIncident = 0
	PriorityClaim    = 1
	PriorityThread   = 2 // a thread with the seller's 48 h clock running
	PriorityRest     = 3
)

func left(due, now time.Time) string {
	d := due.Sub(now).Truncate(time.Minute)
	if d < 0 {
		return "overdue by " + shortDuration(-d)
	}
	return shortDuration(d) + " left"
}

func shortDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return fmt.Sprintf("%dh%02dm", h, m)
}

// IncidentQueueItem is an active incident in a queue: at the top, due at once.
func IncidentQueueItem(in *Incident) QueueItem {
	due := in.OpenedAt
	reason := "open incident: answer immediately (the order is frozen)"
	if in.State == IncidentResolvedBySeller {
		reason = "incident marked solved by the seller: check it and close or reopen"
	}
	return QueueItem{Kind: "incident", ID: in.ID, Title: "Incident on order " + in.OrderNumber + ": " + in.Reason,
		Order: in.OrderNumber, ShopID: in.ShopID, Priority: PriorityIncident, Reason: reason, DueAt: &due, Since: in.OpenedAt}
}

// ClaimQueueItem is an unresolved claim in a queue, due at its 72 h deadline.
func ClaimQueueItem(p Policy, c *Claim, now time.Time) QueueItem {
	rep, due := ClaimReputation(p, c, now)
	reason := "claim: " + left(due, now) + " to resolve it before it counts against the reputation"
	switch {
	case c.Reason == ClaimBuyersRemorse:
		reason = "claim (buyer's remorse, never counts against the reputation): " + left(due, now) + " of the 72 h"
	case rep == ReputationAffected:
		reason = "claim: past the 72 h deadline, " + left(due, now) + "; it counts against the reputation"
	}
	if c.State == ClaimReturning {
		reason += " (return under way)"
	}
	return QueueItem{Kind: "claim", ID: c.ID, Title: "Claim on order " + c.OrderNumber + ": " + c.Reason,
		Order: c.OrderNumber, ShopID: c.ShopID, Priority: PriorityClaim, Reason: reason, DueAt: &due, Since: c.OpenedAt}
}

// ThreadQueueItem is a thread in a queue: with the seller's clock running,
// due at the 48 h deadline; otherwise with the rest, by age.
func ThreadQueueItem(p Policy, th *Thread, now time.Time) QueueItem {
	it := QueueItem{Kind: "thread", ID: th.ID, Title: th.Subject, Order: th.OrderNumber, ShopID: th.ShopID,
		Priority: PriorityRest, Reason: "open conversation", Since: th.LastMessage, Assigned: th.Assignment}
	if it.Title == "" {
		it.Title = th.Topic
	}
	if due := SellerReplyDue(p, th); due != nil {
		it.Priority, it.DueAt = PriorityThread, due
		it.Reason = "customer waiting for the seller's reply: " + left(*due, now) + " of the 48 h"
		if th.SellerReplyNeededSince != nil {
			it.Since = *th.SellerReplyNeededSince
		}
	}
	return it
}

// RankQueue sorts items most urgent first and numbers them: by priority
// class, then by due time (least time left first) where there is one, then
// by age (oldest first), then by id.
func RankQueue(items []QueueItem) {
	slices.SortStableFunc(items, func(a, b QueueItem) int {
		if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
			return c
		}
		if a.Priority != PriorityIncident && a.DueAt != nil && b.DueAt != nil {
			if c := a.DueAt.Compare(*b.DueAt); c != 0 {
				return c
			}
		}
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for i := range items {
		items[i].Rank = i + 1
	}
}

// ---- Statistics ----

// DefaultStatsPeriod is the period of statistics asked without one.
const DefaultStatsPeriod = 30 * 24 * time.Hour

// MaxStatsPeriod bounds a statistics period (the daily series is per day).
const MaxStatsPeriod = 366 * 24 * time.Hour

// StatsPeriod resolves a requested period: zero to means now, zero from
// means DefaultStatsPeriod before to; from must be before to and the period
// at most MaxStatsPeriod.
func StatsPeriod(from, to, now time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-DefaultStatsPeriod)
	}
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return from, to, Errorf(CodeInvalidPeriod, "from must be before to.")
	}
	if to.Sub(from) > MaxStatsPeriod {
		return from, to, Errorf(CodeInvalidPeriod, "A period is at most 366 days.")
	}
	return from, to, nil
}

// NewShopStats returns empty statistics for shop over [from, to), with a
// zero row for every UTC day the period touches.
func NewShopStats(shopID string, from, to time.Time) *ShopStats {
	s := &ShopStats{ShopID: shopID, From: from, To: to, Daily: []DayStats{}}
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
		s.Daily = append(s.Daily, DayStats{Day: d.Format(time.DateOnly)})
	}
	return s
}

// Day returns the daily row of t, or nil when t is outside the period.
func (s *ShopStats) Day(t time.Time) *DayStats {
	if t.Before(s.From) || !t.Before(s.To) || len(s.Daily) == 0 {
		return nil
	}
	i := int(t.UTC().Truncate(24*time.Hour).Sub(s.From.UTC().Truncate(24*time.Hour)) / (24 * time.Hour))
	if i < 0 || i >= len(s.Daily) {
		return nil
	}
	return &s.Daily[i]
}

// Finish computes the ratios from the counts: the share of customer
// messages answered within 48 h (%), the mean first response over n
// responses totalling sum, and the incident rate (lines with an incident ÷
// order lines).
func (s *ShopStats) Finish(linesWithIncident int, firstResponses int, firstResponseSum time.Duration) {
	if s.CustomerMessages > 0 {
		s.AnsweredWithin48hPct = 100 * float64(s.AnsweredWithin48h) / float64(s.CustomerMessages)
	}
	if firstResponses > 0 {
		s.AvgFirstResponseSeconds = firstResponseSum.Seconds() / float64(firstResponses)
	}
	if s.OrderLines > 0 {
		s.IncidentRate = float64(linesWithIncident) / float64(s.OrderLines)
	}
}

// IncidentLines is the number of order lines an incident touches for the
// incident rate: its line, or every line of the order for one on the whole
// order.
func IncidentLines(in *Incident, o *Order) []int {
	if in.Line > 0 {
		return []int{in.Line}
	}
	ls := make([]int, 0, len(o.Lines))
	for _, l := range o.Lines {
		ls = append(ls, l.No)
	}
	return ls
}

// ReplyOutcome is one customer message to the seller, for statistics: when it
// came and whether the seller answered it in time.
type ReplyOutcome struct {
	At       time.Time
	Answered bool // a seller message to the customer followed within p.SellerReplyWithin
}

// ReplyStats reads a thread's messages (in time order) for the shop's
// statistics over [from, to): each customer message to the seller received in
// the period with whether the seller answered it within p.SellerReplyWithin
// (only a seller message to the customer answers), and the thread's first
// response time (its first customer message to the first seller answer) when
// that first message is in the period and was answered. Internal notes do
// not count.
func ReplyStats(p Policy, msgs []Message, from, to time.Time) (out []ReplyOutcome, first time.Duration, hasFirst bool) {
	var replies []time.Time
	for _, m := range msgs {
		if !m.Internal && m.From == PartySeller && slices.Contains(m.To, PartyCustomer) {
			replies = append(replies, m.CreatedAt)
		}
	}
	firstSeen := false
	for _, m := range msgs {
		if m.Internal || m.From != PartyCustomer || !slices.Contains(m.To, PartySeller) {
			continue
		}
		i, _ := slices.BinarySearchFunc(replies, m.CreatedAt, func(a, b time.Time) int { return a.Compare(b) })
		var reply *time.Time
		if i < len(replies) {
			reply = &replies[i]
		}
		if !firstSeen {
			firstSeen = true
			if reply != nil && !m.CreatedAt.Before(from) && m.CreatedAt.Before(to) {
				first, hasFirst = reply.Sub(m.CreatedAt), true
			}
		}
		if m.CreatedAt.Before(from) || !m.CreatedAt.Before(to) {
			continue
		}
		out = append(out, ReplyOutcome{At: m.CreatedAt, Answered: reply != nil && !reply.After(m.CreatedAt.Add(p.SellerReplyWithin))})
	}
	return out, first, hasFirst
}
