package server_test

// TestBrowserRefundLimit walks issue 21's item 12 (the agent refund limit
// applies per order, not per refund) through customer care's order page in
// headless Chromium (same dependencies as TestBrowser): adam grants olga
// refund_over up to 50.00 EUR; olga refunds 30.00 EUR of ana's order from
// the order page's form; a second 30.00 EUR, each under her limit but 60.00
// EUR in all, is refused next to the form with what was typed kept. The API
// walks it in cases_test.go (TestRefundsOverHTTP, "agent splitting").

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

func TestBrowserRefundLimit(t *testing.T) {
	w := newCasesWorld(t)
	b, base := startBrowser(t, w.domainWorld, 3*time.Minute)
	want(t, "olga's refund_over up to 50.00 EUR", w.call(t, "adam", "POST", "/api/v1/admin/grants",
		map[string]any{"agent_id": "olga", "permission": "refund_over", "limit": 5000}), 201, "")
	refund := func(what, amount string) {
		t.Helper()
		b.do("open the refund form", chromedp.Navigate(base+"/operator/orders/1001"), chromedp.WaitVisible(chromedp.CSS("#refund > summary")),
			chromedp.Click(chromedp.CSS("#refund > summary")), chromedp.WaitVisible(chromedp.CSS("#op-amount")))
		b.do("fill the refund", chromedp.Click(chromedp.CSS(`#refund input[name=kind][value=partial]`)),
			chromedp.SendKeys(chromedp.CSS("#op-amount"), amount), chromedp.SendKeys(chromedp.CSS("#op-reason"), "Goodwill for the delay"))
		b.submit(what, `#refund button[type=submit]`)
	}

	// 1. The first 30.00 EUR: made, and the customer told.
	b.at("limit-first-refund", nil)
	b.signIn(base, "olga")
	refund("refund 30.00", "30.00")
	if got := b.text(".flash"); !strings.Contains(got, "The refund was requested") {
		t.Errorf("after the first refund: %q", got)
	}
	if got := b.text("section[aria-labelledby=ref-h] table"); !strings.Contains(got, "€30.00") {
		t.Errorf("the order's refunds: %q", got)
	}
	b.checkPage("limit-first-refund")

	// 2. The second 30.00 EUR would make 60.00 EUR on the order: refused
	// next to the form, which stays open with what was typed.
	b.at("limit-split-refused", func(m chromedp.ConsoleMessage) bool { // the refusal's own status
		return m.Source == "network" && strings.Contains(m.Text, "403")
	})
	refund("refund 30.00 again", "30.00")
	b.do("the refusal", chromedp.WaitVisible(chromedp.CSS("#refund form #refund-error")))
	if got := b.text("#refund-error"); !strings.Contains(got, "60.00") || !strings.Contains(got, "above your limit of") || !strings.Contains(got, "per order") {
		t.Errorf("the refusal says %q", got)
	}
	if got := eval[string](b, "amount kept", `document.getElementById("op-amount").value`); got != "30.00" {
		t.Errorf("the refused form kept the amount %q", got)
	}
	b.checkPage("limit-split-refused")
	b.flushConsole()
	b.at("limit-done", nil)
	var list struct{ Refunds []domain.Refund }
	w.call(t, "olga", "GET", "/api/v1/orders/1001/refunds", nil).decode(t, &list)
	if len(list.Refunds) != 1 || list.Refunds[0].Amount != 3000 {
		t.Errorf("refunds of 1001: %+v", list.Refunds)
	}
	b.signOut()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
