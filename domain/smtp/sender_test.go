//go:build linux

package smtp_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/smtp"
	"github.com/marketplace/helpcentre/domain/smtp/smtptest"
)

func world(t *testing.T) (*bolt.Services, func(string) context.Context) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := bolt.NewServices(db, domain.DefaultPolicy())
	if _, err := demo.Seed(context.Background(), demo.Services{Access: s.Access, Orders: s.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	as := func(name string) context.Context {
		a, err := s.Access.Authenticate(context.Background(), demo.Token(name))
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), a)
	}
	return s, as
}

func links(m domain.Mail) smtp.Links {
	return smtp.Links{Open: "http://help.test/contact/c/" + m.Thread + "-signed", Prefs: "http://help.test/account/notifications"}
}

// Mails reach a real SMTP server in their recipients' languages, once each,
// and a server that is down loses none of them.
func TestSenderDeliversOnceInTheRecipientsLanguage(t *testing.T) {
	srv := smtptest.Need(t)
	s, as := world(t)
	th, err := s.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Cuenta bloqueada", Body: "No puedo entrar", Locale: "es", Email: "visita@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Threads.PostMessage(as("olga"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "Ya está desbloqueada."}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Refunds.CreateRefund(as("sam"), "2001", "k", domain.RefundRequest{Kind: "partial", Amount: 1180}); err != nil {
		t.Fatal(err)
	}

	// The server is down first: every mail stays due, with its error.
	down, _ := smtp.ParseURL("smtp://127.0.0.1:1?starttls=off")
	now := time.Now()
	clock := func() time.Time { return now }
	snd := &smtp.Sender{Mail: s.Mail, Server: down, From: "Help centre <help@help.test>", Links: links, Now: clock, Timeout: 2 * time.Second}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 3 {
		t.Fatalf("SendDue with the server down: %d, %v", n, err)
	}
	if list, _ := s.Mail.ListMail(as("olga"), 10); len(list) != 3 || list[0].SentAt != nil || list[0].Dead || list[0].Attempts != 1 || list[0].LastError == "" {
		t.Fatalf("after a failed attempt: %+v", list)
	}

	up, err := smtp.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	snd = &smtp.Sender{Mail: s.Mail, Server: up, From: "Help centre <help@help.test>", Links: links, Now: clock}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 3 {
		t.Fatalf("SendDue: %d, %v", n, err)
	}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("SendDue again: %d, %v", n, err)
	}

	verify := srv.WaitFor(t, "visita@example.com", "Hemos recibido tu mensaje ["+th.Reference+"]", 5*time.Second)
	for _, want := range []string{"Hola:", "«Cuenta bloqueada»", th.Reference, "24 horas", "http://help.test/contact/c/" + th.ID + "-signed"} {
		if !strings.Contains(verify.Body, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, verify.Body)
		}
	}
	reply := srv.WaitFor(t, "visita@example.com", "Re: Cuenta bloqueada ["+th.Reference+"]", 5*time.Second)
	if !strings.Contains(reply.Body, "Ya está desbloqueada.") || !strings.Contains(reply.Body, "Atención al cliente ha respondido") {
		t.Errorf("the reply mail:\n%s", reply.Body)
	}
	// Ben reads English: his refund is announced in English, amount formatted.
	refund := srv.WaitFor(t, "ben@demo.example", "A refund of 11.80 EUR for order 2001 is on its way", 5*time.Second)
	if !strings.Contains(refund.Body, "http://help.test/account/notifications") || refund.Header.Get("Content-Language") != "en" {
		t.Errorf("the refund mail: %v\n%s", refund.Header, refund.Body)
	}
	ms, err := srv.Messages()
	if err != nil || len(ms) != 3 {
		t.Fatalf("the server holds %d mails (%v): each must arrive once", len(ms), err)
	}
	ids := map[string]bool{}
	for _, m := range ms {
		ids[m.Header.Get("Message-Id")] = true
	}
	if len(ids) != 3 {
		t.Errorf("Message-IDs %v", ids)
	}
	list, _ := s.Mail.ListMail(as("olga"), 10)
	for _, m := range list {
		if m.SentAt == nil || m.Attempts != 2 {
			t.Errorf("mail %s: sent %v after %d attempts", m.Kind, m.SentAt, m.Attempts)
		}
	}
}

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://mail.example":                     "smtp://mail.example:25",
		"smtp://u:p@mail.example:587":             "smtp://mail.example:587",
		"smtps://mail.example":                    "smtps://mail.example:465",
		"smtp://127.0.0.1:2525?starttls=off":      "smtp://127.0.0.1:2525",
		"smtp://127.0.0.1:2525?starttls=required": "smtp://127.0.0.1:2525",
	} {
		s, err := smtp.ParseURL(raw)
		if err != nil || s.String() != want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", raw, s, err, want)
		}
	}
	for _, raw := range []string{"", "mail.example", "http://mail.example", "smtp://mail.example:0", "smtp://h?starttls=maybe", "smtp://u:secret@h:x"} {
		if _, err := smtp.ParseURL(raw); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q): %v", raw, err)
		}
	}
}

