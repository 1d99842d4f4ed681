package domain

import (
	"testing"
	"time"
)

// The store's refusals, now rules here: each case's code and message are the
// API's.
func TestStoreRefusals(t *testing.T) {
	past := t0.Add(-time.Hour)
	tests := []struct {
		name string
		err  error
		code Code
		msg  string
	}{
		{"mint for another", CanMintToken(sam, "u-ana"), CodeForbidden, "Only an admin makes tokens for someone else."},
		{"mint anonymous", CanMintToken(Actor{}, "u-ana"), CodeUnauthorized, "Sign in first: send a bearer token."},
		{"mint own", CanMintToken(sam, "u-sam"), "", ""},
		{"admin mints", CanMintToken(adam, "u-sam"), "", ""},
		{"ttl short", func() error { _, err := TokenTTL(time.Second); return err }(), CodeInvalidToken, "A token lives from a minute to 366 days."},
		{"short secret", ValidateTokenSecret(BootstrapTokenLabel, "1234567"), CodeInvalidToken, "A chosen token is 32 to 512 characters with at least 10 different ones; e.g. openssl rand -hex 24."},
		{"empty secret", CheckTokenSecret(""), CodeUnauthorized, "The token is unknown, expired or revoked."},
		{"expired", CheckTokenUse(&Token{ExpiresAt: &past}, &User{}, t0, false), CodeUnauthorized, "The token is unknown, expired or revoked."},
		{"disabled", CheckTokenUse(&Token{}, &User{Disabled: true}, t0, false), CodeUnauthorized, "The token is unknown, expired or revoked."},
		{"usable", CheckTokenUse(&Token{}, &User{}, t0, false), "", ""},
		{"grantee", CheckGrantee(&User{Role: RoleSeller}, "sam"), CodeInvalidGrant, `"sam" is not an agent.`},
		{"no inbox", func() error { _, err := InboxFor(Actor{UserID: "x"}, ""); return err }(), CodeForbidden, "Your role has no inbox."},
		{"handoff by seller", CanHandoff(sam, Handoff{}), CodeForbidden, "Hand-offs come from customers."},
		{"anonymous handoff", CanHandoff(Actor{}, Handoff{Email: "a@b", OrderNumber: "1"}), CodeInvalidThread, "Without signing in, give an email to answer to (and no order)."},
		{"transcript", CheckTranscript(Transcript{Opened: make([]string, MaxTranscriptEvents+1)}), CodeInvalidThread, "A transcript holds at most 200 events."},
		{"queue", func() error { _, err := QueueFor(ana); return err }(), CodeForbidden, "Only sellers and customer care have a work queue."},
		{"stats grant", CanReadShopStats(olga, "shop-1", true), CodeForbidden, "Reading shop statistics needs the view_stats permission."},
		{"stats other shop", CanReadShopStats(sue, "shop-1", true), CodeNotFound, "Shop shop-1 not found."},
		{"stats own shop", CanReadShopStats(sam, "shop-1", true), "", ""},
		{"routing", CanManageRouting(olga), CodeForbidden, "Changing routing rules needs the manage_routing permission."},
		{"canned room", CheckCannedRoom(MaxCannedPerShop), CodeTooManyCanned, "A shop keeps at most 200 canned replies: delete one first."},
		{"open claim", CheckNoOpenClaim("2001", []ClaimState{ClaimClosed, ClaimOpen}), CodeClaimOpen, "Order 2001 has an open claim already: continue there."},
		{"idempotency", ValidateIdempotencyKey(""), CodeIdempotencyKeyRequired, "Send an Idempotency-Key header: a retried request with the same key never refunds twice."},
		{"attachment empty", ValidateAttachment(0, ""), CodeInvalidAttachment, "The attachment is empty."},
		{"attachment type", ValidateAttachment(10, "application/zip"), CodeAttachmentType, "Files of type application/zip are not accepted; send PDF, PNG, JPEG, GIF, WebP or plain text."},
		{"report range", CheckReportRange(t0, t0), CodeInvalidRange, "from must be before to, at most 366 days apart."},
		{"order customer", CheckOrderParties(&Order{CustomerID: "u-sam"}, &User{Role: RoleSeller}, true), CodeInvalidOrder, `Customer "u-sam" is not a known customer.`},
		{"order shop", CheckOrderParties(&Order{ShopID: "x"}, &User{Role: RoleCustomer}, false), CodeInvalidOrder, `Shop "x" is not a known shop.`},
		{"user shop", CheckUserShop(&User{Role: RoleSeller, ShopID: "x"}, false), CodeInvalidUser, `Shop "x" does not exist.`},
	}
	for _, tc := range tests {
		if got := ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
		if got := ErrorMessage(tc.err); got != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, got, tc.msg)
		}
	}
}

func TestRefundVisibleToSystem(t *testing.T) {
	if !CanSeeRefund(SystemAs("payment-callback", ""), "shop-1", "u-ana") {
		t.Error("the payment side does not see the refund")
	}
	if CanSeeRefund(sue, "shop-1", "u-ana") {
		t.Error("another shop sees the refund")
	}
}
