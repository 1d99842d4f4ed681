package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var mailCases = []testCase{
	{"anonymous_handoff", testMailAnonymousHandoff},
	{"signed_in_handoff", testMailSignedInHandoff},
	{"preferences", testMailPreferences},
	{"sent_once", testMailSentOnce},
}

// dueMail returns the mails waiting to be sent (neither sent nor given
// up), oldest first, as customer care's list shows them: a look that claims
// nothing, unlike DueMail (claimMail).
func (w *world) dueMail(t testing.TB) []domain.Mail {
	t.Helper()
	list, err := w.Mail.ListMail(w.as(t, "olga"), domain.MaxPageLimit)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Mail
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].SentAt == nil && !list[i].Dead {
			out = append(out, list[i])
		}
	}
	return out
}

// claimMail claims the mails due at the clock's now (DueMail).
func (w *world) claimMail(t testing.TB) []domain.Mail {
	t.Helper()
	ms, err := w.Mail.DueMail(context.Background(), w.clock.Now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// An anonymous hand-off gets a short reference and a mail to the address
// it gave; customer care can answer it, which mails the answer; the link's
// holder reads the conversation (verifying the address) and answers.
func testMailAnonymousHandoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th, err := w.Threads.Handoff(anon, domain.Handoff{Subject: "Cuenta bloqueada", Body: "No puedo entrar en mi cuenta", Locale: "es", Email: "visita@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(th.Reference, "HC-") || len(th.Reference) > 10 || th.EmailVerifiedAt != nil {
		t.Fatalf("reference %q, verified %v", th.Reference, th.EmailVerifiedAt)
	}
	ms := w.dueMail(t)
	if len(ms) != 1 || ms[0].Kind != domain.MailHandoffVerify || ms[0].To != "visita@example.com" || ms[0].Locale != "es" ||
		ms[0].Thread != th.ID || ms[0].Reference != th.Reference {
		t.Fatalf("mails after the hand-off: %+v", ms)
	}

	olga := w.as(t, "olga")
	// Customer care finds a hand-off by the reference the customer quotes.
	if page, err := w.Threads.ListThreads(olga, domain.ThreadFilter{Text: strings.ToLower(th.Reference)}); err != nil || len(page.Threads) != 1 || page.Threads[0].ID != th.ID {
		t.Errorf("searching %s: %+v %v", th.Reference, page, err)
	}
	if _, err := w.Threads.PostMessage(olga, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "Te hemos desbloqueado la cuenta."}); err != nil {
		t.Fatalf("customer care answers the visitor: %v", err)
	}
	ms = w.dueMail(t)
	if len(ms) != 2 || ms[1].Kind != domain.MailHandoffReply || ms[1].To != "visita@example.com" || ms[1].Excerpt != "Te hemos desbloqueado la cuenta." {
		t.Fatalf("mails after the answer: %+v", ms)
	}

	if email, err := w.Guests.HandoffEmail(anon, th.ID); err != nil || email != "visita@example.com" {
		t.Fatalf("HandoffEmail: %q %v", email, err)
	}
	if _, err := w.Guests.GuestThread(anon, th.ID, "other@example.com", domain.MessagePage{}); code(err) != domain.CodeNotFound {
		t.Errorf("another address reads the hand-off: %v", err)
	}
	w.clock.Add(time.Minute)
	g, err := w.Guests.GuestThread(anon, th.ID, "Visita@example.com", domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	if g.EmailVerifiedAt == nil || len(g.Messages) != 2 || g.Messages[1].Body != "Te hemos desbloqueado la cuenta." || g.Transcript != nil || g.Assignment != nil {
		t.Fatalf("the visitor reads: %+v", g)
	}
	if _, err := w.Guests.GuestReply(anon, th.ID, "visita@example.com", "¡Gracias, ya funciona!"); err != nil {
		t.Fatal(err)
	}
	got, err := w.Threads.FindThread(olga, th.ID, domain.MessagePage{})
	if err != nil || got.EmailVerifiedAt == nil || len(got.Messages) != 3 || got.Messages[2].From != domain.PartyCustomer || !got.Messages[2].Unverified {
		t.Fatalf("customer care reads: %+v %v", got, err)
	}
	if _, err := w.Guests.GuestReply(anon, th.ID, "other@example.com", "hi"); code(err) != domain.CodeNotFound {
		t.Errorf("another address answers: %v", err)
	}
	// A signed-in customer's thread is never reached as a guest.
	mine, err := w.Threads.Handoff(w.as(t, "ana"), domain.Handoff{Subject: "Mi pedido", Body: "¿Dónde está?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Guests.HandoffEmail(anon, mine.ID); code(err) != domain.CodeNotFound {
		t.Errorf("HandoffEmail of a customer's thread: %v", err)
	}
	if mine.Reference == th.Reference || mine.Reference == "" {
		t.Errorf("references %q and %q", th.Reference, mine.Reference)
	}
}

// A signed-in customer's hand-off is theirs: in their conversations, and
// customer care's answer reaches them (in-app and, by default, by email).
func testMailSignedInHandoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana := w.as(t, "ana")
	th, err := w.Threads.Handoff(ana, domain.Handoff{Subject: "Factura", Body: "Necesito la factura", Locale: "es", OrderNumber: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	if th.CustomerID != w.id("ana") || th.UnverifiedEmail != "" || th.OrderNumber != "1001" {
		t.Fatalf("hand-off: %+v", th)
	}
	page, err := w.Threads.ListThreads(ana, domain.ThreadFilter{})
	if err != nil || len(page.Threads) != 1 || page.Threads[0].ID != th.ID {
		t.Fatalf("ana's conversations: %+v %v", page, err)
	}
	if len(w.dueMail(t)) != 0 {
		t.Fatalf("a signed-in hand-off mails: %+v", w.dueMail(t))
	}
	w.post(t, "olga", th.ID, "Te la enviamos hoy.", domain.PartyCustomer)
	ms := w.dueMail(t)
	if len(ms) != 1 || ms[0].Kind != domain.MailNotification || ms[0].Type != "thread.message" || ms[0].To != "ana@demo.example" ||
		ms[0].Locale != "es" || ms[0].Thread != th.ID || ms[0].Order != "1001" {
		t.Fatalf("mails: %+v", ms)
	}
	got, err := w.Threads.FindThread(ana, th.ID, domain.MessagePage{})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("ana reads: %+v %v", got, err)
	}
}

// Customers choose which notifications also come by email.
func testMailPreferences(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana := w.as(t, "ana")
	p, err := w.Mail.MailPreferences(ana)
	if err != nil || p != domain.DefaultMailPrefs() {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	if _, err := w.Mail.MailPreferences(anon); code(err) != domain.CodeUnauthorized {
		t.Errorf("anonymous preferences: %v", err)
	}
	if _, err := w.Mail.SetMailPreferences(ana, domain.MailPrefs{Refunds: true}); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.Mail.MailPreferences(ana); p != (domain.MailPrefs{Refunds: true}) {
		t.Fatalf("stored: %+v", p)
	}
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "¿Factura?"})
	w.post(t, "sam", th.ID, "Here it is.", domain.PartyCustomer)
	if ms := w.dueMail(t); len(ms) != 0 {
		t.Fatalf("a reply mailed against the preference: %+v", ms)
	}
	if _, _, err := w.Refunds.CreateRefund(w.as(t, "sam"), "1001", "k1", domain.RefundRequest{Kind: "total"}); err != nil {
		t.Fatal(err)
	}
	ms := w.dueMail(t)
	if len(ms) != 1 || ms[0].Type != domain.EventRefundRequested || ms[0].Order != "1001" || ms[0].Amount <= 0 || ms[0].Currency == "" {
		t.Fatalf("refund mail: %+v", ms)
	}
	// Sellers are never mailed notifications (they have webhooks and alerts).
	w.post(t, "ana", th.ID, "Gracias", domain.PartySeller)
	if ms := w.dueMail(t); len(ms) != 1 {
		t.Fatalf("a seller was mailed: %+v", ms)
	}
}

// A mail leaves the due list once sent, is due again after a failure, and
// is given up when dead.
func testMailSentOnce(t *testing.T, open Opener) {
	w := newWorld(t, open)
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if _, err := w.Threads.Handoff(anon, domain.Handoff{Subject: "Help", Body: "Please", Email: e}); err != nil {
			t.Fatal(err)
		}
	}
	ms := w.claimMail(t)
	if len(ms) != 2 {
		t.Fatalf("due: %+v", ms)
	}
	if again := w.claimMail(t); len(again) != 0 {
		t.Fatalf("claimed mails claimed again: %+v", again)
	}
	now := w.clock.Now()
	ctx := context.Background()
	if err := w.Mail.MarkMailSent(ctx, ms[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := w.Mail.MarkMailSent(ctx, ms[0].ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.Mail.MarkMailFailed(ctx, ms[1].ID, now, "421 try later", now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if got := w.claimMail(t); len(got) != 0 {
		t.Fatalf("due after sent and failed: %+v", got)
	}
	w.clock.Add(time.Minute)
	got := w.claimMail(t)
	if len(got) != 1 || got[0].ID != ms[1].ID || got[0].Attempts != 1 || got[0].LastError != "421 try later" {
		t.Fatalf("due again: %+v", got)
	}
	if err := w.Mail.MarkMailFailed(ctx, ms[1].ID, now, "550 no such user", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Hour)
	if got := w.claimMail(t); len(got) != 0 {
		t.Fatalf("a dead mail is due: %+v", got)
	}
	if err := w.Mail.MarkMailSent(ctx, "01NOSUCHMAIL0000000000000", now); code(err) != domain.CodeNotFound {
		t.Errorf("marking an unknown mail: %v", err)
	}
	list, err := w.Mail.ListMail(w.as(t, "olga"), 10)
	if err != nil || len(list) != 2 || list[1].SentAt == nil || !list[1].SentAt.Equal(now) || !list[0].Dead {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := w.Mail.ListMail(w.as(t, "ana"), 10); code(err) != domain.CodeForbidden {
		t.Errorf("a customer lists mails: %v", err)
	}
}
