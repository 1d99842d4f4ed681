package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	returnlabel "github.com/marketplace/helpcentre/domain/label"
	"github.com/marketplace/helpcentre/server"
)

// sellerStats stands in for the work service's statistics in the seller
// pages' tests (the rest of WorkService is not used by them).
type sellerStats struct {
	domain.WorkService
	shops []string // the shop ids asked for
}

func (f *sellerStats) ShopStats(ctx context.Context, shopID string, from, to time.Time) (*domain.ShopStats, error) {
	f.shops = append(f.shops, shopID)
	from, to, err := domain.StatsPeriod(from, to, time.Now())
	if err != nil {
		return nil, err
	}
	st := domain.NewShopStats(shopID, from, to)
	for i := range st.Daily {
		st.Daily[i].CustomerMessages = i % 5
		st.Daily[i].AnsweredWithin48h = i % 4
		st.Daily[i].IncidentsOpened = i % 2
		st.CustomerMessages += i % 5
		st.AnsweredWithin48h += i % 4
	}
	st.Currency, st.Refunds, st.RefundedAmount = "EUR", 2, 1300
	st.Finish(1, 3, 30*time.Hour)
	return st, nil
}

// sellerWorld is a domain world with the seller pages' services.
type sellerWorld struct {
	*domainWorld
	d     *server.Domain
	stats *sellerStats
}

func newSellerWorld(t testing.TB) *sellerWorld {
	t.Helper()
	sw := &sellerWorld{}
	sw.domainWorld = newDomainWorld(t, func(_ *bolt.DB, d *server.Domain) { sw.d = d })
	return sw
}

// newSellerWorldStats is a seller world whose statistics are sellerStats'.
func newSellerWorldStats(t testing.TB) *sellerWorld {
	t.Helper()
	sw := &sellerWorld{stats: &sellerStats{}}
	sw.domainWorld = newDomainWorld(t, func(_ *bolt.DB, d *server.Domain) { sw.d, d.Work = d, sw.stats })
	return sw
}

// as is ctx acting as a demo user.
func (w *sellerWorld) as(name string) context.Context {
	u := w.world.Users[name]
	return domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID})
}

// signedIn is a form client signed in as name.
func (w *sellerWorld) signedIn(t testing.TB, name string) *formClient {
	t.Helper()
	b := w.forms()
	b.login(t, name)
	return b
}

