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
//
// Each method's comment names the codes it returns ("Errors: …"); any method
// may also fail with internal (a failing store, a bug) or the context's error.

// AccessService: users, shops, tokens and grants.
type AccessService interface {
	// Authenticate returns the Actor a bearer token stands for; a browser
	// session's secret is refused.
	// Errors: unauthorized (unknown, expired or revoked token, a session's
	// secret, or a disabled user).
	Authenticate(ctx context.Context, token string) (Actor, error)
	// AuthenticateSession returns the Actor a browser session stands for; an
	// API token is refused.
	// Errors: unauthorized.
	AuthenticateSession(ctx context.Context, secret string) (Actor, error)
	// Login checks a user's name (NormalizeLoginName) and password and
	// returns who they are. Failures are counted per name, known or not,
	// from any address (StartLogin); a locked name is refused unchecked.
	// Errors: bad_credentials, the same whether the name or the password is
	// wrong or the user disabled; login_locked.
	Login(ctx context.Context, name, password string) (Actor, error)
	// CreateSession starts a browser session for the caller, ending after
	// ttl; its Secret goes in the session cookie and nowhere else.
	// Errors: unauthorized, invalid_token (the lifetime).
	CreateSession(ctx context.Context, ttl time.Duration) (*Token, error)
	// SetPassword sets a user's password: the user themself (giving the
	// current one, if any) or an admin. It revokes the user's tokens and
	// sessions but the session the user changes their own password in.
	// Errors: unauthorized, not_found, invalid_password, bad_credentials (the current password).
	SetPassword(ctx context.Context, userID, current, password string) error
	// ResetPassword sets another user's password (admin only) and revokes
	// all their tokens and sessions.
	// Errors: unauthorized, forbidden, not_found, invalid_password.
	ResetPassword(ctx context.Context, userID, password string) error
	// SetUserDisabled disables or enables a user (admin only, not oneself).
	// Disabling revokes every token and session the user holds; a disabled
	// user cannot sign in or use any credential.
	// Errors: unauthorized, forbidden, not_found, disable_self.
	SetUserDisabled(ctx context.Context, userID string, disabled bool) (*User, error)
	// CreateUser adds a user (admin only).
	// Errors: unauthorized, forbidden, invalid_user, invalid_locale, user_exists.
	CreateUser(ctx context.Context, u *User) error
	// FindUser returns a user: customer care sees everyone, others themselves.
	// Errors: unauthorized, not_found.
	FindUser(ctx context.Context, id string) (*User, error)
	// FindUserByName is FindUser by login name.
	// Errors: unauthorized, not_found.
	FindUserByName(ctx context.Context, name string) (*User, error)
	// ListUsers lists the users of a role ("": all), by name (operators).
	// Errors: unauthorized, forbidden.
	ListUsers(ctx context.Context, role Role) ([]User, error)
	// PutShop creates or updates a shop (admin only).
	// Errors: unauthorized, forbidden, invalid_shop, invalid_locale.
	PutShop(ctx context.Context, s *Shop) error
	// FindShop returns a shop to customer care and the shop's own sellers.
	// Errors: unauthorized, not_found.
	FindShop(ctx context.Context, id string) (*Shop, error)
	// ShopNames returns every shop's name by id: the name a shop trades
	// under is public, so anyone signed in may read it (a customer reads
	// "Nordic Home", never "shop-1").
	// Errors: unauthorized.
	ShopNames(ctx context.Context) (map[string]string, error)
	// CreateToken makes a token for a user (admin; or a user for themself);
	// the returned Token carries its Secret once.
	// Errors: unauthorized, forbidden, invalid_token (the lifetime), not_found.
	CreateToken(ctx context.Context, userID, label string, ttl time.Duration) (*Token, error)
	// PutTokenSecret stores a chosen secret for a user (demo mode and the
	// bootstrap admin only; never reachable from the API).
	// Errors: invalid_token, not_found, token_taken.
	PutTokenSecret(ctx context.Context, userID, label, secret string, expires *time.Time) (*Token, error)
	// ListTokens lists a user's tokens without secrets (admins: anyone's;
	// others: their own).
	// Errors: unauthorized, not_found.
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	// RevokeToken revokes a token (admins: anyone's; others: their own).
	// Errors: unauthorized, not_found.
	RevokeToken(ctx context.Context, id string) error
	// RevokeUserToken revokes token id of user userID (admin only).
	// Errors: unauthorized, forbidden, not_found (the token is not the user's).
	RevokeUserToken(ctx context.Context, userID, id string) error
	// RevokeTokensByLabel revokes every live token stored under label (the
	// program itself at start-up: BootstrapTokenLabel, DemoTokenLabel) and
	// returns how many it revoked.
	// Errors: forbidden.
	RevokeTokensByLabel(ctx context.Context, label string) (int, error)
	// Grant gives an agent a permission (admin only).
	// Errors: unauthorized, forbidden, invalid_grant.
	Grant(ctx context.Context, g *Grant) error
	// ListGrants lists an agent's grants ("": every agent's; operators).
	// Errors: unauthorized, forbidden.
	ListGrants(ctx context.Context, agentID string) ([]Grant, error)
	// RevokeGrant takes a grant back (admin only); the agent is told.
	// Errors: unauthorized, forbidden, not_found.
	RevokeGrant(ctx context.Context, id string) (*Grant, error)
	// SetUserTeam sets an operator's team and skills (admin only): an agent
	// created without a team is put right so routing gives them work.
	// Errors: unauthorized, forbidden, not_found, invalid_user.
	SetUserTeam(ctx context.Context, userID, team string, skills []string) (*User, error)
}

