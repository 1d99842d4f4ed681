package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// TestSessionCookieIsNotABearerToken: the session cookie's secret does not
// reach the JSON API, so it cannot mint a token that outlives the session.
func TestSessionCookieIsNotABearerToken(t *testing.T) {
	w := newDomainWorld(t)
	b := w.forms()
	b.login(t, "ana")
	cookie := b.cookies["hc_session"]
	if r := w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+cookie); r.status != http.StatusUnauthorized {
		t.Errorf("the cookie as a bearer token: %d, want 401", r.status)
	}
	if r := w.call(t, "", "POST", "/api/v1/me/tokens", map[string]any{"ttl_hours": 8784}, "Authorization", "Bearer "+cookie); r.status != http.StatusUnauthorized {
		t.Errorf("minting with the cookie: %d %s, want 401", r.status, r.body)
	}
	// The wrapped lifetime: 773738432 hours is refused, not turned into 70 s.
	r := w.call(t, "ana", "POST", "/api/v1/me/tokens", map[string]any{"ttl_hours": 773738432})
	if r.status != http.StatusBadRequest || r.code() != "invalid_token" {
		t.Errorf("ttl_hours 773738432: %d %s, want 400 invalid_token", r.status, r.body)
	}
	if r := w.call(t, "ana", "POST", "/api/v1/me/tokens", map[string]any{"ttl_hours": 8785}); r.status != http.StatusBadRequest {
		t.Errorf("ttl_hours over a year: %d", r.status)
	}
}

// TestPasswordChangeRevokesOtherCredentials: changing a password at
// /password ends the user's other sessions and their API tokens, not the
// session it was changed in; a weak new password is refused.
func TestPasswordChangeRevokesOtherCredentials(t *testing.T) {
	w := newDomainWorld(t)
	here, other := w.forms(), w.forms()
	here.login(t, "ana")
	other.login(t, "ana")
	var tok domain.Token
	w.call(t, "ana", "POST", "/api/v1/me/tokens", map[string]any{"label": "cli"}).decode(t, &tok)
	if status, _, body := here.post(t, "/password", "/password", url.Values{"current": {"demo"}, "password": {"password1"}, "again": {"password1"}}); status != http.StatusBadRequest || !strings.Contains(body, "common") {
		t.Errorf("a common password: %d", status)
	}
	if status, _, _ := here.post(t, "/password", "/password", url.Values{"current": {"demo"}, "password": {"s3cret-pass"}, "again": {"s3cret-pass"}}); status != http.StatusSeeOther {
		t.Fatalf("password change: %d", status)
	}
	if status, _, _ := here.get(t, "/account"); status != http.StatusOK {
		t.Errorf("the session the password was changed in: %d, want 200", status)
	}
	if status, _, _ := other.do(t, "GET", "/account", nil); status != http.StatusSeeOther {
		t.Errorf("another session after the change: %d, want 303 to sign in", status)
	}
	for _, secret := range []string{tok.Secret, "demo-ana"} {
		if r := w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+secret); r.status != http.StatusUnauthorized {
			t.Errorf("token %s… after the change: %d, want 401", secret[:5], r.status)
		}
	}
}