// A mail written long before it could be sent (mail was off; the demo's
// history) is given up unsent.
func TestSenderGivesUpStaleMail(t *testing.T) {
	s, _ := world(t)
	if _, err := s.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Help", Body: "Please", Email: "late@example.com"}); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(smtp.DefaultMaxAge + time.Hour)
	down, _ := smtp.ParseURL("smtp://127.0.0.1:1?starttls=off")
	snd := &smtp.Sender{Mail: s.Mail, Server: down, From: "help@help.test", Now: func() time.Time { return later }}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("SendDue: %d %v", n, err)
	}
	if due, _ := s.Mail.DueMail(context.Background(), later.Add(72*time.Hour), 10); len(due) != 0 {
		t.Fatalf("a stale mail is still due: %+v", due)
	}
}

// flakyMarks fails the first MarkMailSent, as a full disk would.
type flakyMarks struct {
	domain.MailService
	failed bool
}

func (f *flakyMarks) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	if !f.failed {
		f.failed = true
		return errors.New("disk full")
	}
	return f.MailService.MarkMailSent(ctx, id, at)
}

// A mail the server accepted is never sent again, even when recording
// that it was failed: the mark is written on the next round instead.
func TestSenderNeverResendsAnAcceptedMail(t *testing.T) {
	srv := smtptest.Need(t)
	s, _ := world(t)
	if _, err := s.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Help", Body: "Please", Email: "once@example.com"}); err != nil {
		t.Fatal(err)
	}
	up, _ := smtp.ParseURL(srv.URL())
	snd := &smtp.Sender{Mail: &flakyMarks{MailService: s.Mail}, Server: up, From: "help@help.test"}
	for range 3 {
		if _, err := snd.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	srv.WaitFor(t, "once@example.com", "We received your message", 5*time.Second)
	if ms, _ := srv.Messages(); len(ms) != 1 {
		t.Fatalf("the server received %d mails, want 1", len(ms))
	}
	if due, _ := s.Mail.DueMail(context.Background(), time.Now().Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("still due: %+v", due)
	}
}

// A mail whose claim would end before the server could time out is not
// sent (another replica may claim it then): it comes back when the lease
// ends, and goes then.
func TestSenderSendsNothingItsClaimCannotCover(t *testing.T) {
	srv := smtptest.Need(t)
	s, _ := world(t)
	if _, err := s.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Help", Body: "Please", Email: "late@example.com"}); err != nil {
		t.Fatal(err)
	}
	up, _ := smtp.ParseURL(srv.URL())
	now := time.Now()
	reads := 0
	stalled := func() time.Time { // the claim is made, then the sender stalls
		reads++
		if reads == 1 {
			return now
		}
		return now.Add(domain.ClaimLease - 5*time.Second)
	}
	snd := &smtp.Sender{Mail: s.Mail, Server: up, From: "help@help.test", Now: stalled}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("SendDue: %d, %v; want 1 claimed", n, err)
	}
	if ms, _ := srv.Messages(); len(ms) != 0 {
		t.Fatalf("sent %d mails with 5 s of the claim left and a 20 s timeout", len(ms))
	}
	snd = &smtp.Sender{Mail: s.Mail, Server: up, From: "help@help.test", Now: func() time.Time { return now.Add(domain.ClaimLease) }}
	if n, err := snd.SendDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("SendDue when the lease ended: %d, %v", n, err)
	}
	srv.WaitFor(t, "late@example.com", "We received your message", 5*time.Second)
}
