package domain

// Code is a stable, fine-grained name for an error that clients may branch on
// ("refund_window_closed"). Codes are part of the API: add new ones freely,
// never rename one. Every code is declared here, once, with its kind in
// codeKinds; the kind decides the HTTP status (see Kind).
type Code string

// Kind returns the kind of the code: the one it is declared with in
// codeKinds, or Internal for a code that is not declared.
func (c Code) Kind() Kind {
	if k, ok := codeKinds[c]; ok {
		return k
	}
	return Internal
}

// The error codes, by area.
const (
	CodeInternal Code = "internal"

	// Access: users, tokens, grants, sessions.
	CodeUnauthorized    Code = "unauthorized"
	CodeBadCredentials  Code = "bad_credentials"
	CodeForbidden       Code = "forbidden"
	CodeNotFound        Code = "not_found"
	CodeInvalidUser     Code = "invalid_user"
	CodeUserExists      Code = "user_exists"
	CodeInvalidShop     Code = "invalid_shop"
	CodeInvalidToken    Code = "invalid_token"
	CodeTokenTaken      Code = "token_taken" // the secret is another user's token
	CodeInvalidGrant    Code = "invalid_grant"
	CodeInvalidPassword Code = "invalid_password"
	CodeInvalidCursor   Code = "invalid_cursor"
	CodeLoginLocked     Code = "login_locked"    // too many failed sign-ins for one name, from any address
	CodeDisableSelf     Code = "disable_self"    // an admin disabling or enabling themself
	CodeTooManyTokens   Code = "too_many_tokens" // MaxTokensPerUser live tokens already

	// Orders.
	CodeInvalidOrder      Code = "invalid_order"
	CodeOrderPartiesFixed Code = "order_parties_fixed" // an order's customer and shop never change
	CodeOrderFrozen       Code = "order_frozen"
	CodeOrderLinesFixed   Code = "order_lines_refunded"

	// Threads, messages and attachments.
	CodeInvalidThread      Code = "invalid_thread"
	CodeInvalidTopic       Code = "invalid_topic"
	CodeInvalidMessage     Code = "invalid_message"
	CodeInvalidRecipient   Code = "invalid_recipient"
	CodeInvalidAttachment  Code = "invalid_attachment"
	CodeTooManyAttachments Code = "too_many_attachments"
	CodeAttachmentTooLarge Code = "attachment_too_large"
	CodeAttachmentType     Code = "attachment_type"
	CodeInvalidFilter      Code = "invalid_filter"
	CodeInvalidRoutingRule Code = "invalid_routing_rule"
	CodeTooManyMessages    Code = "too_many_messages" // Policy.MessagesPerMinute
	CodeUploadQuota        Code = "upload_quota"      // Policy.UploadsPerDay, UploadBytesPerDay

	// Privacy requests.
	CodeErasureConfirm Code = "erasure_confirmation" // the customer's login name was not typed to confirm
	CodeNotACustomer   Code = "not_a_customer"       // export and erasure are for customers' accounts

	// Canned replies.
	CodeInvalidCannedTitle Code = "invalid_canned_title"
	CodeInvalidCannedBody  Code = "invalid_canned_body"
	CodeTooManyCanned      Code = "too_many_canned_replies"

	// Incidents, refunds, claims, offers and returns.
	CodeInvalidIncident        Code = "invalid_incident"
	CodeIncidentState          Code = "incident_state"        // the transition is not allowed from the current state
	CodeCloseReasonRequired    Code = "close_reason_required" // an open incident is closed with a reason
	CodeInvalidRefund          Code = "invalid_refund"
	CodeInvalidAmount          Code = "invalid_amount"
	CodeRefundWindowClosed     Code = "refund_window_closed" // more than Policy.RefundWithin after shipment
	CodeRefundExceedsPaid      Code = "refund_exceeds_paid"  // more than was paid and not yet refunded
	CodeRefundOverLimit        Code = "refund_over_limit"    // above the agent's refund limit
	CodeRefundState            Code = "refund_state"
	CodeIdempotencyKeyRequired Code = "idempotency_key_required"
	CodePaymentSignature       Code = "payment_signature"         // the payment callback's signature
	CodePaymentReplayed        Code = "payment_callback_replayed" // a payment callback's event id was seen before
	CodeIdempotencyKeyReused   Code = "idempotency_key_reused"    // the key was used for a different request
	CodeInvalidClaim           Code = "invalid_claim"
	CodeOrderNotDelivered      Code = "order_not_delivered" // claims open after delivery
	CodeClaimOpen              Code = "claim_open"          // the order has an open claim already
	CodeClaimState             Code = "claim_state"
	CodeInvalidOffer           Code = "invalid_offer"
	CodeInvalidPercent         Code = "invalid_percent"
	CodeOfferPending           Code = "offer_pending" // one pending offer at a time
	CodeOfferState             Code = "offer_state"
	CodeReturnState            Code = "return_state"
	CodeClaimWindowClosed      Code = "claim_window_closed" // more than Policy.ClaimWindowOf after shipment
	CodeInvalidPeriod          Code = "invalid_period"

	// Outbox, webhooks and the audit log.
	CodeInvalidNotification Code = "invalid_notification"
	CodeWebhookSignature    Code = "webhook_signature"
	CodeWebhookTimestamp    Code = "webhook_timestamp"
	CodeInvalidEntity       Code = "invalid_entity"

	// Deflection and hand-offs.
	CodeSessionNotFound    Code = "session_not_found"
	CodeInvalidEvent       Code = "invalid_event"
	CodeInvalidEntry       Code = "invalid_entry"
	CodeInvalidEmail       Code = "invalid_email"
	CodeEmailRequired      Code = "email_required"
	CodeHandoffUnavailable Code = "handoff_unavailable"
	CodeTooManyHandoffs    Code = "too_many_handoffs" // Policy.HandoffsPerHour, per client
	CodeUnknownArticle     Code = "unknown_article"   // an event names an article that does not exist
	CodeInvalidRange       Code = "invalid_range"

	// Search events and learning.
	CodeQueryNotFound       Code = "query_not_found" // unknown, or older than a day: the event is refused (400)
	CodeAssociationNotFound Code = "association_not_found"
	CodeInvalidReview       Code = "invalid_review"

	// Article feedback.
	CodeInvalidArticleID Code = "invalid_article_id"
	CodeInvalidLocale    Code = "invalid_locale"
	CodeInvalidReason    Code = "invalid_reason"
	CodeInvalidComment   Code = "invalid_comment"
	CodeInvalidSession   Code = "invalid_session"
	CodeInvalidVoteID    Code = "invalid_vote_id"
	CodeInvalidCreatedAt Code = "invalid_created_at"
	CodeInvalidViews     Code = "invalid_views"
	CodeInvalidLimit     Code = "invalid_limit"
	CodeVoteExists       Code = "vote_exists"
)

