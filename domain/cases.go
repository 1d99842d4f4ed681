package domain

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Incident reasons.
const (
	IncidentNotReceived    = "item_not_received"
	IncidentDamaged        = "damaged"
	IncidentDefective      = "defective"
	IncidentNotAsDescribed = "not_as_described"
	IncidentOther          = "other"
)

// IncidentState is where an incident is: OPEN → RESOLVED_BY_SELLER → CLOSED,
// RESOLVED_BY_SELLER → OPEN (reopened), OPEN → CLOSED (operator with a close
// reason, or a total refund).
type IncidentState string

// The incident states.
const (
	IncidentOpen             IncidentState = "open"
	IncidentResolvedBySeller IncidentState = "resolved_by_seller"
	IncidentClosed           IncidentState = "closed"
)

// Incident is a problem with an order line that must be answered at once.
// While one is open the order is frozen.
type Incident struct {
	ID          string        `json:"id"`
	OrderNumber string        `json:"order"`
	Line        int           `json:"line,omitempty"` // 0: the whole order
	ShopID      string        `json:"shop_id"`
	CustomerID  string        `json:"customer_id"`
	Reason      string        `json:"reason"`
	Description string        `json:"description,omitempty"`
	State       IncidentState `json:"state"`
	OpenedBy    string        `json:"opened_by"`
	OpenedAt    time.Time     `json:"opened_at"`
	ResolvedAt  *time.Time    `json:"resolved_at"`
	ClosedAt    *time.Time    `json:"closed_at"`
	CloseReason string        `json:"close_reason,omitempty"`
	CloseAs     string        `json:"close_as,omitempty"`  // CloseAsDuplicate, CloseAsCustomerMistake; "" solved
	ThreadID    string        `json:"thread_id,omitempty"` // the conversation the seller's "solved" message went to
	// ClosedByRefund is the total refund that closed the incident: if that
	// refund fails, the incident opens again as it was.
	ClosedByRefund string    `json:"closed_by_refund,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
	CaseText
}

// Refund kinds and states. A refund is requested → processing → refunded or
// failed, advanced by the payment side's signed callback; a failed refund can
// be retried.
const (
	RefundTotal   = "total"
	RefundPartial = "partial"
)

// RefundState is where the money is.
type RefundState string

// The refund states.
const (
	RefundRequested  RefundState = "requested"
	RefundProcessing RefundState = "processing"
	RefundRefunded   RefundState = "refunded"
	RefundFailed     RefundState = "failed"
)

// RefundRequest is what a seller or operator asks to refund. A partial refund
// combines any of: an amount of the order, units of lines, shipping.
type RefundRequest struct {
	Kind     string       `json:"kind"`             // total | partial
	Amount   int64        `json:"amount,omitempty"` // partial: an amount of the order, beyond lines and shipping
	Lines    []RefundLine `json:"lines,omitempty"`
	Shipping int64        `json:"shipping,omitempty"`
	Reason   string       `json:"reason,omitempty"`
	ClaimID  string       `json:"claim_id,omitempty"` // set by claims, not by API callers
}

// RefundLine is units of one order line to refund.
type RefundLine struct {
	Line   int   `json:"line"`
	Units  int   `json:"units"`
	Amount int64 `json:"amount,omitempty"` // computed: units × unit price
}

// Refund is money going back to the customer.
type Refund struct {
	ID             string       `json:"id"`
	OrderNumber    string       `json:"order"`
	ShopID         string       `json:"shop_id"`
	CustomerID     string       `json:"customer_id"`
	Kind           string       `json:"kind"`
	Lines          []RefundLine `json:"lines,omitempty"`
	Shipping       int64        `json:"shipping"`
	Extra          int64        `json:"extra"`  // the part given as an amount of the order
	Amount         int64        `json:"amount"` // in all
	Currency       string       `json:"currency"`
	State          RefundState  `json:"state"`
	Reason         string       `json:"reason,omitempty"`
	ClaimID        string       `json:"claim_id,omitempty"`
	IdempotencyKey string       `json:"-"`
	RequestDigest  string       `json:"-"` // RefundRequestDigest of the request made under IdempotencyKey
	Failure        string       `json:"failure,omitempty"`
	Attempts       int          `json:"attempts"`
	CreatedBy      string       `json:"created_by"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// Claim reasons.
const (
	ClaimDefect           = "defect"
	ClaimDifferentProduct = "different_product"
	ClaimDamaged          = "damaged"
	ClaimBuyersRemorse    = "buyers_remorse"
	ClaimOther            = "other"
)

// ClaimState is where a claim is.
type ClaimState string

// The claim states. Resolution says how a closed claim ended.
const (
	ClaimOpen      ClaimState = "open"
	ClaimReturning ClaimState = "returning" // a return is under way
	ClaimClosed    ClaimState = "closed"
)

// Claim resolutions.
const (
	ResolutionBuyerClosed   = "buyer_closed"   // guidance was enough
	ResolutionPartialRefund = "partial_refund" // an accepted offer; the buyer keeps the product
	ResolutionTotalRefund   = "total_refund"   // the buyer keeps the product
	ResolutionReturn        = "return"         // returned and refunded
	ResolutionOperator      = "operator"       // closed by customer care
)

// Reputation is whether a claim counts against the seller: "true", "false",
// or "pending" while it can still be resolved in time. It marshals to JSON
// true, false or "pending".
type Reputation string

// The reputation values.
const (
	ReputationAffected    Reputation = "true"
	ReputationNotAffected Reputation = "false"
	ReputationPending     Reputation = "pending"
)

// MarshalJSON writes true, false or "pending".
func (r Reputation) MarshalJSON() ([]byte, error) {
	switch r {
	case ReputationAffected:
		return []byte("true"), nil
	case ReputationNotAffected:
		return []byte("false"), nil
	}
	return []byte(`"pending"`), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Reputation) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v {
	case true:
		*r = ReputationAffected
	case false:
		*r = ReputationNotAffected
	default:
		*r = ReputationPending
	}
	return nil
}

