package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

// roles are the demo world's users, in the order of a row's want: Ana and
// Ben are customers, Sam (shop-1) and Sue (shop-2) sellers, Olga an agent,
// Adam the admin. A kit's order is Ana's at shop-1: Ben and Sue are the
// other customer and the other shop.
var roles = [6]string{"ana", "ben", "sam", "sue", "olga", "adam"}

// is is a row's want, one status per role: ana, ben, sam, sue, olga, adam.
func is(ana, ben, sam, sue, olga, adam int) [6]int { return [6]int{ana, ben, sam, sue, olga, adam} }

// everyone is a want of status for all six roles.
func everyone(status int) [6]int { return is(status, status, status, status, status, status) }

// permWorld is a domain world whose tests make their own resources: each
// (route, role) cell gets a fresh kit, so that one cell's change never
// decides another's outcome.
type permWorld struct {
	*domainWorld
	d   *server.Domain
	seq int
}

func newPermWorld(t *testing.T) *permWorld {
	t.Helper()
	pw := &permWorld{}
	// Every cell makes its own order, thread and files as Ana: the matrix is
	// about who may, not how often, so the write quotas are off.
	pw.domainWorld, _, _ = buildWorld(t, worldOptions{domain: func(db *bolt.DB, p domain.Policy) *server.Domain {
		p.MessagesPerMinute, p.UploadsPerDay = 0, 0
		b := bolt.NewServices(db, p)
		pw.d = &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
			Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
			Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p, Privacy: b.Privacy}
		return pw.d
	}})
	return pw
}

// kit is one cell's resources, made on first use by the placeholder that
// names them ({order}, {thread}…). The order is Ana's at shop-1, delivered
// two days ago and shipped four days ago (refunds and claims are open).
type kit struct {
	t   *testing.T
	w   *permWorld
	ids map[string]string
}

func (w *permWorld) kit(t *testing.T) *kit {
	w.seq++
	return &kit{t: t, w: w, ids: map[string]string{"seq": fmt.Sprint(w.seq), "ben": w.world.Users["ben"].ID}}
}

// id answers the resource name, making it (and what it needs) first.
func (k *kit) id(name string) string {
	k.t.Helper()
	if v, ok := k.ids[name]; ok {
		return v
	}
	mk, ok := kitMakers()[name]
	if !ok {
		k.t.Fatalf("kit: no resource %q", name)
	}
	v := mk(k)
	k.ids[name] = v
	return v
}

// made calls the API as who and returns field of the answer, failing the
// test if the call did not succeed.
func (k *kit) made(field, who, method, path string, body any, header ...string) string {
	k.t.Helper()
	r := k.w.call(k.t, who, method, path, body, header...)
	if r.status >= 300 {
		k.t.Fatalf("kit: %s %s %s: %d %s", who, method, path, r.status, r.body)
	}
	var m map[string]any
	json.Unmarshal(r.body, &m)
	v, _ := m[field].(string)
	if v == "" {
		k.t.Fatalf("kit: %s %s: no %s in %s", method, path, field, r.body)
	}
	return v
}

var placeholder = regexp.MustCompile(`\{([a-z.]+)\}`)

// fill replaces every {name} of s with the kit's resource.
func (k *kit) fill(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string { return k.id(m[1 : len(m)-1]) })
}

// kitMakers make a kit's resources through the API, as their owners would.
func kitMakers() map[string]func(k *kit) string {
	return map[string]func(k *kit) string{
		"order": func(k *kit) string {
			n := "7" + k.ids["seq"]
			at := func(h time.Duration) string { return k.w.now.Add(-h * time.Hour).UTC().Format(time.RFC3339) }
			k.made("number", "olga", "PUT", "/api/v1/orders/"+n, map[string]any{"customer": "ana", "shop_id": "shop-1", "currency": "EUR",
				"state": "delivered", "shipped_at": at(96), "delivered_at": at(48),
				"lines": []map[string]any{{"line": 1, "sku": "L", "title": "Lamp", "quantity": 2, "unit_price": 2000}, {"line": 2, "sku": "S", "title": "Shade", "quantity": 2, "unit_price": 500}}})
			return n
		},
		"neworder": func(k *kit) string { return "8" + k.ids["seq"] },
		"sha": func(k *kit) string {
			return k.made("sha256", "ana", "POST", "/api/v1/attachments", "%PDF-1.4\nkit "+k.ids["seq"]+"\n", "X-Filename", "invoice.pdf", "Content-Type", "application/pdf")
		},
		"thread": func(k *kit) string {
			return k.made("id", "ana", "POST", "/api/v1/orders/"+k.id("order")+"/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "Where is it?",
				"attachments": []map[string]any{{"sha256": k.id("sha"), "name": "invoice.pdf"}}})
		},
		"incident": func(k *kit) string {
			return k.made("id", "ana", "POST", "/api/v1/orders/"+k.id("order")+"/incidents", map[string]any{"reason": "damaged", "line": 1})
		},
		"resolved": func(k *kit) string { // an incident the seller marked as solved
			id := k.id("incident")
			k.made("id", "sam", "POST", "/api/v1/incidents/"+id+"/resolve", map[string]any{"message": "Sent a new one."})
			return id
		},
		"refund": func(k *kit) string {
			return k.made("id", "sam", "POST", "/api/v1/orders/"+k.id("order")+"/refunds", map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 2, "units": 1}}},
				"Idempotency-Key", "kit-"+k.ids["seq"])
		},
		"failed": func(k *kit) string { // a refund the payment side failed
			id := k.id("refund")
			k.made("id", "olga", "POST", "/api/v1/refunds/"+id+"/callback", map[string]any{"state": "processing"})
			k.made("id", "olga", "POST", "/api/v1/refunds/"+id+"/callback", map[string]any{"state": "failed", "failure": "card expired"})
			return id
		},
		"claim": func(k *kit) string {
			return k.made("id", "ana", "POST", "/api/v1/orders/"+k.id("order")+"/claims", map[string]any{"reason": "damaged", "description": "Chipped."})
		},
		"offer": func(k *kit) string { // a pending offer on the kit's claim
			r := k.w.call(k.t, "sam", "POST", "/api/v1/claims/"+k.id("claim")+"/offers", map[string]any{"percent": 10})
			var cl struct{ Offers []struct{ ID string } }
			r.decode(k.t, &cl)
			if r.status >= 300 || len(cl.Offers) == 0 {
				k.t.Fatalf("kit offer: %d %s", r.status, r.body)
			}
			return cl.Offers[len(cl.Offers)-1].ID
		},
		"return": func(k *kit) string {
			return k.made("id", "sam", "POST", "/api/v1/claims/"+k.id("claim")+"/return", nil)
		},
		"shipped": func(k *kit) string { // a return the customer sent back
			id := k.id("return")
			k.made("id", "ana", "POST", "/api/v1/returns/"+id+"/shipped", map[string]any{"tracking": "T" + k.ids["seq"]})
			return id
		},
		"notification": func(k *kit) string { // Ana's, about the kit's refund
			k.id("refund")
			var ns struct {
				Notifications []struct {
					ID   string
					Read bool
				}
			}
			k.w.call(k.t, "ana", "GET", "/api/v1/notifications", nil).decode(k.t, &ns)
			for _, n := range ns.Notifications {
				if !n.Read {
					return n.ID
				}
			}
			k.t.Fatal("kit: ana has no unread notification")
			return ""
		},
		"token": func(k *kit) string { // one of Ben's own tokens
			return k.made("id", "ben", "POST", "/api/v1/me/tokens", map[string]any{"label": "kit"})
		},
		"user": func(k *kit) string { // a customer made by the admin
			return k.made("id", "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "kit-" + k.ids["seq"], "role": "customer"})
		},
		"agent": func(k *kit) string { // an agent made by the admin
			return k.made("id", "adam", "POST", "/api/v1/admin/users", map[string]any{"name": "agent-" + k.ids["seq"], "role": "agent", "team": "customer_care"})
		},
		"rule": func(k *kit) string { // a routing rule the admin added
			return k.made("id", "adam", "POST", "/api/v1/admin/routing-rules", map[string]any{"name": "kit-rule-" + k.ids["seq"], "team": "customer_care", "priority": 500})
		},
		"grant": func(k *kit) string { // a grant to the kit's agent
			return k.made("id", "adam", "POST", "/api/v1/admin/grants", map[string]any{"agent_id": k.id("agent"), "permission": "view_stats"})
		},
		"carenote": func(k *kit) string { return careNote(k) }, // olga's notification of the kit's incident
		"disabled": func(k *kit) string { // a user the admin disabled
			id := k.id("user")
			k.made("id", "adam", "POST", "/api/v1/admin/users/"+id+"/disable", nil)
			return id
		},
		"canned": func(k *kit) string { // one of shop-1's canned replies
			sam := k.w.world.Users["sam"]
			ctx := domain.WithActor(context.Background(), domain.Actor{UserID: sam.ID, Name: sam.Name, Role: sam.Role, ShopID: sam.ShopID})
			r, err := k.w.d.Canned.SaveCannedReply(ctx, &domain.CannedReply{Title: "Kit " + k.ids["seq"], Body: "Hello"})
			if err != nil {
				k.t.Fatal(err)
			}
			return r.ID
		},
		"utoken": func(k *kit) string { // a token of that user
			r := k.w.call(k.t, "adam", "POST", "/api/v1/admin/users/"+k.id("user")+"/tokens", map[string]any{"label": "kit"})
			var tok domain.Token
			r.decode(k.t, &tok)
			if r.status != 201 {
				k.t.Fatalf("kit utoken: %d %s", r.status, r.body)
			}
			k.ids["utoken.secret"] = tok.Secret
			return tok.ID
		},
	}
}

