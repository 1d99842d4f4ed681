package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

// Issue 4: one read of a long thread returned every message (61 MB). The
// API and the pages read a page of the newest messages, with a cursor to
// older ones; a user posting faster than Policy.MessagesPerMinute is told to
// slow down (429).
func TestThreadReadIsPagedAndWritesAreBounded(t *testing.T) {
	w := newDomainWorld(t)
	var th struct{ ID string }
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "message 0"})
	if r.status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	r.decode(t, &th)
	for i := 1; i <= 30; i++ {
		who, to := "ana", "seller"
		if i > 15 {
			who, to = "sam", "customer"
		}
		if r := w.call(t, who, "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{to}, "body": fmt.Sprintf("message %d", i)}); r.status != http.StatusCreated {
			t.Fatalf("post %d: %d %s", i, r.status, r.body)
		}
	}
	type page struct {
		Messages []struct{ Body string }
		Next     string `json:"next"`
	}
	var first, older page
	w.call(t, "sam", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &first)
	if len(first.Messages) != domain.DefaultMessagePage || first.Messages[19].Body != "message 30" || first.Messages[0].Body != "message 11" || first.Next == "" {
		t.Fatalf("first page: %d messages, next %q", len(first.Messages), first.Next)
	}
	w.call(t, "sam", "GET", "/api/v1/threads/"+th.ID+"?cursor="+first.Next, nil).decode(t, &older)
	if len(older.Messages) != 11 || older.Messages[0].Body != "message 0" || older.Next != "" {
		t.Fatalf("older page: %+v", older)
	}
	if r := w.call(t, "sam", "GET", "/api/v1/threads/"+th.ID+"?limit=100000", nil); r.code() != domain.CodeInvalidLimit {
		t.Errorf("a huge page: %d %s", r.status, r.body)
	}
	// The thread page shows the newest messages and links to older ones.
	sam := w.forms()
	sam.login(t, "sam")
	status, body, _ := sam.get(t, "/seller/messages/"+th.ID)
	if status != 200 || !strings.Contains(body, "message 30") || strings.Contains(body, "message 0<") || !strings.Contains(body, "?before="+first.Next) {
		t.Fatalf("seller thread page: %d, newest and a link to older expected", status)
	}
	if status, body, _ := sam.get(t, "/seller/messages/"+th.ID+"?before="+first.Next); status != 200 || !strings.Contains(body, "message 0<") {
		t.Errorf("older messages page: %d", status)
	}
	// ana has posted 16 messages this minute: 4 more, then 429.
	for i := range 5 {
		r := w.call(t, "ana", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"seller"}, "body": "flood"})
		if i < 4 && r.status != http.StatusCreated {
			t.Fatalf("post %d: %d %s", i, r.status, r.body)
		}
		if i == 4 && (r.status != http.StatusTooManyRequests || r.code() != domain.CodeTooManyMessages) {
			t.Fatalf("the 21st message in a minute: %d %s", r.status, r.body)
		}
	}
	// A token's label is bounded (a 200 KB label was accepted).
	if r := w.call(t, "ben", "POST", "/api/v1/me/tokens", map[string]any{"label": strings.Repeat("l", 200<<10)}); r.code() != domain.CodeInvalidToken && r.code() != domain.CodeBodyTooLarge {
		t.Errorf("a 200 KB token label: %d %.200s", r.status, r.body)
	}
	if r := w.call(t, "ben", "POST", "/api/v1/me/tokens", map[string]any{"label": strings.Repeat("l", domain.MaxTokenLabelRunes+1)}); r.code() != domain.CodeInvalidToken {
		t.Errorf("a label one too long: %d %.200s", r.status, r.body)
	}
}

// Issue 10: an anonymous hand-off claiming ana@demo.example was shown as a
// customer's; sixty came in 0.2 s. The address is shown as what it is, and
// hand-offs are limited per client.
func TestAnonymousHandoffsAreUnverifiedAndLimited(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	handoff := func(who string) response {
		_, a := w.deflect(t, who, map[string]any{"subject": "refund please"})
		return w.event(t, who, a.Session, map[string]any{"type": "handoff", "subject": "refund please", "body": "I am Ana", "email": "ana@demo.example"})
	}
	r := handoff("")
	var h struct{ Thread string }
	r.decode(t, &h)
	if r.status != http.StatusCreated || h.Thread == "" {
		t.Fatalf("hand-off: %d %s", r.status, r.body)
	}
	var th struct {
		Customer        string `json:"customer"`
		CustomerID      string `json:"customer_id"`
		UnverifiedEmail string `json:"unverified_email"`
		Messages        []struct {
			Unverified bool `json:"unverified"`
		}
	}
	w.call(t, "olga", "GET", "/api/v1/threads/"+h.Thread, nil).decode(t, &th)
	if th.Customer != "" || th.CustomerID != "" || th.UnverifiedEmail != "ana@demo.example" || len(th.Messages) != 1 || !th.Messages[0].Unverified {
		t.Fatalf("the thread as customer care reads it: %+v", th)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/threads/"+h.Thread, nil); r.status != http.StatusNotFound {
		t.Errorf("ana reads a thread opened in her name: %d", r.status)
	}
	olga := w.forms()
	olga.login(t, "olga")
	for _, target := range []string{"/operator/messages/" + h.Thread, "/operator/messages"} {
		status, body, _ := olga.get(t, target)
		if status != 200 || !strings.Contains(body, "unverified email, not an account") {
			t.Errorf("%s does not mark the address unverified (%d)", target, status)
		}
		if strings.Contains(body, "ana@demo.example</strong> (customer)") {
			t.Errorf("%s shows the typed address as a customer", target)
		}
	}
	max := domain.DefaultPolicy().HandoffsPerHour
	for i := 1; i < max; i++ {
		if r := handoff(""); r.status != http.StatusCreated {
			t.Fatalf("hand-off %d: %d %s", i+1, r.status, r.body)
		}
	}
	if r := handoff(""); r.status != http.StatusTooManyRequests || r.code() != domain.CodeTooManyHandoffs {
		t.Fatalf("hand-off %d from one client: %d %s", max+1, r.status, r.body)
	}
}

// Low: an event naming an article that does not exist polluted the report.
func TestDeflectEventForUnknownArticle(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	_, a := w.deflect(t, "", map[string]any{"subject": "where is my invoice"})
	for _, typ := range []string{"opened", "helpful", "not_helpful"} {
		if r := w.event(t, "", a.Session, map[string]any{"type": typ, "article": "no-such-article"}); r.status != http.StatusBadRequest || r.code() != domain.CodeUnknownArticle {
			t.Errorf("%s of an unknown article: %d %s", typ, r.status, r.body)
		}
	}
	if r := w.event(t, "", a.Session, map[string]any{"type": "opened", "article": "seller-answer-messages"}); r.code() != domain.CodeUnknownArticle {
		t.Errorf("an anonymous event on a sellers-only article: %d %s", r.status, r.body)
	}
	if r := w.event(t, "", a.Session, map[string]any{"type": "opened", "article": a.Suggestions[0].ID}); r.status != http.StatusAccepted {
		t.Errorf("an event on a suggested article: %d %s", r.status, r.body)
	}
}
