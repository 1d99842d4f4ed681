package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/server"
)

// routingOnly is a WorkService with the routing half only, for these tests.
type routingOnly struct {
	*bolt.RoutingService
}

func (routingOnly) Queue(context.Context, int) ([]domain.QueueItem, error) { return nil, nil }
func (routingOnly) ShopStats(context.Context, string, time.Time, time.Time) (*domain.ShopStats, error) {
	return nil, nil
}

// plugThreads adds the threads area's services to a domain world.
func plugThreads(db *bolt.DB, d *server.Domain) {
	d.Threads = bolt.NewThreadService(db, domain.DefaultPolicy())
	d.Attachments = bolt.NewAttachmentService(db, domain.DefaultPolicy())
	if d.Work == nil {
		d.Work = routingOnly{bolt.NewRoutingService(db)}
	}
}

func TestThreadsAPI(t *testing.T) {
	w := newDomainWorld(t, plugThreads)

	// Start: the customer writes to the seller about her order.
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "subject": "Lamp", "body": "Where is my lamp?"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var th domain.Thread
	r.decode(t, &th)
	if th.ID == "" || th.SellerReplyDueAt == nil || len(th.Messages) != 1 || th.Customer != "Ana García" {
		t.Fatalf("created: %s", r.body)
	}
	// Permissions: another customer or shop gets 404, on every endpoint.
	for _, c := range []struct{ who, method, path string }{
		{"ben", "GET", "/api/v1/threads/" + th.ID},
		{"sue", "GET", "/api/v1/threads/" + th.ID},
		{"ben", "POST", "/api/v1/threads/" + th.ID + "/read"},
		{"sue", "POST", "/api/v1/threads/" + th.ID + "/no-reply-needed"},
		{"ben", "POST", "/api/v1/orders/1001/threads"},
		{"sue", "POST", "/api/v1/orders/1001/threads"},
		{"ben", "POST", "/api/v1/threads/" + th.ID + "/messages"},
		{"sue", "POST", "/api/v1/threads/" + th.ID + "/messages"},
		{"ana", "GET", "/api/v1/threads/nope"},
	} {
		var body any
		if c.method == "POST" {
			to := "seller"
			if c.who == "sue" {
				to = "customer"
			}
			body = map[string]any{"recipient": to, "to": []string{to}, "topic": "x", "body": "x"}
		}
		if r := w.call(t, c.who, c.method, c.path, body); r.status != 404 || r.code() != "not_found" {
			t.Errorf("%s %s %s: %d %s", c.who, c.method, c.path, r.status, r.body)
		}
	}
	if r := w.call(t, "", "GET", "/api/v1/threads", nil); r.status != 401 {
		t.Errorf("anonymous list: %d", r.status)
	}

	// The seller answers the operator (the clock runs on), then the customer.
	if r := w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"operator"}, "body": "Lost by the courier?"}); r.status != 201 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	var got domain.Thread
	w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &got)
	if len(got.Messages) != 1 || got.SellerReplyDueAt == nil {
		t.Fatalf("ana sees a message to the operator, or the clock stopped: %+v", got)
	}
	if r := w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "On its way."}); r.status != 201 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	r = w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil)
	r.decode(t, &got)
	if len(got.Messages) != 2 || !got.Unread || !bytes.Contains(r.body, []byte(`"seller_reply_due_at":null`)) {
		t.Fatalf("after the reply: %s", r.body)
	}
	if r := w.call(t, "ana", "POST", "/api/v1/threads/"+th.ID+"/read", nil); r.status != 200 || bytes.Contains(r.body, []byte(`"unread":true`)) {
		t.Fatalf("read: %d %s", r.status, r.body)
	}
	if r := w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"seller"}, "body": "x"}); r.status != 400 || r.code() != "invalid_recipient" {
		t.Errorf("to self: %d %s", r.status, r.body)
	}
	if r := w.call(t, "ana", "POST", "/api/v1/threads/"+th.ID+"/no-reply-needed", nil); r.status != 403 {
		t.Errorf("customer no-reply-needed: %d %s", r.status, r.body)
	}
	if r := w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/no-reply-needed", nil); r.status != 200 {
		t.Errorf("seller no-reply-needed: %d %s", r.status, r.body)
	}

	// No-order threads.
	if r := w.call(t, "ana", "POST", "/api/v1/threads", map[string]any{"recipient": "operator", "topic": "account", "body": "I cannot sign in"}); r.status != 201 {
		t.Fatalf("no-order thread: %d %s", r.status, r.body)
	}
	if r := w.call(t, "ana", "POST", "/api/v1/threads", map[string]any{"recipient": "seller", "topic": "account", "body": "x"}); r.status != 400 || r.code() != "invalid_recipient" {
		t.Errorf("customer to seller without order: %d %s", r.status, r.body)
	}

	// Lists and filters.
	list := func(who, query string) domain.ThreadPage {
		t.Helper()
		r := w.call(t, who, "GET", "/api/v1/threads"+query, nil)
		if r.status != 200 {
			t.Fatalf("%s list %s: %d %s", who, query, r.status, r.body)
		}
		var p domain.ThreadPage
		r.decode(t, &p)
		return p
	}
	for _, c := range []struct {
		who, query string
		n          int
	}{
		{"ana", "", 2}, {"ben", "", 0}, {"sam", "", 1}, {"sue", "", 0}, {"olga", "", 2},
		{"sam", "?topic=delivery", 1}, {"sam", "?topic=invoice", 0}, {"sam", "?customer=ana", 1}, {"sam", "?customer=Ben+Carter", 0},
		{"sam", "?order=1001", 1}, {"ben", "?order=1001", 0}, {"sam", "?status=open&sort=due", 1}, {"sam", "?status=overdue", 0},
		{"sam", "?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z", 1}, {"sam", "?until=2000-01-01T00:00:00Z", 0},
		{"olga", "?shop=shop-1", 1}, {"olga", "?limit=1", 1},
	} {
		if p := list(c.who, c.query); len(p.Threads) != c.n {
			t.Errorf("%s %s: %d threads, want %d", c.who, c.query, len(p.Threads), c.n)
		}
	}
	if p := list("olga", "?limit=1"); p.Next == "" {
		t.Error("no next cursor")
	} else if p2 := list("olga", "?limit=1&cursor="+p.Next); len(p2.Threads) != 1 || p2.Threads[0].ID == p.Threads[0].ID || p2.Next != "" {
		t.Errorf("second page: %+v", p2)
	}
	for _, q := range []string{"?status=late", "?sort=name", "?since=yesterday", "?limit=1000", "?cursor=zzz"} {
		if r := w.call(t, "sam", "GET", "/api/v1/threads"+q, nil); r.status != 400 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func TestRoutingRulesAPI(t *testing.T) {
	w := newDomainWorld(t, plugThreads)
	var rules struct{ Rules []domain.RoutingRule }
	if r := w.call(t, "olga", "GET", "/api/v1/admin/routing-rules", nil); r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	} else {
		r.decode(t, &rules)
	}
	if len(rules.Rules) != 3 || rules.Rules[0].ID != "default-account" {
		t.Fatalf("defaults: %+v", rules.Rules)
	}
	rule := map[string]any{"name": "spanish to care", "priority": 1, "locales": []string{"es"}, "team": "customer_care", "skill": "es"}
	for who, want := range map[string]int{"ana": 403, "sam": 403, "olga": 403, "adam": 201} {
		if r := w.call(t, who, "POST", "/api/v1/admin/routing-rules", rule); r.status != want {
			t.Errorf("%s creates a rule: %d, want %d (%s)", who, r.status, want, r.body)
		}
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/routing-rules", map[string]any{"name": "x", "team": "sales"}); r.status != 400 || r.code() != "invalid_routing_rule" {
		t.Errorf("bad rule: %d %s", r.status, r.body)
	}
	// Ana's locale is es: her next thread goes to care, to olga (skill es).
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "¿Dónde está?"})
	var th domain.Thread
	r.decode(t, &th)
	r = w.call(t, "olga", "GET", "/api/v1/threads/"+th.ID, nil) // the routing is customer care's to read, not ana's
	r.decode(t, &th)
	if th.Assignment == nil || th.Assignment.Agent != "olga" || !strings.Contains(th.Assignment.Why, "spanish to care") {
		t.Fatalf("assignment: %s", r.body)
	}
}

