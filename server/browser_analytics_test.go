package server_test

// TestBrowserSearchAnalytics searches the help centre in headless Chromium
// and opens a result (its click goes out with sendBeacon), then opens the
// editors' search analytics page over that traffic and a week of logged
// searches, checks it with axe-core, saves its screenshots and promotes a
// learned association and rejects another, through the page.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/marketplace/helpcentre/domain"
)

func TestBrowserSearchAnalytics(t *testing.T) {
	w, events, learning := eventsWorld(t)
	b, base := startBrowser(t, w, 2*time.Minute)
	now := time.Now().UTC()
	for d := 6; d >= 1; d-- {
		seedTraffic(t, events, "returns", now.Add(-time.Duration(d)*24*time.Hour))
	}

	b.at("search-page", nil)
	b.do("search", chromedp.Navigate(base+"/search?q=returns&locale=en"), chromedp.WaitVisible(chromedp.CSS("a[data-qid]")))
	b.do("open the first result", chromedp.Click(chromedp.CSS("a[data-qid]")), chromedp.WaitVisible(chromedp.CSS("article.article h1")))
	if got := eval[string](b, "vote form", `(document.querySelector("form.vote input[name=qid]") || {}).value || ""`); got == "" {
		t.Error("the article reached from a search has no qid in its vote form")
	}
	clicked := false
	for deadline := time.Now().Add(5 * time.Second); !clicked && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_ = events.Scan(context.Background(), now.Add(-time.Minute), time.Now().Add(time.Minute), func(e domain.SearchEvent) error {
			clicked = clicked || e.Type == domain.SearchClick && e.Article == "returns" && e.Position != nil && *e.Position == 1
			return nil
		})
	}
	if !clicked {
		t.Error("the result's click did not reach the search log")
	}
	if _, err := learning.Apply(domain.WithActor(context.Background(), domain.SystemActor)); err != nil {
		t.Fatal(err)
	}

	b.at("operator-analytics", nil)
	b.signIn(base, "adam")
	b.do("open the analytics", chromedp.Navigate(base+"/operator/analytics?locale=en"), chromedp.WaitVisible(chromedp.CSS("#chart-searches")))
	if got := b.text("dl.figures"); !strings.Contains(got, "Searches") || !strings.Contains(got, "37") {
		t.Errorf("totals say %q, want 37 searches (36 logged, 1 typed)", got)
	}
	if got := b.text("#review + p + table"); !strings.Contains(got, "how returns") {
		t.Errorf("the review table says %q", got)
	}
	b.checkPage("operator-analytics")
	b.at("operator-analytics-promoted", nil)
	b.do("promote", chromedp.Click(chromedp.CSS(`button[value=promote]`)), chromedp.WaitVisible(chromedp.CSS("p.notice code")))
	if got := b.text("p.notice code"); got != `returns: aliases: ["how returns"]` {
		t.Errorf("the alias line is %q", got)
	}

	// The other answer: rejecting the word association "~returns" (shown to
	// the editor as "any question with “returns”", never in the key's
	// notation) takes it out of the ranking and out of the review table.
	if got := b.text("#review + p + table"); strings.Contains(got, "~") || !strings.Contains(got, "any question with \u201creturns\u201d") {
		t.Errorf("the review table shows keys in their notation or lacks the word association: %q", got)
	}
	b.at("operator-analytics-rejected", nil)
	eval[chromedp.Void](b, "reject ~returns", `[...document.querySelectorAll("#review + p + table tbody tr")]
		.find(r => r.cells[0].innerText.trim() === "any question with \u201creturns\u201d").querySelector("button[value=reject]").click()`)
	b.do("rejected", chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if got := b.text("p.flash"); !strings.Contains(got, "rejected") {
		t.Errorf("after rejecting, the page says %q", got)
	}
	if got := b.text("#review + p + table"); strings.Contains(got, "\u201creturns\u201d") {
		t.Errorf("the rejected association still awaits review: %q", got)
	}
	if _, ok := learning.Associations("en")["~returns"]; ok {
		t.Error("the rejected association still applies")
	}
	b.checkPage("operator-analytics-rejected")
}
