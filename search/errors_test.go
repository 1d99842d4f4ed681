package search

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		err      error
		sentinel error
		code     string
		text     string
	}{
		{errorf(ErrQueryTooLong, "%d bytes, at most %d", 300, 256), ErrQueryTooLong, "query_too_long", "search: query too long: 300 bytes, at most 256"},
		{errorf(ErrBadPagination, "page %d", 9), ErrBadPagination, "bad_pagination", "search: page out of range: page 9"},
		{fmt.Errorf("deflect: %w", errorf(ErrUnknownLocale, "%q", "xx")), ErrUnknownLocale, "unknown_locale", `deflect: search: unknown locale: "xx"`},
	} {
		if !errors.Is(tc.err, tc.sentinel) {
			t.Errorf("errors.Is(%v, %v) = false, want true", tc.err, tc.sentinel)
		}
		if got := tc.err.Error(); got != tc.text {
			t.Errorf("Error() = %q, want %q", got, tc.text)
		}
		if got := ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		var e *Error
		errors.As(tc.err, &e)
		if got, want := ErrorMessage(tc.err), e.Error()[len("search: "):]; got != want {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, want)
		}
	}
	if errors.Is(ErrQueryTooLong, ErrBadPagination) {
		t.Error("two codes match each other")
	}
	if ErrorCode(errors.New("disk on fire")) != "" || ErrorMessage(errors.New("disk on fire")) != "" {
		t.Error("an internal error has a code or a user message")
	}
}