// OrderService: orders imported from the marketplace.
type OrderService interface {
	// PutOrder imports or updates an order (operators). Moving a frozen
	// order's state on fails with order_frozen (Conflict).
	// created reports whether the order was new.
	// Errors: unauthorized, forbidden, invalid_order, order_parties_fixed,
	// order_frozen, order_lines_refunded.
	PutOrder(ctx context.Context, o *Order) (saved *Order, created bool, err error)
	// FindOrder returns an order the caller may see.
	// Errors: not_found.
	FindOrder(ctx context.Context, number string) (*Order, error)
	// ListOrders lists the caller's orders (customers: theirs; sellers: their
	// shop's; operators: all), newest first.
	// Errors: unauthorized, invalid_cursor.
	ListOrders(ctx context.Context, cursor string, limit int) ([]Order, string, error)
}

// ThreadService: conversations.
type ThreadService interface {
	// CreateThread starts a conversation, on an order or not, with its
	// first message.
	// Errors: unauthorized, forbidden, not_found (the order or shop),
	// invalid_thread, invalid_topic, invalid_recipient, invalid_message,
	// invalid_attachment.
	CreateThread(ctx context.Context, nt NewThread) (*Thread, error)
	// FindThread returns a thread with one page of the messages the caller
	// may see: the newest without a cursor, and the cursor of older ones
	// (MessagesNext). Errors: unauthorized, not_found, invalid_limit,
	// invalid_cursor.
	FindThread(ctx context.Context, id string, page MessagePage) (*Thread, error)
	// ListThreads lists the caller's inbox, filtered and sorted.
	// Errors: unauthorized, forbidden (a role with no inbox), invalid_filter,
	// invalid_limit, invalid_cursor.
	ListThreads(ctx context.Context, f ThreadFilter) (*ThreadPage, error)
	// SearchThreads finds the caller's threads matching q, with f's other
	// filters (the seller inbox's search box): see the function SearchThreads.
	// Errors: unauthorized, forbidden, invalid_filter, invalid_limit.
	SearchThreads(ctx context.Context, q string, f ThreadFilter) ([]Thread, error)
	// PostMessage adds a message to a thread the caller may see.
	// Errors: unauthorized, not_found, invalid_message, invalid_recipient,
	// invalid_attachment, too_many_messages (Policy.MessagesPerMinute).
	PostMessage(ctx context.Context, threadID string, nm NewMessage) (*Message, error)
	// MarkNoReplyNeeded stops the seller's clock explicitly.
	// Errors: unauthorized, not_found, forbidden.
	MarkNoReplyNeeded(ctx context.Context, threadID string) (*Thread, error)
	// CloseThread ends a conversation for now (anyone who may see it); the
	// next message reopens it. Closing stops the seller's clock.
	// Errors: unauthorized, not_found.
	CloseThread(ctx context.Context, threadID, why string) (*Thread, error)
	// MarkRead marks a thread read by the caller's side.
	// Errors: unauthorized, not_found.
	MarkRead(ctx context.Context, threadID string) error
	// Handoff turns a help-centre session the customer could not resolve into a
	// thread routed by the rules, carrying its transcript. It is written
	// synchronously: when it returns, nothing typed can be lost.
	// Errors: forbidden (not a customer), invalid_thread, invalid_message,
	// not_found (an order not theirs).
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
	// OpenIncident opens an incident on an order (line 0: the whole order).
	// Errors: not_found, forbidden, invalid_incident.
	OpenIncident(ctx context.Context, orderNumber string, line int, reason, description string) (*Incident, error)
	// ResolveIncident is the seller's "mark as solved", with a message to
	// the operator.
	// Errors: not_found, forbidden, invalid_incident, incident_state.
	ResolveIncident(ctx context.Context, id, message string) (*Incident, error)
	// CloseIncident is the operator closing an incident.
	// Errors: not_found, forbidden, invalid_incident, close_reason_required, incident_state.
	CloseIncident(ctx context.Context, id, reason string) (*Incident, error)
	// CloseIncidentAs is CloseIncident saying how it ended (CloseAsValues):
	// a duplicate or the customer's mistake leaves the shop's incident rate.
	// Errors: not_found, forbidden, invalid_incident, close_reason_required, incident_state.
	CloseIncidentAs(ctx context.Context, id, reason, closeAs string) (*Incident, error)
	// ReopenIncident is the operator refusing the seller's "solved".
	// Errors: not_found, forbidden, invalid_incident, incident_state.
	ReopenIncident(ctx context.Context, id, why string) (*Incident, error)
	// FindIncident returns an incident the caller may see.
	// Errors: not_found.
	FindIncident(ctx context.Context, id string) (*Incident, error)
	// ListIncidents lists an order's incidents, or without an order the
	// caller's.
	// Errors: unauthorized, not_found (the order), invalid_cursor.
	ListIncidents(ctx context.Context, orderNumber string, cursor string, limit int) ([]Incident, string, error)
}