// TestLoginBackoffPerName: " sam" is sam for the per-address throttle, and a
// name locked by failures from elsewhere refuses even the right password.
func TestLoginBackoffPerName(t *testing.T) {
	w := newDomainWorld(t)
	b := w.forms()
	for _, name := range []string{"sam", " sam", "SAM", "sam ", " Sam "} {
		b.post(t, "/login", "/login", url.Values{"name": {name}, "password": {"guess-" + name}})
	}
	if status, _, _ := b.post(t, "/login", "/login", url.Values{"name": {"\tsam"}, "password": {"demo"}}); status != http.StatusTooManyRequests {
		t.Errorf("6th try under another spelling: %d, want 429", status)
	}
	// Failures at sue from other addresses (the store counts per name).
	access := bolt.NewAccessService(w.db)
	for range domain.LoginFreeFailures {
		access.Login(context.Background(), "sue", "wrong")
	}
	status, _, body := w.forms().post(t, "/login", "/login", url.Values{"name": {"sue"}, "password": {"demo"}})
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins for this name") {
		t.Errorf("sue with the right password while locked: %d", status)
	}
	// An unknown name answers the same.
	for range domain.LoginFreeFailures {
		access.Login(context.Background(), "nobody", "wrong")
	}
	if status, _, _ := w.forms().post(t, "/login", "/login", url.Values{"name": {"nobody"}, "password": {"demo"}}); status != http.StatusTooManyRequests {
		t.Errorf("unknown name locked: %d, want 429 like a known one", status)
	}
}

// TestAdminManagesCredentials: the admin routes, with exact outcomes and the
// state after each.
func TestAdminManagesCredentials(t *testing.T) {
	w := newDomainWorld(t)
	ben := w.world.Users["ben"].ID
	sam := w.world.Users["sam"].ID
	adam := w.world.Users["adam"].ID
	me := func(secret string) int {
		return w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+secret).status
	}
	var tok domain.Token
	w.call(t, "ben", "POST", "/api/v1/me/tokens", map[string]any{"label": "cli"}).decode(t, &tok)

	// Refusals change nothing.
	for _, c := range []struct {
		who, method, path string
		body              any
		status            int
	}{
		{"olga", "POST", "/api/v1/admin/users/" + ben + "/disable", nil, 403},
		{"sam", "POST", "/api/v1/admin/users/" + ben + "/disable", nil, 403},
		{"olga", "POST", "/api/v1/admin/users/" + ben + "/password", map[string]any{"password": "long-enough-pass"}, 403},
		{"olga", "GET", "/api/v1/admin/users/" + ben + "/tokens", nil, 403},
		{"olga", "DELETE", "/api/v1/admin/users/" + ben + "/tokens/" + tok.ID, nil, 403},
		{"olga", "POST", "/api/v1/admin/users/" + adam + "/tokens", nil, 403},            // an agent minting for the admin
		{"adam", "DELETE", "/api/v1/admin/users/" + sam + "/tokens/" + tok.ID, nil, 404}, // ben's token, not sam's
		{"adam", "POST", "/api/v1/admin/users/" + adam + "/disable", nil, 409},
		{"adam", "POST", "/api/v1/admin/users/" + ben + "/password", map[string]any{"password": "qwerty123"}, 400},
		{"adam", "POST", "/api/v1/admin/users/no-such-user/disable", nil, 404},
		{"", "POST", "/api/v1/admin/users/" + ben + "/disable", nil, 401},
	} {
		if r := w.call(t, c.who, c.method, c.path, c.body); r.status != c.status {
			t.Errorf("%s %s %s: %d %s, want %d", c.who, c.method, c.path, r.status, r.body, c.status)
		}
	}
	if me(tok.Secret) != 200 || me("demo-ben") != 200 || me("demo-adam") != 200 {
		t.Fatal("a refused request changed a credential")
	}

	// The list shows tokens without secrets.
	r := w.call(t, "adam", "GET", "/api/v1/admin/users/"+ben+"/tokens", nil)
	if r.status != 200 || !strings.Contains(string(r.body), tok.ID) || strings.Contains(string(r.body), tok.Secret) || strings.Contains(string(r.body), `"token":`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "DELETE", "/api/v1/admin/users/"+ben+"/tokens/"+tok.ID, nil); r.status != 204 || me(tok.Secret) != 401 || me("demo-ben") != 200 {
		t.Errorf("revoke one token: %d", r.status)
	}

	// Disable: every credential dies, sign-in refused; enable: sign-in works.
	b := w.forms()
	b.login(t, "sam")
	var u domain.User
	r = w.call(t, "adam", "POST", "/api/v1/admin/users/"+sam+"/disable", nil)
	r.decode(t, &u)
	if r.status != 200 || !u.Disabled {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if me("demo-sam") != 401 {
		t.Error("a disabled user's token works")
	}
	if status, _, _ := b.do(t, "GET", "/seller/messages", nil); status != http.StatusSeeOther {
		t.Errorf("a disabled user's session: %d, want 303 to sign in", status)
	}
	if status, _, _ := w.forms().post(t, "/login", "/login", url.Values{"name": {"sam"}, "password": {"demo"}}); status != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d, want 401", status)
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/users/"+sam+"/enable", nil); r.status != 200 {
		t.Errorf("enable: %d", r.status)
	}
	w.forms().login(t, "sam")

	// Reset: the new password works, the old one and every token do not.
	if r := w.call(t, "adam", "POST", "/api/v1/admin/users/"+ben+"/password", map[string]any{"password": "bens-new-pass"}); r.status != 204 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if me("demo-ben") != 401 {
		t.Error("ben's token survives the reset")
	}
	if status, _, _ := w.forms().post(t, "/login", "/login", url.Values{"name": {"ben"}, "password": {"bens-new-pass"}}); status != http.StatusSeeOther {
		t.Errorf("ben with the new password: %d", status)
	}
	if !strings.Contains(auditOf(t, w, "user:"+sam), "user.disabled") {
		t.Error("disabling is not audited")
	}
}