// customerWrites starts a thread from ana (or ben) to the order's seller.
func (w *sellerWorld) customerWrites(t testing.TB, who, order, subject string) *domain.Thread {
	t.Helper()
	th, err := w.d.Threads.CreateThread(w.as(who), domain.NewThread{OrderNumber: order, Recipient: domain.PartySeller,
		Topic: domain.TopicDelivery, Subject: subject, Body: "Hello, " + subject})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func sellerHas(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, s := range wants {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

func sellerLacks(t testing.TB, what, body string, nots ...string) {
	t.Helper()
	for _, s := range nots {
		if strings.Contains(body, s) {
			t.Errorf("%s has %q", what, s)
		}
	}
}

func TestSellerInboxThreadAndReply(t *testing.T) {
	w := newSellerWorld(t)
	lamp := w.customerWrites(t, "ana", "1001", "Where is my lamp")
	throw := w.customerWrites(t, "ben", "2001", "Throw colour")
	w.customerWrites(t, "ana", "1002", "Towel for sue") // sue's shop: never in sam's inbox
	sam := w.signedIn(t, "sam")

	status, body, _ := sam.get(t, "/seller/messages")
	if status != 200 {
		t.Fatalf("inbox: %d", status)
	}
	sellerHas(t, "inbox", body, "Where is my lamp", "Throw colour", "Unread", "Reply due", " left", "Ana García", `href="/seller/messages/`+lamp.ID+`"`)
	sellerLacks(t, "inbox", body, "Towel for sue")

	for _, tc := range []struct {
		query      string
		want, lack string
	}{
		{"?order=1001", "Where is my lamp", "Throw colour"},
		{"?customer=Ben+Carter", "Throw colour", "Where is my lamp"},
		{"?topic=delivery&status=unread", "Where is my lamp", "Towel for sue"},
		{"?topic=invoice", "No conversation matches", "Where is my lamp"},
		{"?q=lamp", "Where is my lamp", "Throw colour"},
		{"?q=2001", "Throw colour", "Where is my lamp"},
		{"?q=towel", "No conversation matches", "Towel for sue"},
		{"?q=" + url.QueryEscape("ana garcía"), "Where is my lamp", "Throw colour"},
		{"?q=" + url.QueryEscape("%<x>"), "No conversation matches", "Where is my lamp"},
		{"?since=" + time.Now().UTC().Format(time.DateOnly) + "&until=" + time.Now().UTC().Format(time.DateOnly) + "&sort=due", "Where is my lamp", "Towel"},
		{"?until=" + time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly), "No conversation matches", "Where is my lamp"},
	} {
		status, body, _ := sam.get(t, "/seller/messages"+tc.query)
		if status != 200 {
			t.Errorf("%s: %d", tc.query, status)
		}
		sellerHas(t, tc.query, body, tc.want)
		sellerLacks(t, tc.query, body, tc.lack)
	}
	// A bad date is shown next to its field, with what was typed.
	status, body, _ = sam.get(t, "/seller/messages?since=yesterday&order=1001")
	if status != http.StatusBadRequest {
		t.Errorf("bad date: %d", status)
	}
	sellerHas(t, "bad date", body, `id="since-error"`, `aria-describedby="since-error"`, `value="yesterday"`, `value="1001"`)

	// Opening the thread marks it read; the clock still runs.
	status, body, _ = sam.get(t, "/seller/messages/"+lamp.ID)
	if status != 200 {
		t.Fatalf("thread: %d", status)
	}
	sellerHas(t, "thread", body, "Hello, Where is my lamp", "seller reply due", "No reply needed", `action="/seller/messages/`+lamp.ID+`"`, "Canned replies")
	_, body, _ = sam.get(t, "/seller/messages?status=unread")
	sellerLacks(t, "unread after reading", body, "Where is my lamp")
	sellerHas(t, "unread after reading", body, "Throw colour")

	// An empty reply keeps the recipient and says what is wrong.
	status, _, body = sam.post(t, "/seller/messages/"+lamp.ID, "/seller/messages/"+lamp.ID, url.Values{"to": {"operator"}, "body": {"  "}})
	if status != http.StatusBadRequest {
		t.Errorf("empty reply: %d", status)
	}
	sellerHas(t, "empty reply", body, `id="body-error"`, `value="operator" selected`)

	// The reply stops the clock.
	status, h, _ := sam.post(t, "/seller/messages/"+lamp.ID, "/seller/messages/"+lamp.ID, url.Values{"to": {"customer"}, "body": {"It left today."}})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/seller/messages/"+lamp.ID+"?done=sent") {
		t.Fatalf("reply: %d %s", status, h.Get("Location"))
	}
	th, err := w.d.Threads.FindThread(w.as("sam"), lamp.ID, domain.MessagePage{})
	if err != nil || th.SellerReplyDueAt != nil {
		t.Errorf("after the reply the clock runs: %v %v", th.SellerReplyDueAt, err)
	}

	// An internal note: the team sees it, the customer does not.
	status, _, _ = sam.post(t, "/seller/messages/"+lamp.ID, "/seller/messages/"+lamp.ID, url.Values{"to": {"customer"}, "body": {"Check the courier on Monday"}, "internal": {"on"}})
	if status != http.StatusSeeOther {
		t.Errorf("internal note: %d", status)
	}
	_, body, _ = sam.get(t, "/seller/messages/"+lamp.ID)
	sellerHas(t, "thread with a note", body, "Check the courier on Monday", "internal note")
	ana, err := w.d.Threads.FindThread(w.as("ana"), lamp.ID, domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ana.Messages {
		if strings.Contains(m.Body, "courier") {
			t.Error("the customer sees the seller's internal note")
		}
	}

	// "No reply needed" stops the clock on a message that needs none.
	if _, err := w.d.Threads.PostMessage(w.as("ben"), throw.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "Thanks!"}); err != nil {
		t.Fatal(err)
	}
	status, h, _ = sam.post(t, "/seller/messages/"+throw.ID, "/seller/messages/"+throw.ID+"/no-reply-needed", url.Values{})
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=noreply") {
		t.Fatalf("no reply needed: %d %s", status, h.Get("Location"))
	}
	if th, _ := w.d.Threads.FindThread(w.as("sam"), throw.ID, domain.MessagePage{}); th.SellerReplyDueAt != nil || !th.NoReplyNeeded {
		t.Errorf("no reply needed: due %v, flag %v", th.SellerReplyDueAt, th.NoReplyNeeded)
	}
	_, body, _ = sam.get(t, "/seller/messages?status=overdue")
	sellerHas(t, "overdue list", body, "No conversation matches")
}