// RefundService: money back.
type RefundService interface {
	// CreateRefund is idempotent on key: the same key with the same request
	// returns the refund it made; with another request it is refused.
	// Errors: idempotency_key_required, idempotency_key_reused, not_found,
	// forbidden, refund_over_limit, refund_window_closed, refund_exceeds_paid,
	// invalid_refund.
	CreateRefund(ctx context.Context, orderNumber, key string, r RefundRequest) (*Refund, bool, error)
	// AdvanceRefund is customer care moving a refund on: processing,
	// refunded or failed.
	// Errors: not_found, forbidden, invalid_refund, refund_state.
	AdvanceRefund(ctx context.Context, id string, to RefundState, failure string) (*Refund, error)
	// ApplyPaymentCallback applies the payment side's verified callback
	// (VerifyPaymentCallback) once: its event id is recorded with the change.
	// Errors: not_found, forbidden, payment_signature,
	// payment_callback_replayed, invalid_refund, refund_state.
	ApplyPaymentCallback(ctx context.Context, cb PaymentCallback) (*Refund, error)
	// RetryRefund sends a failed refund again.
	// Errors: not_found, forbidden, refund_over_limit, refund_exceeds_paid, refund_state.
	RetryRefund(ctx context.Context, id string) (*Refund, error)
	// FindRefund returns a refund the caller may see.
	// Errors: not_found.
	FindRefund(ctx context.Context, id string) (*Refund, error)
	// ListRefunds lists an order's refunds, or without an order the caller's.
	// Errors: not_found (the order), invalid_cursor.
	ListRefunds(ctx context.Context, orderNumber string, cursor string, limit int) ([]Refund, string, error)
}

