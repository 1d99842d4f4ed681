package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// strongSecret passes domain.ValidateTokenSecret for a chosen token.
const strongSecret = "3f9c2a7be81d4c6f0a5e9b7d2c4f8a1e6b3d5c7e9f1a2b4c"

// session signs name in and starts a browser session: the context of a
// request carrying its cookie, and the session's token.
func (w *world) session(t testing.TB, name, password string) (context.Context, *domain.Token) {
	t.Helper()
	a, err := w.Access.Login(context.Background(), name, password)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	tok, err := w.Access.CreateSession(domain.WithActor(context.Background(), a), 12*time.Hour)
	if err != nil || !tok.Session || tok.Secret == "" {
		t.Fatalf("session of %s: %+v %v", name, tok, err)
	}
	a, err = w.Access.AuthenticateSession(context.Background(), tok.Secret)
	if err != nil || a.TokenID != tok.ID {
		t.Fatalf("the new session: %+v %v", a, err)
	}
	return domain.WithActor(context.Background(), a), tok
}

// usable reports whether secret still lets its bearer in (session: as the
// session cookie).
func (w *world) usable(secret string, session bool) bool {
	var err error
	if session {
		_, err = w.Access.AuthenticateSession(context.Background(), secret)
	} else {
		_, err = w.Access.Authenticate(context.Background(), secret)
	}
	return err == nil
}

