package server_test

// TestBrowserClaimWindow walks issue 21's journey 6 (claims only while a
// remedy is possible; a claim opened in time is settled after the window)
// through the pages of the two people in it, in headless Chromium (same
// dependencies as TestBrowser). The API walks it in returns_test.go and the
// store contract in domain/storetest.
//
// Time moves with the world's store clock (worldOptions.now): the rules run
// on it, so 197 days pass for the claim and the order while the browser,
// its cookies and the pages' own display of time stay in the present.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// submitConfirmed is submit for a button that asks first (data-confirm):
// it accepts the browser's dialog, as a person clicking OK does, and
// returns what the dialog asked.
func (b *browser) submitConfirmed(what, sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	asked := make(chan string, 1)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			asked <- ev.Message
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			return
		}
	}()
	b.submit(what, sel)
	select {
	case m := <-asked:
		return m
	default:
		b.t.Fatalf("%s: the page did not ask to confirm", what)
		return ""
	}
}

// testClock is a settable clock for a world's store, safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestBrowserClaimWindow(t *testing.T) {
	clock := &testClock{t: time.Now()}
	w, _, _ := buildWorld(t, worldOptions{domain: domainServices(), now: clock.Now})
	b, base := startBrowser(t, w, 3*time.Minute)
	claimForms := `document.querySelectorAll('form[action$="/claims"]').length`

	// 1. ana (Spanish pages) on 1002, shipped 250 days ago: no claim offered.
	b.at("window-ana-old-order", nil)
	b.signIn(base, "ana")
	b.do("open order 1002", chromedp.Navigate(base+"/account/orders/1002"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := eval[string](b, "lang", `document.documentElement.lang`); got != "es" {
		t.Errorf("ana's order page is in %q, want es", got)
	}
	if n := eval[int](b, "claim forms", claimForms); n != 0 || strings.Contains(b.text("main"), "Hacer una reclamación") {
		t.Errorf("1002, past the claim window, offers \"Hacer una reclamación\" (%d forms)", n)
	}
	b.checkPage("window-ana-old-order")

	// 2. An order delivered two days ago, imported by customer care through
	// the API, offers it; ana opens the claim from the page.
	at := func(h time.Duration) string { return w.now.Add(-h * time.Hour).UTC().Format(time.RFC3339) }
	want(t, "import 1003", w.call(t, "olga", "PUT", "/api/v1/orders/1003", map[string]any{"customer": "ana", "shop_id": "shop-2", "currency": "EUR",
		"state": "delivered", "shipped_at": at(96), "delivered_at": at(48), "shipping": 390,
		"lines": []map[string]any{{"line": 1, "sku": "CS-TOWEL-L", "title": "Cotton beach towel", "quantity": 2, "unit_price": 1890}}}), 201, "")
	b.at("window-ana-recent-order", nil)
	b.do("open order 1003", chromedp.Navigate(base+"/account/orders/1003"), chromedp.WaitVisible(chromedp.CSS(`details:has(form[action$="/claims"]) > summary`)))
	if got := b.text(`details:has(form[action$="/claims"]) > summary`); !strings.Contains(got, "Hacer una reclamación") {
		t.Errorf("the claim form's summary says %q", got)
	}
	b.do("open the claim form", chromedp.Click(chromedp.CSS(`details:has(form[action$="/claims"]) > summary`)),
		chromedp.WaitVisible(chromedp.CSS("#cl-desc")))
	b.do("fill the claim", chromedp.SetValue(chromedp.CSS("#cl-reason"), "defect"),
		chromedp.SendKeys(chromedp.CSS("#cl-desc"), "La toalla se deshilacha después de un lavado."))
	b.submit("open the claim", `form[action$="/claims"] button[type=submit]`)
	claim := strings.TrimPrefix(strings.SplitN(b.location(), "?", 2)[0], "/account/claims/")
	if len(claim) != 26 {
		t.Fatalf("after the claim ana is on %s", b.location())
	}
	b.checkPage("window-ana-claimed")
	b.signOut()

	// 3. 197 days pass: the refund window of 1003 (200 days from shipment)
	// has closed, and a new claim would be refused; sue settles this one
	// from her claim page all the same.
	clock.Add(197 * 24 * time.Hour)
	want(t, "a refund of 1003 outside a claim, once the window closed", w.call(t, "sue", "POST", "/api/v1/orders/1003/refunds",
		map[string]any{"kind": "total"}, "Idempotency-Key", "late-1"), 400, "refund_window_closed")
	b.at("window-sue-settles", nil)
	b.signIn(base, "sue")
	b.do("sue's claim", chromedp.Navigate(base+"/seller/claims/"+claim), chromedp.WaitVisible(chromedp.CSS(`form[action$="/refund"] button`)))
	if asked := b.submitConfirmed("refund in full", `form[action$="/refund"] button[type=submit]`); !strings.Contains(asked, "41.70") {
		t.Errorf("the refund asked %q", asked)
	}
	if got := b.text("#cl-h + dl"); !strings.Contains(got, "closed") {
		t.Errorf("the claim after sue's refund says %q", got)
	}
	b.checkPage("window-sue-settled")
	b.signOut()

	// 4. ana's order: refunded in full, nothing left to claim.
	b.at("window-ana-refunded", nil)
	b.signIn(base, "ana")
	b.do("ana's order", chromedp.Navigate(base+"/account/orders/1003"), chromedp.WaitVisible(chromedp.CSS("section[aria-labelledby=ref-h]")))
	if got := b.text("section[aria-labelledby=ref-h]"); !strings.Contains(got, "41,70") && !strings.Contains(got, "41.70") {
		t.Errorf("ana's refunds say %q", got)
	}
	if n := eval[int](b, "claim forms", claimForms); n != 0 {
		t.Error("an order refunded in full still offers \"Hacer una reclamación\"")
	}
	b.checkPage("window-ana-refunded")
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
