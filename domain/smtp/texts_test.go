package smtp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/smtp"
)

// Every kind and notification type is written in both languages, with its
// facts and links and no formatting slip.
func TestWriteEveryMailInBothLanguages(t *testing.T) {
	types := []string{domain.EventRefundRequested, domain.EventRefundIssued, domain.EventRefundFailed, "thread.message", domain.EventClaimOffer,
		domain.EventClaimClosed, domain.EventClaimOfferAnswer, domain.EventReturnIssued, domain.EventReturnUpdated, domain.EventIncidentClosed}
	links := smtp.Links{Open: "https://help.example/open", Prefs: "https://help.example/prefs"}
	for _, loc := range []string{"en", "es"} {
		mails := []domain.Mail{
			{Kind: domain.MailHandoffVerify, Locale: loc, Reference: "HC-1001", Subject: "Locked"},
			{Kind: domain.MailHandoffReply, Locale: loc, Reference: "HC-1001", Subject: "Locked", Excerpt: "Unlocked.\nBye."},
		}
		for _, typ := range types {
			mails = append(mails, domain.Mail{Kind: domain.MailNotification, Locale: loc, Type: typ, Order: "1001", Amount: 5785, Currency: "EUR"})
		}
		for _, m := range mails {
			l := smtp.Write(m, links, 24*time.Hour)
			if strings.Contains(l.Subject+l.Body, "%!") || l.Subject == "" || !strings.Contains(l.Body, "https://help.example/open") {
				t.Errorf("%s %s %s:\n%s\n%s", loc, m.Kind, m.Type, l.Subject, l.Body)
			}
			if m.Kind == domain.MailNotification && (!strings.Contains(l.Subject, "1001") || !strings.Contains(l.Body, "https://help.example/prefs")) {
				t.Errorf("%s %s: %q", loc, m.Type, l.Subject)
			}
			if (loc == "es") != strings.HasPrefix(l.Body, "Hola:") {
				t.Errorf("%s %s: greeting %.20q", loc, m.Kind, l.Body)
			}
		}
	}
	if got := smtp.Money("es", 5785, "EUR"); got != "57,85 EUR" {
		t.Errorf("Money es: %q", got)
	}
	if got := smtp.Money("en", 5, "EUR"); got != "0.05 EUR" {
		t.Errorf("Money en: %q", got)
	}
	if got := smtp.Duration("en", 72*time.Hour); got != "3 days" {
		t.Errorf("Duration: %q", got)
	}
}