// Claim is a buyer's complaint after delivery.
type Claim struct {
	ID          string     `json:"id"`
	OrderNumber string     `json:"order"`
	ShopID      string     `json:"shop_id"`
	CustomerID  string     `json:"customer_id"`
	Reason      string     `json:"reason"`
	Description string     `json:"description"`
	State       ClaimState `json:"state"`
	Resolution  string     `json:"resolution,omitempty"`
	OpenedAt    time.Time  `json:"opened_at"`
	ResolvedAt  *time.Time `json:"resolved_at"`
	// RemedyAt is when the seller's remedy was made: the return granted, the
	// total refund made, or the offer the buyer accepted made. For the
	// reputation the claim is resolved then (ClaimReputation).
	RemedyAt           *time.Time `json:"remedy_at,omitempty"`
	AffectsReputation  Reputation `json:"affects_reputation"`
	ReputationDeadline time.Time  `json:"reputation_deadline"`
	Offers             []Offer    `json:"offers"` // newest last; at most one pending
	RefundID           string     `json:"refund_id,omitempty"`
	ReturnID           string     `json:"return_id,omitempty"`
	ThreadID           string     `json:"thread_id,omitempty"` // the conversation with the buyer
	UpdatedAt          time.Time  `json:"updated_at"`
	CaseText
}

// OfferState is where a partial-refund offer is.
type OfferState string

// The offer states.
const (
	OfferPending   OfferState = "pending"
	OfferAccepted  OfferState = "accepted"
	OfferRejected  OfferState = "rejected"
	OfferWithdrawn OfferState = "withdrawn" // by the seller, or replaced by a total refund or a return
	OfferExpired   OfferState = "expired"   // not answered within Policy.OfferExpiresAfter
)

// Offer is a seller's partial refund proposal on a claim: a percentage of
// what was paid for the products (shipping excluded) or an amount.
type Offer struct {
	ID        string     `json:"id"`
	Percent   int        `json:"percent,omitempty"`
	Amount    int64      `json:"amount"` // computed from Percent when given
	State     OfferState `json:"state"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at,omitzero"` // unanswered by then, it expires
	DecidedAt *time.Time `json:"decided_at"`
}

// ReturnState is where a returned product is: label issued → shipped →
// received → refunded.
type ReturnState string

// The return states.
const (
	ReturnLabelIssued ReturnState = "label_issued"
	ReturnShipped     ReturnState = "shipped"
	ReturnReceived    ReturnState = "received"
	ReturnRefunded    ReturnState = "refunded"
)

// Return is a product going back to the seller, with its shipping label.
type Return struct {
	ID          string        `json:"id"`
	ClaimID     string        `json:"claim_id"`
	OrderNumber string        `json:"order"`
	ShopID      string        `json:"shop_id"`
	CustomerID  string        `json:"customer_id"`
	Reference   string        `json:"reference"` // on the parcel: RET-<order>-<6 characters>
	State       ReturnState   `json:"state"`
	Label       AttachmentRef `json:"label"` // the generated shipping label document (PDF)
	Tracking    string        `json:"tracking,omitempty"`
	RefundID    string        `json:"refund_id,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

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
	EventClaimReopened    = "claim.reopened" // its refund failed
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

// CanSeeCase reports whether a may see a case (incident, refund, claim,
// return) of the given shop and customer: the same people who see its order.
func CanSeeCase(a Actor, shopID, customerID string) bool {
	return CanSeeOrder(a, &Order{ShopID: shopID, CustomerID: customerID})
}

// ---- Incidents ----
