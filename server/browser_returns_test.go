package server_test

// TestBrowserReturnJourney walks a claim that ends in a return through the
// pages of the two people in it, in headless Chromium (same dependencies as
// TestBrowser): ben makes the claim from his order; sam offers 20 %,
// withdraws the offer and grants a return instead (the claim is safe for
// his reputation at once); ben says he sent it back; sam marks it received,
// which refunds ben and closes the claim; ben's order shows the refund with
// its reason and no "Make a claim" any more.

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserReturnJourney(t *testing.T) {
	w := newDomainWorld(t)
	b, base := startBrowser(t, w, 3*time.Minute)

	// 1. ben makes a claim from his order page.
	b.at("return-ben-order", nil)
	b.signIn(base, "ben")
	b.do("open order 2001", chromedp.Navigate(base+"/account/orders/2001"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.do("open the claim form", chromedp.Click(chromedp.CSS(`details:has(form[action$="/claims"]) > summary`)),
		chromedp.WaitVisible(chromedp.CSS("#cl-desc")))
	b.do("fill the claim", chromedp.SetValue(chromedp.CSS("#cl-reason"), "defect"),
		chromedp.SendKeys(chromedp.CSS("#cl-desc"), "The seam of the throw came open after one wash."))
	b.submit("open the claim", `form[action$="/claims"] button[type=submit]`)
	claim := strings.TrimPrefix(strings.SplitN(b.location(), "?", 2)[0], "/account/claims/")
	if len(claim) != 26 {
		t.Fatalf("after the claim ben is on %s", b.location())
	}
	b.do("back to the order", chromedp.Navigate(base+"/account/orders/2001"), chromedp.WaitVisible(chromedp.CSS(".open-claim a")))
	if n := eval[int](b, "claim forms", `document.querySelectorAll('form[action$="/claims"]').length`); n != 0 {
		t.Errorf("the order with an open claim still offers \"Make a claim\" (%d forms)", n)
	}
	b.checkPage("return-ben-order-claimed")
	b.signOut()

	// 2. sam offers 20 %, withdraws it, and grants a return instead.
	b.at("return-sam-claim", nil)
	b.signIn(base, "sam")
	b.do("sam's claim", chromedp.Navigate(base+"/seller/claims/"+claim), chromedp.WaitVisible(chromedp.CSS("#o-percent")))
	b.do("type 20 %", chromedp.SendKeys(chromedp.CSS("#o-percent"), "20"))
	b.submit("offer 20 %", `form[action$="/offer"] button[type=submit]`)
	if got := b.text("section[aria-labelledby=off-h]"); !strings.Contains(got, "pending") || !strings.Contains(got, "expires") {
		t.Errorf("the pending offer says %q", got)
	}
	b.checkPage("return-sam-offer-pending")
	b.submit("withdraw the offer", `form[action$="/withdraw"] button[type=submit]`)
	if got := b.text(".flash"); !strings.Contains(got, "withdrawn") {
		t.Errorf("after withdrawing: %q", got)
	}
	if got := b.text("section[aria-labelledby=off-h]"); !strings.Contains(got, "withdrawn") {
		t.Errorf("the withdrawn offer says %q", got)
	}
	b.do("the offer form is back", chromedp.WaitVisible(chromedp.CSS("#o-percent")))
	b.submit("accept the return", `form[action$="/return"] button[type=submit]`)
	if got := b.text("section.deadline"); !strings.Contains(got, "Safe") {
		t.Errorf("with the return granted the reputation says %q", got)
	}
	b.do("the Received button", chromedp.WaitVisible(chromedp.CSS(`form[action$="/return/received"] button`)))
	b.checkPage("return-sam-granted")
	b.signOut()

	// 3. ben sends it back, with a tracking number; he can no longer close
	// the claim himself.
	b.at("return-ben-claim", nil)
	b.signIn(base, "ben")
	b.do("ben's claim", chromedp.Navigate(base+"/account/claims/"+claim), chromedp.WaitVisible(chromedp.CSS("#ret-tracking")))
	if n := eval[int](b, "close forms", `document.querySelectorAll('form[action$="/close"]').length`); n != 0 {
		t.Error("\"Close my claim\" shows during a return")
	}
	b.checkPage("return-ben-label")
	b.do("type the tracking number", chromedp.SendKeys(chromedp.CSS("#ret-tracking"), "RET-7731"))
	b.submit("I've sent it back", `form[action$="/return/shipped"] button[type=submit]`)
	if got := b.text("section[aria-labelledby=ret-h]"); !strings.Contains(got, "On its way back") || !strings.Contains(got, "RET-7731") {
		t.Errorf("after sending it back the return says %q", got)
	}
	b.shot("return-ben-sent-back")
	b.signOut()

	// 4. sam receives it: ben is refunded and the claim closed.
	b.at("return-sam-received", nil)
	b.signIn(base, "sam")
	b.do("sam's claim again", chromedp.Navigate(base+"/seller/claims/"+claim), chromedp.WaitVisible(chromedp.CSS(`form[action$="/return/received"] button`)))
	if got := b.text("section[aria-labelledby=ret-h]"); !strings.Contains(got, "RET-7731") {
		t.Errorf("sam's return says %q", got)
	}
	b.submit("received", `form[action$="/return/received"] button[type=submit]`)
	if got := b.text(".flash"); !strings.Contains(got, "received") {
		t.Errorf("after receiving: %q", got)
	}
	if got := b.text("#cl-h + dl"); !strings.Contains(got, "closed") || !strings.Contains(got, "return") {
		t.Errorf("the received claim says %q", got)
	}
	b.checkPage("return-sam-received")
	b.signOut()

	// 5. ben's order: the refund with its reason; nothing left to claim.
	b.at("return-ben-refunded", nil)
	b.signIn(base, "ben")
	b.do("ben's order", chromedp.Navigate(base+"/account/orders/2001"), chromedp.WaitVisible(chromedp.CSS("section[aria-labelledby=ref-h]")))
	if got := b.text("section[aria-labelledby=ref-h]"); !strings.Contains(got, "€59.00") || !strings.Contains(got, "Your return was received") {
		t.Errorf("ben's refunds say %q", got)
	}
	if n := eval[int](b, "claim forms", `document.querySelectorAll('form[action$="/claims"]').length`); n != 0 {
		t.Error("an order refunded in full still offers \"Make a claim\"")
	}
	b.checkPage("return-ben-refunded")
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