// codeKinds is the one table of codes and their kinds. TestCodesHaveKinds
// checks that every Code constant of this file is in it.
var codeKinds = joinKinds(serviceKinds, httpKinds)

// serviceKinds are the kinds of the services' codes.
var serviceKinds = map[Code]Kind{
	CodeInternal: Internal,

	CodeUnauthorized:    Unauthorized,
	CodeBadCredentials:  Unauthorized,
	CodeForbidden:       Forbidden,
	CodeNotFound:        NotFound,
	CodeInvalidUser:     Invalid,
	CodeUserExists:      Conflict,
	CodeInvalidShop:     Invalid,
	CodeInvalidToken:    Invalid,
	CodeTooManyTokens:   TooMany,
	CodeTooManyMessages: TooMany,
	CodeUploadQuota:     TooMany,
	CodeTooManyHandoffs: TooMany,
	CodeUnknownArticle:  Invalid,
	CodeTokenTaken:      Conflict,
	CodeInvalidGrant:    Invalid,
	CodeInvalidPassword: Invalid,
	CodeInvalidCursor:   Invalid,
	CodeLoginLocked:     Unauthorized,
	CodeDisableSelf:     Conflict,

	CodeInvalidOrder:      Invalid,
	CodeOrderPartiesFixed: Conflict,
	CodeOrderFrozen:       Conflict,
	CodeOrderLinesFixed:   Conflict,

	CodeInvalidThread:      Invalid,
	CodeInvalidTopic:       Invalid,
	CodeInvalidMessage:     Invalid,
	CodeInvalidRecipient:   Invalid,
	CodeInvalidAttachment:  Invalid,
	CodeTooManyAttachments: Invalid,
	CodeAttachmentTooLarge: Invalid,
	CodeAttachmentType:     Invalid,
	CodeInvalidFilter:      Invalid,
	CodeInvalidRoutingRule: Invalid,

	CodeInvalidCannedTitle: Invalid,
	CodeInvalidCannedBody:  Invalid,
	CodeTooManyCanned:      Conflict,

	CodeInvalidIncident:        Invalid,
	CodeIncidentState:          Conflict,
	CodeCloseReasonRequired:    Invalid,
	CodeInvalidRefund:          Invalid,
	CodeInvalidAmount:          Invalid,
	CodeRefundWindowClosed:     Invalid,
	CodeRefundExceedsPaid:      Invalid,
	CodeRefundOverLimit:        Forbidden,
	CodeRefundState:            Conflict,
	CodeIdempotencyKeyRequired: Invalid,
	CodePaymentSignature:       Unauthorized,
	CodePaymentReplayed:        Conflict,
	CodeIdempotencyKeyReused:   Unprocessable,
	CodeInvalidClaim:           Invalid,
	CodeOrderNotDelivered:      Conflict,
	CodeClaimOpen:              Conflict,
	CodeClaimState:             Conflict,
	CodeInvalidOffer:           Invalid,
	CodeInvalidPercent:         Invalid,
	CodeOfferPending:           Conflict,
	CodeOfferState:             Conflict,
	CodeReturnState:            Conflict,
	CodeClaimWindowClosed:      Invalid,
	CodeInvalidPeriod:          Invalid,

	CodeInvalidNotification: Invalid,
	CodeWebhookSignature:    Unauthorized,
	CodeWebhookTimestamp:    Unauthorized,
	CodeInvalidEntity:       Invalid,

	CodeSessionNotFound:    NotFound,
	CodeInvalidEvent:       Invalid,
	CodeInvalidEntry:       Invalid,
	CodeInvalidEmail:       Invalid,
	CodeEmailRequired:      Invalid,
	CodeHandoffUnavailable: Unavailable,
	CodeInvalidRange:       Invalid,

	CodeQueryNotFound:       Invalid,
	CodeAssociationNotFound: NotFound,
	CodeInvalidReview:       Invalid,

	CodeInvalidArticleID: Invalid,
	CodeInvalidLocale:    Invalid,
	CodeInvalidReason:    Invalid,
	CodeInvalidComment:   Invalid,
	CodeInvalidSession:   Invalid,
	CodeInvalidVoteID:    Invalid,
	CodeInvalidCreatedAt: Invalid,
	CodeInvalidViews:     Invalid,
	CodeInvalidLimit:     Invalid,
	CodeVoteExists:       Conflict,

	CodeErasureConfirm: Invalid,
	CodeNotACustomer:   Invalid,
}

