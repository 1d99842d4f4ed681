package domain_test

import (
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestMailCategories(t *testing.T) {
	for typ, want := range map[string]string{
		domain.EventRefundRequested: domain.MailRefunds, domain.EventRefundIssued: domain.MailRefunds, domain.EventRefundFailed: domain.MailRefunds,
		"thread.message":       domain.MailReplies,
		domain.EventClaimOffer: domain.MailClaims, domain.EventClaimClosed: domain.MailClaims, domain.EventReturnIssued: domain.MailClaims,
		"offer.withdrawn": domain.MailClaims, domain.EventIncidentResolved: domain.MailClaims,
		domain.EventReplyDueSoon: "", "grant.added": "",
	} {
		if got := domain.MailCategory(typ); got != want {
			t.Errorf("MailCategory(%q) = %q, want %q", typ, got, want)
		}
	}
	ana := &domain.User{Role: domain.RoleCustomer, Email: "ana@example.com"}
	sam := &domain.User{Role: domain.RoleSeller, Email: "sam@example.com"}
	if !domain.WantsMail(ana, domain.DefaultMailPrefs(), domain.EventRefundIssued) || domain.WantsMail(ana, domain.MailPrefs{Replies: true}, domain.EventRefundIssued) {
		t.Error("a customer's choice of refunds by email")
	}
	if domain.WantsMail(sam, domain.DefaultMailPrefs(), "thread.message") || domain.WantsMail(&domain.User{Role: domain.RoleCustomer}, domain.DefaultMailPrefs(), "thread.message") {
		t.Error("sellers, and customers without an address, are not mailed")
	}
	if got := domain.HandoffReference(1); got != "HC-1001" {
		t.Errorf("HandoffReference(1) = %q", got)
	}
	th := &domain.Thread{UnverifiedEmail: "Visitor@Example.com"}
	if !domain.CanGuestSee(th, " visitor@example.com") || domain.CanGuestSee(th, "other@example.com") ||
		domain.CanGuestSee(&domain.Thread{CustomerID: "u1", UnverifiedEmail: "x@example.com"}, "x@example.com") {
		t.Error("CanGuestSee")
	}
}