func testSessionsApart(t *testing.T, open Opener) {
	w := newWorld(t, open)
	_, sess := w.session(t, "ana", demo.Password)
	if w.usable(sess.Secret, false) {
		t.Error("a session's secret works as a bearer token")
	}
	tok, err := w.Access.CreateToken(w.as(t, "ana"), w.id("ana"), "cli", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if w.usable(tok.Secret, true) {
		t.Error("an API token works as a session")
	}
	if !w.usable(tok.Secret, false) || !w.usable(sess.Secret, true) {
		t.Error("a token or session does not work as itself")
	}
	list, err := w.Access.ListTokens(w.as(t, "ana"), w.id("ana"))
	if err != nil {
		t.Fatal(err)
	}
	sessions := 0
	for _, l := range list {
		if l.Session {
			sessions++
		}
	}
	if sessions != 1 {
		t.Errorf("ana's list shows %d sessions, want 1: %+v", sessions, list)
	}
}

func testPasswordChangeRevokes(t *testing.T, open Opener) {
	w := newWorld(t, open)
	here, sessHere := w.session(t, "sam", demo.Password)
	_, sessOther := w.session(t, "sam", demo.Password)
	api, err := w.Access.CreateToken(w.as(t, "sam"), w.id("sam"), "cli", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Access.SetPassword(here, w.id("sam"), demo.Password, "new-secret"); err != nil {
		t.Fatal(err)
	}
	if !w.usable(sessHere.Secret, true) {
		t.Error("the session the password was changed in was revoked")
	}
	if w.usable(sessOther.Secret, true) || w.usable(api.Secret, false) || w.usable(demo.Token("sam"), false) {
		t.Error("another session or token of sam survives the password change")
	}
	if !w.usable(demo.Token("sue"), false) {
		t.Error("sue's token was revoked by sam's change")
	}
	if !strings.Contains(w.audit(t, "user:"+w.id("sam")), "password.set") {
		t.Error("no audit of the change")
	}
}

func testAdminResetPassword(t *testing.T, open Opener) {
	w := newWorld(t, open)
	_, sess := w.session(t, "ben", demo.Password)
	if err := w.Access.ResetPassword(w.as(t, "adam"), w.id("ben"), "bens-new-pass"); err != nil {
		t.Fatal(err)
	}
	if w.usable(sess.Secret, true) || w.usable(demo.Token("ben"), false) {
		t.Error("ben's session or token survives the reset")
	}
	if _, err := w.Access.Login(context.Background(), "ben", "bens-new-pass"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, err := w.Access.Login(context.Background(), "ben", demo.Password); code(err) != domain.CodeBadCredentials {
		t.Errorf("the old password: %v", err)
	}
}

func testDisableEnable(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam := w.as(t, "adam")
	_, sess := w.session(t, "sam", demo.Password)
	api, err := w.Access.CreateToken(adam, w.id("sam"), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := w.Access.SetUserDisabled(adam, w.id("sam"), true)
	if err != nil || !u.Disabled {
		t.Fatalf("disable: %+v %v", u, err)
	}
	if w.usable(sess.Secret, true) || w.usable(api.Secret, false) || w.usable(demo.Token("sam"), false) {
		t.Error("a credential of a disabled user works")
	}
	if _, err := w.Access.Login(context.Background(), "sam", demo.Password); code(err) != domain.CodeBadCredentials {
		t.Errorf("a disabled user signs in: %v", err)
	}
	list, err := w.Access.ListTokens(adam, w.id("sam"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.RevokedAt == nil {
			t.Errorf("disabling left %+v live", l)
		}
	}
	// A token stored for a disabled user still does not let them in.
	if tok, err := w.Access.CreateToken(adam, w.id("sam"), "", 0); err != nil || w.usable(tok.Secret, false) {
		t.Errorf("a new token of a disabled user: %v", err)
	}
	if u, err := w.Access.SetUserDisabled(adam, w.id("sam"), false); err != nil || u.Disabled {
		t.Fatalf("enable: %+v %v", u, err)
	}
	if _, err := w.Access.Login(context.Background(), "sam", demo.Password); err != nil {
		t.Errorf("enabled sam signs in: %v", err)
	}
	if w.usable(api.Secret, false) {
		t.Error("enabling brought a revoked token back")
	}
	if got := w.audit(t, "user:"+w.id("sam")); !strings.Contains(got, "user.disabled") || !strings.Contains(got, "user.enabled") {
		t.Errorf("audit = %s", got)
	}
}

func testAdminRevokesUserToken(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam := w.as(t, "adam")
	tok, err := w.Access.CreateToken(adam, w.id("ben"), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Access.RevokeUserToken(adam, w.id("ana"), tok.ID); code(err) != domain.CodeNotFound {
		t.Errorf("ben's token as ana's: %v", err)
	}
	if !w.usable(tok.Secret, false) {
		t.Fatal("a refused revoke revoked")
	}
	if err := w.Access.RevokeUserToken(adam, w.id("ben"), tok.ID); err != nil {
		t.Fatal(err)
	}
	if w.usable(tok.Secret, false) {
		t.Error("the revoked token works")
	}
}

func testRevokeByLabel(t *testing.T, open Opener) {
	w := newWorld(t, open)
	boot, err := w.Access.PutTokenSecret(system, w.id("adam"), domain.BootstrapTokenLabel, strongSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.Access.RevokeTokensByLabel(system, domain.DemoTokenLabel)
	if err != nil || n != 6 {
		t.Fatalf("revoke demo tokens: %d %v, want 6", n, err)
	}
	for _, name := range []string{"ana", "ben", "sam", "sue", "olga", "adam"} {
		if w.usable(demo.Token(name), false) {
			t.Errorf("demo token of %s works", name)
		}
	}
	if !w.usable(boot.Secret, false) {
		t.Error("the bootstrap token went with the demo's")
	}
	if n, err := w.Access.RevokeTokensByLabel(system, domain.BootstrapTokenLabel); err != nil || n != 1 || w.usable(boot.Secret, false) {
		t.Errorf("revoke the bootstrap token: %d %v", n, err)
	}
	// Seeding again (a -demo start) brings the demo tokens back, once each.
	if _, err := demo.Seed(context.Background(), demo.Services{Access: w.Access, Orders: w.Orders}, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if !w.usable(demo.Token("ana"), false) {
		t.Error("seeding did not restore ana's demo token")
	}
	list, err := w.Access.ListTokens(w.as(t, "ana"), w.id("ana"))
	if err != nil || len(list) != 1 || list[0].RevokedAt != nil {
		t.Errorf("ana's tokens after re-seeding: %+v %v", list, err)
	}
}

func testLoginBackoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ctx := context.Background()
	// Five wrong guesses at sam, under any spelling of the name (and from
	// any address: the store does not know them).
	for i, name := range []string{"sam", " sam", "SAM", "sam ", "Sam"} {
		if _, err := w.Access.Login(ctx, name, "wrong-"+name); code(err) != domain.CodeBadCredentials {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, err := w.Access.Login(ctx, "sam", demo.Password); code(err) != domain.CodeLoginLocked {
		t.Fatalf("the right password while locked: %v", err)
	}
	// An unknown name locks the same way: the lock says nothing of existence.
	for range domain.LoginFreeFailures {
		w.Access.Login(ctx, "nobody", "wrong")
	}
	if _, err := w.Access.Login(ctx, "nobody", "wrong"); code(err) != domain.CodeLoginLocked {
		t.Errorf("unknown name: %v", err)
	}
	// Other names are not locked.
	if _, err := w.Access.Login(ctx, "sue", demo.Password); err != nil {
		t.Errorf("sue: %v", err)
	}
	w.clock.Add(domain.LoginBaseLock)
	if _, err := w.Access.Login(ctx, "sam", demo.Password); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// A success clears the count: one more wrong guess does not lock.
	w.Access.Login(ctx, "sam", "wrong")
	if _, err := w.Access.Login(ctx, "sam", demo.Password); err != nil {
		t.Errorf("after a success and one failure: %v", err)
	}
}

func testCredentialRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam, olga, sam := w.as(t, "adam"), w.as(t, "olga"), w.as(t, "sam")
	nothing := func(_ any, err error) error { return err }
	w.refuseAll(t, []refusal{
		{"set a common password", domain.CodeInvalidPassword, func() error { return w.Access.SetPassword(sam, w.id("sam"), demo.Password, "password1") }},
		{"set a 7-character password", domain.CodeInvalidPassword, func() error { return w.Access.SetPassword(sam, w.id("sam"), demo.Password, "abcdefg") }},
		{"admin sets demo", domain.CodeInvalidPassword, func() error { return w.Access.SetPassword(adam, w.id("sue"), "", demo.Password) }},
		{"reset as agent", domain.CodeForbidden, func() error { return w.Access.ResetPassword(olga, w.id("sam"), "long-enough-pass") }},
		{"reset as seller", domain.CodeForbidden, func() error { return w.Access.ResetPassword(sam, w.id("sam"), "long-enough-pass") }},
		{"reset anonymous", domain.CodeUnauthorized, func() error { return w.Access.ResetPassword(anon, w.id("sam"), "long-enough-pass") }},
		{"reset weak", domain.CodeInvalidPassword, func() error { return w.Access.ResetPassword(adam, w.id("sam"), "qwerty") }},
		{"reset unknown user", domain.CodeNotFound, func() error { return w.Access.ResetPassword(adam, "no-such-user", "long-enough-pass") }},
		{"disable as agent", domain.CodeForbidden, func() error { return nothing(w.Access.SetUserDisabled(olga, w.id("sam"), true)) }},
		{"disable anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.SetUserDisabled(anon, w.id("sam"), true)) }},
		{"disable oneself", domain.CodeDisableSelf, func() error { return nothing(w.Access.SetUserDisabled(adam, w.id("adam"), true)) }},
		{"disable unknown user", domain.CodeNotFound, func() error { return nothing(w.Access.SetUserDisabled(adam, "no-such-user", true)) }},
		{"revoke user token as agent", domain.CodeForbidden, func() error { return w.Access.RevokeUserToken(olga, w.id("sam"), "x") }},
		{"revoke unknown user token", domain.CodeNotFound, func() error { return w.Access.RevokeUserToken(adam, w.id("sam"), "no-such-token") }},
		{"revoke by label as admin", domain.CodeForbidden, func() error { return nothing(w.Access.RevokeTokensByLabel(adam, domain.DemoTokenLabel)) }},
		{"session anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.CreateSession(anon, time.Hour)) }},
		{"session too long", domain.CodeInvalidToken, func() error { return nothing(w.Access.CreateSession(sam, 10*365*24*time.Hour)) }},
		{"weak chosen secret", domain.CodeInvalidToken, func() error {
			return nothing(w.Access.PutTokenSecret(system, w.id("adam"), domain.BootstrapTokenLabel, strings.Repeat("a", 16), nil))
		}},
		{"demo label, not a demo secret", domain.CodeInvalidToken, func() error {
			return nothing(w.Access.PutTokenSecret(system, w.id("adam"), domain.DemoTokenLabel, strongSecret, nil))
		}},
	})
	// Nothing above changed sam's credentials.
	if !w.usable(demo.Token("sam"), false) {
		t.Error("a refusal revoked sam's token")
	}
	if _, err := w.Access.Login(context.Background(), "sam", demo.Password); err != nil {
		t.Errorf("a refusal changed sam's password: %v", err)
	}
}
