package server_test

// TestBrowserOperator walks customer care's pages in headless Chromium: the
// incident from open to closed by three different people (ana reports it
// from her order, sam marks it as solved with a message to customer care,
// olga closes it), the order frozen while it is open and moving again after,
// the work queue at phone width, and axe-core on every operator page.

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

// startBrowser serves w on a free port and opens a headless Chromium tab on
// it, as TestBrowser does; both stop when the test ends.
func startBrowser(t *testing.T, w *domainWorld, budget time.Duration) (*browser, string) {
	t.Helper()
	// The server first: cleanups run last-registered first, so the browser
	// (and every connection it keeps open) is gone before the server
	// shuts down, which would otherwise wait for them.
	base := serveOn(t, w.srv)
	return openTab(t, budget), base
}

// signIn signs in as a demo user through the login form.
func (b *browser) signIn(base, name string) {
	b.t.Helper()
	b.do("open login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.do("sign in as "+name, chromedp.SendKeys(chromedp.CSS("#name"), name), chromedp.SendKeys(chromedp.CSS("#password"), "demo"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".who")))
}

// signOut presses the header's Sign out button.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(".who button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#name")))
}

// shot saves the page at both widths without checking it: for other areas'
// pages the flow passes through (their owners check them).
func (b *browser) shot(name string) {
	b.t.Helper()
	b.settled()
	b.screenshots(name)
}