// ClaimService: complaints after delivery, their offers and returns.
type ClaimService interface {
	// OpenClaim is the buyer opening a claim on a delivered order, within
	// the claim window.
	// Errors: not_found, forbidden, invalid_claim, order_not_delivered,
	// claim_window_closed, claim_open.
	OpenClaim(ctx context.Context, orderNumber, reason, description string) (*Claim, error)
	// OfferPartialRefund is the seller offering a percentage or amount.
	// Errors: not_found, forbidden, claim_state, offer_pending, invalid_offer,
	// refund_exceeds_paid, refund_over_limit.
	OfferPartialRefund(ctx context.Context, claimID string, percent int, amount int64) (*Claim, error)
	// AcceptOffer is the buyer accepting the pending offer: the refund is made.
	// Errors: not_found, forbidden, offer_state, invalid_refund,
	// refund_exceeds_paid, refund_over_limit.
	AcceptOffer(ctx context.Context, claimID, offerID string) (*Claim, error)
	// RejectOffer is the buyer rejecting the pending offer (kept in history).
	// Errors: not_found, forbidden, offer_state.
	RejectOffer(ctx context.Context, claimID, offerID string) (*Claim, error)
	// WithdrawOffer is the seller (or customer care) taking back the
	// pending offer (kept in history); the claim is free again.
	// Errors: not_found, forbidden, offer_state.
	WithdrawOffer(ctx context.Context, claimID, offerID string) (*Claim, error)
	// RefundClaim refunds the claim's order in full; the buyer keeps the
	// product. A pending offer is withdrawn.
	// Errors: not_found, forbidden, claim_state, invalid_refund,
	// refund_exceeds_paid, refund_over_limit.
	RefundClaim(ctx context.Context, claimID string) (*Claim, error)
	// StartReturn sends the buyer a return label. A pending offer is
	// withdrawn.
	// Errors: not_found, forbidden, claim_state.
	StartReturn(ctx context.Context, claimID string) (*Return, error)
	// AdvanceReturn moves a return on: shipped (the buyer), received (the
	// shop, shipped or not), which refunds it and closes the claim.
	// Errors: not_found, forbidden, invalid_claim (tracking), return_state,
	// invalid_refund, refund_exceeds_paid, refund_over_limit.
	AdvanceReturn(ctx context.Context, returnID string, to ReturnState, tracking string) (*Return, error)
	// CloseClaim is the buyer closing a claim after guidance, or customer
	// care closing it with a reason.
	// Errors: not_found, forbidden, invalid_claim, close_reason_required, claim_state.
	CloseClaim(ctx context.Context, claimID, why string) (*Claim, error)
	// FindClaim returns a claim the caller may see.
	// Errors: not_found.
	FindClaim(ctx context.Context, id string) (*Claim, error)
	// FindReturn returns a return the caller may see.
	// Errors: not_found.
	FindReturn(ctx context.Context, id string) (*Return, error)
	// ReturnLabel returns a return with its shipping label document, to
	// those who may see the return.
	// Errors: not_found.
	ReturnLabel(ctx context.Context, id string) (*Return, []byte, error)
	// ListClaims lists an order's claims, or without an order the caller's.
	// Errors: unauthorized, not_found (the order), invalid_cursor.
	ListClaims(ctx context.Context, orderNumber string, cursor string, limit int) ([]Claim, string, error)
}

