package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// TestPermissionMatrix: every /api/v1 route × every demo role × a resource of
// their own and one of someone else's. Customers and sellers never see or
// change what is not theirs, and get 404 (not 403: existence does not leak);
// nobody gets in without a token; customer care sees everything; admin
// routes refuse customers and sellers. A route added without a row here
// fails the test.
func TestPermissionMatrix(t *testing.T) {
	w := newDomainWorld(t)
	ids := matrixWorld(t, w)

	type row struct {
		method, path string
		body         any
		owners       []string // may reach it: anything but 401/404/500
		others       []string // must get 404, and change nothing
		admin        bool     // /admin: customers and sellers 403, operators in
		public       bool     // no token needed (checked by its own tests)
		self         bool     // about the caller only: everyone signed in reaches it
		header       []string // extra request headers
	}
	on1001 := []string{"ana", "sam", "olga", "adam"} // order 1001: Ana's, shop-1's
	off1001 := []string{"ben", "sue"}
	on2002 := []string{"ben", "sam", "olga", "adam"} // order 2002: Ben's, shop-1's
	off2002 := []string{"ana", "sue"}
	msg := map[string]any{"to": []string{"operator"}, "body": "Any news?"}
	rows := []row{
		{method: "GET", path: "/orders", self: true},
		{method: "GET", path: "/orders/1001", owners: on1001, others: off1001},
		// Importing orders is customer care's: every customer and seller gets
		// 403 whatever the number, so that says nothing of the order.
		{method: "PUT", path: "/orders/1001", body: map[string]any{}, admin: true},
		{method: "POST", path: "/orders/1001/threads", body: map[string]any{"recipient": "operator", "topic": "other", "body": "Hello"}, owners: on1001, others: off1001},
		{method: "POST", path: "/orders/1001/incidents", body: map[string]any{"reason": "other", "line": 1}, owners: on1001, others: off1001},
		{method: "POST", path: "/orders/1001/refunds", body: map[string]any{"kind": "partial", "shipping": 1}, owners: on1001, others: off1001, header: []string{"Idempotency-Key", "matrix-2"}},
		{method: "GET", path: "/orders/1001/refunds", owners: on1001, others: off1001},
		{method: "POST", path: "/orders/2002/claims", body: map[string]any{"reason": "other", "description": "x"}, owners: on2002, others: off2002},
		{method: "GET", path: "/threads", self: true},
		{method: "POST", path: "/threads", body: map[string]any{"recipient": "operator", "topic": "account", "body": "Hello"}, self: true},
		{method: "GET", path: "/threads/{thread}", owners: on1001, others: off1001},
		{method: "POST", path: "/threads/{thread}/messages", body: msg, owners: on1001, others: off1001},
		{method: "POST", path: "/threads/{thread}/no-reply-needed", owners: on1001, others: off1001},
		{method: "POST", path: "/threads/{thread}/read", owners: on1001, others: off1001},
		{method: "POST", path: "/threads/{thread}/close", owners: on1001, others: off1001},
		{method: "POST", path: "/attachments", body: "%PDF-1.4\n", self: true},
		{method: "GET", path: "/attachments/{sha}", owners: on1001, others: off1001},
		{method: "GET", path: "/incidents", self: true},
		{method: "GET", path: "/incidents/{incident}", owners: on1001, others: off1001},
		{method: "POST", path: "/incidents/{incident}/resolve", body: map[string]any{"message": "Done."}, owners: on1001, others: off1001},
		{method: "POST", path: "/incidents/{incident}/close", body: map[string]any{"reason": "Done."}, owners: on1001, others: off1001},
		{method: "POST", path: "/incidents/{incident}/reopen", body: map[string]any{"reason": "Again."}, owners: on1001, others: off1001},
		{method: "GET", path: "/refunds/{refund}", owners: on1001, others: off1001},
		{method: "POST", path: "/refunds/{refund}/retry", owners: on1001, others: off1001},
		{method: "POST", path: "/refunds/{refund}/callback", body: map[string]any{"state": "processing"}, public: true},
		{method: "GET", path: "/claims", self: true},
		{method: "GET", path: "/claims/{claim}", owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/offers", body: map[string]any{"percent": 10}, owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/offers/{offer}/accept", owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/offers/{offer}/reject", owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/refund", owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/return", owners: on2002, others: off2002},
		{method: "POST", path: "/claims/{claim}/close", body: map[string]any{"reason": "Solved."}, owners: on2002, others: off2002},
		{method: "GET", path: "/returns/{return}", owners: on2002, others: off2002},
		{method: "GET", path: "/returns/{return}/label", owners: on2002, others: off2002},
		{method: "POST", path: "/returns/{return}/shipped", body: map[string]any{"tracking": "X1"}, owners: on2002, others: off2002},
		{method: "POST", path: "/returns/{return}/received", owners: on2002, others: off2002},
		{method: "GET", path: "/shops/shop-1/stats", owners: []string{"sam", "adam"}, others: []string{"sue"}},
		{method: "GET", path: "/queue", self: true},
		{method: "GET", path: "/notifications", self: true},
		{method: "POST", path: "/notifications/{notification}/read", owners: []string{"ana"}, others: []string{"ben", "sam", "sue", "olga"}},
		{method: "GET", path: "/me", self: true},
		{method: "POST", path: "/me/tokens", self: true},
		{method: "DELETE", path: "/tokens/{token}", owners: []string{"ben", "adam"}, others: []string{"ana", "sam", "sue"}},
		{method: "GET", path: "/audit", admin: true},
		{method: "GET", path: "/admin/users", admin: true},
		{method: "POST", path: "/admin/users", body: map[string]any{"name": "zed", "role": "customer"}, admin: true},
		{method: "POST", path: "/admin/users/{ben}/tokens", admin: true},
		{method: "GET", path: "/admin/users/{ben}/tokens", admin: true},
		{method: "DELETE", path: "/admin/users/{ben}/tokens/{btoken}", admin: true},
		{method: "POST", path: "/admin/users/{carl}/disable", admin: true},
		{method: "POST", path: "/admin/users/{carl}/enable", admin: true},
		{method: "POST", path: "/admin/users/{carl}/password", body: map[string]any{"password": "carls-new-pass"}, admin: true},
		{method: "PUT", path: "/admin/shops/shop-3", body: map[string]any{"name": "Shop 3"}, admin: true},
		{method: "GET", path: "/admin/grants", admin: true},
		{method: "POST", path: "/admin/grants", body: map[string]any{"agent_id": "olga", "permission": "view_stats"}, admin: true},
		{method: "GET", path: "/admin/routing-rules", admin: true},
		{method: "POST", path: "/admin/routing-rules", body: map[string]any{"name": "x", "team": "customer_care"}, admin: true},
		{method: "GET", path: "/admin/outbox", admin: true},
		{method: "POST", path: "/admin/reload", admin: true},
		{method: "GET", path: "/admin/content/status", admin: true},
		{method: "GET", path: "/admin/backup", admin: true},
		{method: "GET", path: "/articles/{article}/feedback", admin: true},
		{method: "GET", path: "/reports/deflection", admin: true},
		// Public: the help centre and the deflection flow (their own tests).
		{method: "GET", path: "/search", public: true}, {method: "GET", path: "/suggest", public: true},
		{method: "GET", path: "/articles/{article}", public: true}, {method: "POST", path: "/articles/{article}/feedback", public: true},
		{method: "GET", path: "/categories", public: true}, {method: "GET", path: "/openapi.json", public: true},
		{method: "POST", path: "/deflect", public: true}, {method: "POST", path: "/deflect/{session}/events", public: true},
		{method: "POST", path: "/deflect/customer-token", self: true},
	}

	// Every registered route has a row.
	have := map[string]bool{}
	for _, r := range rows {
		have[r.method+" "+r.path] = true
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)\??`)
	for _, rt := range w.srv.App().GetRoutes(true) {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1")
		if !ok || p == "" || p == "/" || rt.Method == "HEAD" || rt.Method == "USE" || strings.Contains(p, "*") {
			continue
		}
		generic := param.ReplaceAllString(p, "{$1}")
		found := false
		for _, r := range rows {
			if r.method == rt.Method && param.ReplaceAllString(strings.NewReplacer("{thread}", ":id", "{incident}", ":id", "{refund}", ":id",
				"{claim}", ":id", "{return}", ":id", "{notification}", ":id", "{token}", ":id", "{ben}", ":id", "{offer}", ":offer",
				"{sha}", ":sha", "{article}", ":id", "{carl}", ":id", "{btoken}", ":token", "{session}", ":session", "1001", ":number", "2002", ":number", "shop-1", ":id", "shop-3", ":id").Replace(r.path), "{$1}") == generic {
				found = true
			}
		}
		if !found {
			t.Errorf("%s /api/v1%s has no row in the permission matrix", rt.Method, p)
		}
	}

	url := func(p string) string {
		for k, v := range ids {
			p = strings.ReplaceAll(p, "{"+k+"}", v)
		}
		return "/api/v1" + p
	}
	snapshot := func() string {
		var b strings.Builder
		for _, p := range []string{"/orders/1001", "/orders/2002", "/threads/{thread}", "/incidents/{incident}", "/refunds/{refund}", "/claims/{claim}", "/returns/{return}"} {
			b.Write(w.call(t, "adam", "GET", url(p), nil).body)
		}
		return b.String()
	}

	// Others first: 404 on everything of someone else's, nothing changed.
	// Nobody, and no dead credential (revoked, expired, a disabled user's, a
	// browser session's cookie sent as a bearer token), gets past 401.
	dead := deadCredentials(t, w)
	before := snapshot()
	for _, r := range rows {
		if r.public {
			continue
		}
		if res := w.call(t, "", r.method, url(r.path), r.body, r.header...); res.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: %d, want 401", r.method, r.path, res.status)
		}
		for what, secret := range dead {
			if res := w.call(t, "", r.method, url(r.path), r.body, append([]string{"Authorization", "Bearer " + secret}, r.header...)...); res.status != http.StatusUnauthorized {
				t.Errorf("%s token %s %s: %d, want 401", what, r.method, r.path, res.status)
			}
		}
		for _, who := range r.others {
			if res := w.call(t, who, r.method, url(r.path), r.body, r.header...); res.status != http.StatusNotFound || res.code() != "not_found" {
				t.Errorf("%s %s %s (not theirs): %d %s, want 404 not_found", who, r.method, r.path, res.status, res.code())
			}
		}
		if r.admin {
			for _, who := range []string{"ana", "ben", "sam", "sue"} {
				if res := w.call(t, who, r.method, url(r.path), r.body, r.header...); res.status != http.StatusForbidden {
					t.Errorf("%s %s %s (admin route): %d, want 403", who, r.method, r.path, res.status)
				}
			}
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("requests refused with 404 changed something")
	}
	// Lists never show someone else's: Ben's and Sue's lists lack order 1001's.
	for _, who := range off1001 {
		for _, p := range []string{"/threads", "/incidents", "/orders", "/claims?order=1001", "/incidents?order=1001"} {
			if body := string(w.call(t, who, "GET", url(p), nil).body); strings.Contains(body, ids["thread"]) || strings.Contains(body, ids["incident"]) || strings.Contains(body, `"number":"1001"`) {
				t.Errorf("%s's %s shows order 1001's things", who, p)
			}
		}
	}

	// Then the owners: they reach it (the rules may still refuse the action
	// for their role or its state, but never with 404, 401 or 500).
	for _, r := range rows {
		if r.public {
			continue
		}
		var who []string
		switch {
		case r.self:
			who = []string{"ana", "ben", "sam", "sue", "olga", "adam"}
		case r.admin:
			who = []string{"olga", "adam"}
		default:
			who = r.owners
		}
		for _, u := range who {
			res := w.call(t, u, r.method, url(r.path), r.body, r.header...)
			if res.status == http.StatusNotFound || res.status == http.StatusUnauthorized || res.status >= 500 {
				t.Errorf("%s %s %s (theirs): %d %s", u, r.method, r.path, res.status, res.body[:min(len(res.body), 160)])
			}
		}
	}
}

// matrixWorld makes one of each resource through the API and returns their ids.
func matrixWorld(t *testing.T, w *domainWorld) map[string]string {
	t.Helper()
	id := func(r response, field string) string {
		t.Helper()
		if r.status >= 300 {
			t.Fatalf("setup: %d %s", r.status, r.body)
		}
		var m map[string]any
		json.Unmarshal(r.body, &m)
		v, _ := m[field].(string)
		if v == "" {
			t.Fatalf("setup: no %s in %s", field, r.body)
		}
		return v
	}
	ids := map[string]string{"article": "invoice-find", "session": "01J0000000000000000000000S"}
	ids["ben"] = w.world.Users["ben"].ID
	// Order 2002: Ben's, shop-1, delivered: for a claim and its return.
	o := map[string]any{"customer": "ben", "shop_id": "shop-1", "currency": "EUR", "state": "delivered",
		"shipped_at": w.now.Add(-96 * 3600e9).UTC().Format("2006-01-02T15:04:05Z"), "delivered_at": w.now.Add(-48 * 3600e9).UTC().Format("2006-01-02T15:04:05Z"),
		"lines": []map[string]any{{"line": 1, "sku": "S", "title": "Vase", "quantity": 2, "unit_price": 2000}}}
	if r := w.call(t, "olga", "PUT", "/api/v1/orders/2002", o); r.status != 201 {
		t.Fatalf("setup order 2002: %d %s", r.status, r.body)
	}
	ids["sha"] = id(w.call(t, "ana", "POST", "/api/v1/attachments", "%PDF-1.4\nmatrix\n", "X-Filename", "photo.pdf", "Content-Type", "application/pdf"), "sha256")
	ids["thread"] = id(w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "Where is it?",
		"attachments": []map[string]any{{"sha256": ids["sha"], "name": "photo.pdf"}}}), "id")
	ids["incident"] = id(w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1}), "id")
	ids["refund"] = id(w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 2, "units": 1}}}, "Idempotency-Key", "matrix-1"), "id")
	ids["claim"] = id(w.call(t, "ben", "POST", "/api/v1/orders/2002/claims", map[string]any{"reason": "damaged", "description": "Chipped."}), "id")
	r := w.call(t, "sam", "POST", "/api/v1/claims/"+ids["claim"]+"/offers", map[string]any{"percent": 10})
	var cl struct{ Offers []struct{ ID string } }
	r.decode(t, &cl)
	if r.status >= 300 || len(cl.Offers) == 0 {
		t.Fatalf("setup offer: %d %s", r.status, r.body)
	}
	ids["offer"] = cl.Offers[0].ID
	w.call(t, "ben", "POST", "/api/v1/claims/"+ids["claim"]+"/offers/"+ids["offer"]+"/reject", nil)
	ids["return"] = id(w.call(t, "sam", "POST", "/api/v1/claims/"+ids["claim"]+"/return", nil), "id")
	var ns struct{ Notifications []struct{ ID string } }
	w.call(t, "ana", "GET", "/api/v1/notifications", nil).decode(t, &ns)
	if len(ns.Notifications) == 0 {
		t.Fatal("setup: ana has no notification")
	}
	ids["notification"] = ns.Notifications[0].ID
	ids["token"] = id(w.call(t, "ben", "POST", "/api/v1/me/tokens", map[string]any{"label": "matrix"}), "id")
	ids["btoken"] = ids["token"]
	ids["carl"] = id(w.call(t, "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "carl", "role": "customer"}), "id")
	return ids
}

// deadCredentials returns secrets that must let nobody in, by what they are.
func deadCredentials(t *testing.T, w *domainWorld) map[string]string {
	t.Helper()
	sys := domain.WithActor(context.Background(), domain.SystemActor)
	access := bolt.NewAccessService(w.db)
	ben := w.world.Users["ben"].ID
	revoked, err := access.CreateToken(sys, ben, "", time.Hour)
	if err == nil {
		err = access.RevokeToken(sys, revoked.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Minute)
	expired, err := access.PutTokenSecret(sys, ben, "", "expired-0123456789abcdefghijklmnop", &past)
	if err != nil {
		t.Fatal(err)
	}
	dora := &domain.User{Name: "dora", Role: domain.RoleAgent, Team: domain.TeamCustomerCare}
	if err := access.CreateUser(sys, dora); err != nil {
		t.Fatal(err)
	}
	disabled, err := access.CreateToken(sys, dora.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := access.SetUserDisabled(sys, dora.ID, true); err != nil {
		t.Fatal(err)
	}
	b := w.forms()
	b.login(t, "adam")
	return map[string]string{"revoked": revoked.Secret, "expired": expired.Secret, "disabled user's": disabled.Secret, "session cookie": b.cookies["hc_session"]}
}
