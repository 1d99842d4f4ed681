package server_test

// TestBrowserSeller walks the seller's back office in headless Chromium: sam
// answering ana's message before its 48 h (unread with the time left in the
// inbox, the clock gone after the reply), a partial refund by units with its
// confirmation step, the incident marked as solved (customer care's half is
// TestBrowserOperator's), and a claim resolved by an offer ben accepts from
// his account. Every seller page gets axe-core, the id-reference check and
// desktop and phone screenshots (the inbox's phone one is
// seller-inbox-phone.png).

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserSeller(t *testing.T) {
	w := newSellerWorld(t)
	b, base := startBrowser(t, w.domainWorld, 4*time.Minute)

	// 1. ana writes to the shop about order 1001, through the API.
	res := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery",
		"subject": "Lamp not here yet", "body": "Hello, my lamp has not arrived. Can you check?"})
	if res.status != http.StatusCreated {
		t.Fatalf("ana writes: %d %s", res.status, res.body)
	}
	var th struct{ ID string }
	res.decode(t, &th)

	// 2. sam sees it unread, with the time left to answer.
	b.at("seller-inbox", nil)
	b.signIn(base, "sam")
	if loc := b.location(); loc != "/seller/messages" {
		t.Errorf("sam lands on %s", loc)
	}
	row := `table.inbox tr:has(a[href="/seller/messages/` + th.ID + `"])`
	b.do("inbox", chromedp.WaitVisible(chromedp.CSS(row)))
	got := b.text(row)
	for _, want := range []string{"Lamp not here yet", "Unread", "Reply due", "h", "left", "Ana García"} {
		if !strings.Contains(got, want) {
			t.Errorf("the inbox row lacks %q: %q", want, got)
		}
	}
	b.checkPage("seller-inbox")

	// Filter by order number with the GET form.
	b.at("seller-inbox-filtered", nil)
	b.do("filter by order", chromedp.SendKeys(chromedp.CSS("#f-order"), "1001"), chromedp.SetValue(chromedp.CSS("#f-status"), "unread"),
		chromedp.Click(chromedp.CSS(`form[role=search] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[role=search] a[href="/seller/messages"]`)), chromedp.WaitVisible(chromedp.CSS(row)))
	if loc := b.location(); !strings.Contains(loc, "order=1001") || !strings.Contains(loc, "status=unread") {
		t.Errorf("filtered inbox at %s", loc)
	}

	// 3. The conversation: reply to the customer; the clock clears.
	b.at("seller-thread", nil)
	b.do("open the thread", chromedp.Click(chromedp.CSS(row+" a")), chromedp.WaitVisible(chromedp.CSS("#body")))
	if got := b.text("main .meta"); !strings.Contains(got, "seller reply due") {
		t.Errorf("the thread does not show the clock: %q", got)
	}
	b.checkPage("seller-thread")
	b.do("reply", chromedp.SetValue(chromedp.CSS("#to"), "customer"),
		chromedp.SendKeys(chromedp.CSS("#body"), "Sorry for the wait: it left our warehouse today, tracking NH-4411."),
	)
	b.submit("send the reply", `form[action="/seller/messages/`+th.ID+`"] button[type=submit]`)
	if got := b.text("main .meta"); strings.Contains(got, "seller reply due") || strings.Contains(got, "overdue") {
		t.Errorf("after the reply the thread still shows the clock: %q", got)
	}
	b.at("seller-thread-replied", nil)
	b.checkPage("seller-thread-replied")
	b.at("seller-inbox-answered", nil)
	b.do("inbox again", chromedp.Navigate(base+"/seller/messages"), chromedp.WaitVisible(chromedp.CSS(row)))
	if got := b.text(row); !strings.Contains(got, "Nothing waiting") || strings.Contains(got, "Reply due") || strings.Contains(got, "Unread") {
		t.Errorf("after the reply the inbox row says %q", got)
	}
	b.shot("seller-inbox-answered")

	// 4. Canned replies.
	b.at("seller-canned", nil)
	b.do("canned replies", chromedp.Navigate(base+"/seller/canned"), chromedp.WaitVisible(chromedp.CSS("#c-title")))
	b.do("find an article", chromedp.SendKeys(chromedp.CSS("#c-title"), "Returns"), chromedp.SendKeys(chromedp.CSS("#c-body"), "You can send it back."),
		chromedp.SendKeys(chromedp.CSS("#c-aq"), "returns"), chromedp.Click(chromedp.CSS(`button[value=find]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value=insert]`)))
	b.submit("insert the link", `button[value=insert]`)
	if v := eval[string](b, "canned text", `document.getElementById("c-body").value`); !strings.Contains(v, "/en/articles/returns/") {
		t.Errorf("the article link was not inserted: %q", v)
	}
	b.checkPage("seller-canned-editing")
	b.submit("save", `button[value=save]:not([hidden])`)
	b.checkPage("seller-canned")

	// 5. A partial refund by units, with its confirmation.
	b.at("seller-order", nil)
	b.do("order 1001", chromedp.Navigate(base+"/seller/orders/1001"), chromedp.WaitVisible(chromedp.CSS("#window")))
	if got := b.text("#window"); !strings.Contains(got, "days left") {
		t.Errorf("the refund window says %q", got)
	}
	b.do("open the refund form", chromedp.Click(chromedp.CSS("#refund > summary")), chromedp.WaitVisible(chromedp.CSS("#units_2")))
	b.checkPage("seller-order")
	b.at("seller-refund-confirm", nil)
	b.do("two bulbs", chromedp.SendKeys(chromedp.CSS("#units_2"), "2"), chromedp.SendKeys(chromedp.CSS("#r-reason"), "Two bulbs broken"),
		chromedp.Click(chromedp.CSS(`form[action$="/refund"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#get-h")))
	if got := b.text("#get-h"); !strings.Contains(got, "€13.00") {
		t.Errorf("the confirmation says %q, want €13.00", got)
	}
	b.checkPage("seller-refund-confirm")
	b.at("seller-order-refunded", nil)
	b.submit("confirm", `form[action$="/refund"] button:not([name=edit])`)
	if got := b.text("section[aria-labelledby=ref-h]"); !strings.Contains(got, "€13.00") || !strings.Contains(got, "item 2 × 2") {
		t.Errorf("the order's refunds say %q", got)
	}
	b.checkPage("seller-order-refunded")
	if rs, _, _ := w.d.Refunds.ListRefunds(w.as("sam"), "1001", "", 10); len(rs) != 1 {
		t.Errorf("%d refunds, want 1", len(rs))
	}

	// 6. The incident ana reports, marked as solved by sam.
	res = w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"line": 1, "reason": "damaged", "description": "The lamp's shade is dented."})
	if res.status != http.StatusCreated {
		t.Fatalf("ana's incident: %d %s", res.status, res.body)
	}
	var inc struct{ ID string }
	res.decode(t, &inc)
	b.at("seller-incidents", nil)
	b.do("incidents", chromedp.Navigate(base+"/seller/incidents"), chromedp.WaitVisible(chromedp.CSS(`a[href="/seller/incidents/`+inc.ID+`"]`)))
	if got := b.text("table.list tbody tr:first-child"); !strings.Contains(got, "Open: answer now") {
		t.Errorf("the first incident says %q", got)
	}
	b.checkPage("seller-incidents")
	b.at("seller-incident", nil)
	b.do("open the incident", chromedp.Click(chromedp.CSS(`a[href="/seller/incidents/`+inc.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#message")))
	if got := b.text("section[aria-labelledby=ord-h]"); !strings.Contains(got, "Frozen") {
		t.Errorf("the incident's order is not shown frozen: %q", got)
	}
	b.checkPage("seller-incident")
	b.at("seller-incident-solved", nil)
	b.do("write to customer care", chromedp.SendKeys(chromedp.CSS("#message"), "A new shade went out today, tracking NH-5512."))
	b.submit("mark as solved", `form[action$="/solve"] button[type=submit]`)
	if got := b.text(".flash"); !strings.Contains(got, "solved") {
		t.Errorf("after solving: %q", got)
	}
	b.checkPage("seller-incident-solved")

	// 7. A claim ben opens on 2001, resolved by an offer he accepts.
	res = w.call(t, "ben", "POST", "/api/v1/orders/2001/claims", map[string]any{"reason": "damaged", "description": "A moth hole in the throw."})
	if res.status != http.StatusCreated {
		t.Fatalf("ben's claim: %d %s", res.status, res.body)
	}
	var cl struct{ ID string }
	res.decode(t, &cl)
	b.at("seller-claims", nil)
	b.do("claims", chromedp.Navigate(base+"/seller/claims"), chromedp.WaitVisible(chromedp.CSS(`a[href="/seller/claims/`+cl.ID+`"]`)))
	if got := b.text("table.list tbody tr:first-child"); !strings.Contains(got, "Time left") || !strings.Contains(got, "left") {
		t.Errorf("the claim row says %q", got)
	}
	b.checkPage("seller-claims")
	b.at("seller-claim", nil)
	b.do("open the claim", chromedp.Click(chromedp.CSS(`a[href="/seller/claims/`+cl.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#o-percent")))
	if got := b.text("section.deadline"); !strings.Contains(got, "71 h") && !strings.Contains(got, "72 h") {
		t.Errorf("the claim's deadline says %q", got)
	}
	b.checkPage("seller-claim")
	b.do("type 20 %", chromedp.SendKeys(chromedp.CSS("#o-percent"), "20"))
	b.submit("offer 20 %", `form[action$="/offer"] button[type=submit]`)
	b.signOut()

	b.at("account-claim", nil)
	b.signIn(base, "ben")
	b.do("ben's claim", chromedp.Navigate(base+"/account/claims/"+cl.ID), chromedp.WaitVisible(chromedp.CSS(`form[action$="/accept"] button`)))
	b.submit("accept", `form[action$="/accept"] button`)
	b.shot("seller-flow-ben-accepted")
	b.signOut()

	b.at("seller-claim-resolved", nil)
	b.signIn(base, "sam")
	b.do("the resolved claim", chromedp.Navigate(base+"/seller/claims/"+cl.ID), chromedp.WaitVisible(chromedp.CSS("section.deadline")))
	if got := b.text("section.deadline"); !strings.Contains(got, "Safe") {
		t.Errorf("the resolved claim's reputation says %q", got)
	}
	if got := b.text("section[aria-labelledby=off-h]"); !strings.Contains(got, "accepted") || !strings.Contains(got, "€11.80") {
		t.Errorf("the offers say %q", got)
	}
	b.checkPage("seller-claim-resolved")

	// 8. Start a conversation from an order, with a file.
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.at("seller-start-thread", nil)
	b.do("order 2001", chromedp.Navigate(base+"/seller/orders/2001"), chromedp.WaitVisible(chromedp.CSS("#write > summary")))
	b.do("open the form", chromedp.Click(chromedp.CSS("#write > summary")), chromedp.WaitVisible(chromedp.CSS("#subject")))
	b.do("write", chromedp.SetValue(chromedp.CSS("#topic"), "invoice"), chromedp.SendKeys(chromedp.CSS("#subject"), "Your invoice"),
		chromedp.SendKeys(chromedp.CSS("#body"), "Here is the invoice copy you asked for."),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{file}))
	b.submit("send", `form[action$="/threads"] button[type=submit]`)
	if n := eval[int](b, "attachment links", `document.querySelectorAll('a[href^="/seller/attachments/"]').length`); n != 1 {
		t.Errorf("%d attachment links on the new conversation", n)
	}
	b.checkPage("seller-thread-started")

	// 9. Statistics.
	b.at("seller-stats", nil)
	b.do("statistics", chromedp.Navigate(base+"/seller/stats"), chromedp.WaitVisible(chromedp.CSS("dl.figures")))
	b.checkPage("seller-stats")

	b.flushConsole()
	b.at("done", nil)
}