// WorkService: routing, queues and statistics.
type WorkService interface {
	// Queue is the caller's work queue, most urgent first.
	// Errors: unauthorized, forbidden.
	Queue(ctx context.Context, limit int) ([]QueueItem, error)
	// CreateRoutingRule stores a rule (admins, or agents granted manage_routing).
	// Errors: unauthorized, forbidden, invalid_routing_rule.
	CreateRoutingRule(ctx context.Context, r *RoutingRule) error
	// ListRoutingRules lists the rules in the order they are tried (operators).
	// Errors: unauthorized, forbidden.
	ListRoutingRules(ctx context.Context) ([]RoutingRule, error)
	// UpdateRoutingRule replaces rule r.ID's fields (priority included: that
	// is how rules are reordered), keeping who created it and when.
	// Errors: unauthorized, forbidden, not_found, invalid_routing_rule.
	UpdateRoutingRule(ctx context.Context, r *RoutingRule) error
	// DeleteRoutingRule removes a rule, defaults included (work no rule
	// matches goes to customer care).
	// Errors: unauthorized, forbidden, not_found.
	DeleteRoutingRule(ctx context.Context, id string) (*RoutingRule, error)
	// ShopStats are a shop's figures over [from, to).
	// Errors: unauthorized, not_found, forbidden, invalid_period.
	ShopStats(ctx context.Context, shopID string, from, to time.Time) (*ShopStats, error)
}

// OutboxService: notifications waiting for delivery, and the in-app lists.
type OutboxService interface {
	// Due claims up to n undelivered events whose next attempt is at or
	// before now, oldest-due first, for ClaimLease (the worker's view; no
	// permission check): their next attempt, and ClaimedUntil, become
	// now+ClaimLease, so that no other caller (another replica) gets them
	// until the lease ends, and the caller settles each with MarkDelivered
	// or MarkFailed. One not settled by then is due again (delivery is at
	// least once).
	// Errors: none.
	Due(ctx context.Context, now time.Time, n int) ([]OutboxEvent, error)
	// MarkDelivered records an event's delivery (the worker).
	// Errors: not_found.
	MarkDelivered(ctx context.Context, id string, at time.Time) error
	// MarkDueDelivered marks up to n undelivered events whose next attempt
	// is at or before now delivered at now, oldest-due first, in one
	// transaction, and reports how many: what the worker does when there is
	// no endpoint to deliver to (people read the events in their in-app
	// lists). Events claimed by Due are left to their claimer.
	// Errors: none.
	MarkDueDelivered(ctx context.Context, now time.Time, n int) (int, error)
	// MarkFailed records a failed attempt and when to try next (the worker).
	// Errors: not_found.
	MarkFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error
	// ListOutbox lists the outbox, newest first (operators).
	// Errors: unauthorized, forbidden, invalid_cursor.
	ListOutbox(ctx context.Context, undeliveredOnly bool, cursor string, limit int) ([]OutboxEvent, string, error)
	// Notifications lists the caller's in-app notifications, newest first.
	// Errors: unauthorized.
	Notifications(ctx context.Context, unreadOnly bool, limit int) ([]Notification, error)
	// MarkNotificationRead marks one of the caller's notifications read.
	// Errors: unauthorized, not_found.
	MarkNotificationRead(ctx context.Context, id string) error
	// ScheduleAlerts writes alerts for deadlines about to be missed (each
	// once), returning how many it wrote.
	// Errors: none.
	ScheduleAlerts(ctx context.Context, now time.Time) (int, error)
}

// AttachmentService: content-addressed files.
type AttachmentService interface {
	// PutAttachment streams r to the store, checking size and type.
	// Errors: unauthorized, attachment_too_large, invalid_attachment (empty),
	// attachment_type, upload_quota (Policy.UploadsPerDay, UploadBytesPerDay).
	PutAttachment(ctx context.Context, name string, r io.Reader) (*Attachment, error)
	// OpenAttachment returns a file only to participants of a thread (or
	// return) that names it; others get NotFound.
	// Errors: unauthorized, not_found.
	OpenAttachment(ctx context.Context, sha string) (*Attachment, io.ReadCloser, error)
	// SweepUnreferenced removes the uploads no message carries that are
	// Policy.UnreferencedUploadTTL old, and says how many; the program runs
	// it periodically.
	// Errors: none.
	SweepUnreferenced(ctx context.Context) (int, error)
}

// AuditService: the per-entity log.
type AuditService interface {
	// AuditLog is an entity's log ("refund:01J…"), oldest first, for
	// customer care only.
	// Errors: unauthorized, forbidden, invalid_entity.
	AuditLog(ctx context.Context, entity string) ([]AuditEntry, error)
}
