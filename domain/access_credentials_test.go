package domain

import (
	"strings"
	"testing"
	"time"
)

func TestChosenSecrets(t *testing.T) {
	for _, tc := range []struct {
		label, secret string
		ok            bool
	}{
		{BootstrapTokenLabel, strings.Repeat("a", 16), false}, // the token
		{BootstrapTokenLabel, strings.Repeat("a", 64), false}, // long, one character
		{BootstrapTokenLabel, strings.Repeat("ab12", 10), false},
		{BootstrapTokenLabel, "test-admin-token", false},
		{BootstrapTokenLabel, "3f9c2a7be81d4c6f0a5e9b7d2c4f8a1e6b3d5c7e9f1a2b4c", true}, // openssl rand -hex 24
		{BootstrapTokenLabel, "demo-adam", false},
		{DemoTokenLabel, "demo-adam", true},
		{DemoTokenLabel, "hunter2-hunter2", false},
		{DemoTokenLabel, "demo-", false},
	} {
		if err := ValidateTokenSecret(tc.label, tc.secret); (err == nil) != tc.ok {
			t.Errorf("ValidateTokenSecret(%q, %q) = %v, want ok %v", tc.label, tc.secret, err, tc.ok)
		} else if err != nil && ErrorCode(err) != CodeInvalidToken {
			t.Errorf("ValidateTokenSecret(%q): code %q", tc.secret, ErrorCode(err))
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		p  string
		ok bool
	}{
		{"demo", false}, {"1234567", false}, {"password", false}, {"Password1", false}, {"PASSWORD", false},
		{"qwertyuiop", false}, {"iloveyou", false}, {"sunshine", false},
		{"correct horse", true}, {"s3cret-pass", true}, {"ñandú-tres", true},
		{strings.Repeat("x", 64) + "yz", true}, // 64+ characters are allowed
		{strings.Repeat("x", 73), false},       // bcrypt's 72 bytes
		{"bad\xffbytes", false},
	} {
		if err := ValidatePassword(tc.p); (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok %v", tc.p, err, tc.ok)
		} else if err != nil && ErrorCode(err) != CodeInvalidPassword {
			t.Errorf("ValidatePassword(%q): code %q", tc.p, ErrorCode(err))
		}
	}
	// Seeding (the program itself) may set the demo's "demo"; people may not.
	if err := ValidatePasswordBy(SystemActor, "demo"); err != nil {
		t.Errorf("seeding demo: %v", err)
	}
	if err := ValidatePasswordBy(adam, "demo"); ErrorCode(err) != CodeInvalidPassword {
		t.Errorf("admin sets demo: %v", err)
	}
	if len(commonSet()) < 990 { // 1,001 lines, a few the same but for case
		t.Errorf("the common password list lost lines")
	}
}

func TestTokenTTLHours(t *testing.T) {
	for _, tc := range []struct {
		hours int64
		want  time.Duration
		ok    bool
	}{
		{0, DefaultTokenTTL, true}, {1, time.Hour, true}, {8784, MaxTokenTTL, true},
		{8785, 0, false}, {-1, 0, false}, {773738432, 0, false}, // wrapped into 70 seconds before
		{1 << 62, 0, false},
	} {
		got, err := TokenTTLHours(tc.hours)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("TokenTTLHours(%d) = %v, %v; want %v ok %v", tc.hours, got, err, tc.want, tc.ok)
		}
		if err != nil && ErrorCode(err) != CodeInvalidToken {
			t.Errorf("TokenTTLHours(%d): code %q", tc.hours, ErrorCode(err))
		}
	}
}

func TestSessionsAndTokensAreApart(t *testing.T) {
	if err := CheckTokenUse(&Token{Session: true}, &User{}, t0, false); ErrorCode(err) != CodeUnauthorized {
		t.Errorf("a session's secret as a bearer token: %v", err)
	}
	if err := CheckTokenUse(&Token{}, &User{}, t0, true); ErrorCode(err) != CodeUnauthorized {
		t.Errorf("an API token as the session cookie: %v", err)
	}
	if err := CheckTokenUse(&Token{Session: true}, &User{}, t0, true); err != nil {
		t.Errorf("a session as a session: %v", err)
	}
}

func TestNormalizeLoginName(t *testing.T) {
	for _, in := range []string{"sam", " sam", "SAM ", "\tSam\n"} {
		if got := NormalizeLoginName(in); got != "sam" {
			t.Errorf("NormalizeLoginName(%q) = %q", in, got)
		}
	}
}

func TestLoginBackoff(t *testing.T) {
	var att LoginAttempts
	now := t0
	var err error
	for i := 1; i <= LoginFreeFailures; i++ {
		if att, err = StartLogin(att, now); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if att.Failures != 5 || !att.LockedUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("after 5: %+v", att)
	}
	if _, err := StartLogin(att, now.Add(59*time.Second)); ErrorCode(err) != CodeLoginLocked || ErrorMessage(err) != "Too many failed sign-ins for this name. Try again in 1 minute(s)." {
		t.Errorf("6th within the lock: %v", err)
	}
	now = now.Add(time.Minute)
	if att, err = StartLogin(att, now); err != nil || !att.LockedUntil.Equal(now.Add(2*time.Minute)) {
		t.Errorf("6th after the lock: %+v %v", att, err)
	}
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{4, 0}, {5, time.Minute}, {7, 4 * time.Minute}, {11, time.Hour}, {1000, time.Hour}} {
		if got := LoginLock(c.n); got != c.want {
			t.Errorf("LoginLock(%d) = %v, want %v", c.n, got, c.want)
		}
	}
	// A day without a failure forgets them.
	if att, err = StartLogin(att, now.Add(LoginForgetAfter+time.Hour)); err != nil || att.Failures != 1 {
		t.Errorf("a day later: %+v %v", att, err)
	}
}

func TestCredentialRules(t *testing.T) {
	if err := CheckDisableUser(adam, &User{ID: adam.UserID}); ErrorCode(err) != CodeDisableSelf {
		t.Errorf("admin disables themself: %v", err)
	}
	if err := CheckDisableUser(olga, &User{ID: "u-sam"}); ErrorCode(err) != CodeForbidden {
		t.Errorf("agent disables: %v", err)
	}
	if err := CheckDisableUser(adam, &User{ID: "u-sam"}); err != nil {
		t.Errorf("admin disables sam: %v", err)
	}
	me := Actor{UserID: "u-sam", TokenID: "t-here"}
	if RevokeOnPasswordChange(me, "u-sam", &Token{ID: "t-here"}) {
		t.Error("the session the password is changed in is revoked")
	}
	if !RevokeOnPasswordChange(me, "u-sam", &Token{ID: "t-other"}) || !RevokeOnPasswordChange(adam, "u-sam", &Token{ID: "t-here"}) {
		t.Error("another session or token survives a password change")
	}
	if err := RequireSystem(adam); ErrorCode(err) != CodeForbidden {
		t.Errorf("admin as the system: %v", err)
	}
}
