package server_test

// TestBrowserCare walks issue 21's journeys 5, 9 and 10 through the pages of
// each person in headless Chromium: ana reports an incident; olga finds it
// in her notifications and opens it from there; adam edits a routing rule
// (moving it first), deletes another and revokes olga's close_incidents;
// olga may then no longer close it; adam closes it as a duplicate; sam's
// statistics leave it out of the incident rate.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserCare(t *testing.T) {
	w := newOperatorWorld(t)
	b, base := startBrowser(t, w.domainWorld, 3*time.Minute)

	// sam's statistics before anything happens.
	b.at("care-seller-stats-before", nil)
	b.signIn(base, "sam")
	b.do("open the statistics", chromedp.Navigate(base+"/seller/stats"), chromedp.WaitVisible(chromedp.CSS("#stats-fair")))
	rateBefore := b.text("dl.figures div:nth-child(3) dd .muted")
	b.signOut()

	// 1. ana reports a problem from her order page.
	b.at("care-ana-order", nil)
	b.signIn(base, "ana")
	b.do("open order 1001", chromedp.Navigate(base+"/account/orders/1001"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.do("open the incident form", chromedp.Click(chromedp.CSS(`details:has(form[action$="/incidents"]) > summary`)),
		chromedp.WaitVisible(chromedp.CSS("#inc-reason")))
	b.do("report it", chromedp.SetValue(chromedp.CSS("#inc-line"), "1"), chromedp.SetValue(chromedp.CSS("#inc-reason"), "damaged"),
		chromedp.SendKeys(chromedp.CSS("#inc-desc"), "The lamp arrived with a cracked base."),
		chromedp.Click(chromedp.CSS(`form[action$="/incidents"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	ins, _, err := w.dom.Incidents.ListIncidents(w.as(t, "olga"), "1001", "", 10)
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents of 1001: %v %+v", err, ins)
	}
	id := ins[0].ID
	b.signOut()

	// 2. olga is told: her notifications list it, and it opens the incident.
	b.at("care-notifications", nil)
	b.signIn(base, "olga")
	b.do("open the notifications", chromedp.Click(chromedp.CSS(`nav.bo-nav a[href="/operator/notifications"]`)), chromedp.WaitVisible(chromedp.CSS("#notifications")))
	if got := b.text("#notifications li:first-child"); !strings.Contains(got, "New incident on order 1001") || !strings.Contains(got, "new") {
		t.Errorf("olga's newest notification: %q", got)
	}
	b.checkPage("care-notifications")
	b.at("care-notification-open", nil)
	b.do("open it", chromedp.Click(chromedp.CSS("#notifications li:first-child button")), chromedp.WaitVisible(chromedp.CSS("#incident-state")))
	if got := b.text("main h1"); !strings.Contains(got, "1001") {
		t.Errorf("the notification opened %q", got)
	}
	if n := eval[int](b, "close form", `document.querySelectorAll('form[action$="/close"]').length`); n != 1 {
		t.Errorf("olga (close_incidents) sees %d close forms", n)
	}
	b.signOut()

	// 3. adam edits a rule (moving it first), deletes another, revokes olga's grant.
	b.at("care-admin", nil)
	b.signIn(base, "adam")
	b.do("open the admin page", chromedp.Navigate(base+"/operator/admin"), chromedp.WaitVisible(chromedp.CSS("#rule-name")))
	b.do("edit the order rule", chromedp.Click(chromedp.CSS(`a[href="/operator/admin/rules/default-order"]`)), chromedp.WaitVisible(chromedp.CSS("#save-rule")))
	b.checkPage("care-rule-edit")
	b.at("care-rule-saved", nil)
	b.do("move it first", chromedp.SetValue(chromedp.CSS("#rule-priority"), "5"), chromedp.SetValue(chromedp.CSS("#rule-name"), "order questions, first"),
		chromedp.Click(chromedp.CSS("#save-rule")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "routing rule was saved") {
		t.Errorf("after saving: %q", got)
	}
	if got := b.text("section[aria-labelledby=rules] tbody tr:first-child"); !strings.Contains(got, "order questions, first") {
		t.Errorf("the first rule is %q, want the edited one", got)
	}
	b.do("delete the no-order rule", chromedp.Click(chromedp.CSS(`form[action="/operator/admin/rules/default-no-order/delete"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action="/operator/admin/rules/default-no-order/delete"]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	rules := b.text("section[aria-labelledby=rules] tbody")
	if got := b.text(".flash"); !strings.Contains(got, "deleted") || strings.Contains(rules, "questions about no order") || !strings.Contains(rules, "account, login and payment questions") {
		t.Errorf("after deleting: %q; rules %q", got, rules)
	}
	b.do("revoke olga's grant", chromedp.Click(chromedp.CSS(`section[aria-labelledby=grants] form[action$="/revoke"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#no-grants")))
	if got := b.text("section[aria-labelledby=grants]"); !strings.Contains(got, "No grants yet") {
		t.Errorf("after revoking: %q", got)
	}
	b.checkPage("care-admin-after")
	// The audit log, on the pages: the rule's history, olga's.
	b.at("care-audit", nil)
	b.do("open the edited rule", chromedp.Navigate(base+"/operator/admin/rules/default-order"), chromedp.WaitVisible(chromedp.CSS("ol.history")))
	if got := b.text("ol.history"); !strings.Contains(got, "updated by Adam, care admin (admin)") {
		t.Errorf("the rule's history: %q", got)
	}
	b.do("open olga's page", chromedp.Navigate(base+"/operator/admin/users/"+w.world.Users["olga"].ID), chromedp.WaitVisible(chromedp.CSS("#user-history")))
	if got := b.text("section[aria-labelledby=user-history]"); !strings.Contains(got, "revoked by Adam, care admin (admin)") {
		t.Errorf("olga's history: %q", got)
	}
	b.checkPage("care-audit")
	b.do("give olga a skill", chromedp.SetValue(chromedp.CSS("#team-skills"), "account, orders, es, returns"),
		chromedp.Click(chromedp.CSS(`form[action$="/team"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "team was saved") {
		t.Errorf("after saving the team: %q", got)
	}
	if got := b.text("section[aria-labelledby=user-history]"); !strings.Contains(got, "team by Adam") {
		t.Errorf("olga's history after the team: %q", got)
	}
	if u, err := w.dom.Access.FindUser(w.as(t, "adam"), w.world.Users["olga"].ID); err != nil || !slices.Contains(u.Skills, "returns") {
		t.Errorf("olga's skills: %v %+v", err, u)
	}
	b.signOut()

	// 4. olga may no longer close the incident.
	b.at("care-no-grant", nil)
	b.signIn(base, "olga")
	b.do("open the incident", chromedp.Navigate(base+"/operator/incidents/"+id), chromedp.WaitVisible(chromedp.CSS("#close-needs-grant")))
	if n := eval[int](b, "close form", `document.querySelectorAll('form[action$="/close"]').length`); n != 0 {
		t.Errorf("olga without close_incidents sees %d close forms", n)
	}
	b.signOut()

	// 5. adam closes it as a duplicate: it leaves sam's incident rate.
	b.at("care-close-duplicate", nil)
	b.signIn(base, "adam")
	b.do("open the incident", chromedp.Navigate(base+"/operator/incidents/"+id), chromedp.WaitVisible(chromedp.CSS("#close-as")))
	b.do("close as a duplicate", chromedp.SendKeys(chromedp.CSS("#close-reason"), "Same as the phone report."), chromedp.SetValue(chromedp.CSS("#close-as"), "duplicate"),
		chromedp.Click(chromedp.CSS(`form[action$="/close"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text("main"); !strings.Contains(got, "a duplicate: not counted in the shop's incident rate") {
		t.Errorf("the closed incident does not say how it ended: %.300q", got)
	}
	b.signOut()
	b.at("care-seller-stats-after", nil)
	b.signIn(base, "sam")
	b.do("open the statistics again", chromedp.Navigate(base+"/seller/stats"), chromedp.WaitVisible(chromedp.CSS("#stats-fair")))
	if got := b.text("dl.figures div:nth-child(3) dd .muted"); got != strings.Replace(rateBefore, "0 open now", "0 open now", 1) {
		t.Errorf("sam's incident rate after the duplicate: %q, want as before: %q", got, rateBefore)
	}
	if got := b.text("dl.figures div:nth-child(3) dd"); !strings.HasPrefix(got, "1") {
		t.Errorf("incidents opened still counts it: %q", got)
	}
	b.signOut()
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
