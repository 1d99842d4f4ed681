package apertium

import (
	"errors"
	"fmt"
)

// Kinds of failure; test with errors.Is. Only ErrUnavailable is worth retrying.
var (
	// ErrUnavailable: the engine could not be reached or answered 5xx, 408 or
	// 429, or the request timed out or was cancelled. Retry later.
	ErrUnavailable = errors.New("engine unavailable")
	// ErrUnsupportedPair: the engine has no such language pair (or a code is
	// malformed). Permanent until the engine's configuration changes.
	ErrUnsupportedPair = errors.New("unsupported language pair")
	// ErrTooLong: the text is over Options.MaxTextBytes or holds more than
	// Options.MaxMarkup markup spans. Permanent for this text.
	ErrTooLong = errors.New("text too long")
	// ErrBadResponse: the engine answered something this client does not
	// understand (not APY, another version, a 4xx other than the above).
	ErrBadResponse = errors.New("bad response")
	// ErrUndetermined: Detect found no evidence for any language.
	ErrUndetermined = errors.New("language undetermined")
)

// Error is what every method returns on failure: Kind is one of the Err*
// values above, Status the HTTP status when there was one.
type Error struct {
	Op     string // "translate eng|spa", "listPairs", "identifyLang"
	Kind   error
	Status int    // HTTP status, 0 without a response
	Detail string // the engine's explanation or ours
	Err    error  // the underlying transport or decoding error, if any
}

func (e *Error) Error() string {
	msg := "apertium: " + e.Op + ": " + e.Kind.Error()
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap lets errors.Is match both the kind and the cause
// (context.DeadlineExceeded, *net.OpError…).
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Retryable reports whether err may go away by itself (the engine was down,
// busy or slow), as opposed to a permanent refusal of this text or pair.
func Retryable(err error) bool { return errors.Is(err, ErrUnavailable) }
