package domain

import (
	"context"
	"io"
	"time"
)

// The after-sales services. Every method takes the caller from ctx
// (ActorFrom) and checks it against the role and the owning shop or customer
// inside the same transaction as the read or the change: a customer or seller
// asking for what is not theirs gets NotFound, never a hint that it exists.
// Every command records who did it, when and why (AuditService) and writes the
// notifications it causes to the outbox in that transaction.

// AccessService: users, shops, tokens and grants.
type AccessService interface {
	// Authenticate returns the Actor a bearer token stands for.
	// Errors: unauthorized (unknown, expired or revoked token).
	Authenticate(ctx context.Context, token string) (Actor, error)
	// Login checks a user's name and password and returns who they are.
	// Errors: bad_credentials (Unauthorized), the same whether the name or
	// the password is wrong.
	Login(ctx context.Context, name, password string) (Actor, error)
	// SetPassword sets a user's password: the user themself (giving the
	// current one, if any) or an admin. Errors: invalid_password,
	// bad_credentials, not_found.
	SetPassword(ctx context.Context, userID, current, password string) error
	// CreateUser adds a user (admin only). Errors: invalid_user, user_exists, forbidden.
	CreateUser(ctx context.Context, u *User) error
	FindUser(ctx context.Context, id string) (*User, error)
	FindUserByName(ctx context.Context, name string) (*User, error)
	ListUsers(ctx context.Context, role Role) ([]User, error)
	// PutShop creates or updates a shop (admin only).
	PutShop(ctx context.Context, s *Shop) error
	FindShop(ctx context.Context, id string) (*Shop, error)
	// CreateToken makes a token for a user (admin; or a user for themself);
	// the returned Token carries its Secret once.
	CreateToken(ctx context.Context, userID, label string, ttl time.Duration) (*Token, error)
	// PutTokenSecret stores a chosen secret for a user (demo mode and the
	// bootstrap admin only; never reachable from the API).
	PutTokenSecret(ctx context.Context, userID, label, secret string, expires *time.Time) (*Token, error)
	// ListTokens lists a user's tokens without secrets (admins: anyone's;
	// others: their own, else not_found).
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	RevokeToken(ctx context.Context, id string) error
	// Grant gives an agent a permission (admin only). Errors: invalid_grant, forbidden.
	Grant(ctx context.Context, g *Grant) error
	ListGrants(ctx context.Context, agentID string) ([]Grant, error)
}

// OrderService: orders imported from the marketplace.
type OrderService interface {
	// PutOrder imports or updates an order (operators). Moving a frozen
	// order's state on fails with order_frozen (Conflict).
	// created reports whether the order was new.
	PutOrder(ctx context.Context, o *Order) (saved *Order, created bool, err error)
	FindOrder(ctx context.Context, number string) (*Order, error)
	// ListOrders lists the caller's orders (customers: theirs; sellers: their
	// shop's; operators: all), newest first.
	ListOrders(ctx context.Context, cursor string, limit int) ([]Order, string, error)
}

// ThreadService: conversations.
type ThreadService interface {
	CreateThread(ctx context.Context, nt NewThread) (*Thread, error)
	FindThread(ctx context.Context, id string) (*Thread, error) // with the messages the caller may see
	ListThreads(ctx context.Context, f ThreadFilter) (*ThreadPage, error)
	// SearchThreads finds the caller's threads matching q, with f's other
	// filters (the seller inbox's search box): see the function SearchThreads.
	SearchThreads(ctx context.Context, q string, f ThreadFilter) ([]Thread, error)
	PostMessage(ctx context.Context, threadID string, nm NewMessage) (*Message, error)
	MarkNoReplyNeeded(ctx context.Context, threadID string) (*Thread, error)
	// CloseThread ends a conversation for now (anyone who may see it); the
	// next message reopens it. Closing stops the seller's clock.
	CloseThread(ctx context.Context, threadID, why string) (*Thread, error)
	MarkRead(ctx context.Context, threadID string) error
	// Handoff turns a help-centre session the customer could not resolve into a
	// thread routed by the rules, carrying its transcript. It is written
	// synchronously: when it returns, nothing typed can be lost.
	Handoff(ctx context.Context, h Handoff) (*Thread, error)
}

// Handoff is a help-centre question that needs a person.
type Handoff struct {
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	Locale      string     `json:"locale"`
	OrderNumber string     `json:"order,omitempty"`
	Email       string     `json:"email,omitempty"` // anonymous customers: where to answer
	Transcript  Transcript `json:"transcript"`
}