// HTTP and search: what the server answers before (or instead of) a service.
// A code that stands for an HTTP status of its own (405, 408, 411, 413, 429,
// 431) is raised by Fiber or the server's middleware as that status; its kind
// is Invalid, the nearest, for anyone who meets it as a domain error.
const (
	CodeBadRequest            Code = "bad_request"
	CodeMethodNotAllowed      Code = "method_not_allowed"
	CodeBodyTooLarge          Code = "body_too_large"
	CodeHeadersTooLarge       Code = "headers_too_large"
	CodeRequestTimeout        Code = "request_timeout"
	CodeRateLimited           Code = "rate_limited"
	CodeLengthRequired        Code = "length_required"
	CodeAdminDisabled         Code = "admin_disabled"
	CodeInvalidBody           Code = "invalid_body"
	CodeInvalidJSON           Code = "invalid_json"
	CodeInvalidParameter      Code = "invalid_parameter"
	CodeInvalidVote           Code = "invalid_vote"
	CodeOriginNotAllowed      Code = "origin_not_allowed"
	CodeQueryTooLong          Code = "query_too_long"
	CodeBadPagination         Code = "bad_pagination"
	CodeUnknownLocale         Code = "unknown_locale"
	CodeReloadFailed          Code = "reload_failed"
	CodeFeedbackUnavailable   Code = "feedback_unavailable"
	CodeDeflectionUnavailable Code = "deflection_unavailable"
	CodeSearchTimeout         Code = "search_timeout" // the engine's deadline passed: 503 with Retry-After
	CodeEventsUnavailable     Code = "events_unavailable"
	CodeNotReady              Code = "not_ready" // the search index is still being built at start-up: 503 with Retry-After
)

// CodeStorageUnavailable: a write failed in storage (disk full, an I/O
// error; ErrStorageFault): 503 with Retry-After.
const CodeStorageUnavailable Code = "storage_unavailable"

// CodeBackupUnsupported: the backup download on a store the server cannot
// copy itself (PostgreSQL: pg_dump backs it up).
const CodeBackupUnsupported Code = "backup_unsupported"

// httpKinds are the kinds of the codes of the HTTP edge and of search.
var httpKinds = map[Code]Kind{
	CodeBadRequest:            Invalid,
	CodeMethodNotAllowed:      Invalid,
	CodeBodyTooLarge:          Invalid,
	CodeHeadersTooLarge:       Invalid,
	CodeRequestTimeout:        Invalid,
	CodeRateLimited:           Invalid,
	CodeLengthRequired:        Invalid,
	CodeAdminDisabled:         Forbidden,
	CodeInvalidBody:           Invalid,
	CodeInvalidJSON:           Invalid,
	CodeInvalidParameter:      Invalid,
	CodeInvalidVote:           Invalid,
	CodeOriginNotAllowed:      Forbidden,
	CodeQueryTooLong:          Invalid,
	CodeBadPagination:         Invalid,
	CodeUnknownLocale:         Invalid,
	CodeReloadFailed:          Conflict,
	CodeFeedbackUnavailable:   Unavailable,
	CodeDeflectionUnavailable: Unavailable,
	CodeSearchTimeout:         Unavailable,
	CodeEventsUnavailable:     Unavailable,
	CodeNotReady:              Unavailable,
	CodeStorageUnavailable:    Unavailable,
	CodeBackupUnsupported:     Conflict,
}

// joinKinds merges the tables of each area into one.
func joinKinds(tables ...map[Code]Kind) map[Code]Kind {
	out := map[Code]Kind{}
	for _, t := range tables {
		for c, k := range t {
			out[c] = k
		}
	}
	return out
}
