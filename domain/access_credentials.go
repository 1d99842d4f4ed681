package domain

import (
	_ "embed"
	"strings"
	"sync"
	"time"
)

// NormalizeLoginName is the one form of a login name that sign-in, its
// throttles and the store all use: trimmed and lower-cased, so that " Sam"
// is the same account as "sam" everywhere (and gets no guesses of its own).
func NormalizeLoginName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// commonPasswords is the top 1,000 of SecLists'
// Passwords/Common-Credentials/10-million-password-list-top-1000.txt
// (danielmiessler/SecLists, MIT), one a line.
//
//go:embed access_common_passwords.txt
var commonPasswords string

var commonSet = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswords, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			m[strings.ToLower(l)] = true
		}
	}
	return m
})

// CommonPassword reports whether p is, ignoring case, one of the thousand
// most common passwords of a public list of leaked ones.
func CommonPassword(p string) bool { return commonSet()[strings.ToLower(p)] }

// Sign-in back-off per account, whatever address the guesses come from:
// LoginFreeFailures wrong passwords in a row cost nothing; each one after
// locks the name for LoginBaseLock, doubling up to LoginMaxLock. A success
// clears the count; so does LoginForgetAfter without a failure.
const (
	LoginFreeFailures = 5
	LoginBaseLock     = time.Minute
	LoginMaxLock      = time.Hour
	LoginForgetAfter  = 24 * time.Hour
)

// LoginAttempts is what the store keeps per login name (existing or not, so
// that a lock-out says nothing of whether the account exists).
type LoginAttempts struct {
	Failures    int       `json:"failures"`
	LastFailure time.Time `json:"last_failure"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// LoginLock is how long a name is locked after its failures-th failure in a row.
func LoginLock(failures int) time.Duration {
	if failures < LoginFreeFailures {
		return 0
	}
	d := LoginBaseLock
	for i := LoginFreeFailures; i < failures && d < LoginMaxLock; i++ {
		d *= 2
	}
	return min(d, LoginMaxLock)
}

// StartLogin decides whether a sign-in as a name with attempts att may be
// tried at now. It counts the attempt as a failure before the password is
// checked (a success clears it), so that guesses sent in parallel are
// counted too. It returns the attempts to store, or login_locked.
func StartLogin(att LoginAttempts, now time.Time) (LoginAttempts, error) {
	if now.Before(att.LockedUntil) {
		return att, ErrLoginLocked(att.LockedUntil.Sub(now))
	}
	if !att.LastFailure.IsZero() && now.Sub(att.LastFailure) >= LoginForgetAfter {
		att = LoginAttempts{}
	}
	att.Failures++
	att.LastFailure = now
	if d := LoginLock(att.Failures); d > 0 {
		att.LockedUntil = now.Add(d)
	}
	return att, nil
}

// ErrLoginLocked refuses a sign-in while the name is locked; the same for
// every name, known or not.
func ErrLoginLocked(wait time.Duration) *Error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return Errorf(CodeLoginLocked, "Too many failed sign-ins for this name. Try again in %d minute(s).", max(minutes, 1))
}

// CheckDisableUser lets an admin disable or enable u, but never themself
// (nobody would be left to enable them).
func CheckDisableUser(a Actor, u *User) error {
	if err := RequireAdmin(a); err != nil {
		return err
	}
	if u.ID == a.UserID {
		return Errorf(CodeDisableSelf, "You cannot disable or enable yourself.")
	}
	return nil
}

// RevokeOnPasswordChange reports whether tok is revoked when a sets userID's
// password: every token and session of the user, except the session the
// user is changing their own password in.
func RevokeOnPasswordChange(a Actor, userID string, tok *Token) bool {
	return tok.RevokedAt == nil && !(a.UserID == userID && tok.ID == a.TokenID && a.TokenID != "")
}

// RequireSystem lets only the program itself through (start-up work that no
// route may reach).
func RequireSystem(a Actor) error {
	if !a.IsSystem() {
		return Errorf(CodeForbidden, "Only the program itself may do this.")
	}
	return nil
}