// IncidentService: incidents on orders.
type IncidentService interface {
	OpenIncident(ctx context.Context, orderNumber string, line int, reason, description string) (*Incident, error)
	ResolveIncident(ctx context.Context, id, message string) (*Incident, error) // seller: "mark as solved"
	CloseIncident(ctx context.Context, id, reason string) (*Incident, error)    // operator
	ReopenIncident(ctx context.Context, id, why string) (*Incident, error)      // operator
	FindIncident(ctx context.Context, id string) (*Incident, error)
	ListIncidents(ctx context.Context, orderNumber string, cursor string, limit int) ([]Incident, string, error)
}

// RefundService: money back.
type RefundService interface {
	// CreateRefund is idempotent on key: the same key returns the refund it
	// made, whatever the request. Errors: refund_window_closed,
	// refund_exceeds_paid, invalid_refund, idempotency_key_required.
	CreateRefund(ctx context.Context, orderNumber, key string, r RefundRequest) (*Refund, bool, error)
	// AdvanceRefund applies the payment side's callback: processing,
	// refunded or failed.
	AdvanceRefund(ctx context.Context, id string, to RefundState, failure string) (*Refund, error)
	RetryRefund(ctx context.Context, id string) (*Refund, error)
	FindRefund(ctx context.Context, id string) (*Refund, error)
	ListRefunds(ctx context.Context, orderNumber string, cursor string, limit int) ([]Refund, string, error)
}

// ClaimService: complaints after delivery, their offers and returns.
type ClaimService interface {
	OpenClaim(ctx context.Context, orderNumber, reason, description string) (*Claim, error)
	OfferPartialRefund(ctx context.Context, claimID string, percent int, amount int64) (*Claim, error)
	AcceptOffer(ctx context.Context, claimID, offerID string) (*Claim, error)
	RejectOffer(ctx context.Context, claimID, offerID string) (*Claim, error)
	RefundClaim(ctx context.Context, claimID string) (*Claim, error)
	StartReturn(ctx context.Context, claimID string) (*Return, error)
	AdvanceReturn(ctx context.Context, returnID string, to ReturnState, tracking string) (*Return, error)
	CloseClaim(ctx context.Context, claimID, why string) (*Claim, error)
	FindClaim(ctx context.Context, id string) (*Claim, error)
	FindReturn(ctx context.Context, id string) (*Return, error)
	// ReturnLabel returns a return with its shipping label document, to
	// those who may see the return.
	ReturnLabel(ctx context.Context, id string) (*Return, []byte, error)
	ListClaims(ctx context.Context, orderNumber string, cursor string, limit int) ([]Claim, string, error)
}

// WorkService: routing, queues and statistics.
type WorkService interface {
	Queue(ctx context.Context, limit int) ([]QueueItem, error) // the caller's queue, most urgent first
	CreateRoutingRule(ctx context.Context, r *RoutingRule) error
	ListRoutingRules(ctx context.Context) ([]RoutingRule, error)
	ShopStats(ctx context.Context, shopID string, from, to time.Time) (*ShopStats, error)
}

// OutboxService: notifications waiting for delivery, and the in-app lists.
type OutboxService interface {
	// Due returns up to n undelivered events whose next attempt is at or
	// before now (the worker's view; no permission check).
	Due(ctx context.Context, now time.Time, n int) ([]OutboxEvent, error)
	MarkDelivered(ctx context.Context, id string, at time.Time) error
	MarkFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error
	ListOutbox(ctx context.Context, undeliveredOnly bool, cursor string, limit int) ([]OutboxEvent, string, error) // operators
	Notifications(ctx context.Context, unreadOnly bool, limit int) ([]Notification, error)                         // the caller's
	MarkNotificationRead(ctx context.Context, id string) error
	// ScheduleAlerts writes alerts for deadlines about to be missed (each
	// once), returning how many it wrote.
	ScheduleAlerts(ctx context.Context, now time.Time) (int, error)
}

// AttachmentService: content-addressed files.
type AttachmentService interface {
	// PutAttachment streams r to the store, checking size and type.
	// Errors: attachment_too_large, attachment_type.
	PutAttachment(ctx context.Context, name string, r io.Reader) (*Attachment, error)
	// OpenAttachment returns a file only to participants of a thread (or
	// return) that names it; others get NotFound.
	OpenAttachment(ctx context.Context, sha string) (*Attachment, io.ReadCloser, error)
}

// AuditService: the per-entity log.
type AuditService interface {
	AuditLog(ctx context.Context, entity string) ([]AuditEntry, error)
}
