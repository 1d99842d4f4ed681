package server_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

// audienceContent has one article for everyone, one for customers and one
// for sellers, whose rare word ("zanzibarquux") no one else may learn.
var audienceContent = fstest.MapFS{
	"en/returns.md": {Data: []byte("---\ntitle: How do returns work?\ncategory: returns\n---\nStart a return from your order page.\n")},
	"en/loyalty.md": {Data: []byte("---\nid: loyalty-points\ntitle: Loyalty points for customers\ncategory: account\nvisibility: customers\n---\nCustomers collect loyalty points on every order.\n")},
	"en/payout.md":  {Data: []byte("---\nid: seller-payout\ntitle: Seller payout calendar\ncategory: sellers\nvisibility: sellers\n---\nPayouts use the zanzibarquux schedule every week.\n")},
}

func newAudienceWorld(tb testing.TB) *domainWorld {
	tb.Helper()
	w, _, _ := buildWorld(tb, worldOptions{content: audienceContent, domain: func(db *bolt.DB, p domain.Policy) *server.Domain {
		b := bolt.NewServices(db, p)
		return &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
			Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
			Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p}
	}})
	return w
}

// Signed-in people read the articles of their role: a seller's token (API)
// or session cookie (pages) opens seller articles, a customer's customer
// articles, and neither the other's.
func TestArticlesByRole(t *testing.T) {
	w := newAudienceWorld(t)
	cases := []struct {
		who, id string
		want    int
	}{
		{"", "seller-payout", 404}, {"", "loyalty-points", 404},
		{"sam", "seller-payout", 200}, {"sam", "loyalty-points", 404},
		{"ana", "loyalty-points", 200}, {"ana", "seller-payout", 404},
		{"olga", "seller-payout", 200}, {"olga", "loyalty-points", 200},
	}
	for _, c := range cases {
		if r := w.call(t, c.who, "GET", "/api/v1/articles/"+c.id, nil); r.status != c.want {
			t.Errorf("API %q reads %s: %d, want %d", c.who, c.id, r.status, c.want)
		}
	}
	var res struct {
		Hits []struct{ ID string } `json:"hits"`
	}
	w.call(t, "sam", "GET", "/api/v1/search?q=payout+calendar", nil).decode(t, &res)
	if len(res.Hits) == 0 || res.Hits[0].ID != "seller-payout" {
		t.Errorf("sam's search misses his article: %+v", res.Hits)
	}
	var sug struct {
		Suggestions []struct{ ID string } `json:"suggestions"`
	}
	w.call(t, "sam", "GET", "/api/v1/suggest?q=seller+pay", nil).decode(t, &sug)
	if len(sug.Suggestions) == 0 || sug.Suggestions[0].ID != "seller-payout" {
		t.Errorf("sam's suggestions: %+v", sug.Suggestions)
	}
	// Pages: a signed-in reader's session decides. Article pages (the slug
	// redirect followed) and category pages show what the role may see.
	for _, who := range []string{"", "sam", "ana", "olga"} {
		b := w.forms()
		if who != "" {
			b.login(t, who)
		}
		for _, c := range cases {
			if c.who != who {
				continue
			}
			status, _, _ := b.get(t, "/en/articles/"+c.id+"/"+map[string]string{"seller-payout": "seller-payout-calendar", "loyalty-points": "loyalty-points-for-customers"}[c.id])
			if status != c.want {
				t.Errorf("page %q reads %s: %d, want %d", who, c.id, status, c.want)
			}
		}
		want := map[string]int{"sam": 200, "olga": 200, "ana": 404, "": 404}[who]
		status, body, _ := b.get(t, "/en/categories/sellers")
		if status != want || want == 200 && !strings.Contains(body, "Seller payout calendar") {
			t.Errorf("%q opens the sellers' category: %d, want %d", who, status, want)
		}
	}
	b := w.forms()
	b.login(t, "sam")
	if status, body, _ := b.get(t, "/search?q=payout+calendar&locale=en"); !strings.Contains(body, "Seller payout calendar") {
		t.Errorf("sam's search page misses his article: %d", status)
	}
}

// The spelling corrector only corrects into words the asker may read: an
// anonymous typo of a sellers-only word is not "corrected" into it.
func TestCorrectionKeepsHiddenWords(t *testing.T) {
	w := newAudienceWorld(t)
	var res struct {
		Corrected string `json:"corrected"`
	}
	w.call(t, "", "GET", "/api/v1/search?q=zanzibarqux", nil).decode(t, &res)
	if strings.Contains(res.Corrected, "zanzibarquux") {
		t.Errorf("anonymous correction leaks a sellers-only word: %q", res.Corrected)
	}
	res.Corrected = ""
	w.call(t, "ana", "GET", "/api/v1/search?q=zanzibarqux", nil).decode(t, &res)
	if strings.Contains(res.Corrected, "zanzibarquux") {
		t.Errorf("a customer's correction leaks a sellers-only word: %q", res.Corrected)
	}
	w.call(t, "sam", "GET", "/api/v1/search?q=zanzibarqux", nil).decode(t, &res)
	if res.Corrected != "zanzibarquux" {
		t.Errorf("sam's correction: %q, want zanzibarquux", res.Corrected)
	}
	var d struct {
		Corrected string `json:"corrected"`
	}
	r := w.call(t, "", "POST", "/api/v1/deflect", map[string]string{"subject": "zanzibarqux", "locale": "en"})
	if r.status != http.StatusOK {
		t.Fatalf("deflect: %d %s", r.status, r.body)
	}
	r.decode(t, &d)
	if strings.Contains(d.Corrected, "zanzibarquux") {
		t.Errorf("anonymous deflection leaks a sellers-only word: %q", d.Corrected)
	}
}