// permRow is one route of routes.go and what each role gets from it.
type permRow struct {
	method, route string         // as registered in routes.go
	path          string         // the request, with kit placeholders; "" is route
	body          any            // JSON (placeholders filled) or a string sent as is
	bodies        map[string]any // a role's own body, where the rules want another
	header        []string
	needs         []string // kit resources made before the request
	want          [6]int   // ana, ben, sam, sue, olga, adam
	// changed checks, after a 2xx, that the state changed, reading it back
	// through the API. Nil only where the route changes nothing.
	changed func(t *testing.T, k *kit, who string, res response)
	// session checks, after a done form, the poster's browser session.
	session func(t *testing.T, b *formClient)
}

// shows is a state check: GET path as the admin answers 200 and holds every
// want (placeholders filled).
func shows(path string, wants ...string) func(*testing.T, *kit, string, response) {
	return func(t *testing.T, k *kit, who string, _ response) {
		t.Helper()
		r := k.w.call(t, "adam", "GET", k.fill(path), nil)
		if r.status != http.StatusOK {
			t.Errorf("read back %s: %d", path, r.status)
			return
		}
		for _, s := range wants {
			if s = k.fill(s); !strings.Contains(string(r.body), s) {
				t.Errorf("read back %s lacks %s: %.300s", path, s, r.body)
			}
		}
	}
}

// created is a state check: the answer's id can be read at prefix+id.
func created(prefix string) func(*testing.T, *kit, string, response) {
	return func(t *testing.T, k *kit, who string, res response) {
		t.Helper()
		var m struct{ ID string }
		res.decode(t, &m)
		if r := k.w.call(t, "adam", "GET", k.fill(prefix)+m.ID, nil); m.ID == "" || r.status != http.StatusOK {
			t.Errorf("created %q, read back at %s: %d", m.ID, prefix, r.status)
		}
	}
}

// secret is a state check: the credential secret answers /me with status.
func secret(status int, of func(k *kit, res response) string) func(*testing.T, *kit, string, response) {
	return func(t *testing.T, k *kit, who string, res response) {
		t.Helper()
		if r := k.w.call(t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+of(k, res)); r.status != status {
			t.Errorf("the credential on /me: %d, want %d", r.status, status)
		}
	}
}

func answered(k *kit, res response) string {
	var tok domain.Token
	json.Unmarshal(res.body, &tok)
	return tok.Secret
}

func usersToken(k *kit, _ response) string { k.id("utoken"); return k.ids["utoken.secret"] }

