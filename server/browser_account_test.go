package server_test

// TestBrowserAccountInternals walks a customer's account pages in Chromium
// in Spanish (ana) and English (ben), with an incident, a refund, a
// conversation and a claim with a rejected offer and a return on them, and
// reads what a customer sees: no shop ids, no ULIDs, no codes
// (item_not_received, partial_refund), no routing or engine text, and on
// Spanish pages no English labels.

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

var (
	ulidPattern = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{26}\b`)
	codePattern = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`) // item_not_received, buyers_remorse, label_issued
	shopPattern = regexp.MustCompile(`\bshop-\d+\b`)
)

// internals lists what of the internals a customer page shows.
func internals(text string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{ulidPattern, codePattern, shopPattern} {
		out = append(out, re.FindAllString(text, 3)...)
	}
	for _, s := range []string{"Matched", "(rule", "assigned to", "no reply needed", "attempt(s)", "1 artículos", "After-sales",
		"sellers answer within", "(1 items)"} {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

func TestBrowserAccountInternals(t *testing.T) {
	w := newSellerWorld(t)
	ok := func(what string, r response, status int) response {
		t.Helper()
		if r.status != status {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
		return r
	}
	var th, cl struct {
		ID     string
		Offers []struct{ ID string }
	}
	// ana (Spanish): an incident, a refund and a conversation on order 1001.
	ok("ana's incident", w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents",
		map[string]any{"reason": domain.IncidentNotReceived, "line": 1, "description": "La lámpara no ha llegado todavía."}), http.StatusCreated)
	ok("ana writes", w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "order_status",
		"body": "Hola, ¿dónde está mi pedido?"}), http.StatusCreated).decode(t, &th)
	ok("sam answers", w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"},
		"body": "Hola Ana, el paquete sale hoy de nuestro almacén."}), http.StatusCreated)
	ok("sam refunds", w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "partial", "lines": []map[string]int{{"line": 2, "units": 1}}},
		"Idempotency-Key", "account-pages-1"), http.StatusCreated)
	// ben (English): a claim on 2001 with a rejected offer and a return.
	ok("ben claims", w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": domain.ClaimBuyersRemorse,
		"description": "The colour is not what I expected."}), http.StatusCreated).decode(t, &cl)
	ok("sam offers", w.call(t, "sam", "POST", "/api/v1/claims/"+cl.ID+"/offers", map[string]any{"percent": 10}), http.StatusCreated).decode(t, &cl)
	ok("ben rejects", w.call(t, "ben", "POST", "/api/v1/claims/"+cl.ID+"/offers/"+cl.Offers[0].ID+"/reject", nil), http.StatusOK)
	ok("sam starts a return", w.call(t, "sam", "POST", "/api/v1/claims/"+cl.ID+"/return", nil), http.StatusCreated)
	var bth struct{ ID string }
	ok("ben writes", w.call(t, "ben", "POST", "/api/v1/orders/2001/threads", map[string]any{"recipient": "operator", "topic": "return",
		"body": "How do I print the label?"}), http.StatusCreated).decode(t, &bth)

	b, base := startBrowser(t, w.domainWorld, browserBudget)
	read := func(who, page, path, wait string, english []string, want ...string) {
		t.Helper()
		b.at(who+"-"+page, nil)
		b.do("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(wait)))
		text := eval[string](b, "text of "+path, visibleText)
		if bad := internals(text); len(bad) > 0 {
			t.Errorf("%s's %s shows internals %q:\n%.600s", who, path, bad, text)
		}
		for _, s := range english {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(s) + `\b`).MatchString(text) {
				t.Errorf("%s's %s (Spanish) shows English %q", who, path, s)
			}
		}
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("%s's %s lacks %q:\n%.600s", who, path, s, text)
			}
		}
		b.checkPage("account-" + who + "-" + page)
	}

	b.at("ana-login", nil)
	b.signIn(base, "ana")
	english := []string{"My orders", "Summary", "Items", "State", "Refunds", "Incidents", "Conversations", "Send", "Reply", "Sign out", "Shop",
		"Placed", "Paid", "customer", "seller", "Open incident", "Help centre"}
	read("ana", "orders", "/account", "main table", english, "Mis pedidos", "Enviado")
	read("ana", "order", "/account/orders/1001", "main h1", english, "Pedido 1001", "Nordic Home", "No he recibido el artículo",
		"Reembolso parcial", "Estado del pedido", "Centro de ayuda")
	read("ana", "messages", "/account/messages", "main table", english, "Nordic Home", "Estado del pedido")
	read("ana", "thread", "/account/messages/"+th.ID, "#body", english, "Participantes", "Nordic Home")
	read("ana", "password", "/password", "#current", english, "Cambiar tu contraseña", "Contraseña actual")
	b.signOut()

	b.at("ben-login", nil)
	b.signIn(base, "ben")
	read("ben", "orders", "/account", "main table", nil, "My orders", "Delivered")
	read("ben", "order", "/account/orders/2001", "main h1", nil, "Order 2001", "Nordic Home", "Changed my mind", "Return under way")
	read("ben", "claim", "/account/claims/"+cl.ID, "main h1", nil, "Claim on order 2001", "Changed my mind", "Rejected",
		"Label issued: send it back", "Download the return label")
	read("ben", "thread", "/account/messages/"+bth.ID, "#body", nil, "Customer care")
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
