package search

import (
	"errors"
	"fmt"
)

// Error is a search error a caller can act on: a stable Code for clients
// (the HTTP layer's problem type) and a Message for people, without the
// "search: " origin that Error adds. It matches its sentinel with errors.Is:
// errors.Is(err, ErrQueryTooLong) holds for every query_too_long Error.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "search: " + e.Message }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Stable codes of the errors a caller can act on.
const (
	CodeQueryTooLong  = "query_too_long"
	CodeBadPagination = "bad_pagination"
	CodeUnknownLocale = "unknown_locale"
)

// Errors a caller can act on (every *Error returned matches one of them);
// everything else is internal.
var (
	ErrQueryTooLong  = &Error{Code: CodeQueryTooLong, Message: "query too long"}
	ErrBadPagination = &Error{Code: CodeBadPagination, Message: "page out of range"}
	ErrUnknownLocale = &Error{Code: CodeUnknownLocale, Message: "unknown locale"}
)

// errorf returns an error of kind with kind's message followed by the
// formatted details: "query too long: 300 bytes, at most 256".
func errorf(kind *Error, format string, args ...any) *Error {
	return &Error{Code: kind.Code, Message: kind.Message + ": " + fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Code of the search Error in err's chain, or "" when
// there is none (an internal error).
func ErrorCode(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

// ErrorMessage returns the Message of the search Error in err's chain (what
// a user may be shown), or "" when there is none.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return ""
}