func TestAttachmentsAPI(t *testing.T) {
	w := newDomainWorld(t, plugThreads)
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	upload := func(who, name string, body []byte) response {
		return w.call(t, who, "POST", "/api/v1/attachments", body, "X-Filename", name, "Content-Type", "application/octet-stream")
	}
	r := upload("ana", "../invoice.pdf", pdf)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var att domain.Attachment
	r.decode(t, &att)
	if att.Type != "application/pdf" || att.Name != "invoice.pdf" || att.Size != int64(len(pdf)) || len(att.SHA256) != 64 {
		t.Fatalf("attachment: %+v", att)
	}
	if r := upload("ana", "x.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")); r.status != 400 || r.code() != "attachment_type" {
		t.Errorf("exe: %d %s", r.status, r.body)
	}
	// Before it is attached: the uploader and customer care only.
	get := func(who string) int {
		return w.call(t, who, "GET", "/api/v1/attachments/"+att.SHA256, nil).status
	}
	for who, want := range map[string]int{"ana": 200, "sam": 404, "ben": 404, "olga": 200} {
		if got := get(who); got != want {
			t.Errorf("%s downloads before: %d, want %d", who, got, want)
		}
	}
	// Sam may not attach a file he never saw.
	th := w.call(t, "sam", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "customer", "topic": "invoice", "body": "Here", "attachments": []map[string]string{{"sha256": att.SHA256}}})
	if th.status != 400 || th.code() != "invalid_attachment" {
		t.Errorf("attach another's upload: %d %s", th.status, th.body)
	}
	r = w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "invoice", "body": "My invoice", "attachments": []map[string]string{{"sha256": att.SHA256}}})
	if r.status != 201 || !strings.Contains(string(r.body), `"name":"invoice.pdf"`) {
		t.Fatalf("attach: %d %s", r.status, r.body)
	}
	for who, want := range map[string]int{"sam": 200, "ben": 404, "sue": 404} {
		if got := get(who); got != want {
			t.Errorf("%s downloads after: %d, want %d", who, got, want)
		}
	}
	res := w.call(t, "sam", "GET", "/api/v1/attachments/"+att.SHA256, nil)
	if !bytes.Equal(res.body, pdf) || res.header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.header.Get("Content-Disposition"), "invoice.pdf") {
		t.Errorf("download: %q %v", res.body, res.header)
	}
}