// apiRows: every /api/v1 route that takes a bearer token. 403 is a role the
// rules refuse; 404 what the caller may not see (existence does not leak).
func apiRows() []permRow {
	const ok, made, none, forbidden, hidden = 200, 201, 204, 403, 404
	toOperator := map[string]any{"to": []string{"operator"}, "body": "Any news?"}
	toAna := map[string]any{"to": []string{"customer"}, "body": "Any news?"}
	toCustomer := map[string]any{"recipient": "customer", "topic": "other", "body": "Hello"}
	toSeller := map[string]any{"recipient": "seller", "shop_id": "shop-1", "topic": "other", "body": "Hello"}
	return []permRow{
		{method: "GET", route: "/api/v1/me", want: everyone(ok)},
		{method: "POST", route: "/api/v1/me/tokens", body: map[string]any{"label": "cli"}, want: everyone(made),
			changed: secret(ok, answered)},
		{method: "DELETE", route: "/api/v1/tokens/:id", path: "/api/v1/tokens/{token}", want: is(hidden, none, hidden, hidden, hidden, none),
			changed: shows("/api/v1/admin/users/"+"{ben}"+"/tokens", `"revoked_at"`)},
		{method: "POST", route: "/api/v1/deflect/customer-token", want: is(made, made, forbidden, forbidden, forbidden, forbidden)},

		{method: "GET", route: "/api/v1/orders", want: everyone(ok)},
		{method: "GET", route: "/api/v1/orders/:number", path: "/api/v1/orders/{order}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "PUT", route: "/api/v1/orders/:number", path: "/api/v1/orders/{neworder}", want: is(forbidden, forbidden, forbidden, forbidden, made, made),
			body:    map[string]any{"customer": "ben", "shop_id": "shop-2", "currency": "EUR", "state": "paid", "lines": []map[string]any{{"line": 1, "sku": "X", "title": "Mug", "quantity": 1, "unit_price": 900}}},
			changed: shows("/api/v1/orders/{neworder}", `"Mug"`)},

		{method: "POST", route: "/api/v1/orders/:number/threads", path: "/api/v1/orders/{order}/threads", want: is(made, hidden, made, hidden, made, made),
			body: map[string]any{"recipient": "operator", "topic": "other", "body": "Hello"}, changed: created("/api/v1/threads/"),
			bodies: map[string]any{"olga": toCustomer, "adam": toCustomer}},
		{method: "POST", route: "/api/v1/threads", body: map[string]any{"recipient": "operator", "topic": "account", "body": "Hello"}, want: is(made, made, made, made, made, made),
			bodies:  map[string]any{"olga": toSeller, "adam": toSeller},
			changed: created("/api/v1/threads/")},
		{method: "GET", route: "/api/v1/threads", want: everyone(ok)},
		{method: "GET", route: "/api/v1/threads/:id", path: "/api/v1/threads/{thread}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "POST", route: "/api/v1/threads/:id/messages", path: "/api/v1/threads/{thread}/messages", body: toOperator, want: is(made, hidden, made, hidden, made, made), bodies: map[string]any{"olga": toAna, "adam": toAna},
			changed: shows("/api/v1/threads/{thread}", "Any news?")},
		{method: "POST", route: "/api/v1/threads/:id/no-reply-needed", path: "/api/v1/threads/{thread}/no-reply-needed", want: is(forbidden, hidden, ok, hidden, ok, ok),
			changed: shows("/api/v1/threads/{thread}", `"seller_reply_needed_since":null`)},
		{method: "POST", route: "/api/v1/threads/:id/close", path: "/api/v1/threads/{thread}/close", want: is(ok, hidden, ok, hidden, ok, ok),
			changed: shows("/api/v1/threads/{thread}", `"closed"`)},
		{method: "POST", route: "/api/v1/threads/:id/read", path: "/api/v1/threads/{thread}/read", want: is(ok, hidden, ok, hidden, ok, ok)},

		{method: "POST", route: "/api/v1/attachments", body: "%PDF-1.4\nmatrix\n", header: []string{"X-Filename", "a.pdf", "Content-Type", "application/pdf"}, want: everyone(made)},
		{method: "GET", route: "/api/v1/attachments/:sha", path: "/api/v1/attachments/{sha}", needs: []string{"thread"}, want: is(ok, hidden, ok, hidden, ok, ok)},

		{method: "POST", route: "/api/v1/orders/:number/incidents", path: "/api/v1/orders/{order}/incidents", body: map[string]any{"reason": "other", "line": 1},
			want: is(made, hidden, forbidden, hidden, made, made), changed: created("/api/v1/incidents/")},
		{method: "GET", route: "/api/v1/incidents", want: everyone(ok)},
		{method: "GET", route: "/api/v1/incidents/:id", path: "/api/v1/incidents/{incident}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "POST", route: "/api/v1/incidents/:id/resolve", path: "/api/v1/incidents/{incident}/resolve", body: map[string]any{"message": "Done."},
			want: is(forbidden, hidden, ok, hidden, forbidden, forbidden), changed: shows("/api/v1/incidents/{incident}", `"resolved_by_seller"`)},
		{method: "POST", route: "/api/v1/incidents/:id/close", path: "/api/v1/incidents/{incident}/close", body: map[string]any{"reason": "Done."},
			want: is(forbidden, hidden, forbidden, hidden, ok, ok), changed: shows("/api/v1/incidents/{incident}", `"closed"`)},
		{method: "POST", route: "/api/v1/incidents/:id/reopen", path: "/api/v1/incidents/{resolved}/reopen", body: map[string]any{"reason": "Again."},
			want: is(forbidden, hidden, forbidden, hidden, ok, ok), changed: shows("/api/v1/incidents/{resolved}", `"state":"open"`)},

		{method: "POST", route: "/api/v1/orders/:number/refunds", path: "/api/v1/orders/{order}/refunds", body: map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 1, "units": 1}}},
			header: []string{"Idempotency-Key", "matrix"}, want: is(forbidden, hidden, made, hidden, made, made), changed: created("/api/v1/refunds/")},
		{method: "GET", route: "/api/v1/orders/:number/refunds", path: "/api/v1/orders/{order}/refunds", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "GET", route: "/api/v1/refunds/:id", path: "/api/v1/refunds/{refund}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "POST", route: "/api/v1/refunds/:id/callback", path: "/api/v1/refunds/{refund}/callback", body: map[string]any{"state": "processing"},
			want: is(forbidden, hidden, forbidden, hidden, ok, ok), changed: shows("/api/v1/refunds/{refund}", `"processing"`)},
		{method: "POST", route: "/api/v1/refunds/:id/retry", path: "/api/v1/refunds/{failed}/retry",
			want: is(forbidden, hidden, ok, hidden, ok, ok), changed: shows("/api/v1/refunds/{failed}", `"state":"requested"`)},

		{method: "POST", route: "/api/v1/orders/:number/claims", path: "/api/v1/orders/{order}/claims", body: map[string]any{"reason": "other", "description": "x"},
			want: is(made, hidden, forbidden, hidden, forbidden, forbidden), changed: created("/api/v1/claims/")},
		{method: "GET", route: "/api/v1/claims", want: everyone(ok)},
		{method: "GET", route: "/api/v1/claims/:id", path: "/api/v1/claims/{claim}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "POST", route: "/api/v1/claims/:id/offers", path: "/api/v1/claims/{claim}/offers", body: map[string]any{"percent": 10},
			want: is(forbidden, hidden, made, hidden, made, made), changed: shows("/api/v1/claims/{claim}", `"pending"`)},
		{method: "POST", route: "/api/v1/claims/:id/offers/:offer/accept", path: "/api/v1/claims/{claim}/offers/{offer}/accept",
			want: is(ok, hidden, forbidden, hidden, forbidden, forbidden), changed: shows("/api/v1/claims/{claim}", `"accepted"`)},
		{method: "POST", route: "/api/v1/claims/:id/offers/:offer/reject", path: "/api/v1/claims/{claim}/offers/{offer}/reject",
			want: is(ok, hidden, forbidden, hidden, forbidden, forbidden), changed: shows("/api/v1/claims/{claim}", `"rejected"`)},
		{method: "POST", route: "/api/v1/claims/:id/offers/:offer/withdraw", path: "/api/v1/claims/{claim}/offers/{offer}/withdraw",
			want: is(forbidden, hidden, ok, hidden, ok, ok), changed: shows("/api/v1/claims/{claim}", `"withdrawn"`)},
		{method: "POST", route: "/api/v1/claims/:id/refund", path: "/api/v1/claims/{claim}/refund",
			want: is(forbidden, hidden, ok, hidden, ok, ok), changed: shows("/api/v1/orders/{order}/refunds", `"total"`)},
		{method: "POST", route: "/api/v1/claims/:id/return", path: "/api/v1/claims/{claim}/return",
			want: is(forbidden, hidden, made, hidden, made, made), changed: created("/api/v1/returns/")},
		{method: "POST", route: "/api/v1/claims/:id/close", path: "/api/v1/claims/{claim}/close", body: map[string]any{"reason": "Solved."},
			want: is(ok, hidden, forbidden, hidden, ok, ok), changed: shows("/api/v1/claims/{claim}", `"closed"`)},
		{method: "GET", route: "/api/v1/returns/:id", path: "/api/v1/returns/{return}", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "GET", route: "/api/v1/returns/:id/label", path: "/api/v1/returns/{return}/label", want: is(ok, hidden, ok, hidden, ok, ok)},
		{method: "POST", route: "/api/v1/returns/:id/shipped", path: "/api/v1/returns/{return}/shipped", body: map[string]any{"tracking": "X1"},
			want: is(ok, hidden, forbidden, hidden, ok, ok), changed: shows("/api/v1/returns/{return}", `"shipped"`)},
		{method: "POST", route: "/api/v1/returns/:id/received", path: "/api/v1/returns/{shipped}/received",
			want: is(forbidden, hidden, ok, hidden, ok, ok), changed: shows("/api/v1/returns/{shipped}", `"state":"refunded"`)},

		{method: "GET", route: "/api/v1/queue", want: is(forbidden, forbidden, ok, ok, ok, ok)},
		{method: "GET", route: "/api/v1/shops/:id/stats", path: "/api/v1/shops/shop-1/stats", want: is(hidden, hidden, ok, hidden, forbidden, ok)},
		{method: "GET", route: "/api/v1/notifications", want: everyone(ok)},
		{method: "POST", route: "/api/v1/notifications/:id/read", path: "/api/v1/notifications/{notification}/read", want: is(ok, hidden, hidden, hidden, hidden, hidden)},
		{method: "GET", route: "/api/v1/audit", path: "/api/v1/audit?entity=order:{order}", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},

		// Customer care's and the admin's.
		{method: "GET", route: "/api/v1/reports/deflection", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/articles/:id/feedback", path: "/api/v1/articles/returns/feedback", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/api/v1/admin/reload", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/admin/content/status", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/admin/users", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/api/v1/admin/users", body: map[string]any{"name": "new-{seq}", "role": "customer"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, made),
			changed: shows("/api/v1/admin/users", `"new-{seq}"`)},
		{method: "POST", route: "/api/v1/admin/users/:id/tokens", path: "/api/v1/admin/users/{user}/tokens", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, made),
			changed: secret(ok, answered)},
		{method: "GET", route: "/api/v1/admin/users/:id/tokens", path: "/api/v1/admin/users/{user}/tokens", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "DELETE", route: "/api/v1/admin/users/:id/tokens/:token", path: "/api/v1/admin/users/{user}/tokens/{utoken}", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, none),
			changed: secret(http.StatusUnauthorized, usersToken)},
		{method: "POST", route: "/api/v1/admin/users/:id/disable", path: "/api/v1/admin/users/{user}/disable", needs: []string{"utoken"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok),
			changed: secret(http.StatusUnauthorized, usersToken)},
		{method: "POST", route: "/api/v1/admin/users/:id/enable", path: "/api/v1/admin/users/{disabled}/enable", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok),
			changed: enabled},
		{method: "POST", route: "/api/v1/admin/users/:id/password", path: "/api/v1/admin/users/{user}/password", needs: []string{"utoken"}, body: map[string]any{"password": "kits-new-pass"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, none), changed: secret(http.StatusUnauthorized, usersToken)},
		{method: "PUT", route: "/api/v1/admin/shops/:id", path: "/api/v1/admin/shops/shop-{seq}", body: map[string]any{"name": "Shop {seq}"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "GET", route: "/api/v1/admin/grants", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/admin/customers/:id/export", path: "/api/v1/admin/customers/{user}/export", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/api/v1/admin/customers/:id/erase", path: "/api/v1/admin/customers/{user}/erase", body: map[string]any{"confirm": "kit-{seq}"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok), changed: shows("/api/v1/audit?entity=user:{user}", "customer.erased")},
		{method: "GET", route: "/api/v1/admin/backup", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "GET", route: "/api/v1/admin/analytics", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/admin/learning", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/api/v1/admin/learning/apply", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/api/v1/admin/learning/review", body: map[string]any{"id": "en|how returns|returns", "decision": "reject"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, hidden)}, // nothing learned yet: the admin reaches it and is told so
		{method: "POST", route: "/api/v1/admin/grants", body: map[string]any{"agent_id": "{agent}", "permission": "view_stats"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, made), changed: shows("/api/v1/admin/grants", "{agent}")},
		{method: "GET", route: "/api/v1/admin/routing-rules", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/api/v1/admin/routing-rules", body: map[string]any{"name": "rule-{seq}", "team": "customer_care"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, made), changed: shows("/api/v1/admin/routing-rules", "rule-{seq}")},
		{method: "PUT", route: "/api/v1/admin/routing-rules/:id", path: "/api/v1/admin/routing-rules/{rule}", body: map[string]any{"name": "edited-{seq}", "team": "customer_care", "priority": 7},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok), changed: shows("/api/v1/admin/routing-rules", "edited-{seq}")},
		{method: "DELETE", route: "/api/v1/admin/routing-rules/:id", path: "/api/v1/admin/routing-rules/{rule}",
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, none), changed: hides("/api/v1/admin/routing-rules", "{rule}")},
		{method: "DELETE", route: "/api/v1/admin/grants/:id", path: "/api/v1/admin/grants/{grant}",
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, none), changed: hides("/api/v1/admin/grants", "{grant}")},
		{method: "PUT", route: "/api/v1/admin/users/:id/team", path: "/api/v1/admin/users/{agent}/team", body: map[string]any{"team": "customer_care", "skills": []string{"skill-{seq}"}},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok), changed: shows("/api/v1/admin/users", "skill-{seq}")},
		{method: "GET", route: "/api/v1/admin/outbox", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/admin/mail", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/api/v1/me/mail-preferences", want: everyone(ok)},
		{method: "PUT", route: "/api/v1/me/mail-preferences", body: map[string]any{"refunds": true, "replies": false, "claims": true}, want: everyone(ok)},
	}
}

