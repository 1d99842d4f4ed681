package domain

import (
	"context"
	"strings"
	"time"
)

// Email: what the after-sales side mails, queued in the outbox area in the
// same transaction as the change it tells of (so it is sent if and only if
// that change commits) and sent by a worker through SMTP, retried on the
// webhook's schedule (NextDelivery) until the server accepts it.
//
// Three kinds of mail:
//   - MailHandoffVerify: an anonymous visitor handed a question to customer
//     care and typed an address; the mail carries a link that proves the
//     address is theirs (the hand-off is marked unverified until it is
//     followed) and opens the conversation.
//   - MailHandoffReply: customer care answered such a visitor; the mail
//     carries the answer and a signed link to read and answer the
//     conversation without an account.
//   - MailNotification: a customer's notification (refund issued, reply
//     received, claim updates) by email as well as in-app, when their
//     preferences ask for it.

// The kinds of mail.
const (
	MailHandoffVerify = "handoff.verify"
	MailHandoffReply  = "handoff.reply"
	MailNotification  = "notification"
)

// Mail is one email waiting in (or sent from) the outbox. It holds facts,
// not text: the worker writes the text in the recipient's language when it
// sends, and the links with the server's secret.
type Mail struct {
	ID        string `json:"id"` // ULID; the Message-ID's local part, the same on every attempt
	Kind      string `json:"kind"`
	To        string `json:"to"`
	Locale    string `json:"locale"`            // the recipient's language (en, es)
	UserID    string `json:"user_id,omitempty"` // MailNotification: the customer
	Thread    string `json:"thread,omitempty"`  // the conversation the mail is about
	Reference string `json:"reference,omitempty"`
	Subject   string `json:"subject,omitempty"` // the conversation's subject
	Excerpt   string `json:"excerpt,omitempty"` // MailHandoffReply: the answer
	Type      string `json:"type,omitempty"`    // MailNotification: the notification's type (refund.issued…)
	Order     string `json:"order,omitempty"`
	Amount    int64  `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
	Title     string `json:"title,omitempty"` // MailNotification: the in-app title (English), for the log

	CreatedAt   time.Time `json:"created_at"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt_at"`
	// ClaimedUntil: a sender (on one of the replicas) holds it until then
	// (ClaimLease), as OutboxEvent.ClaimedUntil. Nil otherwise.
	ClaimedUntil *time.Time `json:"claimed_until,omitempty"`
	SentAt       *time.Time `json:"sent_at"`
	LastError    string     `json:"last_error,omitempty"`
	Dead         bool       `json:"dead,omitempty"`
}

// MaxMailExcerpt bounds the answer a reply mail carries; the link shows all.
const MaxMailExcerpt = 4000

// The categories of notifications a customer may also receive by email.
const (
	MailRefunds = "refunds" // a refund is on its way, issued or failed
	MailReplies = "replies" // a message in one of their conversations
	MailClaims  = "claims"  // claims, offers, returns and incidents on their orders
)

// MailCategories are the categories, in the order pages list them.
func MailCategories() []string { return []string{MailRefunds, MailReplies, MailClaims} }

// MailCategory is the category of a notification type, "" for one never
// emailed (alerts to sellers and customer care, grants).
func MailCategory(typ string) string {
	switch {
	case strings.HasPrefix(typ, "refund."):
		return MailRefunds
	case typ == "thread.message":
		return MailReplies
	case strings.HasPrefix(typ, "claim."), strings.HasPrefix(typ, "offer."), strings.HasPrefix(typ, "return."), strings.HasPrefix(typ, "incident."):
		return MailClaims
	}
	return ""
}

// MailPrefs are the notifications a user also receives by email.
type MailPrefs struct {
	Refunds bool `json:"refunds"`
	Replies bool `json:"replies"`
	Claims  bool `json:"claims"`
}

// DefaultMailPrefs are a customer's preferences until they choose: every
// category, as a shopper expects to hear of their money and their claims.
func DefaultMailPrefs() MailPrefs { return MailPrefs{Refunds: true, Replies: true, Claims: true} }

// Wants reports whether category is chosen.
func (p MailPrefs) Wants(category string) bool {
	switch category {
	case MailRefunds:
		return p.Refunds
	case MailReplies:
		return p.Replies
	case MailClaims:
		return p.Claims
	}
	return false
}

// WantsMail reports whether the user u receives notification type typ by
// email under prefs: customers with an address, for a chosen category.
func WantsMail(u *User, prefs MailPrefs, typ string) bool {
	if u == nil || u.Role != RoleCustomer || u.Disabled || u.Email == "" {
		return false
	}
	return prefs.Wants(MailCategory(typ))
}

// MailLocale is the language mails are written in: es or en.
func MailLocale(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "es") {
		return "es"
	}
	return "en"
}

// GuestLinkTTL is how long a link mailed to an anonymous visitor opens
// their conversation; every reply mails a fresh one.
const GuestLinkTTL = 30 * 24 * time.Hour

// CanGuestSee reports whether the holder of a link made for email may read
// and answer th: an anonymous hand-off to that same address.
func CanGuestSee(th *Thread, email string) bool {
	return th != nil && th.CustomerID == "" && th.UnverifiedEmail != "" && strings.EqualFold(th.UnverifiedEmail, strings.TrimSpace(email))
}

// HandoffReference is the short reference of the n-th hand-off, what
// customers quote: HC-1001, HC-1002…
func HandoffReference(n uint64) string {
	return "HC-" + uitoa(n+1000)
}

func uitoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// MailService is the email side of the outbox: what is due, what was sent,
// and each user's choice of notifications by email.
type MailService interface {
	// DueMail claims up to n mails due at now, the oldest-due first, for
	// ClaimLease, as OutboxService.Due claims events: their next attempt
	// becomes now+ClaimLease until MarkMailSent or MarkMailFailed settles
	// them; one not settled by then is due again.
	// Errors: none but storage failures.
	DueMail(ctx context.Context, now time.Time, n int) ([]Mail, error)
	// MarkMailSent records that the SMTP server accepted the mail (and
	// forgets the answer it carried: the thread keeps it); marking twice
	// keeps the first. Errors: not_found.
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// MarkMailFailed records a failed attempt: due again at next, or given
	// up when dead. Errors: not_found.
	MarkMailFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error
	// ListMail lists the mails, newest first (customer care only).
	// Errors: forbidden, unauthorized.
	ListMail(ctx context.Context, limit int) ([]Mail, error)
	// MailPreferences returns the caller's choice (the defaults until they
	// chose). Errors: unauthorized.
	MailPreferences(ctx context.Context) (MailPrefs, error)
	// SetMailPreferences stores the caller's choice. Errors: unauthorized.
	SetMailPreferences(ctx context.Context, p MailPrefs) (MailPrefs, error)
}

// GuestThreads is how an anonymous visitor reaches their hand-off through
// the link mailed to them: the server checks the link's signature, these
// check that the thread is that address's anonymous hand-off.
type GuestThreads interface {
	// HandoffEmail returns the address an anonymous hand-off was made
	// with, for the server to check a link against. Errors: not_found.
	HandoffEmail(ctx context.Context, threadID string) (string, error)
	// GuestThread returns the thread as its visitor sees it, and marks the
	// address verified (only its owner could follow the link) and the
	// thread read by the customer's side. Errors: not_found.
	GuestThread(ctx context.Context, threadID, email string, page MessagePage) (*Thread, error)
	// GuestReply posts the visitor's message to customer care.
	// Errors: not_found, invalid_message, too_many_messages.
	GuestReply(ctx context.Context, threadID, email, body string) (*Message, error)
}
