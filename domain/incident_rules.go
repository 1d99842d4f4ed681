package domain

import (
	"slices"
	"strings"
	"time"
)

// The rules of incidents: who opens them, their states (OPEN →
// RESOLVED_BY_SELLER → CLOSED, reopening), and how an active incident
// freezes its order.

// IncidentReasons are the reason codes an incident is opened with.
func IncidentReasons() []string {
	return []string{IncidentNotReceived, IncidentDamaged, IncidentDefective, IncidentNotAsDescribed, IncidentOther}
}

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
		return nil, FieldErrorf(CodeInvalidIncident, "reason", "Reason must be one of %s.", strings.Join(IncidentReasons(), ", "))
	}
	if line < 0 || line > len(o.Lines) {
		return nil, FieldErrorf(CodeInvalidIncident, "line", "Order %s has lines 1 to %d (0: the whole order).", o.Number, len(o.Lines))
	}
	if !caseText(description, false) {
		return nil, FieldErrorf(CodeInvalidIncident, "description", "The description is text of at most %d characters.", maxCaseText)
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
		return FieldErrorf(CodeInvalidIncident, "message", "Tell customer care what was done: a message of 1 to %d characters.", maxCaseText)
	}
	if in.State != IncidentOpen {
		return Errorf(CodeIncidentState, "Only an open incident can be marked as solved; this one is %s.", in.State)
	}
	in.State, in.ResolvedAt, in.UpdatedAt = IncidentResolvedBySeller, &now, now
	return nil
}

// CloseIncident is the operator closing an incident: after the seller's
// "solved" (reason optional), or directly from OPEN with a close reason.
// Closing needs the close_incidents permission (DOMAIN.md: the admin grants
// "may close incidents"; admins hold it): an agent without it may still
// reopen what the seller marked solved, but the check that ends an
// incident, and unfreezes its order, is a granted agent's.
func CloseIncident(a Actor, in *Incident, reason string, now time.Time) error {
	return CloseIncidentAs(a, in, reason, CloseAsResolved, now)
}

// CloseIncidentAs is CloseIncident saying how it ended (CloseAsValues): a
// duplicate or the customer's mistake does not count in the shop's incident
// rate, and is always closed with a reason.
func CloseIncidentAs(a Actor, in *Incident, reason, closeAs string, now time.Time) error {
	if !a.Role.Operator() {
		return Errorf(CodeForbidden, "Only customer care closes incidents.")
	}
	if !a.Has(PermCloseIncidents) {
		return Errorf(CodeForbidden, "Closing incidents needs the %s permission.", PermCloseIncidents)
	}
	if !slices.Contains(CloseAsValues(), closeAs) {
		return FieldErrorf(CodeInvalidIncident, "close_as", "close_as must be empty (solved), %s or %s.", CloseAsDuplicate, CloseAsCustomerMistake)
	}
	if closeAs != CloseAsResolved && strings.TrimSpace(reason) == "" {
		return FieldErrorf(CodeCloseReasonRequired, "reason", "Say why the incident is a %s.", strings.ReplaceAll(closeAs, "_", " "))
	}
	if !caseText(reason, false) {
		return FieldErrorf(CodeInvalidIncident, "reason", "The close reason is text of at most %d characters.", maxCaseText)
	}
	switch in.State {
	case IncidentResolvedBySeller:
	case IncidentOpen:
		if strings.TrimSpace(reason) == "" {
			return FieldErrorf(CodeCloseReasonRequired, "reason", "An incident the seller has not marked as solved is closed with a reason.")
		}
	default:
		return Errorf(CodeIncidentState, "The incident is already %s.", in.State)
	}
	in.State, in.ClosedAt, in.CloseReason, in.CloseAs, in.UpdatedAt = IncidentClosed, &now, reason, closeAs, now
	return nil
}

// ReopenIncident is the operator refusing the seller's "solved":
// RESOLVED_BY_SELLER → OPEN. A closed incident stays closed (open a new one).
func ReopenIncident(a Actor, in *Incident, why string, now time.Time) error {
	if !a.Role.Operator() {
		return Errorf(CodeForbidden, "Only customer care reopens incidents.")
	}
	if !caseText(why, false) {
		return FieldErrorf(CodeInvalidIncident, "why", "The reason is text of at most %d characters.", maxCaseText)
	}
	if in.State != IncidentResolvedBySeller {
		return Errorf(CodeIncidentState, "Only an incident the seller marked as solved can be reopened; this one is %s.", in.State)
	}
	in.State, in.ResolvedAt, in.UpdatedAt = IncidentOpen, nil, now
	return nil
}

// CloseIncidentByRefund closes an active incident because its order was
// refunded in full by refundID, reporting whether it changed anything. The
// closing stands if the money moves: if that refund fails,
// ReopenIncidentByRefund opens the incident again.
func CloseIncidentByRefund(in *Incident, refundID string, now time.Time) bool {
	if !IncidentActive(in.State) {
		return false
	}
	in.State, in.ClosedAt, in.CloseReason, in.ClosedByRefund, in.UpdatedAt = IncidentClosed, &now, "total refund", refundID, now
	return true
}

// ReopenIncidentByRefund opens again an incident that refundID closed,
// because that refund failed: where it was (open, or marked solved by the
// seller), reporting whether it changed anything. The store freezes the
// order again (CountIncident).
func ReopenIncidentByRefund(in *Incident, refundID string, now time.Time) bool {
	if in.State != IncidentClosed || refundID == "" || in.ClosedByRefund != refundID {
		return false
	}
	in.State = IncidentOpen
	if in.ResolvedAt != nil {
		in.State = IncidentResolvedBySeller
	}
	in.ClosedAt, in.CloseReason, in.ClosedByRefund, in.UpdatedAt = nil, "", "", now
	return true
}

// CountIncident records on o that an incident became active (+1) or stopped
// being (−1): the order is frozen while any is.
func CountIncident(o *Order, delta int) {
	o.OpenIncidents = max(0, o.OpenIncidents+delta)
	o.Frozen = o.OpenIncidents > 0
}

// ---- Refunds ----