func TestBrowserOperator(t *testing.T) {
	w := newOperatorWorld(t)
	b, base := startBrowser(t, w.domainWorld, 3*time.Minute)

	// 1. ana reports a problem from her order page.
	b.at("ana-order", nil)
	b.signIn(base, "ana")
	b.do("open order 1001", chromedp.Navigate(base+"/account/orders/1001"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.do("open the incident form", chromedp.Click(chromedp.CSS(`details:has(form[action$="/incidents"]) > summary`)),
		chromedp.WaitVisible(chromedp.CSS("#inc-reason")))
	b.do("fill the incident", chromedp.SetValue(chromedp.CSS("#inc-line"), "1"), chromedp.SetValue(chromedp.CSS("#inc-reason"), "damaged"),
		chromedp.SendKeys(chromedp.CSS("#inc-desc"), "The lamp arrived with a cracked base."),
		chromedp.Click(chromedp.CSS(`form[action$="/incidents"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "Se ha abierto la incidencia") { // ana reads Spanish
		t.Errorf("after opening the incident: %q", got)
	}
	b.shot("operator-flow-1-ana-reported")
	ins, _, err := w.dom.Incidents.ListIncidents(w.as(t, "olga"), "1001", "", 10)
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents of 1001 after ana's report: %v %+v", err, ins)
	}
	id := ins[0].ID
	b.signOut()

	// 2. olga sees it first in her queue; the order is frozen.
	b.at("operator-queue", nil)
	b.signIn(base, "olga")
	b.do("open the queue", chromedp.Navigate(base+"/operator"), chromedp.WaitVisible(chromedp.CSS("ol.queue")))
	if got := b.text("ol.queue li:first-child .queue-head a"); !strings.Contains(got, "damaged") {
		t.Errorf("the queue's first item is %q, want the damaged incident", got)
	}
	if got := b.text("ol.queue li:first-child dl"); !strings.Contains(got, "open incident: answer immediately") || !strings.Contains(got, "customer care") {
		t.Errorf("the queue's first item says %q", got)
	}
	b.checkPage("operator-queue")
	b.at("operator-incident-open", nil)
	b.do("open the incident", chromedp.Click(chromedp.CSS("ol.queue li:first-child .queue-head > a")), chromedp.WaitVisible(chromedp.CSS("#order-cycle")))
	if got := b.text("#order-cycle"); !strings.Contains(got, "frozen: 1 incident open") {
		t.Errorf("the open incident's order says %q", got)
	}
	// Closing an open incident without a reason: the error next to the
	// field (the browser logs the page's own 400).
	b.at("operator-incident-close-error", func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "400") && strings.HasSuffix(m.URL, "/close")
	})
	b.do("close without a reason", chromedp.Click(chromedp.CSS(`form[action$="/close"] button`)), chromedp.WaitVisible(chromedp.CSS("#reason-error")))
	b.checkPage("operator-incident-close-error")
	b.signOut()

	// 3. sam marks it as solved with a message to customer care.
	b.at("seller-incident", nil)
	b.signIn(base, "sam")
	b.do("open the seller's incident", chromedp.Navigate(base+"/seller/incidents/"+id), chromedp.WaitVisible(chromedp.CSS("#message")))
	b.do("mark as solved", chromedp.SendKeys(chromedp.CSS("#message"), "A new lamp went out today, tracking NH-77821."),
		chromedp.Click(chromedp.CSS(`form[action$="/solve"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.shot("operator-flow-2-sam-solved")
	b.signOut()

	// 4. olga checks and closes it; the order moves on.
	b.at("operator-incident-solved", nil)
	b.signIn(base, "olga")
	b.do("open the incidents", chromedp.Navigate(base+"/operator/incidents"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	b.checkPage("operator-incidents")
	b.do("open the solved incident", chromedp.Click(chromedp.CSS(`a[href="/operator/incidents/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("#incident-state")))
	if got := b.text("#incident-state"); !strings.Contains(got, "solved by the seller") {
		t.Errorf("the solved incident's state says %q", got)
	}
	if got := b.text("#order-cycle"); !strings.Contains(got, "frozen") || strings.Contains(got, "not frozen") {
		t.Errorf("a solved, unchecked incident's order says %q: it stays frozen until closed", got)
	}
	if solved := b.text("section[aria-labelledby=solved-h]"); !strings.Contains(solved, "tracking NH-77821") {
		t.Errorf("the seller's message is not shown: %q", solved)
	}
	b.checkPage("operator-incident-solved")
	b.do("close it", chromedp.SendKeys(chromedp.CSS("#close-reason"), "Replacement confirmed by tracking."),
		chromedp.Click(chromedp.CSS(`form[action$="/close"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("#incident-state"); got != "closed" {
		t.Errorf("after closing, the state says %q", got)
	}
	if got := b.text("#order-cycle"); !strings.Contains(got, "not frozen") {
		t.Errorf("after closing, the order says %q", got)
	}
	// Three different people moved it: the history names them.
	history := b.text("ol.history")
	for _, who := range []string{"opened by Ana García (customer)", "resolved by Sam (Nordic Home) (seller)", "closed by Olga, customer care (agent)"} {
		if !strings.Contains(history, who) {
			t.Errorf("the incident's history lacks %q: %q", who, history)
		}
	}
	b.at("operator-incident-closed", nil)
	b.checkPage("operator-incident-closed")
	b.do("open the order", chromedp.Navigate(base+"/operator/orders/1001"), chromedp.WaitVisible(chromedp.CSS("#order-cycle")))
	if got := b.text("#order-cycle"); !strings.Contains(got, "not frozen") {
		t.Errorf("the order page after closing says %q", got)
	}
	b.at("operator-order", nil)
	b.checkPage("operator-order")
	b.signOut()

	// 5. ana's order is no longer on hold.
	b.at("ana-order-after", nil)
	b.signIn(base, "ana")
	b.do("open order 1001 again", chromedp.Navigate(base+"/account/orders/1001"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if n := eval[int](b, "on hold badge", `document.querySelectorAll("main .badge.urgent").length`); n != 0 {
		t.Errorf("ana's order still shows %d urgent badges after the incident was closed", n)
	}
	b.shot("operator-flow-3-ana-after")
	b.signOut()

	// 6. The other operator pages, and the admin's, with a claim and a
	// conversation to show.
	cl, err := w.dom.Claims.OpenClaim(w.as(t, "ben"), "2001", "defect", "The throw is unravelling at one corner.")
	if err != nil {
		t.Fatal(err)
	}
	th, err := w.dom.Threads.CreateThread(w.as(t, "ben"), domain.NewThread{OrderNumber: "2001", Recipient: domain.PartyOperator,
		Topic: domain.TopicPayment, Subject: "Charged twice", Body: "My card shows two charges for this order."})
	if err != nil {
		t.Fatal(err)
	}
	b.signIn(base, "adam")
	for _, p := range []struct{ name, path, wait string }{
		{"operator-messages", "/operator/messages", "form.filters"},
		{"operator-thread", "/operator/messages/" + th.ID, "#body"},
		{"operator-claims", "/operator/claims", "main h1"},
		{"operator-claim", "/operator/claims/" + cl.ID, "#claim-reason"},
		{"operator-stats", "/operator/stats", "table.stats"},
		{"operator-shop-stats", "/operator/stats/shop-1", "main h1"},
		{"operator-admin", "/operator/admin", "#rule-name"},
	} {
		b.at(p.name, nil)
		b.do("open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		b.checkPage(p.name)
	}
	b.flushConsole()
	b.at("done", nil)
}