// postMultipart posts a multipart form with one file as b.
func (b *formClient) postMultipart(t testing.TB, page, action string, fields url.Values, file, name string, content []byte) (int, http.Header, string) {
	t.Helper()
	_, _, token := b.get(t, page)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fields.Set("_csrf", token)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile(file, name)
		fw.Write(content)
	}
	mw.Close()
	req := httptest.NewRequest("POST", action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.w.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(data)
}

func TestSellerStartsConversationWithAttachment(t *testing.T) {
	w := newSellerWorld(t)
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/orders/1001")
	if status != 200 {
		t.Fatalf("order: %d", status)
	}
	sellerHas(t, "order page", body, "Start a conversation", `value="customer"`, `value="operator"`, "Refund window", "days left")

	// No message: the error is next to the field, the subject is kept.
	status, _, body = sam.postMultipart(t, "/seller/orders/1001", "/seller/orders/1001/threads",
		url.Values{"recipient": {"customer"}, "topic": {"invoice"}, "subject": {"Your invoice"}, "body": {""}}, "", "", nil)
	if status != http.StatusBadRequest {
		t.Errorf("empty message: %d", status)
	}
	sellerHas(t, "empty message", body, `id="body-error"`, `value="Your invoice"`, `<details class="panel" id="write" open>`)

	invoice := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	status, h, _ := sam.postMultipart(t, "/seller/orders/1001", "/seller/orders/1001/threads",
		url.Values{"recipient": {"customer"}, "topic": {"invoice"}, "subject": {"Your invoice"}, "body": {"Here is the copy."}}, "files", "invoice.pdf", invoice)
	if status != http.StatusSeeOther {
		t.Fatalf("start: %d", status)
	}
	loc := h.Get("Location")
	status, body, _ = sam.get(t, strings.TrimSuffix(strings.Split(loc, "?")[0], "#latest"))
	if status != 200 {
		t.Fatalf("new thread: %d", status)
	}
	m := regexp.MustCompile(`href="(/seller/attachments/[0-9a-f]{64})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no attachment link on the thread: %s", body)
	}
	status, _, got := sam.do(t, "GET", m[1], nil)
	if status != 200 || got != string(invoice) {
		t.Errorf("download: %d %q", status, got)
	}
	// To customer care.
	status, _, _ = sam.postMultipart(t, "/seller/orders/1001", "/seller/orders/1001/threads",
		url.Values{"recipient": {"operator"}, "topic": {"payment"}, "body": {"Payout question"}}, "", "", nil)
	if status != http.StatusSeeOther {
		t.Errorf("to customer care: %d", status)
	}
	// Sue may not download it.
	sue := w.signedIn(t, "sue")
	if status, _, _ := sue.do(t, "GET", m[1], nil); status != http.StatusNotFound {
		t.Errorf("sue downloads sam's attachment: %d", status)
	}
}

func TestSellerPermissions(t *testing.T) {
	w := newSellerWorld(t)
	towel := w.customerWrites(t, "ana", "1002", "Towel")
	inc, err := w.d.Incidents.OpenIncident(w.as("ana"), "1002", 1, domain.IncidentDamaged, "torn")
	if err != nil {
		t.Fatal(err)
	}
	w.recentOrder(t, w.d.Orders, "1003", "ana", "shop-2")
	cl, err := w.d.Claims.OpenClaim(w.as("ana"), "1003", domain.ClaimDefect, "it frays")
	if err != nil {
		t.Fatal(err)
	}
	sam := w.signedIn(t, "sam")
	for _, u := range []string{"/seller/orders/1002", "/seller/messages/" + towel.ID, "/seller/incidents/" + inc.ID, "/seller/claims/" + cl.ID,
		"/seller/orders/9999", "/seller/canned?edit=nope"} {
		status, body, _ := sam.get(t, u)
		if status != http.StatusNotFound {
			t.Errorf("sam GET %s: %d, want 404", u, status)
		}
		sellerLacks(t, u, body, "torn", "it frays", "Towel")
	}
	for _, u := range []string{"/seller/messages/" + towel.ID, "/seller/messages/" + towel.ID + "/no-reply-needed", "/seller/incidents/" + inc.ID + "/solve",
		"/seller/claims/" + cl.ID + "/offer", "/seller/claims/" + cl.ID + "/refund", "/seller/claims/" + cl.ID + "/return", "/seller/orders/1002/refund",
		"/seller/orders/1002/threads"} {
		status, _, _ := sam.post(t, "/seller/orders", u, url.Values{"body": {"x"}, "message": {"x"}, "by": {"percent"}, "percent": {"10"}, "kind": {"total"}, "confirm": {"1"}, "recipient": {"customer"}, "topic": {"other"}})
		if status != http.StatusNotFound {
			t.Errorf("sam POST %s: %d, want 404", u, status)
		}
	}
	if in, _ := w.d.Incidents.FindIncident(w.as("sue"), inc.ID); in.State != domain.IncidentOpen {
		t.Errorf("sam's post changed sue's incident: %s", in.State)
	}
	// Sue sees her own.
	sue := w.signedIn(t, "sue")
	for _, u := range []string{"/seller/orders/1002", "/seller/messages/" + towel.ID, "/seller/incidents/" + inc.ID, "/seller/claims/" + cl.ID} {
		if status, _, _ := sue.get(t, u); status != 200 {
			t.Errorf("sue GET %s: %d", u, status)
		}
	}
	// Customers and operators are refused the seller's area.
	for _, who := range []string{"ana", "olga"} {
		b := w.signedIn(t, who)
		for _, u := range []string{"/seller/messages", "/seller/orders/1001", "/seller/stats"} {
			if status, _, _ := b.get(t, u); status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who, u, status)
			}
		}
	}
	// Signed out: sent to sign in.
	if status, h, _ := w.forms().do(t, "GET", "/seller/claims", nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s", status, h.Get("Location"))
	}
}

func TestSellerRefundTwoSteps(t *testing.T) {
	w := newSellerWorld(t)
	sam := w.signedIn(t, "sam")
	_, body, _ := sam.get(t, "/seller/orders/1001")
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if key == nil {
		t.Fatal("the refund form has no idempotency key")
	}
	sellerHas(t, "refund form", body, `id="units_1"`, `id="units_2"`, `id="r-shipping"`, `id="r-amount"`, "3 of 3 left")

	// Errors: not a number, too many units; what was typed is kept.
	status, _, body := sam.post(t, "/seller/orders/1001", "/seller/orders/1001/refund", url.Values{"key": {key[1]}, "kind": {"partial"}, "amount": {"abc"}, "units_2": {"1"}})
	if status != http.StatusBadRequest {
		t.Errorf("bad amount: %d", status)
	}
	sellerHas(t, "bad amount", body, `id="amount-error"`, `value="abc"`, `<details class="panel" id="refund" open>`, `value="`+key[1]+`"`)
	status, _, body = sam.post(t, "/seller/orders/1001", "/seller/orders/1001/refund", url.Values{"key": {key[1]}, "kind": {"partial"}, "units_2": {"4"}})
	if status != http.StatusBadRequest {
		t.Errorf("too many units: %d", status)
	}
	sellerHas(t, "too many units", body, `id="refund-error"`, "3 units left")

	// Step 1: what the customer will receive; nothing refunded yet.
	form := url.Values{"key": {key[1]}, "kind": {"partial"}, "units_2": {"2"}, "shipping": {"4.95"}, "reason": {"two bulbs broken"}}
	status, _, body = sam.post(t, "/seller/orders/1001", "/seller/orders/1001/refund", form)
	if status != 200 {
		t.Fatalf("preview: %d", status)
	}
	sellerHas(t, "preview", body, "The customer will receive €17.95", "2 × item 2", "€13.00", "Shipping costs", "€4.95", `name="confirm" value="1"`, "two bulbs broken")
	if rs, _, _ := w.d.Refunds.ListRefunds(w.as("sam"), "1001", "", 10); len(rs) != 0 {
		t.Fatalf("the preview refunded: %+v", rs)
	}
	// Change it: back to the form with what was typed.
	edit := url.Values{"edit": {"1"}}
	for k, v := range form {
		edit[k] = v
	}
	status, _, body = sam.post(t, "/seller/orders/1001", "/seller/orders/1001/refund", edit)
	if status != 200 {
		t.Errorf("change it: %d", status)
	}
	sellerHas(t, "change it", body, `id="units_2" name="units_2" type="number" min="0" max="3" inputmode="numeric" value="2"`)

	// Step 2, clicked twice: one refund.
	form.Set("confirm", "1")
	for i := 0; i < 2; i++ {
		status, h, _ := sam.post(t, "/seller/orders/1001", "/seller/orders/1001/refund", form)
		if status != http.StatusSeeOther || h.Get("Location") != "/seller/orders/1001?done=refunded" {
			t.Fatalf("confirm %d: %d %s", i, status, h.Get("Location"))
		}
	}
	rs, _, _ := w.d.Refunds.ListRefunds(w.as("sam"), "1001", "", 10)
	if len(rs) != 1 || rs[0].Amount != 1795 || len(rs[0].Lines) != 1 || rs[0].Lines[0].Units != 2 {
		t.Fatalf("refunds after two clicks: %+v", rs)
	}
	_, body, _ = sam.get(t, "/seller/orders/1001?done=refunded")
	sellerHas(t, "order after refund", body, "The refund was requested", "1 of 3 left", "€17.95")

	// Past the 200 days (sue's order 1002 shipped 250 days ago).
	sue := w.signedIn(t, "sue")
	_, body, _ = sue.get(t, "/seller/orders/1002")
	sellerHas(t, "closed window", body, "Closed", "can no longer be refunded")
	status, _, body = sue.post(t, "/seller/orders/1002", "/seller/orders/1002/refund", url.Values{"kind": {"total"}})
	if status != http.StatusBadRequest {
		t.Errorf("refund past the window: %d", status)
	}
	sellerHas(t, "refund past the window", body, "200 days")
}

func TestSellerIncidentSolved(t *testing.T) {
	w := newSellerWorld(t)
	inc, err := w.d.Incidents.OpenIncident(w.as("ana"), "1001", 2, domain.IncidentDamaged, "Two bulbs arrived broken")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.Incidents.OpenIncident(w.as("ben"), "2001", 0, domain.IncidentNotReceived, ""); err != nil {
		t.Fatal(err)
	}
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/incidents")
	if status != 200 {
		t.Fatalf("incidents: %d", status)
	}
	sellerHas(t, "incidents", body, "Open: answer now", `href="/seller/incidents/`+inc.ID+`"`, "(item 2)", "(whole order)")
	_, body, _ = sam.get(t, "/seller/orders/1001")
	sellerHas(t, "frozen order", body, "Frozen", "will not move on", `aria-current="step"`)

	status, body, _ = sam.get(t, "/seller/incidents/"+inc.ID)
	if status != 200 {
		t.Fatalf("incident: %d", status)
	}
	sellerHas(t, "incident", body, "Two bulbs arrived broken", "LED bulb E27", "Mark as solved", `href="/seller/orders/1001"`)

	status, _, body = sam.post(t, "/seller/incidents/"+inc.ID, "/seller/incidents/"+inc.ID+"/solve", url.Values{"message": {""}})
	if status == http.StatusSeeOther {
		t.Fatal("solved without a message")
	}
	sellerHas(t, "empty message", body, `id="message-error"`)

	status, h, _ := sam.post(t, "/seller/incidents/"+inc.ID, "/seller/incidents/"+inc.ID+"/solve", url.Values{"message": {"Sent two new bulbs, tracking 123"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/seller/incidents/"+inc.ID+"?done=solved" {
		t.Fatalf("solve: %d %s", status, h.Get("Location"))
	}
	got, _ := w.d.Incidents.FindIncident(w.as("sam"), inc.ID)
	if got.State != domain.IncidentResolvedBySeller {
		t.Errorf("state %s", got.State)
	}
	_, body, _ = sam.get(t, "/seller/incidents/"+inc.ID+"?done=solved")
	sellerHas(t, "solved incident", body, "customer care has been told", "resolved_by_seller")
	sellerLacks(t, "solved incident", body, `action="/seller/incidents/`+inc.ID+`/solve"`)
	// Solving twice is a conflict shown on the page.
	status, _, _ = sam.post(t, "/seller/incidents/"+inc.ID, "/seller/incidents/"+inc.ID+"/solve", url.Values{"message": {"again"}})
	if status != http.StatusConflict {
		t.Errorf("solve twice: %d", status)
	}
}

func TestSellerClaimOfferAcceptedAndReturn(t *testing.T) {
	w := newSellerWorld(t)
	cl, err := w.d.Claims.OpenClaim(w.as("ben"), "2001", domain.ClaimDamaged, "A hole in the throw")
	if err != nil {
		t.Fatal(err)
	}
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/claims")
	if status != 200 {
		t.Fatalf("claims: %d", status)
	}
	sellerHas(t, "claims", body, "Time left", "data-countdown", `href="/seller/claims/`+cl.ID+`"`)
	status, body, _ = sam.get(t, "/seller/claims/"+cl.ID)
	if status != 200 {
		t.Fatalf("claim: %d", status)
	}
	sellerHas(t, "claim", body, "A hole in the throw", "to resolve it and keep your reputation safe", "71 h", "Send the offer", "Refund in full", "Accept the return")

	// Offer errors next to their fields, what was typed kept.
	status, _, body = sam.post(t, "/seller/claims/"+cl.ID, "/seller/claims/"+cl.ID+"/offer", url.Values{"by": {"percent"}, "percent": {"x"}})
	if status != http.StatusBadRequest {
		t.Errorf("bad percent: %d", status)
	}
	sellerHas(t, "bad percent", body, `id="percent-error"`, `value="x"`)
	status, _, body = sam.post(t, "/seller/claims/"+cl.ID, "/seller/claims/"+cl.ID+"/offer", url.Values{"by": {"percent"}, "percent": {"100"}})
	if status != http.StatusBadRequest {
		t.Errorf("100 percent: %d", status)
	}
	sellerHas(t, "100 percent", body, `id="offer-error"`)

	status, h, _ := sam.post(t, "/seller/claims/"+cl.ID, "/seller/claims/"+cl.ID+"/offer", url.Values{"by": {"percent"}, "percent": {"20"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/seller/claims/"+cl.ID+"?done=offer" {
		t.Fatalf("offer: %d %s", status, h.Get("Location"))
	}
	_, body, _ = sam.get(t, "/seller/claims/"+cl.ID)
	sellerHas(t, "claim with offer", body, "€11.80", "(20 % of the products)", "pending", "Waiting for the buyer", "Withdraw the offer")
	sellerLacks(t, "claim with offer", body, "Send the offer")

	// The buyer accepts from their account.
	ben := w.signedIn(t, "ben")
	c2, _ := w.d.Claims.FindClaim(w.as("ben"), cl.ID)
	offer := c2.Offers[0].ID
	status, _, _ = ben.post(t, "/account/claims/"+cl.ID, "/account/claims/"+cl.ID+"/offers/"+offer+"/accept", url.Values{})
	if status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	_, body, _ = sam.get(t, "/seller/claims/"+cl.ID)
	sellerHas(t, "resolved claim", body, "partial_refund", "accepted", "Safe")
	_, body, _ = sam.get(t, "/seller/claims")
	sellerHas(t, "claims list", body, "Reputation safe")

	// A second claim: the seller accepts a return and gets the label.
	cl2, err := w.d.Claims.OpenClaim(w.as("ben"), "2001", domain.ClaimDefect, "The seam opened")
	if err != nil {
		t.Fatal(err)
	}
	status, _, _ = sam.post(t, "/seller/claims/"+cl2.ID, "/seller/claims/"+cl2.ID+"/return", url.Values{})
	if status != http.StatusSeeOther {
		t.Fatalf("return: %d", status)
	}
	_, body, _ = sam.get(t, "/seller/claims/"+cl2.ID+"?done=return")
	sellerHas(t, "claim with return", body, "A return was issued", "label_issued", "Download the return label")
	m := regexp.MustCompile(`href="(/seller/returns/[0-9A-Z]+/label)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no label link")
	}
	if status, _, label := sam.do(t, "GET", m[1], nil); status != 200 || !strings.Contains(returnlabel.Text([]byte(label)), "Order 2001") {
		t.Errorf("label download: %d %.80q", status, label)
	}
	sue := w.signedIn(t, "sue")
	if status, _, _ := sue.do(t, "GET", m[1], nil); status != http.StatusNotFound {
		t.Errorf("sue downloads sam's label: %d", status)
	}
	// Nothing more to decide while the return is under way.
	status, _, _ = sam.post(t, "/seller/claims/"+cl2.ID, "/seller/claims/"+cl2.ID+"/refund", url.Values{})
	if status != http.StatusConflict {
		t.Errorf("refund during a return: %d", status)
	}
}