// request is the row's request for the kit: its path and body with the
// kit's resources in them.
func (r permRow) request(k *kit, who string) (path string, body any) {
	for _, n := range r.needs {
		k.id(n)
	}
	path = r.route
	if r.path != "" {
		path = k.fill(r.path)
	}
	b := r.body
	if rb, ok := r.bodies[who]; ok {
		b = rb
	}
	switch b := b.(type) {
	case nil:
	case string:
		body = k.fill(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			k.t.Fatal(err)
		}
		body = []byte(k.fill(string(data)))
	}
	return path, body
}

// asOf is the window an analytics answer reports, which moves with the clock.
var asOf = regexp.MustCompile(`"from":"[^"]*","to":"[^"]*",?`)

// snapshot is what the admin reads of the kit's resources and of the
// admin's lists: a refused request must not change it.
func (k *kit) snapshot() string {
	var b strings.Builder
	get := func(p string) {
		r := k.w.call(k.t, "adam", "GET", p, nil)
		fmt.Fprintf(&b, "%s %d %s\n", p, r.status, asOf.ReplaceAll(r.body, nil))
	}
	for _, r := range [][2]string{{"order", "/api/v1/orders/%s"}, {"neworder", "/api/v1/orders/%s"}, {"thread", "/api/v1/threads/%s"},
		{"incident", "/api/v1/incidents/%s"}, {"refund", "/api/v1/refunds/%s"}, {"claim", "/api/v1/claims/%s"}, {"return", "/api/v1/returns/%s"},
		{"user", "/api/v1/admin/users/%s/tokens"}} {
		if id, ok := k.ids[r[0]]; ok {
			get(fmt.Sprintf(r[1], id))
		}
	}
	if s, ok := k.ids["utoken.secret"]; ok {
		r := k.w.call(k.t, "", "GET", "/api/v1/me", nil, "Authorization", "Bearer "+s)
		fmt.Fprintf(&b, "utoken %d\n", r.status)
	}
	if n, ok := k.ids["order"]; ok {
		for _, p := range []string{"/api/v1/threads?order=", "/api/v1/incidents?order=", "/api/v1/claims?order="} {
			get(p + n)
		}
		get("/api/v1/orders/" + n + "/refunds")
	}
	for _, p := range []string{"/api/v1/admin/users", "/api/v1/admin/grants", "/api/v1/admin/routing-rules", "/api/v1/admin/users/" + k.ids["ben"] + "/tokens", "/api/v1/notifications", "/api/v1/admin/analytics"} {
		get(p)
	}
	for _, seller := range []string{"sam", "sue"} { // canned replies have no API: read as the shop
		fmt.Fprintf(&b, "canned %s %s\n", seller, k.canned(seller))
	}
	return b.String()
}