// TestAdminUserPages: the users section of the operator's admin pages.
func TestAdminUserPages(t *testing.T) {
	w := newDomainWorld(t)
	sam := w.world.Users["sam"].ID
	olga := w.forms()
	olga.login(t, "olga")
	for _, p := range []string{"/operator/admin/users", "/operator/admin/users/" + sam} {
		if status, _, _ := olga.get(t, p); status != http.StatusForbidden {
			t.Errorf("agent on %s: %d, want 403", p, status)
		}
	}
	if status, _, _ := olga.post(t, "/operator", "/operator/admin/users/"+sam+"/disable", url.Values{}); status != http.StatusForbidden {
		t.Errorf("agent disables: %d, want 403", status)
	}
	if r := w.call(t, "sam", "GET", "/api/v1/me", nil); r.status != 200 {
		t.Fatal("an agent's refused form disabled sam")
	}
	adam := w.forms()
	adam.login(t, "adam")
	if status, body, _ := adam.get(t, "/operator/admin/users"); status != 200 || !strings.Contains(body, "/operator/admin/users/"+sam) {
		t.Errorf("users page: %d", status)
	}
	if status, body, _ := adam.get(t, "/operator/admin/users/"+sam); status != 200 || !strings.Contains(body, "demo") {
		t.Errorf("sam's page: %d", status)
	}
	if status, h, _ := adam.post(t, "/operator/admin/users/"+sam, "/operator/admin/users/"+sam+"/disable", url.Values{}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=disabled") {
		t.Errorf("disable form: %d %s", status, h.Get("Location"))
	}
	if r := w.call(t, "sam", "GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("sam after the disable form: %d", r.status)
	}
	if status, _, body := adam.post(t, "/operator/admin/users/"+sam, "/operator/admin/users/"+sam+"/password", url.Values{"password": {"12345678"}, "again": {"12345678"}}); status != http.StatusBadRequest || !strings.Contains(body, "common") {
		t.Errorf("weak reset form: %d", status)
	}
	if status, _, _ := adam.post(t, "/operator/admin/users/"+sam, "/operator/admin/users/"+sam+"/enable", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("enable form: %d", status)
	}
}

func auditOf(t *testing.T, w *domainWorld, entity string) string {
	t.Helper()
	r := w.call(t, "adam", "GET", "/api/v1/audit?entity="+url.QueryEscape(entity), nil)
	return string(r.body)
}
