package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestAccessAndOrdersAPI(t *testing.T) {
	w := newDomainWorld(t)

	if r := w.call(t, "", "GET", "/api/v1/me", nil); r.status != 401 || r.code() != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	if r := w.call(t, "nobody", "GET", "/api/v1/me", nil); r.status != 401 {
		t.Errorf("unknown token: %d", r.status)
	}
	var me struct{ User domain.User }
	w.call(t, "sam", "GET", "/api/v1/me", nil).decode(t, &me)
	if me.User.Name != "sam" || me.User.ShopID != "shop-1" {
		t.Errorf("me = %+v", me.User)
	}

	// Orders: who sees which, 404 for the rest.
	for _, c := range []struct {
		who, order string
		status     int
	}{{"ana", "1001", 200}, {"ana", "2001", 404}, {"ben", "1001", 404}, {"sam", "2001", 200}, {"sue", "1001", 404}, {"olga", "1002", 200}} {
		if r := w.call(t, c.who, "GET", "/api/v1/orders/"+c.order, nil); r.status != c.status {
			t.Errorf("%s GET order %s = %d, want %d", c.who, c.order, r.status, c.status)
		}
	}
	var o domain.Order
	w.call(t, "ana", "GET", "/api/v1/orders/1001", nil).decode(t, &o)
	if len(o.Lines) != 2 || o.Lines[0].No != 1 || o.Shipping == 0 || o.State != domain.OrderShipped || o.Frozen {
		t.Errorf("order 1001 = %+v", o)
	}

	// Import: operators only; a new order is 201, an update 200; bad input 400.
	newOrder := map[string]any{"customer": "ben", "shop_id": "shop-2", "currency": "EUR", "state": "paid",
		"lines": []map[string]any{{"line": 1, "sku": "X", "title": "Mug", "quantity": 2, "unit_price": 900}}}
	if r := w.call(t, "ben", "PUT", "/api/v1/orders/3001", newOrder); r.status != 403 {
		t.Errorf("customer imports: %d", r.status)
	}
	if r := w.call(t, "olga", "PUT", "/api/v1/orders/3001", newOrder); r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if r := w.call(t, "olga", "PUT", "/api/v1/orders/3001", newOrder); r.status != 200 {
		t.Errorf("re-import: %d %s", r.status, r.body)
	}
	newOrder["lines"] = []map[string]any{{"line": 2, "quantity": 1, "unit_price": 1}}
	if r := w.call(t, "olga", "PUT", "/api/v1/orders/3001", newOrder); r.status != 400 || r.code() != "invalid_order" {
		t.Errorf("bad lines: %d %s", r.status, r.body)
	}
	if r := w.call(t, "olga", "PUT", "/api/v1/orders/3002", `{"lines": [`); r.status != 400 || r.code() != "invalid_json" {
		t.Errorf("broken JSON: %d %s", r.status, r.body)
	}
	var list struct {
		Orders []domain.Order
		Next   string
	}
	w.call(t, "sue", "GET", "/api/v1/orders", nil).decode(t, &list)
	if len(list.Orders) != 2 { // 1002 and the imported 3001
		t.Errorf("sue's orders = %d, want 2", len(list.Orders))
	}

	// Admin: users, tokens, grants.
	if r := w.call(t, "olga", "POST", "/api/v1/admin/users", map[string]any{"name": "carl", "role": "customer"}); r.status != 403 {
		t.Errorf("agent creates a user: %d", r.status)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/admin/users", nil); r.status != 403 {
		t.Errorf("customer lists users: %d", r.status)
	}
	var carl domain.User
	r := w.call(t, "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "carl", "role": "customer", "locale": "en"})
	if r.status != 201 {
		t.Fatalf("admin creates a user: %d %s", r.status, r.body)
	}
	r.decode(t, &carl)
	if r := w.call(t, "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "carl", "role": "customer"}); r.status != 409 || r.code() != "user_exists" {
		t.Errorf("duplicate user: %d %s", r.status, r.body)
	}
	var tok domain.Token
	r = w.call(t, "adam", "POST", "/api/v1/admin/users/"+carl.ID+"/tokens", map[string]any{"label": "app", "ttl_hours": 24})
	r.decode(t, &tok)
	if r.status != 201 || !strings.HasPrefix(tok.Secret, "hc_") {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	r = w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+tok.Secret)
	if r.status != 200 {
		t.Errorf("carl's token: %d", r.status)
	}
	if r := w.call(t, "", "DELETE", "/api/v1/tokens/"+tok.ID, nil, "Authorization", "Bearer "+tok.Secret); r.status != 204 {
		t.Errorf("revoke own token: %d %s", r.status, r.body)
	}
	if r := w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+tok.Secret); r.status != 401 {
		t.Errorf("revoked token: %d", r.status)
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/grants", map[string]any{"agent_id": "olga", "permission": "refund_over", "limit": 200000}); r.status != 201 {
		t.Errorf("grant: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/grants", map[string]any{"agent_id": "ana", "permission": "refund_over"}); r.status != 400 || r.code() != "invalid_grant" {
		t.Errorf("grant to a customer: %d %s", r.status, r.body)
	}
	var me2 struct{ Grants []domain.Grant }
	w.call(t, "olga", "GET", "/api/v1/me", nil).decode(t, &me2)
	// The demo world gives olga close_incidents; the refund_over is the new one.
	if len(me2.Grants) != 2 || me2.Grants[1].Permission != "refund_over" || me2.Grants[1].Limit != 200000 {
		t.Errorf("olga's grants = %+v", me2.Grants)
	}

	// The environment's admin token still reaches the admin endpoints.
	if r := w.call(t, "", "GET", "/api/v1/admin/content/status", nil, "Authorization", "Bearer "+adminToken); r.status != 200 {
		t.Errorf("env admin token: %d", r.status)
	}
	if r := w.call(t, "olga", "GET", "/api/v1/admin/content/status", nil); r.status != 200 {
		t.Errorf("agent on content status: %d", r.status)
	}
	if r := w.call(t, "sam", "GET", "/api/v1/admin/content/status", nil); r.status != 403 {
		t.Errorf("seller on content status: %d", r.status)
	}
}

// TestOpenAPIDescribesEveryRoute: every /api/v1 route the server registers is
// in /api/v1/openapi.json with its method.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	w := newDomainWorld(t)
	r := w.call(t, "", "GET", "/api/v1/openapi.json", nil)
	if r.status != http.StatusOK {
		t.Fatalf("openapi: %d", r.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([A-Za-z_]+)\??`)
	for _, rt := range w.srv.App().GetRoutes(true) {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1")
		if !ok || p == "" || p == "/" || rt.Method == "HEAD" || rt.Method == "USE" || strings.Contains(p, "*") {
			continue
		}
		p = param.ReplaceAllString(p, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s /api/v1%s is not in openapi.json", rt.Method, p)
		}
	}
}

// TestOpenAPISearchRefusals: the search routes document their 429
// (rate_limited) and 503 (search_timeout), both with Retry-After.
func TestOpenAPISearchRefusals(t *testing.T) {
	w := newDomainWorld(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Description string
			Responses   map[string]struct {
				Description string
				Headers     map[string]json.RawMessage
			}
		}
	}
	w.call(t, "", "GET", "/api/v1/openapi.json", nil).decode(t, &doc)
	for _, p := range []string{"/search", "/suggest"} {
		op := doc.Paths[p]["get"]
		for status, code := range map[string]string{"429": "rate_limited", "503": "search_timeout"} {
			r, ok := op.Responses[status]
			if !ok || !strings.Contains(r.Description, code) || r.Headers["Retry-After"] == nil {
				t.Errorf("GET %s: response %s = %+v, want %s with Retry-After", p, status, r, code)
			}
			if !strings.Contains(op.Description, code) {
				t.Errorf("GET %s: description lacks %s", p, code)
			}
		}
	}
}