// TestPermissionMatrix: every /api/v1 route that needs a token, for each
// demo role, on resources of its own kit: the exact status; after a 2xx the
// change read back through the API; after a refusal nothing changed. Nobody
// gets in without a token or with a dead one (revoked, expired, a disabled
// user's, a browser session's cookie). A route added to routes.go without a
// row fails the test.
func TestPermissionMatrix(t *testing.T) {
	w := newPermWorld(t)
	rows := apiRows()
	public := map[string]bool{ // no token needed: their own tests
		"GET /api/v1/search": true, "GET /api/v1/suggest": true, "GET /api/v1/articles/:id": true, "POST /api/v1/articles/:id/feedback": true,
		"GET /api/v1/categories": true, "GET /api/v1/openapi.json": true, "POST /api/v1/deflect": true, "POST /api/v1/deflect/:session/events": true,
		"POST /api/v1/events": true,
	}
	checkEveryRoute(t, w, rows, public, func(p string) bool { return strings.HasPrefix(p, "/api/v1") })

	dead := deadCredentials(t, w.domainWorld)
	probe := os.Getenv("PERM_PROBE") != ""
	for _, r := range rows {
		t.Run(r.method+" "+r.route, func(t *testing.T) {
			k := w.kit(t)
			path, body := r.request(k, "")
			if res := w.call(t, "", r.method, path, body, r.header...); res.status != http.StatusUnauthorized {
				t.Errorf("anonymous: %d, want 401", res.status)
			}
			for what, s := range dead {
				if res := w.call(t, "", r.method, path, body, append([]string{"Authorization", "Bearer " + s}, r.header...)...); res.status != http.StatusUnauthorized {
					t.Errorf("%s: %d, want 401", what, res.status)
				}
			}
			for i, who := range roles {
				k := w.kit(t)
				path, body := r.request(k, who)
				before := k.snapshot()
				res := w.call(t, who, r.method, path, body, r.header...)
				if probe {
					fmt.Printf("PROBE %s %s %s %d %.200s\n", r.method, r.route, who, res.status, res.body)
				}
				if res.status != r.want[i] {
					t.Errorf("%s: %d %.200s, want %d", who, res.status, res.body, r.want[i])
					continue
				}
				if res.status >= 300 {
					if after := k.snapshot(); after != before {
						t.Errorf("%s: refused with %d, yet the state changed:\n%s", who, res.status, firstDiff(before, after))
					}
					continue
				}
				if r.changed != nil {
					r.changed(t, k, who, res)
				}
			}
		})
	}
}

// checkEveryRoute fails for a route of the app under scope that is neither
// a row nor public, and for a row that is no route.
func checkEveryRoute(t *testing.T, w *permWorld, rows []permRow, public map[string]bool, scope func(path string) bool) {
	t.Helper()
	have := map[string]bool{}
	for _, r := range rows {
		have[r.method+" "+r.route] = true
	}
	seen := map[string]bool{}
	for _, rt := range w.srv.App().GetRoutes(true) {
		if rt.Method == "HEAD" || rt.Method == "USE" || !scope(rt.Path) || strings.Contains(rt.Path, "*") {
			continue
		}
		key := rt.Method + " " + rt.Path
		seen[key] = true
		if !have[key] && !public[key] {
			t.Errorf("%s has no row in the permission matrix", key)
		}
	}
	for key := range have {
		if !seen[key] {
			t.Errorf("row %s is no route of the app", key)
		}
	}
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

// firstDiff is the first line of after that differs from before's.
func firstDiff(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("before: %.600s\nafter:  %.600s", b[i], a[i])
		}
	}
	return "(a line more or less)"
}

// enabled is a state check: the kit's disabled user is enabled again.
func enabled(t *testing.T, k *kit, who string, _ response) {
	t.Helper()
	var list struct{ Users []domain.User }
	k.w.call(t, "adam", "GET", "/api/v1/admin/users", nil).decode(t, &list)
	for _, u := range list.Users {
		if u.ID == k.id("disabled") && !u.Disabled {
			return
		}
	}
	t.Errorf("user %s is not enabled", k.id("disabled"))
}

