//go:build linux

package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/smtp"
	"github.com/marketplace/helpcentre/domain/smtp/smtptest"
	"github.com/marketplace/helpcentre/server"
)

var (
	sessionField = regexp.MustCompile(`name="session" value="([^"]+)"`)
	referenceRE  = regexp.MustCompile(`data-reference>(HC-[0-9]+)<`)
	guestLinkRE  = regexp.MustCompile(`https?://[^\s]+/contact/c/[A-Za-z0-9._-]+`)
)

// mailer sends the world's due mails to the test's SMTP server, as serve's
// sender does, now.
func mailer(t *testing.T, w *domainWorld, srv *smtptest.Server) func() {
	t.Helper()
	up, err := smtp.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	snd := &smtp.Sender{Mail: bolt.NewMailService(w.db), Server: up, From: "Help centre <help@help.test>",
		Links: func(m domain.Mail) smtp.Links {
			open, prefs := w.srv.MailLinks(m)
			return smtp.Links{Open: open, Prefs: prefs}
		}}
	return func() {
		t.Helper()
		if _, err := snd.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// apiThread is a thread as the API shows it.
type apiThread struct {
	ID              string     `json:"id"`
	Reference       string     `json:"reference"`
	CustomerID      string     `json:"customer_id"`
	Order           string     `json:"order"`
	UnverifiedEmail string     `json:"unverified_email"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	Messages        []struct {
		Body string `json:"body"`
		From string `json:"from"`
	} `json:"messages"`
}

// Journey 3 and 4 over the API with the demo world: a signed-in customer's
// contact hand-off without JavaScript becomes a thread of theirs that
// customer care answers; an anonymous hand-off with an email is answered,
// the email arrives at a real SMTP server, and its link opens the
// conversation, which the visitor answers.
func TestContactJourneysAPI(t *testing.T) {
	smtpd := smtptest.Need(t)
	w := newDomainWorld(t)
	send := mailer(t, w, smtpd)

	// Ana, signed in, without JavaScript: question → suggestions → hand-off.
	ana := w.forms()
	ana.login(t, "ana")
	status, page, _ := ana.get(t, "/es/contact")
	if status != http.StatusOK || !strings.Contains(page, `<option value="1001"`) || !strings.Contains(page, `data-token="hcc1.`) {
		t.Fatalf("Ana's contact page: %d, order picker and widget token expected", status)
	}
	// With JavaScript, the page's widget carries a customer token: its
	// hand-off is Ana's too, about the order she picks.
	tok := regexp.MustCompile(`data-token="([^"]+)"`).FindStringSubmatch(page)[1]
	var wd struct {
		Session  string
		SignedIn bool `json:"signed_in"`
	}
	w.call(t, "", "POST", "/api/v1/deflect", map[string]any{"subject": "¿Dónde está mi pedido?", "locale": "es", "entry": "contact", "order": "1001"},
		"Authorization", "Bearer "+tok).decode(t, &wd)
	r := w.call(t, "", "POST", "/api/v1/deflect/"+wd.Session+"/events", map[string]any{"type": "handoff", "subject": "¿Dónde está mi pedido?", "body": "No ha llegado"},
		"Authorization", "Bearer "+tok)
	var wh struct{ Thread, Reference, AnswerBy string }
	r.decode(t, &wh)
	var wt apiThread
	w.call(t, "ana", "GET", "/api/v1/threads/"+wh.Thread, nil).decode(t, &wt)
	if !wd.SignedIn || r.status != http.StatusCreated || wt.CustomerID != w.world.Users["ana"].ID || wt.Order != "1001" || wt.Reference != wh.Reference {
		t.Fatalf("the widget's hand-off for Ana: %d %s, thread %+v", r.status, r.body, wt)
	}

	status, _, page = ana.post(t, "/es/contact", "/es/contact", url.Values{"subject": {"Factura"}, "body": {"Necesito la factura de mi pedido"}, "order": {"1001"}})
	if status != http.StatusOK || !strings.Contains(page, "¿Todavía necesitas ayuda?") || strings.Contains(page, `name="email"`) {
		t.Fatalf("suggestions: %d %.400s", status, page)
	}
	m := sessionField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no session on the suggestions page")
	}
	status, _, page = ana.post(t, "/es/contact", "/es/contact/send", url.Values{"session": {m[1]}, "subject": {"Factura"}, "body": {"Necesito la factura de mi pedido"}, "order": {"1001"}})
	ref := referenceRE.FindStringSubmatch(page)
	if status != http.StatusOK || ref == nil || !strings.Contains(page, "24 horas") || !strings.Contains(page, "mensajes de tu cuenta") {
		t.Fatalf("confirmation: %d %.600s", status, page)
	}
	var list struct{ Threads []apiThread }
	w.call(t, "ana", "GET", "/api/v1/threads", nil).decode(t, &list)
	if len(list.Threads) != 2 || list.Threads[0].Reference != ref[1] || list.Threads[0].CustomerID != w.world.Users["ana"].ID {
		t.Fatalf("Ana's threads: %+v (reference %s)", list.Threads, ref[1])
	}
	th := list.Threads[0]
	if r := w.call(t, "olga", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "Te la enviamos hoy."}); r.status != http.StatusCreated {
		t.Fatalf("customer care answers Ana: %d %s", r.status, r.body)
	}
	var got apiThread
	w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil).decode(t, &got)
	if len(got.Messages) != 2 || got.Messages[1].Body != "Te la enviamos hoy." || got.Order != "1001" {
		t.Fatalf("Ana reads: %+v", got)
	}
	// Her chosen notifications come by email too, in Spanish.
	send()
	mail := smtpd.WaitFor(t, "ana@demo.example", "Tienes un mensaje nuevo sobre el pedido 1001", 5*time.Second)
	if !strings.Contains(mail.Body, "/account/messages/"+th.ID) || !strings.Contains(mail.Body, "/account/notifications") {
		t.Errorf("Ana's mail:\n%s", mail.Body)
	}

	// Ana chooses no more replies by email (in-app only); customer care sees
	// what was mailed.
	if r := w.call(t, "ana", "PUT", "/api/v1/me/mail-preferences", map[string]any{"refunds": true, "replies": false, "claims": true}); r.status != http.StatusOK {
		t.Fatalf("preferences: %d %s", r.status, r.body)
	}
	w.call(t, "olga", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "¿Te ha llegado?"})
	send()
	if ms, _ := smtpd.Messages(); len(ms) != 1 {
		t.Errorf("mails after Ana chose no replies by email: %d", len(ms))
	}
	var outbox struct {
		Mail []struct {
			To     string     `json:"to"`
			SentAt *time.Time `json:"sent_at"`
		}
	}
	w.call(t, "olga", "GET", "/api/v1/admin/mail", nil).decode(t, &outbox)
	if len(outbox.Mail) != 1 || outbox.Mail[0].To != "ana@demo.example" || outbox.Mail[0].SentAt == nil {
		t.Errorf("customer care's list of mail: %+v", outbox.Mail)
	}

	// Anonymous, through the API (the widget): an email is required.
	r = w.call(t, "", "POST", "/api/v1/deflect", map[string]any{"subject": "account locked", "locale": "en", "entry": "contact"})
	var d struct{ Session string }
	r.decode(t, &d)
	if r := w.call(t, "", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "handoff", "subject": "Account locked", "body": "I cannot sign in."}); r.code() != domain.CodeEmailRequired {
		t.Fatalf("an anonymous hand-off without email: %d %s", r.status, r.body)
	}
	r = w.call(t, "", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "handoff", "subject": "Account locked", "body": "I cannot sign in.", "email": "visitor@example.com"})
	var h struct {
		Thread, Reference, AnswerBy string
		Within                      int `json:"answer_within_hours"`
	}
	r.decode(t, &h)
	if r.status != http.StatusCreated || !strings.HasPrefix(h.Reference, "HC-") || h.Within != 24 {
		t.Fatalf("anonymous hand-off: %d %s", r.status, r.body)
	}
	if r := w.call(t, "olga", "POST", "/api/v1/threads/"+h.Thread+"/messages", map[string]any{"to": []string{"customer"}, "body": "Your account is unlocked."}); r.status != http.StatusCreated {
		t.Fatalf("customer care answers the visitor: %d %s", r.status, r.body)
	}
	send()
	smtpd.WaitFor(t, "visitor@example.com", "We received your message ["+h.Reference+"]", 5*time.Second)
	reply := smtpd.WaitFor(t, "visitor@example.com", "Re: Account locked ["+h.Reference+"]", 5*time.Second)
	if !strings.Contains(reply.Body, "Your account is unlocked.") {
		t.Errorf("the reply mail:\n%s", reply.Body)
	}
	link := guestLinkRE.FindString(reply.Body)
	if link == "" {
		t.Fatalf("no link in the reply mail:\n%s", reply.Body)
	}
	u, _ := url.Parse(link)

	// The link opens the conversation (and confirms the address); the
	// visitor answers from it.
	visitor := w.forms()
	status, page, _ = visitor.get(t, u.Path)
	if status != http.StatusOK || !strings.Contains(page, "Your account is unlocked.") || !strings.Contains(page, "your email address is confirmed") {
		t.Fatalf("the visitor's conversation: %d %.600s", status, page)
	}
	status, hdr, _ := visitor.post(t, u.Path, u.Path, url.Values{"body": {"Thanks, it works!"}})
	if status != http.StatusSeeOther {
		t.Fatalf("the visitor answers: %d", status)
	}
	status, page, _ = visitor.get(t, hdr.Get("Location"))
	if status != http.StatusOK || !strings.Contains(page, "Thanks, it works!") {
		t.Fatalf("after answering: %d", status)
	}
	var anon apiThread
	w.call(t, "olga", "GET", "/api/v1/threads/"+h.Thread, nil).decode(t, &anon)
	if anon.EmailVerifiedAt == nil || len(anon.Messages) != 3 || anon.Messages[2].Body != "Thanks, it works!" || anon.Messages[2].From != "customer" {
		t.Fatalf("customer care reads: %+v", anon)
	}
	// A link changed by one character, or for another thread, opens nothing.
	last := "A"
	if strings.HasSuffix(u.Path, "A") {
		last = "B"
	}
	bad := u.Path[:len(u.Path)-1] + last
	if status, _, _ := visitor.get(t, bad); status != http.StatusNotFound {
		t.Errorf("a forged link: %d", status)
	}
	if status, _, _ := visitor.get(t, "/contact/c/"+th.ID+".9999999999.AAAAAAAAAAAAAAAAAAAAAA"); status != http.StatusNotFound {
		t.Errorf("a signed-in customer's thread by a guest link: %d", status)
	}
}

// TestHandoffPromisesCareReplyWithin: what a hand-off's confirmation
// promises is customer care's configured reply deadline
// (--care-reply-within), not a fixed 24 h.
func TestHandoffPromisesCareReplyWithin(t *testing.T) {
	w, _, _ := buildWorld(t, worldOptions{domain: domainServices(), config: func(cfg *server.Config) {
		cfg.Deflect.Policy.CareReplyWithin = 36 * time.Hour
	}})
	r := w.call(t, "", "POST", "/api/v1/deflect", map[string]any{"subject": "account locked", "locale": "en", "entry": "contact"})
	var d struct{ Session string }
	r.decode(t, &d)
	r = w.call(t, "", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "handoff", "subject": "Account locked", "body": "I cannot sign in.", "email": "visitor@example.com"})
	var h struct {
		Within int `json:"answer_within_hours"`
	}
	r.decode(t, &h)
	if r.status != http.StatusCreated || h.Within != 36 {
		t.Errorf("hand-off: %d %s, want answer_within_hours 36", r.status, r.body)
	}
}