func TestSellerCannedReplies(t *testing.T) {
	w := newSellerWorld(t)
	th := w.customerWrites(t, "ben", "2001", "How to return")
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/canned")
	if status != 200 {
		t.Fatalf("canned: %d", status)
	}
	sellerHas(t, "canned", body, "No canned replies yet", `id="c-title"`)

	// No title: the error is next to the field and the text is kept.
	status, _, body = sam.post(t, "/seller/canned", "/seller/canned", url.Values{"action": {"save"}, "title": {""}, "body": {"You can return it."}})
	if status != http.StatusBadRequest {
		t.Errorf("no title: %d", status)
	}
	sellerHas(t, "no title", body, `id="title-error"`, "You can return it.")

	// Find an article and insert its link; the typed text stays.
	status, _, body = sam.post(t, "/seller/canned", "/seller/canned", url.Values{"action": {"find"}, "title": {"Returns"}, "body": {"You can return it."}, "article_q": {"returns"}})
	if status != 200 {
		t.Fatalf("find: %d", status)
	}
	sellerHas(t, "find", body, "How do returns work?", `value="en/returns"`, `value="Returns"`)
	status, _, body = sam.post(t, "/seller/canned", "/seller/canned", url.Values{"action": {"insert"}, "title": {"Returns"}, "body": {"You can return it."}, "article_q": {"returns"}, "article": {"en/returns"}})
	if status != 200 {
		t.Fatalf("insert: %d", status)
	}
	sellerHas(t, "insert", body, "You can return it.\n\nHow do returns work?: /en/articles/returns/")
	bodyText := regexp.MustCompile(`(?s)<textarea id="c-body"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if bodyText == nil {
		t.Fatal("no text area")
	}
	status, h, _ := sam.post(t, "/seller/canned", "/seller/canned", url.Values{"action": {"save"}, "title": {"Returns"}, "body": {htmlUnescape(bodyText[1])}})
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", status, h.Get("Location"))
	}
	list, _ := w.d.Canned.ListCannedReplies(w.as("sam"))
	if len(list) != 1 || !strings.Contains(list[0].Body, "/en/articles/returns/") {
		t.Fatalf("saved: %+v", list)
	}
	// Sue does not see it.
	if l, _ := w.d.Canned.ListCannedReplies(w.as("sue")); len(l) != 0 {
		t.Errorf("sue sees sam's replies")
	}
	// In a conversation: choose it and it is put in the reply.
	_, body, _ = sam.get(t, "/seller/messages/"+th.ID)
	sellerHas(t, "thread", body, `<option value="`+list[0].ID+`"`, "Put in the reply")
	_, body, _ = sam.get(t, "/seller/messages/"+th.ID+"?canned="+list[0].ID)
	sellerHas(t, "thread with canned", body, `value="customer" selected`)
	if !regexp.MustCompile(`>You can return it.\n\nHow do returns work\?: /en/articles/returns/[a-z-]*</textarea>`).MatchString(body) {
		t.Error("the canned reply is not in the reply box")
	}
	// Edit and delete.
	_, body, _ = sam.get(t, "/seller/canned?edit="+list[0].ID)
	sellerHas(t, "edit", body, "Edit the canned reply", `name="id" value="`+list[0].ID+`"`)
	status, _, _ = sam.post(t, "/seller/canned", "/seller/canned/"+list[0].ID+"/delete", url.Values{})
	if status != http.StatusSeeOther {
		t.Errorf("delete: %d", status)
	}
	if l, _ := w.d.Canned.ListCannedReplies(w.as("sam")); len(l) != 0 {
		t.Errorf("after delete: %+v", l)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

func TestSellerStats(t *testing.T) {
	w := newSellerWorldStats(t)
	sam := w.signedIn(t, "sam")
	status, body, _ := sam.get(t, "/seller/stats")
	if status != 200 {
		t.Fatalf("stats: %d", status)
	}
	if len(w.stats.shops) != 1 || w.stats.shops[0] != "shop-1" {
		t.Errorf("stats asked for %v", w.stats.shops)
	}
	sellerHas(t, "stats", body, "Answered within 48 h", "<svg", `role="img"`, "<desc", "<rect class=\"s1\"", "Daily figures", "€13.00", "10.0 h")
	if n := strings.Count(body, "<svg"); n != 6 {
		t.Errorf("%d charts, want 3 each with its phone layout", n)
	}
	sellerHas(t, "the 48 h target", body, `<figcaption id="chart-answered">`, `>48 h target: every message</text>`, `class="chart-scroll chart-phone"`)
	from := time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly)
	status, body, _ = sam.get(t, "/seller/stats?from="+from)
	if status != 200 || strings.Count(body, "<tr><th scope=\"row\">") != 7 {
		t.Errorf("a week: %d, %d rows", status, strings.Count(body, "<tr><th scope=\"row\">"))
	}
	status, body, _ = sam.get(t, "/seller/stats?from=2020-01-01&to=2026-01-01")
	if status != http.StatusBadRequest {
		t.Errorf("too long a period: %d", status)
	}
	sellerHas(t, "too long", body, `id="from-error"`, `value="2020-01-01"`)
	status, body, _ = sam.get(t, "/seller/stats?to=soon")
	if status != http.StatusBadRequest {
		t.Errorf("bad date: %d", status)
	}
	sellerHas(t, "bad date", body, `id="to-error"`)
	_ = fmt.Sprint
}