// TestAttachmentTooLarge: the service refuses more than MaxAttachmentBytes;
// the server refuses a body over UploadLimit before reading it.
func TestAttachmentTooLarge(t *testing.T) {
	w := newDomainWorld(t, plugThreads)
	svc := bolt.NewAttachmentService(w.db, domain.DefaultPolicy())
	ctx := domain.WithActor(context.Background(), domain.Actor{UserID: w.world.Users["ana"].ID, Role: domain.RoleCustomer})
	big := io.MultiReader(strings.NewReader("%PDF-1.4\n"), io.LimitReader(zeros{}, domain.MaxAttachmentBytes))
	if _, err := svc.PutAttachment(ctx, "big.pdf", big); domain.ErrorCode(err) != domain.CodeAttachmentTooLarge {
		t.Fatalf("too large: %v", err)
	}
	// Over the server's upload limit: refused before the body is read.
	req := httptest.NewRequest("POST", "/api/v1/attachments", io.LimitReader(zeros{}, server.UploadLimit+1))
	req.ContentLength = server.UploadLimit + 1
	req.Header.Set("Authorization", "Bearer "+demo.Token("ana"))
	if res, err := w.srv.App().Test(req, -1); err == nil && res.StatusCode != 413 {
		t.Errorf("an upload over the limit: %d", res.StatusCode)
	}
	// Under it, the content decides: zeros are no accepted type.
	req = httptest.NewRequest("POST", "/api/v1/attachments", bytes.NewReader(make([]byte, 300<<10)))
	req.Header.Set("Authorization", "Bearer "+demo.Token("ana"))
	if res, err := w.srv.App().Test(req, -1); err != nil || res.StatusCode != 400 {
		t.Errorf("300 KiB of zeros: %v %v", res.StatusCode, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
