package domain

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
	"unicode/utf8"
)

// The rules of refunds: the 200-day window, who may refund how much, planning
// a refund against what is left, its states, and the payment side's signed
// callback. Each takes the time it decides at.

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
// customer care, agents up to their limit (RefundLimit) for the order in
// all, counting what o has had refunded already, so that one refund cannot
// be split into several under the limit. Customers may not;
// an order a may not see is NotFound.
func CanRefund(a Actor, p Policy, o *Order, amount int64) error {
	if !CanSeeOrder(a, o) {
		return ErrNotFound("Order " + o.Number)
	}
	if a.Role != RoleSeller && !a.Role.Operator() {
		return Errorf(CodeForbidden, "Refunds are issued by the shop or by customer care.")
	}
	// The limit is per order: refunds cut in pieces under it still add up.
	if limit, ok := RefundLimit(a, p); ok && amount > 0 && o.Refunded.Total+amount > limit {
		if o.Refunded.Total == 0 {
			return Errorf(CodeRefundOverLimit, "This refund of %s is above your limit of %s per order: ask an admin for the refund_over permission.",
				FormatMoney(amount, o.Currency), FormatMoney(limit, o.Currency))
		}
		return Errorf(CodeRefundOverLimit, "With this refund of %s, order %s would have %s refunded, above your limit of %s per order: ask an admin for the refund_over permission.",
			FormatMoney(amount, o.Currency), o.Number, FormatMoney(o.Refunded.Total+amount, o.Currency), FormatMoney(limit, o.Currency))
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
	// A claim opened in time (NewClaim checks the claim window) is settled
	// even once the refund window has closed.
	if req.ClaimID == "" {
		if err := CheckRefundWindow(p, o, now); err != nil {
			return nil, err
		}
	}
	if !caseText(req.Reason, false) {
		return nil, FieldErrorf(CodeInvalidRefund, "reason", "The reason is text of at most %d characters.", maxCaseText)
	}
	left := RefundableLeft(o)
	r := &Refund{OrderNumber: o.Number, ShopID: o.ShopID, CustomerID: o.CustomerID, Kind: req.Kind, Currency: o.Currency,
		State: RefundRequested, Reason: req.Reason, ClaimID: req.ClaimID, Attempts: 1, CreatedAt: now, UpdatedAt: now}
	switch req.Kind {
	case RefundTotal:
		if req.Amount != 0 || len(req.Lines) != 0 || req.Shipping != 0 {
			return nil, FieldErrorf(CodeInvalidRefund, "kind", "A total refund takes everything left: send no amount, lines or shipping.")
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
		return nil, FieldErrorf(CodeInvalidRefund, "kind", "Kind must be total or partial.")
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
			return nil, Errorf(CodeRefundExceedsPaid, "Line %d has %s left to refund, not %s.", rl.Line, FormatMoney(max(0, left.Amounts[rl.Line]), o.Currency), FormatMoney(amt, o.Currency))
		}
		r.Lines = append(r.Lines, RefundLine{Line: rl.Line, Units: rl.Units, Amount: amt})
		sum += amt
	}
	slices.SortFunc(r.Lines, func(a, b RefundLine) int { return cmp.Compare(a.Line, b.Line) })
	if req.Shipping > left.Shipping {
		return nil, FieldErrorf(CodeRefundExceedsPaid, "shipping", "Shipping has %s left to refund, not %s.", FormatMoney(max(0, left.Shipping), o.Currency), FormatMoney(req.Shipping, o.Currency))
	}
	r.Shipping, r.Extra = req.Shipping, req.Amount
	r.Amount = sum + req.Shipping + req.Amount
	if r.Amount <= 0 {
		return nil, FieldErrorf(CodeInvalidRefund, "amount", "A partial refund gives an amount, units of lines or shipping.")
	}
	if r.Amount > left.Total {
		return nil, Errorf(CodeRefundExceedsPaid, "Order %s has %s left to refund, not %s.", o.Number, FormatMoney(max(0, left.Total), o.Currency), FormatMoney(r.Amount, o.Currency))
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
		return Errorf(CodeRefundExceedsPaid, "Order %s no longer has %s left to refund.", o.Number, FormatMoney(r.Amount, o.Currency))
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

// ---- Claims ----

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKey = 200

// ValidateIdempotencyKey checks the client key a refund is made under: a
// retried request with the same key never refunds twice.
func ValidateIdempotencyKey(key string) error {
	if key == "" {
		return Errorf(CodeIdempotencyKeyRequired, "Send an Idempotency-Key header: a retried request with the same key never refunds twice.")
	}
	if len(key) > MaxIdempotencyKey || !utf8.ValidString(key) {
		return Errorf(CodeIdempotencyKeyRequired, "An Idempotency-Key is 1 to %d bytes of text.", MaxIdempotencyKey)
	}
	return nil
}

// RefundRequestDigest is the hash of what a refund request asks, stored with
// its Idempotency-Key: two requests ask the same when their kind, amount,
// shipping, reason and lines (in any order) are equal.
func RefundRequestDigest(req RefundRequest) string {
	lines := slices.Clone(req.Lines)
	slices.SortFunc(lines, func(a, b RefundLine) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Units, b.Units), cmp.Compare(a.Amount, b.Amount))
	})
	canon, _ := json.Marshal(struct {
		Kind     string       `json:"kind"`
		Amount   int64        `json:"amount"`
		Shipping int64        `json:"shipping"`
		Reason   string       `json:"reason"`
		Lines    []RefundLine `json:"lines"`
		ClaimID  string       `json:"claim_id"`
	}{req.Kind, req.Amount, req.Shipping, req.Reason, lines, req.ClaimID})
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:])
}

// CheckIdempotentReplay decides a request that reuses key: the same request
// (its digest equals the stored one) gets the refund the key made; another
// request is refused, as Stripe does, so that a client bug never passes a
// different refund off as done. A key stored without a digest (before
// digests were kept) replays whatever the request.
func CheckIdempotentReplay(key, storedDigest, digest string, made *Refund) error {
	if storedDigest == "" || storedDigest == digest {
		return nil
	}
	return Errorf(CodeIdempotencyKeyReused, "The Idempotency-Key %q was used for a different request (refund %s of %s): send a new key for a new refund.",
		key, made.ID, FormatMoney(made.Amount, made.Currency))
}

// CanSeeRefund reports whether a may see (and so act on) a refund of shopID
// to customerID: the system (the payment side's signed callback) and whoever
// may see the case.
func CanSeeRefund(a Actor, shopID, customerID string) bool {
	return a.IsSystem() || CanSeeCase(a, shopID, customerID)
}