// canned is the seller's shop's canned replies, read as that seller (they
// have no API).
func (k *kit) canned(seller string) string {
	k.t.Helper()
	u := k.w.world.Users[seller]
	ctx := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID})
	list, err := k.w.d.Canned.ListCannedReplies(ctx)
	if err != nil {
		k.t.Fatalf("canned replies of %s: %v", seller, err)
	}
	var b strings.Builder
	for _, r := range list {
		fmt.Fprintf(&b, "%s %q %q;", r.ID, r.Title, r.Body)
	}
	return b.String()
}

// cannedHas is a state check: the poster's shop has a canned reply titled
// title (placeholders filled).
func cannedHas(title string) func(*testing.T, *kit, string, response) {
	return func(t *testing.T, k *kit, who string, _ response) {
		t.Helper()
		if want := fmt.Sprintf("%q", k.fill(title)); !strings.Contains(k.canned(who), want) {
			t.Errorf("%s's shop has no canned reply %s: %s", who, want, k.canned(who))
		}
	}
}

// cannedGone is a state check: the kit's canned reply is deleted.
func cannedGone(t *testing.T, k *kit, who string, _ response) {
	t.Helper()
	if list := k.canned("sam"); strings.Contains(list, k.id("canned")) {
		t.Errorf("canned reply %s still there: %s", k.id("canned"), list)
	}
}

// disabledUser is a state check: the kit's user is disabled.
func disabledUser(t *testing.T, k *kit, who string, _ response) {
	t.Helper()
	var list struct{ Users []domain.User }
	k.w.call(t, "adam", "GET", "/api/v1/admin/users", nil).decode(t, &list)
	for _, u := range list.Users {
		if u.ID == k.id("user") && u.Disabled {
			return
		}
	}
	t.Errorf("user %s is not disabled", k.id("user"))
}

// done is a form that did what it was asked: 303 to where it goes next.
const done = http.StatusSeeOther

// signedOut is a session check: the browser's next page sends to /login.
func signedOut(t *testing.T, b *formClient) {
	t.Helper()
	if status, h, _ := b.do(t, "GET", "/password", nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("after it, a page: %d %s, want 303 to /login", status, h.Get("Location"))
	}
}

