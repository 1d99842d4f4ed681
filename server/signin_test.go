package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// formClient is a cookie-keeping client of a domainWorld's pages, for tests of
// the back office without Chromium.
type formClient struct {
	w       *domainWorld
	cookies map[string]string
}

func (w *domainWorld) forms() *formClient { return &formClient{w: w, cookies: map[string]string{}} }

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *formClient) do(t testing.TB, method, target string, form url.Values, header ...string) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.w.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(data)
}

// get fetches a page and returns its status, body and CSRF token (if it has a form).
func (b *formClient) get(t testing.TB, target string) (int, string, string) {
	t.Helper()
	status, _, body := b.do(t, "GET", target, nil)
	token := ""
	if m := csrfField.FindStringSubmatch(body); m != nil {
		token = m[1]
	}
	return status, body, token
}

// post submits a form with the CSRF token of page (fetched first).
func (b *formClient) post(t testing.TB, page, action string, form url.Values) (int, http.Header, string) {
	t.Helper()
	_, _, token := b.get(t, page)
	form.Set("_csrf", token)
	return b.do(t, "POST", action, form)
}

func (b *formClient) login(t testing.TB, name string) {
	t.Helper()
	status, h, body := b.post(t, "/login", "/login", url.Values{"name": {name}, "password": {"demo"}})
	if status != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", name, status, body)
	}
	_ = h
}

func TestSignInSessionsAndCSRF(t *testing.T) {
	w := newDomainWorld(t)
	b := w.forms()

	// Signed out: the areas send you to sign in, keeping where you were going.
	status, h, _ := b.do(t, "GET", "/account", nil)
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=%2Faccount") {
		t.Fatalf("signed out /account: %d %s", status, h.Get("Location"))
	}
	// A wrong password keeps the name typed and says what is wrong.
	status, _, body := b.post(t, "/login", "/login", url.Values{"name": {"ana"}, "password": {"nope"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, `value="ana"`) || !strings.Contains(body, "do not match") {
		t.Errorf("wrong password: %d", status)
	}
	// Empty fields: errors next to each field.
	status, _, body = b.post(t, "/login", "/login", url.Values{})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="name-error"`) || !strings.Contains(body, `id="password-error"`) {
		t.Errorf("empty form: %d", status)
	}
	// No CSRF token: refused, nothing happens.
	if status, _, _ := b.do(t, "POST", "/login", url.Values{"name": {"ana"}, "password": {"demo"}}); status != http.StatusForbidden {
		t.Errorf("login without a CSRF token: %d", status)
	}
	// Sign in, land on the next page given; an outside next is ignored.
	status, h, _ = b.post(t, "/login?next=//evil.example", "/login", url.Values{"name": {"ana"}, "password": {"demo"}, "next": {"//evil.example/x"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/account" {
		t.Fatalf("login: %d → %q", status, h.Get("Location"))
	}
	if b.cookies["hc_session"] == "" {
		t.Fatal("no session cookie")
	}
	status, body, _ = b.get(t, "/account")
	if status != 200 || !strings.Contains(body, ">1001<") || !strings.Contains(body, ">1002<") || strings.Contains(body, ">2001<") {
		t.Errorf("ana's orders page: %d", status)
	}
	// Another role's area is refused.
	if status, _, _ := b.get(t, "/seller/orders"); status != http.StatusForbidden {
		t.Errorf("ana on /seller: %d", status)
	}
	// Change the password: mismatched confirmation is shown next to the field.
	status, _, body = b.post(t, "/password", "/password", url.Values{"current": {"demo"}, "password": {"s3cret-pass"}, "again": {"other"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="again-error"`) {
		t.Errorf("password mismatch: %d", status)
	}
	status, _, _ = b.post(t, "/password", "/password", url.Values{"current": {"demo"}, "password": {"s3cret-pass"}, "again": {"s3cret-pass"}})
	if status != http.StatusSeeOther {
		t.Errorf("password change: %d", status)
	}
	// A cross-site post is refused even with a token.
	_, _, token := b.get(t, "/account")
	if status, _, _ := b.do(t, "POST", "/logout", url.Values{"_csrf": {token}}, "Sec-Fetch-Site", "cross-site"); status != http.StatusForbidden {
		t.Errorf("cross-site logout: %d", status)
	}
	// Sign out revokes the session: the old cookie no longer works.
	old := b.cookies["hc_session"]
	if status, h, _ := b.do(t, "POST", "/logout", url.Values{"_csrf": {token}}); status != http.StatusSeeOther || h.Get("Location") != "/login?done=signed_out" {
		t.Errorf("logout: %d %s", status, h.Get("Location"))
	}
	b.cookies["hc_session"] = old
	if status, _, _ := b.do(t, "GET", "/account", nil); status != http.StatusSeeOther {
		t.Errorf("revoked session still works: %d", status)
	}
}

func TestLoginThrottling(t *testing.T) {
	w := newDomainWorld(t)
	b := w.forms()
	var status int
	for i := 0; i < 6; i++ {
		status, _, _ = b.post(t, "/login", "/login", url.Values{"name": {"sam"}, "password": {"guess"}})
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("6th wrong password: %d, want 429", status)
	}
	// Another name from the same address still gets through.
	if status, _, _ := b.post(t, "/login", "/login", url.Values{"name": {"sue"}, "password": {"demo"}}); status != http.StatusSeeOther {
		t.Errorf("sue after sam's lock-out: %d", status)
	}
}
