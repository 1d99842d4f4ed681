package domain

import (
	"errors"
	"fmt"
)

// Kind is the broad class of a domain error. There are few kinds on purpose:
// the HTTP layer maps each kind to a status in one table (Invalid → 400,
// Unauthorized → 401, Forbidden → 403, NotFound → 404, Conflict → 409,
// Internal → 500) and logs only Internal errors. Clients branch on the finer
// Code, never on the message.
type Kind string

// The kinds of domain errors.
const (
	Invalid      Kind = "invalid"      // the request breaks a rule; the message says which
	NotFound     Kind = "not_found"    // the thing asked for does not exist (for this caller)
	Conflict     Kind = "conflict"     // the request clashes with the current state
	Forbidden    Kind = "forbidden"    // the caller is known but may not do this
	Unauthorized Kind = "unauthorized" // the caller is not authenticated
	Internal     Kind = "internal"     // anything else: a bug or a failing dependency
)

// Error codes. A code is a stable, fine-grained name clients may branch on
// ("invalid_reason" is of kind Invalid). Codes are part of the API: add new
// ones freely, never rename one.
const (
	CodeInternal = "internal"

	CodeInvalidArticleID = "invalid_article_id"
	CodeInvalidLocale    = "invalid_locale"
	CodeInvalidReason    = "invalid_reason"
	CodeInvalidComment   = "invalid_comment"
	CodeInvalidSession   = "invalid_session"
	CodeInvalidVoteID    = "invalid_vote_id"
	CodeInvalidCreatedAt = "invalid_created_at"
	CodeInvalidViews     = "invalid_views"
	CodeInvalidLimit     = "invalid_limit"
	CodeVoteExists       = "vote_exists"
)

// internalMessage is all a user ever learns about an error that is not an *Error.
const internalMessage = "Internal error."

// Error is a domain error: a kind that decides the HTTP status, a stable code
// for clients and a message written for the person who sees it.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

// Error implements the error interface for logs; users are shown Message.
func (e *Error) Error() string {
	return fmt.Sprintf("domain: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error of the given kind and code with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err: the kind of the *Error it is or wraps,
// Internal for any other error, and "" for nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorCode returns the code of the *Error that err is or wraps, "internal"
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of the *Error that err is or
// wraps. Any other error gets a generic message, so that its text (paths,
// driver errors) never reaches users: log it instead. nil gives "".
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return internalMessage
}
