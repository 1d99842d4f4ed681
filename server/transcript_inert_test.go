package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// TestTranscriptIsInertInTheBackOffice: what a customer typed before a
// hand-off, script tags included, is shown as text to customer care and in
// the customer's own account, never run.
func TestTranscriptIsInertInTheBackOffice(t *testing.T) {
	w := newDomainWorld(t)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	a, err := bolt.NewAccessService(w.db).Authenticate(context.Background(), "demo-ana")
	if err != nil {
		t.Fatal(err)
	}
	th, err := bolt.NewThreadService(w.db, domain.DefaultPolicy()).Handoff(domain.WithActor(context.Background(), a), domain.Handoff{
		Subject: "Refund " + evil, Body: "Where is it? " + evil, Locale: "en", OrderNumber: "1001",
		Transcript: domain.Transcript{Session: "s1", Locale: "en", Typed: []domain.TypedText{{Subject: "Refund " + evil, Body: evil}},
			Shown: []domain.ShownArticle{{ID: "refund-status", Title: "Refund status", Rank: 1, Why: evil}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ who, page string }{{"olga", "/operator/messages/" + th.ID}, {"ana", "/account/messages/" + th.ID}} {
		b := w.forms()
		b.login(t, c.who)
		status, body, _ := b.get(t, c.page)
		if status != 200 {
			t.Fatalf("%s %s: %d", c.who, c.page, status)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s's page carries the typed markup as markup", c.who)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s's page does not show the typed text as text", c.who)
		}
	}
}

// TestCloseConversationFromItsPage: any participant closes a conversation
// from its page; the customer's next message reopens it.
func TestCloseConversationFromItsPage(t *testing.T) {
	w := newDomainWorld(t)
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "Where is it?"})
	var th domain.Thread
	r.decode(t, &th)
	b := w.forms()
	b.login(t, "sam")
	page := "/seller/messages/" + th.ID
	if status, h, _ := b.post(t, page, page+"/close", map[string][]string{}); status != 303 || !strings.Contains(h.Get("Location"), "done=closed") {
		t.Fatalf("close: %d %s", status, h.Get("Location"))
	}
	var got domain.Thread
	w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &got)
	if got.Status != domain.ThreadClosed {
		t.Fatalf("status %s", got.Status)
	}
	w.call(t, "ana", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"seller"}, "body": "It never came."})
	w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &got)
	if got.Status != domain.ThreadOpen {
		t.Errorf("after Ana's message: %s", got.Status)
	}
}
