package domain

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// What one user may write, so that one account cannot exhaust the server's
// memory or disk: the figures that are policies are settings (Policy), the
// others constants.

// Reading a thread: its messages come a page at a time, newest first.
const (
	DefaultMessagePage = 20
	MaxMessagePage     = 100
	// MaxMessagePageBytes: a page ends once its message bodies hold this
	// much (it always holds at least one message), so that a read of a
	// thread of long messages stays small (20 × 100 KB would be 2 MB).
	MaxMessagePageBytes = 512 << 10
)

// Tokens and their labels.
const (
	MaxTokenLabelRunes = 100
	// MaxTokensPerUser bounds the live (unexpired, unrevoked) API tokens a
	// user may mint; sign-in sessions (SessionTokenLabel) are not counted:
	// they live 12 hours and sign-ins are throttled.
	MaxTokensPerUser = 20
)

// SessionTokenLabel labels the token of a browser session.
const SessionTokenLabel = "browser session"

// MessagePage asks for one page of a thread's messages: the newest without
// a cursor, older ones with the cursor the page before gave (Thread.MessagesNext).
type MessagePage struct {
	Cursor string
	Limit  int // 0: DefaultMessagePage; at most MaxMessagePage
}

// Validate checks the page size.
func (p MessagePage) Validate() error {
	if p.Limit < 0 || p.Limit > MaxMessagePage {
		return Errorf(CodeInvalidLimit, "limit is from 1 to %d messages.", MaxMessagePage)
	}
	return nil
}

// Size is the number of messages the page holds at most.
func (p MessagePage) Size() int {
	if p.Limit == 0 {
		return DefaultMessagePage
	}
	return p.Limit
}

// ValidateTokenLabel checks the label a user gives a token they mint.
func ValidateTokenLabel(label string) error {
	if !utf8.ValidString(label) || utf8.RuneCountInString(label) > MaxTokenLabelRunes {
		return FieldErrorf(CodeInvalidToken, "label", "A token's label is at most %d characters.", MaxTokenLabelRunes)
	}
	return nil
}

// CheckTokenCount refuses a new token when the user holds live ones enough.
func CheckTokenCount(live int) error {
	if live >= MaxTokensPerUser {
		return Errorf(CodeTooManyTokens, "You have %d live tokens, the most there may be: revoke one first.", live)
	}
	return nil
}

// Quota is how many actions, and how many bytes, one user may take in a
// window of time. A zero Max or MaxBytes is no limit on that count.
type Quota struct {
	Max      int
	MaxBytes int64
	Per      time.Duration
}

// Usage is what a user has taken of a quota in the window that began at Start.
type Usage struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
	Bytes int64     `json:"bytes"`
}

// Take counts one more action of n bytes at now against q, from u (the
// user's usage so far; a window that has ended starts again). It returns
// the new usage, or an error of code when the quota is spent; what names the
// action for the user ("messages").
func (q Quota) Take(u Usage, n int64, now time.Time, code Code, what string) (Usage, error) {
	if q.Per <= 0 || (q.Max <= 0 && q.MaxBytes <= 0) {
		return u, nil
	}
	if u.Start.IsZero() || !now.Before(u.Start.Add(q.Per)) || now.Before(u.Start) {
		u = Usage{Start: now}
	}
	retry := u.Start.Add(q.Per).Sub(now).Round(time.Second)
	if q.Max > 0 && u.Count+1 > q.Max {
		return u, Errorf(code, "Too many %s: at most %d %s; try again in %s.", what, q.Max, per(q.Per), retry)
	}
	if q.MaxBytes > 0 && u.Bytes+n > q.MaxBytes {
		return u, Errorf(code, "Too many %s: at most %d MiB %s; try again in %s.", what, q.MaxBytes>>20, per(q.Per), retry)
	}
	u.Count++
	u.Bytes += n
	return u, nil
}

func per(d time.Duration) string {
	switch d {
	case time.Minute:
		return "a minute"
	case time.Hour:
		return "an hour"
	case 24 * time.Hour:
		return "a day"
	}
	return fmt.Sprintf("per %s", d)
}

// MessageQuota is how many messages one user may post (Policy.MessagesPerMinute).
func (p Policy) MessageQuota() Quota {
	return Quota{Max: p.MessagesPerMinute, Per: time.Minute}
}

// UploadQuota is how many files, and bytes, one user may upload a day.
func (p Policy) UploadQuota() Quota {
	return Quota{Max: p.UploadsPerDay, MaxBytes: p.UploadBytesPerDay, Per: 24 * time.Hour}
}

// UnreferencedUpload reports whether an upload made at created, which no
// message carries, is old enough at now to be removed.
func (p Policy) UnreferencedUpload(created, now time.Time) bool {
	return p.UnreferencedUploadTTL > 0 && !now.Before(created.Add(p.UnreferencedUploadTTL))
}
