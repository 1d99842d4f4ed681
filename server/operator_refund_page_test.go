package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

// Customer care's refund form on the order page, without a browser: a bad
// amount is shown next to its field; the form's key makes a second click
// no second refund; over the agents' limit the refusal names it.
func TestOperatorRefundForm(t *testing.T) {
	w := newCasesWorld(t)
	olga := w.forms()
	olga.login(t, "olga")
	p := "/operator/orders/1001"
	status, _, body := olga.post(t, p, p+"/refunds", url.Values{"kind": {"partial"}, "amount": {"lots"}, "reason": {"Goodwill"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="amount-error"`) || !strings.Contains(body, `value="Goodwill"`) {
		t.Fatalf("a bad amount: %d", status)
	}
	for i := 0; i < 2; i++ { // the same form sent twice
		status, h, _ := olga.post(t, p, p+"/refunds", url.Values{"kind": {"partial"}, "amount": {"5.00"}, "key": {"op-form-1"}})
		if status != http.StatusSeeOther || h.Get("Location") != p+"?done=refunded" {
			t.Fatalf("refund %d: %d %s", i, status, h.Get("Location"))
		}
	}
	var list struct{ Refunds []domain.Refund }
	w.call(t, "olga", "GET", "/api/v1/orders/1001/refunds", nil).decode(t, &list)
	if len(list.Refunds) != 1 || list.Refunds[0].Amount != 500 {
		t.Fatalf("refunds after two clicks: %+v", list.Refunds)
	}
	status, _, body = olga.post(t, p, p+"/refunds", url.Values{"kind": {"total"}})
	if status != http.StatusForbidden || !strings.Contains(body, `id="refund-error"`) || !strings.Contains(body, "above your limit of 20.00 EUR per order") {
		t.Errorf("a total refund over olga's limit: %d", status)
	}
}
