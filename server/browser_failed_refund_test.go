package server_test

// TestBrowserFailedRefund walks issue 21's journey 8 (money and case state
// agree) through the pages of each person in it, in headless Chromium (same
// dependencies as TestBrowser): sam refunds ana's order in full from his
// order page, which closes her incident; the payment side then fails the
// refund (a signed callback, as the payment provider sends it); ana's order
// page shows the incident open and the order on hold again; olga finds the
// failed refund in her notifications and retries it from the order page,
// which closes the incident again (she holds refund_over: the refund is
// above the agents' limit of this world). The API walks it in returns_test.go
// (TestFailedRefundReopensIncidentOverHTTP).

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

func TestBrowserFailedRefund(t *testing.T) {
	w := newCasesWorld(t)
	b, base := startBrowser(t, w.domainWorld, 3*time.Minute)
	want(t, "ana's incident", w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": "damaged", "line": 1, "description": "The lamp's base is cracked."}), 201, "")
	const onHold = "en espera: hay una incidencia abierta" // ana reads Spanish

	// 1. sam refunds everything from his order page, with a reason.
	b.at("failed-sam-order", nil)
	b.signIn(base, "sam")
	b.do("open order 1001", chromedp.Navigate(base+"/seller/orders/1001"), chromedp.WaitVisible(chromedp.CSS("#refund > summary")))
	b.do("open the refund form", chromedp.Click(chromedp.CSS("#refund > summary")), chromedp.WaitVisible(chromedp.CSS(`input[name=kind][value=total]`)))
	b.do("everything left", chromedp.Click(chromedp.CSS(`input[name=kind][value=total]`)),
		chromedp.SendKeys(chromedp.CSS("#r-reason"), "The lamp arrived broken: sorry!"))
	b.at("failed-sam-confirm", nil)
	b.submit("review the refund", `#refund form button[type=submit]`)
	b.do("the confirmation", chromedp.WaitVisible(chromedp.CSS("#get-h")))
	b.submit("confirm", `form[action$="/refund"] button:not([name=edit])`)
	b.shot("failed-sam-refunded")
	b.signOut()
	var list struct{ Refunds []domain.Refund }
	w.call(t, "sam", "GET", "/api/v1/orders/1001/refunds", nil).decode(t, &list)
	if len(list.Refunds) != 1 || list.Refunds[0].Kind != domain.RefundTotal {
		t.Fatalf("refunds of 1001 after sam's: %+v", list.Refunds)
	}
	rf := list.Refunds[0]

	// 2. ana's order: the incident closed by the refund, nothing on hold.
	b.at("failed-ana-refunded", nil)
	b.signIn(base, "ana")
	b.do("ana's order", chromedp.Navigate(base+"/account/orders/1001"), chromedp.WaitVisible(chromedp.CSS("section[aria-labelledby=inc-h]")))
	if got := b.text("main"); strings.Contains(got, onHold) || eval[int](b, "open incidents", `document.querySelectorAll("section[aria-labelledby=inc-h] .badge.urgent").length`) != 0 {
		t.Errorf("after the total refund ana's order is still on hold: %.400q", got)
	}

	// 3. The payment side fails the refund: her incident is open again.
	signed := &domainWorld{srv: w.signed, db: w.db, world: w.world}
	failed := paymentCallback(rf.ID, "evt_browser_fail", `"state":"failed","failure":"card closed"`, time.Now())
	want(t, "the payment side fails the refund", signed.call(t, "", "POST", "/api/v1/refunds/"+rf.ID+"/callback", failed.body, failed.headers...), 200, "")
	b.at("failed-ana-reopened", nil)
	b.do("ana's order again", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("section[aria-labelledby=inc-h] .badge.urgent")))
	if got := b.text("main"); !strings.Contains(got, onHold) {
		t.Errorf("after the refund failed ana's order is not on hold: %.400q", got)
	}
	if got := b.text("section[aria-labelledby=ref-h]"); !strings.Contains(got, "The lamp arrived broken: sorry!") {
		t.Errorf("ana's refunds say %q", got)
	}
	b.do("the failed refund", chromedp.WaitVisible(chromedp.CSS("section[aria-labelledby=ref-h] .badge.urgent")))
	if got := b.text("nav.bo-nav"); !strings.Contains(got, "Notificaciones") {
		t.Errorf("ana's menu is not all Spanish: %q", got)
	}
	b.checkPage("failed-ana-reopened")
	b.signOut()

	// 4. olga is told, and retries it from the order page: the refund is
	// above the agents' limit in this world, so an admin has granted her
	// refund_over.
	want(t, "olga's refund_over", w.call(t, "adam", "POST", "/api/v1/admin/grants", map[string]any{"agent_id": "olga", "permission": "refund_over"}), 201, "")
	b.at("failed-olga-notified", nil)
	b.signIn(base, "olga")
	b.do("open the notifications", chromedp.Navigate(base+"/operator/notifications"), chromedp.WaitVisible(chromedp.CSS("#notifications")))
	if got := b.text("#notifications"); !strings.Contains(got, "refund") || !strings.Contains(got, "for order 1001 failed") {
		t.Errorf("olga's notifications: %.500q", got)
	}
	b.checkPage("failed-olga-notified")
	b.at("failed-olga-order", nil)
	b.do("open the order", chromedp.Navigate(base+"/operator/orders/1001"), chromedp.WaitVisible(chromedp.CSS(`form[action$="/retry"] button`)))
	if got := b.text("#order-cycle"); !strings.Contains(got, "frozen: 1 incident open") {
		t.Errorf("before the retry olga's order says %q", got)
	}
	b.submit("retry", `form[action$="/retry"] button[type=submit]`)
	if got := b.text("#order-cycle"); !strings.Contains(got, "not frozen") {
		t.Errorf("after the retry olga's order says %q", got)
	}
	if got := b.text("section[aria-labelledby=inc-h] ul"); !strings.Contains(got, "closed") {
		t.Errorf("after the retry the incidents say %q", got)
	}
	if n := eval[int](b, "retry forms", `document.querySelectorAll('form[action$="/retry"]').length`); n != 0 {
		t.Errorf("after the retry the order still offers %d retries", n)
	}
	b.checkPage("failed-olga-retried")
	b.signOut()
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
