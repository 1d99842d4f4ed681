package domain

import (
	"errors"
	"fmt"
)

// Kind is the broad class of a domain error, decided by its Code (codeKinds).
// There are few kinds on purpose: the HTTP layer maps each kind to a status
// in one table (Invalid → 400, Unauthorized → 401, Forbidden → 403,
// NotFound → 404, Conflict → 409, Unprocessable → 422, TooMany → 429,
// Unavailable → 503, Internal → 500) and logs only Internal errors. Clients
// branch on the finer Code, never on the message.
type Kind string

// The kinds of domain errors.
const (
	Invalid       Kind = "invalid"       // the request breaks a rule; the message says which
	NotFound      Kind = "not_found"     // the thing asked for does not exist (for this caller)
	Conflict      Kind = "conflict"      // the request clashes with the current state
	Unprocessable Kind = "unprocessable" // well-formed, but clashes with what the request's key was used for
	Forbidden     Kind = "forbidden"     // the caller is known but may not do this
	Unauthorized  Kind = "unauthorized"  // the caller is not authenticated
	Unavailable   Kind = "unavailable"   // a dependency is down for now; the same request may work later
	Internal      Kind = "internal"      // anything else: a bug or a failing dependency
	TooMany       Kind = "too_many"      // the caller has used up a quota for now; the same request works later
)

// internalMessage is all a user ever learns about an error that is not an *Error.
const internalMessage = "Internal error."

// Error is a domain error: a stable code for clients (its kind decides the
// HTTP status), a message written for the person who sees it, and, for an
// error about one input of a form, the name of that input.
type Error struct {
	Code    Code
	Message string
	Field   string // the input the error is about ("amount"); "" when none
}

// Error implements the error interface for logs; users are shown Message.
func (e *Error) Error() string {
	return fmt.Sprintf("domain: %s: %s", e.Code, e.Message)
}

// Kind is the kind of the error's code.
func (e *Error) Kind() Kind { return e.Code.Kind() }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf is Errorf for an error about one input of a form, named field.
func FieldErrorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorKind returns the kind of err: the kind of the *Error it is or wraps,
// Internal for any other error, and "" for nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind()
	}
	return Internal
}

// ErrorCode returns the code of the *Error that err is or wraps, "internal"
// for any other error, and "" for nil.
func ErrorCode(err error) Code {
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

// ErrorField returns the form input the *Error that err is or wraps is
// about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