// pageRows: every back-office page and form. A form is posted with the
// session's CSRF token; a done form answers 303 to where it goes next.
func pageRows() []permRow {
	const ok, forbidden, hidden = 200, 403, 404
	customer := is(ok, ok, forbidden, forbidden, forbidden, forbidden)
	seller := is(forbidden, forbidden, ok, ok, forbidden, forbidden)
	operator := is(forbidden, forbidden, forbidden, forbidden, ok, ok)
	return []permRow{
		{method: "GET", route: "/password", want: everyone(ok)},
		{method: "POST", route: "/password", body: map[string]any{"current": "wrong", "password": "s3cret-pass", "again": "s3cret-pass"}, want: everyone(http.StatusBadRequest)}, // a wrong current password: the demo passwords stay
		{method: "POST", route: "/logout", want: everyone(done), session: signedOut},
		{method: "GET", route: "/account", want: customer},
		{method: "GET", route: "/account/orders/:number", path: "/account/orders/{order}", want: is(ok, hidden, forbidden, forbidden, forbidden, forbidden)},
		{method: "POST", route: "/account/orders/:number/threads", path: "/account/orders/{order}/threads", body: map[string]any{"recipient": "seller", "topic": "delivery", "body": "Hello"}, want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/threads?order={order}", `"topic":"delivery"`)},
		{method: "POST", route: "/account/orders/:number/incidents", path: "/account/orders/{order}/incidents", body: map[string]any{"line": "1", "reason": "damaged"}, want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/incidents?order={order}", `"damaged"`)},
		{method: "POST", route: "/account/orders/:number/claims", path: "/account/orders/{order}/claims", body: map[string]any{"reason": "defect", "description": "Broken."}, want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/claims?order={order}", `"defect"`)},
		{method: "GET", route: "/account/messages", want: customer},
		{method: "GET", route: "/account/notifications", want: customer},
		{method: "POST", route: "/account/notifications", body: map[string]any{"refunds": "on"}, want: is(done, done, forbidden, forbidden, forbidden, forbidden)},
		{method: "GET", route: "/account/messages/:id", path: "/account/messages/{thread}", want: is(ok, hidden, forbidden, forbidden, forbidden, forbidden)},
		{method: "POST", route: "/account/messages/:id", path: "/account/messages/{thread}", body: map[string]any{"body": "Any news?", "to": "seller"}, want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/threads/{thread}", "Any news?")},
		{method: "POST", route: "/account/messages/:id/close", path: "/account/messages/{thread}/close", want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/threads/{thread}", `"closed"`)},
		{method: "GET", route: "/account/claims/:id", path: "/account/claims/{claim}", want: is(ok, hidden, forbidden, forbidden, forbidden, forbidden)},
		{method: "POST", route: "/account/claims/:id/offers/:offer/:decision", path: "/account/claims/{claim}/offers/{offer}/accept", want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/claims/{claim}", `"accepted"`)},
		{method: "POST", route: "/account/claims/:id/close", path: "/account/claims/{claim}/close", body: map[string]any{"reason": "Solved."}, want: is(done, hidden, forbidden, forbidden, forbidden, forbidden),
			changed: shows("/api/v1/claims/{claim}", `"closed"`)},
		{method: "POST", route: "/account/claims/:id/return/shipped", path: "/account/claims/{claim}/return/shipped", needs: []string{"return"}, body: map[string]any{"tracking": "T1"},
			want: is(done, hidden, forbidden, forbidden, forbidden, forbidden), changed: shows("/api/v1/returns/{return}", `"shipped"`)},
		{method: "GET", route: "/account/attachments/:sha", path: "/account/attachments/{sha}", needs: []string{"thread"}, want: is(ok, hidden, forbidden, forbidden, forbidden, forbidden)},
		{method: "GET", route: "/account/returns/:id/label", path: "/account/returns/{return}/label", want: is(ok, hidden, forbidden, forbidden, forbidden, forbidden)},
		{method: "GET", route: "/account/export", want: customer}, // each customer their own

		{method: "GET", route: "/seller", want: is(forbidden, forbidden, http.StatusFound, http.StatusFound, forbidden, forbidden)}, // to the inbox
		{method: "GET", route: "/seller/messages", want: seller},
		{method: "GET", route: "/seller/messages/:id", path: "/seller/messages/{thread}", want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "POST", route: "/seller/messages/:id", path: "/seller/messages/{thread}", body: map[string]any{"body": "On its way.", "to": "customer"}, want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/threads/{thread}", "On its way.")},
		{method: "POST", route: "/seller/messages/:id/no-reply-needed", path: "/seller/messages/{thread}/no-reply-needed", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/threads/{thread}", `"seller_reply_needed_since":null`)},
		{method: "POST", route: "/seller/messages/:id/close", path: "/seller/messages/{thread}/close", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/threads/{thread}", `"closed"`)},
		{method: "GET", route: "/seller/attachments/:sha", path: "/seller/attachments/{sha}", needs: []string{"thread"}, want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "GET", route: "/seller/canned", want: seller},
		{method: "POST", route: "/seller/canned", body: map[string]any{"action": "save", "title": "Hi {seq}", "body": "Hello"}, want: is(forbidden, forbidden, done, done, forbidden, forbidden),
			changed: cannedHas("Hi {seq}")},
		{method: "POST", route: "/seller/canned/:id/delete", path: "/seller/canned/{canned}/delete", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: cannedGone},
		{method: "GET", route: "/seller/orders", want: seller},
		{method: "GET", route: "/seller/orders/:number", path: "/seller/orders/{order}", want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "POST", route: "/seller/orders/:number/threads", path: "/seller/orders/{order}/threads", body: map[string]any{"recipient": "customer", "topic": "other", "body": "Hello"}, want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/threads?order={order}", `"topic":"other"`)},
		{method: "POST", route: "/seller/orders/:number/refund", path: "/seller/orders/{order}/refund", body: map[string]any{"kind": "total"}, want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "GET", route: "/seller/incidents", want: seller},
		{method: "GET", route: "/seller/incidents/:id", path: "/seller/incidents/{incident}", want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "POST", route: "/seller/incidents/:id/solve", path: "/seller/incidents/{incident}/solve", body: map[string]any{"message": "Sent a new one."}, want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/incidents/{incident}", `"resolved_by_seller"`)},
		{method: "GET", route: "/seller/claims", want: seller},
		{method: "GET", route: "/seller/claims/:id", path: "/seller/claims/{claim}", want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "POST", route: "/seller/claims/:id/offer", path: "/seller/claims/{claim}/offer", body: map[string]any{"by": "percent", "percent": "10"}, want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/claims/{claim}", `"percent":10`, `"state":"pending"`)},
		{method: "POST", route: "/seller/claims/:id/refund", path: "/seller/claims/{claim}/refund", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/orders/{order}/refunds", `"total"`)},
		{method: "POST", route: "/seller/claims/:id/return", path: "/seller/claims/{claim}/return", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/claims/{claim}", `"state":"returning"`)},
		{method: "POST", route: "/seller/claims/:id/return/received", path: "/seller/claims/{claim}/return/received", needs: []string{"return"}, want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/returns/{return}", `"state":"refunded"`)},
		{method: "POST", route: "/seller/claims/:id/offers/:offer/withdraw", path: "/seller/claims/{claim}/offers/{offer}/withdraw", want: is(forbidden, forbidden, done, hidden, forbidden, forbidden),
			changed: shows("/api/v1/claims/{claim}", `"withdrawn"`)},
		{method: "GET", route: "/seller/returns/:id/label", path: "/seller/returns/{return}/label", want: is(forbidden, forbidden, ok, hidden, forbidden, forbidden)},
		{method: "GET", route: "/seller/stats", want: seller},

		{method: "GET", route: "/operator", want: operator},
		{method: "GET", route: "/operator/messages", want: operator},
		{method: "GET", route: "/operator/messages/:id", path: "/operator/messages/{thread}", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/operator/messages/:id", path: "/operator/messages/{thread}", body: map[string]any{"body": "We are on it.", "to": "customer"}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/threads/{thread}", "We are on it.")},
		{method: "POST", route: "/operator/messages/:id/close", path: "/operator/messages/{thread}/close", want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/threads/{thread}", `"closed"`)},
		{method: "GET", route: "/operator/attachments/:sha", path: "/operator/attachments/{sha}", needs: []string{"thread"}, want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/operator/incidents", want: operator},
		{method: "GET", route: "/operator/incidents/:id", path: "/operator/incidents/{incident}", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/operator/incidents/:id/close", path: "/operator/incidents/{incident}/close", body: map[string]any{"reason": "Done."}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/incidents/{incident}", `"closed"`)},
		{method: "POST", route: "/operator/incidents/:id/reopen", path: "/operator/incidents/{resolved}/reopen", body: map[string]any{"why": "Again."}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/incidents/{resolved}", `"state":"open"`)},
		{method: "GET", route: "/operator/claims", want: operator},
		{method: "GET", route: "/operator/claims/:id", path: "/operator/claims/{claim}", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/operator/claims/:id/refund", path: "/operator/claims/{claim}/refund", want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/orders/{order}/refunds", `"total"`)},
		{method: "POST", route: "/operator/claims/:id/return", path: "/operator/claims/{claim}/return", want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/claims/{claim}", `"state":"returning"`)},
		{method: "POST", route: "/operator/claims/:id/close", path: "/operator/claims/{claim}/close", body: map[string]any{"reason": "Solved."}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/claims/{claim}", `"closed"`)},
		{method: "POST", route: "/operator/claims/:id/return/:state", path: "/operator/claims/{claim}/return/shipped", needs: []string{"return"}, body: map[string]any{"tracking": "T1"}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/returns/{return}", `"shipped"`)},
		{method: "POST", route: "/operator/claims/:id/offers/:offer/withdraw", path: "/operator/claims/{claim}/offers/{offer}/withdraw", want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/claims/{claim}", `"withdrawn"`)},
		{method: "GET", route: "/operator/returns/:id/label", path: "/operator/returns/{return}/label", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "GET", route: "/operator/orders", want: operator},
		{method: "GET", route: "/operator/orders/:number", path: "/operator/orders/{order}", want: is(forbidden, forbidden, forbidden, forbidden, ok, ok)},
		{method: "POST", route: "/operator/orders/:number/refunds/:id/retry", path: "/operator/orders/{order}/refunds/{failed}/retry", want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/refunds/{failed}", `"state":"requested"`)},
		{method: "POST", route: "/operator/orders/:number/refunds", path: "/operator/orders/{order}/refunds", body: map[string]any{"kind": "partial", "amount": "0.01", "reason": "goodwill {seq}"}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/orders/{order}/refunds", "goodwill {seq}")},
		{method: "POST", route: "/operator/orders/:number/incidents", path: "/operator/orders/{order}/incidents", body: map[string]any{"line": "1", "reason": "damaged"}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/incidents?order={order}", `"damaged"`)},
		{method: "POST", route: "/operator/orders/:number/threads", path: "/operator/orders/{order}/threads", body: map[string]any{"recipient": "customer", "topic": "other", "body": "Hello"}, want: is(forbidden, forbidden, forbidden, forbidden, done, done),
			changed: shows("/api/v1/threads?order={order}", `"topic":"other"`)},
		{method: "GET", route: "/operator/admin", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/operator/admin/rules", body: map[string]any{"name": "rule-{seq}", "team": "customer_care"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done),
			changed: shows("/api/v1/admin/routing-rules", "rule-{seq}")},
		{method: "POST", route: "/operator/admin/grants", body: map[string]any{"agent": "{agent}", "permission": "view_stats"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done),
			changed: shows("/api/v1/admin/grants", "{agent}")},
		{method: "GET", route: "/operator/admin/rules/:id", path: "/operator/admin/rules/{rule}", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/operator/admin/rules/:id", path: "/operator/admin/rules/{rule}", body: map[string]any{"name": "edited-{seq}", "priority": "7", "team": "customer_care"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done), changed: shows("/api/v1/admin/routing-rules", "edited-{seq}")},
		{method: "POST", route: "/operator/admin/rules/:id/delete", path: "/operator/admin/rules/{rule}/delete",
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done), changed: hides("/api/v1/admin/routing-rules", "{rule}")},
		{method: "POST", route: "/operator/admin/grants/:id/revoke", path: "/operator/admin/grants/{grant}/revoke",
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done), changed: hides("/api/v1/admin/grants", "{grant}")},
		{method: "POST", route: "/operator/admin/users/:id/team", path: "/operator/admin/users/{agent}/team", body: map[string]any{"team": "customer_care", "skills": "skill-{seq}"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done), changed: shows("/api/v1/admin/users", "skill-{seq}")},
		{method: "GET", route: "/operator/notifications", want: operator},
		{method: "POST", route: "/operator/notifications/:id/read", path: "/operator/notifications/{carenote}/read", body: map[string]any{"entity": "incident:{incident}"},
			want: is(forbidden, forbidden, forbidden, forbidden, done, hidden), changed: careNoteRead},
		{method: "GET", route: "/operator/admin/users", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "GET", route: "/operator/admin/users/:id", path: "/operator/admin/users/{user}", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/operator/admin/users/:id/:action<regex(^(disable|enable|password|revoke)$)>", path: "/operator/admin/users/{user}/disable", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done),
			changed: disabledUser},
		{method: "GET", route: "/operator/admin/users/:id/export", path: "/operator/admin/users/{user}/export", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "POST", route: "/operator/admin/users/:id/erase", path: "/operator/admin/users/{user}/erase", body: map[string]any{"confirm": "kit-{seq}"},
			want: is(forbidden, forbidden, forbidden, forbidden, forbidden, done), changed: shows("/api/v1/audit?entity=user:{user}", "customer.erased")},
		{method: "GET", route: "/operator/stats", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)}, // agents need the view_stats grant
		{method: "GET", route: "/operator/stats/:shop", path: "/operator/stats/shop-1", want: is(forbidden, forbidden, forbidden, forbidden, forbidden, ok)},
		{method: "GET", route: "/operator/deflection", want: operator},
		{method: "GET", route: "/operator/analytics", want: operator},
		{method: "POST", route: "/operator/analytics/review", body: map[string]any{"id": "en|how returns|returns", "decision": "reject"}, want: is(forbidden, forbidden, forbidden, forbidden, forbidden, http.StatusNotFound)}, // nothing learned yet: the admin reaches it and is told so
	}
}

// TestPermissionPages: every back-office page and form, for each demo role
// signed in, on resources of its own kit: the exact status; after a done
// form the change read back through the API; after any other answer to a
// form nothing changed. Signed out, or disabled, a page sends to /login.
func TestPermissionPages(t *testing.T) {
	w := newPermWorld(t)
	rows := pageRows()
	public := map[string]bool{"GET /login": true, "POST /login": true}
	area := regexp.MustCompile(`^/(account|seller|operator|password|logout|login)(/|$)`)
	checkEveryRoute(t, w, rows, public, area.MatchString)
	probe := os.Getenv("PERM_PROBE") != ""

	// A disabled user's browser session lets them in nowhere: their next
	// page, and their next form, send to /login.
	t.Run("disabled user's session", func(t *testing.T) {
		k := w.kit(t)
		id := k.id("user")
		if r := w.call(t, "adam", "POST", "/api/v1/admin/users/"+id+"/password", map[string]any{"password": "s3cret-pass-" + k.ids["seq"]}); r.status >= 300 {
			t.Fatalf("set password: %d %s", r.status, r.body)
		}
		b := w.forms()
		if status, _, _ := b.post(t, "/login", "/login", url.Values{"name": {"kit-" + k.ids["seq"]}, "password": {"s3cret-pass-" + k.ids["seq"]}}); status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", status)
		}
		_, _, token := b.get(t, "/account")
		if status, _, _ := b.do(t, "GET", "/account", nil); status != http.StatusOK {
			t.Fatalf("before: /account %d, want 200", status)
		}
		if r := w.call(t, "adam", "POST", "/api/v1/admin/users/"+id+"/disable", nil); r.status != http.StatusOK {
			t.Fatalf("disable: %d %s", r.status, r.body)
		}
		for _, p := range []string{"/account", "/account/messages", "/password"} {
			if status, h, _ := b.do(t, "GET", p, nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("disabled, GET %s: %d %s, want 303 to /login", p, status, h.Get("Location"))
			}
		}
		if status, h, _ := b.do(t, "POST", "/account/orders/"+k.id("order")+"/threads", url.Values{"_csrf": {token}, "recipient": {"seller"}, "topic": {"other"}, "body": {"Hello"}}); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("disabled, a form: %d %s, want 303 to /login", status, h.Get("Location"))
		}
	})

	for _, r := range rows {
		t.Run(r.method+" "+r.route, func(t *testing.T) {
			k := w.kit(t)
			path, _ := r.request(k, "")
			status, h, _ := w.forms().do(t, r.method, path, nil)
			if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
				t.Errorf("signed out: %d %s, want 303 to /login", status, h.Get("Location"))
			}
			for i, who := range roles {
				k := w.kit(t)
				path, body := r.request(k, who)
				b := w.forms()
				b.login(t, who)
				_, _, token := b.get(t, "/password")
				form := url.Values{"_csrf": {token}}
				if data, ok := body.([]byte); ok {
					var m map[string]string
					json.Unmarshal(data, &m)
					for f, v := range m {
						form.Set(f, v)
					}
				}
				if r.method == "GET" {
					status, h, _ := b.do(t, "GET", path, nil)
					if probe {
						fmt.Printf("PROBE %s %s %s %d %s\n", r.method, r.route, who, status, h.Get("Location"))
					}
					if status != r.want[i] {
						t.Errorf("%s: %d %s, want %d", who, status, h.Get("Location"), r.want[i])
					}
					continue
				}
				before := k.snapshot()
				status, h, _ := b.do(t, r.method, path, form)
				if probe {
					fmt.Printf("PROBE %s %s %s %d %s\n", r.method, r.route, who, status, h.Get("Location"))
				}
				if status != r.want[i] {
					t.Errorf("%s: %d %s, want %d", who, status, h.Get("Location"), r.want[i])
					continue
				}
				if status != done {
					if after := k.snapshot(); after != before {
						t.Errorf("%s: answered %d, yet the state changed:\n%s", who, status, firstDiff(before, after))
					}
					continue
				}
				if r.changed != nil {
					r.changed(t, k, who, response{})
				}
				if r.session != nil {
					r.session(t, b)
				}
			}
		})
	}
}
