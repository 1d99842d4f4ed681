package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

// TestSellerOrdersMarkAndFilterClaims: Sam's orders list marks the order
// with a claim, links to it, and lists only such orders when asked; an
// order without one is not in the filtered list. Customer care's list does
// the same; Ben's own list has no claim column.
func TestSellerOrdersMarkAndFilterClaims(t *testing.T) {
	w := newSellerWorld(t)
	cl, err := w.d.Claims.OpenClaim(w.as("ben"), "2001", domain.ClaimDefect, "It has a hole.")
	if err != nil {
		t.Fatal(err)
	}
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/orders")
	if status != http.StatusOK {
		t.Fatalf("/seller/orders: %d", status)
	}
	row := rowOf(body, `href="/seller/orders/2001"`)
	sellerHas(t, "the order with a claim", row, `href="/seller/claims/`+cl.ID+`"`, "claim: Open")
	if r := rowOf(body, `href="/seller/orders/1001"`); strings.Contains(r, "claim:") {
		t.Errorf("1001 has no claim but is marked: %s", r)
	}
	for _, f := range []string{"any", "open"} {
		body = getBody(t, sam, "/seller/orders?claims="+f)
		sellerHas(t, "claims="+f, body, `href="/seller/orders/2001"`, `<option value="`+f+`" selected>`)
		sellerLacks(t, "claims="+f, body, `href="/seller/orders/1001"`)
	}
	if _, err := w.d.Claims.CloseClaim(w.as("ben"), cl.ID, "solved by the buyer"); err != nil {
		t.Fatal(err)
	}
	body = getBody(t, sam, "/seller/orders?claims=open")
	sellerLacks(t, "claims=open after the claim closed", body, `href="/seller/orders/2001"`)
	sellerHas(t, "claims=open after the claim closed", body, "No orders with an open claim.")
	body = getBody(t, sam, "/seller/orders?claims=any")
	sellerHas(t, "claims=any after the claim closed", body, `href="/seller/orders/2001"`, "claim: Closed")

	body = getBody(t, w.signedIn(t, "ben"), "/account")
	sellerLacks(t, "ben's orders", body, "claim:", `name="claims"`)
}

// rowOf is the table row of body that holds marker.
func rowOf(body, marker string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}

func getBody(t *testing.T, c *formClient, target string) string {
	t.Helper()
	_, body, _ := c.get(t, target)
	return body
}

// TestOperatorPagesNameCustomersAndShops: customer care reads the order's
// customer and shop by name, not as a ULID and "shop-1"; and the claim's
// offers by who made them.
func TestOperatorPagesNameCustomersAndShops(t *testing.T) {
	w := newSellerWorld(t)
	cl, err := w.d.Claims.OpenClaim(w.as("ben"), "2001", domain.ClaimDefect, "It has a hole.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.Claims.OfferPartialRefund(w.as("sam"), cl.ID, 10, 0); err != nil {
		t.Fatal(err)
	}
	olga := w.signedIn(t, "olga")
	order := getBody(t, olga, "/operator/orders/2001")
	sellerHas(t, "the operator's order page", order, "Ben Carter", "Nordic Home")
	claim := getBody(t, olga, "/operator/claims/"+cl.ID)
	sellerHas(t, "the operator's claim page", claim, "Nordic Home", "Sam (Nordic Home)")
	for what, body := range map[string]string{"order": order, "claim": claim} {
		text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ") // what is shown, not the links
		if m := ulidPattern.FindString(text); m != "" {
			t.Errorf("the operator's %s page shows the id %s", what, m)
		}
	}
}

// TestPolicyFooterOnlyForStaff: the deadlines footer (with the configured
// windows) is for sellers and customer care, not customers.
func TestPolicyFooterOnlyForStaff(t *testing.T) {
	w := newSellerWorld(t)
	sellerHas(t, "sam's page", getBody(t, w.signedIn(t, "sam"), "/seller/orders"), "sellers answer within 48 h", "within 72 h")
	sellerLacks(t, "ben's page", getBody(t, w.signedIn(t, "ben"), "/account"), "sellers answer within", "After-sales")
}

// TestSpanishCustomerFormErrors: Ana's forms answer her mistakes in Spanish.
func TestSpanishCustomerFormErrors(t *testing.T) {
	w := newSellerWorld(t)
	ana := w.signedIn(t, "ana")
	status, _, body := ana.post(t, "/account/orders/1001", "/account/orders/1001/threads",
		url.Values{"recipient": {"seller"}, "topic": {"delivery"}, "body": {""}})
	if status != http.StatusBadRequest {
		t.Fatalf("an empty message: %d", status)
	}
	sellerHas(t, "ana's empty message", body, "Escribe un mensaje.")
	sellerLacks(t, "ana's empty message", body, "A message needs a body.")
	_, _, body = w.signedIn(t, "ben").post(t, "/account/orders/2001", "/account/orders/2001/threads",
		url.Values{"recipient": {"seller"}, "topic": {"delivery"}, "body": {""}})
	sellerHas(t, "ben's empty message", body, "A message needs a body.")
}

// TestSignInSpeaksTheBrowsersLanguage: before anyone is known, the sign-in
// page follows Accept-Language; it is branded as the help centre.
func TestSignInSpeaksTheBrowsersLanguage(t *testing.T) {
	w := newSellerWorld(t)
	r := w.call(t, "", "GET", "/login", nil, "Accept-Language", "es-ES,es;q=0.9")
	sellerHas(t, "the Spanish sign-in", string(r.body), `lang="es"`, "Iniciar sesión", "Contraseña", "Centro de ayuda")
	r = w.call(t, "", "GET", "/login", nil)
	sellerHas(t, "the sign-in", string(r.body), `lang="en"`, "Sign in", "Help centre")
	sellerLacks(t, "the sign-in", string(r.body), "After-sales")
}

// TestPagesSayTheConfiguredWindows: with a 24 h reply window and a 36 h
// claim window, the staff's pages name those, never 48 h or 72 h.
func TestPagesSayTheConfiguredWindows(t *testing.T) {
	w, _, _ := buildWorld(t, worldOptions{domain: func(db *bolt.DB, _ domain.Policy) *server.Domain {
		p := domain.DefaultPolicy()
		p.SellerReplyWithin, p.ClaimResolveWithin = 24*time.Hour, 36*time.Hour
		b := bolt.NewServices(db, p)
		return &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
			Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
			Audit: b.Audit, Canned: b.Canned, Policy: p}
	}})
	sam := w.forms()
	sam.login(t, "sam")
	for _, page := range []string{"/seller/claims", "/seller/messages"} {
		body := getBody(t, sam, page)
		sellerHas(t, page, body, "within 24 h", "within 36 h")
		sellerLacks(t, page, body, "48 h", "72 h", "72 hours")
	}
	sellerHas(t, "the inbox's overdue filter", getBody(t, sam, "/seller/messages"), "Overdue (past 24 h)")
	olga := w.forms()
	olga.login(t, "olga")
	sellerHas(t, "the queue", getBody(t, olga, "/operator"), "the 36 h deadline", "the 24 h reply")
}

// TestDeniedPageInSpanish: Ana opening a seller's page is told, in Spanish,
// that it is not her area.
func TestDeniedPageInSpanish(t *testing.T) {
	w := newSellerWorld(t)
	status, body, _ := w.signedIn(t, "ana").get(t, "/seller/messages")
	if status != http.StatusForbidden {
		t.Fatalf("ana opens /seller/messages: %d", status)
	}
	sellerHas(t, "ana's refusal", body, "Esta zona no es para ti", "Ir a tu página de inicio")
}
