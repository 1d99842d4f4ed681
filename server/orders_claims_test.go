package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
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
