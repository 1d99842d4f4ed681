package domain

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Privacy requests (GDPR articles 15, 17 and 20): a customer's copy of
// everything stored about them, erasure on request, and retention periods for
// what people typed. The rules are here; stores apply them.

// PrivacyService exports and erases one customer's data and applies the
// retention periods.
type PrivacyService interface {
	// ExportCustomer returns everything stored about a customer: their
	// account, orders, threads with every message they may see, incidents,
	// claims and returns, refunds, help-centre sessions (with hand-off
	// transcripts and votes) and notifications (MayExportCustomer). The
	// audit log of "user:<id>" records each export (customer.exported).
	// Errors: unauthorized, forbidden, not_found, not_a_customer.
	ExportCustomer(ctx context.Context, customerID string) (*CustomerExport, error)
	// EraseCustomer removes or pseudonymises a customer's personal data
	// everywhere it is stored (ErasureOf), deletes the files only they
	// uploaded, and leaves in the audit log that an erasure happened
	// (admins only; confirm is the customer's login name: ConfirmErasure).
	// Errors: unauthorized, forbidden, not_found, not_a_customer,
	// erasure_confirmation.
	EraseCustomer(ctx context.Context, customerID, confirm string) (*ErasureReport, error)
	// PurgeExpired forgets what Retention says is kept no longer, as of
	// now, and says how much it forgot.
	// Errors: none.
	PurgeExpired(ctx context.Context, r Retention) (*PurgeReport, error)
}

// CustomerExport is everything stored about one customer, as exported.
type CustomerExport struct {
	GeneratedAt   time.Time      `json:"generated_at"`
	Customer      User           `json:"customer"`
	Orders        []Order        `json:"orders"`
	Threads       []Thread       `json:"threads"` // with Messages: every message the customer may see, oldest first
	Incidents     []Incident     `json:"incidents"`
	Claims        []Claim        `json:"claims"`
	Returns       []Return       `json:"returns"`
	Refunds       []Refund       `json:"refunds"`
	Sessions      []Session      `json:"help_centre_sessions"` // with hand-off marks and transcripts
	Feedback      []ExportedVote `json:"feedback"`
	Notifications []Notification `json:"notifications"`
	Attachments   []Attachment   `json:"attachments"` // the files the threads carry, also in the archive
	// Anonymous are hand-offs made without signing in but with the
	// customer's email address.
	Anonymous []Thread       `json:"anonymous_contacts"`
	Counts    map[string]int `json:"counts"`
}

// ExportedVote is a vote the customer cast in the help centre's contact
// flow ("this solved it", "not helpful"), with the session it belongs to.
// Votes on article pages are stored without any account or browser id, so
// no one's can be told apart.
type ExportedVote struct {
	Session string    `json:"session"`
	Article string    `json:"article"`
	Helpful bool      `json:"helpful"`
	At      time.Time `json:"at"`
}

// Count fills Counts from the lists.
func (e *CustomerExport) Count() {
	e.Counts = map[string]int{
		"orders": len(e.Orders), "threads": len(e.Threads), "incidents": len(e.Incidents),
		"claims": len(e.Claims), "returns": len(e.Returns), "refunds": len(e.Refunds),
		"help_centre_sessions": len(e.Sessions), "feedback": len(e.Feedback),
		"notifications": len(e.Notifications), "attachments": len(e.Attachments),
		"anonymous_contacts": len(e.Anonymous),
	}
	n := 0
	for _, th := range e.Threads {
		n += len(th.Messages)
	}
	e.Counts["messages"] = n
}

// MayExportCustomer: a customer may export their own data, a customer-care
// admin anyone's. Agents and sellers may not (an export is everything at
// once, not the case they work on).
func MayExportCustomer(a Actor, customerID string) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	if a.Role == RoleAdmin || a.IsSystem() {
		return nil
	}
	if a.Role == RoleCustomer && a.UserID == customerID {
		return nil
	}
	return Errorf(CodeForbidden, "Only the customer themself or a customer-care admin may export a customer's data.")
}

// MayEraseCustomer: only a customer-care admin erases, on the customer's
// request: erasure cannot be undone.
func MayEraseCustomer(a Actor) error {
	if a.IsSystem() {
		return nil
	}
	return RequireAdmin(a)
}

// RequireCustomer refuses a privacy request about a user who is not a
// customer (sellers' and operators' accounts are the marketplace's staff and
// partners, handled by disabling them).
func RequireCustomer(u *User) error {
	if u.Role != RoleCustomer {
		return Errorf(CodeNotACustomer, "Only a customer's data is exported or erased here; %s is not a customer.", u.Name)
	}
	return nil
}

// ConfirmErasure checks that the admin typed the customer's login name:
// erasure is final.
func ConfirmErasure(u *User, confirm string) error {
	if NormalizeLoginName(confirm) != u.Name || confirm == "" {
		return FieldErrorf(CodeErasureConfirm, "confirm", "Type the customer's login name (%s) to confirm: erasure cannot be undone.", u.Name)
	}
	return nil
}

// ErasedDisplayName is what an erased customer is called from then on.
const ErasedDisplayName = "Erased customer"

// IsErased reports whether u is an account whose data was erased.
func IsErased(u *User) bool {
	return u.Disabled && u.Display == ErasedDisplayName && strings.HasPrefix(u.Name, "erased-")
}

// RedactedText replaces a customer's name, email or words where others
// wrote them.
const RedactedText = "[erased]"

// MinErasureTerm is the shortest name or address redacted wherever it
// occurs: shorter ones ("ana") occur inside other words ("banana"), so they
// are removed only from the fields that hold them (the login name).
const MinErasureTerm = 4

// MinQuotedRunes is the shortest text of the customer's redacted where
// others' records quote it: their own records lose all their words, but a
// short message ("Hola, gracias") is no one's in particular.
const MinQuotedRunes = 16

// Erasure is what erasing one customer changes: who they become and which
// strings must go wherever they are stored.
type Erasure struct {
	UserID  string
	Was     User // the account before
	Becomes User // the pseudonymised account: no name, no email, disabled

	identity []string // name, email: redacted everywhere, keys included
	words    []string // what they wrote
}

// ErasureOf is the erasure of customer u at now: the account keeps its id
// (orders, refunds and the audit log refer to it; the seller's statistics
// stay right) and becomes "erased-<id>", named ErasedDisplayName, with no
// email and no way to sign in.
func ErasureOf(u User, now time.Time) *Erasure {
	b := u
	b.Name = "erased-" + strings.ToLower(u.ID)
	b.Display = ErasedDisplayName
	b.Email = ""
	b.Disabled = true
	e := &Erasure{UserID: u.ID, Was: u, Becomes: b}
	for _, s := range []string{u.Display, u.Email, u.Name, NormalName(u.Display)} {
		if s = strings.TrimSpace(s); utf8.RuneCountInString(s) >= MinErasureTerm && !slices.Contains(e.identity, s) {
			e.identity = append(e.identity, s)
		}
	}
	return e
}

// AddTerms adds what the customer wrote (a message, an address they typed)
// to redact where others' records quote it.
func (e *Erasure) AddTerms(ss ...string) {
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < MinQuotedRunes || slices.Contains(e.words, s) {
			continue
		}
		e.words = append(e.words, s)
	}
}

// Terms are the strings to redact, longest first (so that a message is
// replaced whole before a name inside it).
func (e *Erasure) Terms() []string {
	out := append(slices.Clone(e.identity), e.words...)
	slices.SortFunc(out, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return out
}

// Matcher returns a case-insensitive pattern matching any term; nil when
// there is none.
func (e *Erasure) Matcher() *regexp.Regexp {
	return termsMatcher(e.Terms())
}

// RawMatcher is Matcher for the terms as they appear inside JSON strings
// (quotes, backslashes, control characters and <, >, & escaped), for
// finding them in stored records before decoding any.
func (e *Erasure) RawMatcher() *regexp.Regexp {
	return termsMatcher(withJSONForms(e.Terms()))
}

// KeyMatcher matches the customer's name and email as a store's index keys
// may hold them (an index by name): such entries go.
func (e *Erasure) KeyMatcher() *regexp.Regexp {
	return termsMatcher(withJSONForms(e.identity))
}

func withJSONForms(terms []string) []string {
	var raw []string
	for _, t := range terms {
		if s := JSONForm(t); s != t {
			raw = append(raw, s)
		}
		raw = append(raw, t)
	}
	return raw
}

// JSONForm is s as it appears between the quotes of a JSON string.
func JSONForm(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func termsMatcher(terms []string) *regexp.Regexp {
	if len(terms) == 0 {
		return nil
	}
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = regexp.QuoteMeta(t)
	}
	return regexp.MustCompile("(?i)" + strings.Join(q, "|"))
}

// Redact replaces every term in s by RedactedText.
func (e *Erasure) Redact(s string) string {
	m := e.Matcher()
	if m == nil {
		return s
	}
	return m.ReplaceAllLiteralString(s, RedactedText)
}

// EraseMessage empties a message the customer wrote (its words and their
// translations are theirs) and names its author by the pseudonym; its
// attachments go. It returns the attachments it dropped.
func (e *Erasure) EraseMessage(m *Message) []AttachmentRef {
	e.AddTerms(m.Body)
	for _, tr := range m.Translations {
		e.AddTerms(tr.Text)
	}
	if m.Unverified {
		e.AddTerms(m.AuthorName)
	}
	dropped := m.Attachments
	m.Body = ""
	m.Erased = true
	m.Translations = nil
	m.Attachments = nil
	m.AuthorName = ErasedDisplayName
	return dropped
}

// WroteMessage reports whether m is the customer's own words: written by
// their account, or by an anonymous visitor who typed their email.
func (e *Erasure) WroteMessage(m *Message) bool {
	if m.AuthorID == e.UserID {
		return true
	}
	return m.Unverified && e.Was.Email != "" && strings.EqualFold(strings.TrimSpace(m.AuthorName), e.Was.Email)
}

// IsTheirContact reports whether a thread is an anonymous hand-off made
// with the customer's email address.
func (e *Erasure) IsTheirContact(th *Thread) bool {
	return e.Was.Email != "" && th.UnverifiedEmail != "" && strings.EqualFold(strings.TrimSpace(th.UnverifiedEmail), e.Was.Email)
}

// EraseThread pseudonymises a thread of the customer (or an anonymous
// contact made with their email): their name and typed address go, the
// subject and a free-text topic they wrote go, and the hand-off transcript
// keeps what was shown but not what was typed.
func (e *Erasure) EraseThread(th *Thread, createdByThem bool) {
	if th.CustomerID == e.UserID {
		th.Customer = ErasedDisplayName
	}
	if e.IsTheirContact(th) {
		e.AddTerms(th.UnverifiedEmail)
		th.UnverifiedEmail = ""
	}
	if createdByThem {
		e.AddTerms(th.Subject)
		th.Subject = ""
		if !slices.Contains(Topics(), th.Topic) {
			e.AddTerms(th.Topic)
			th.Topic = TopicOther
		}
	}
	if th.Transcript != nil {
		EraseTranscript(th.Transcript, e.AddTerms)
	}
}

// EraseTranscript forgets what a customer typed in a transcript, passing it
// to seen first (nil: nobody needs it).
func EraseTranscript(tr *Transcript, seen func(...string)) {
	for _, t := range tr.Typed {
		if seen != nil {
			seen(t.Subject, t.Body)
		}
	}
	tr.Typed = nil
	for i := range tr.Shown {
		tr.Shown[i].Why = ""
	}
}

// EraseSession forgets what a customer typed in a help-centre session and
// unlinks it from their account.
func (e *Erasure) EraseSession(s *Session) {
	for _, t := range s.Typed {
		e.AddTerms(t.Subject, t.Body)
	}
	if s.Handoff != nil {
		e.AddTerms(s.Handoff.Subject, s.Handoff.Body, s.Handoff.Email)
	}
	s.PurgeText()
	s.CustomerID = ""
}

// IsTheirSession reports whether a help-centre session was the customer's:
// signed in as them, or handed off with their email.
func (e *Erasure) IsTheirSession(s *Session) bool {
	if s.CustomerID == e.UserID {
		return true
	}
	return s.Handoff != nil && e.Was.Email != "" && strings.EqualFold(strings.TrimSpace(s.Handoff.Email), e.Was.Email)
}

// EraseCaseText forgets the text the customer wrote on an incident or claim.
func (e *Erasure) EraseCaseText(description *string) {
	e.AddTerms(*description)
	*description = ""
}

// ErasureAudit is what the audit log keeps of an erasure: that it happened,
// when and by whom, and how much was changed; nothing of the data.
type ErasureAudit struct {
	Pseudonym   string `json:"pseudonym"`
	Threads     int    `json:"threads"`
	Messages    int    `json:"messages"`
	Attachments int    `json:"attachments"`
	Sessions    int    `json:"sessions"`
	Records     int    `json:"records_redacted"`
}

// ErasureReport says what an erasure changed.
type ErasureReport struct {
	UserID string `json:"user_id"`
	ErasureAudit
	FilesDeleted int `json:"files_deleted"`
	// PagesScrubbed is how many free pages of the database file were
	// overwritten with zeros: the old versions of the changed records.
	PagesScrubbed int `json:"pages_scrubbed"`
	// ThreadIDs are the threads whose messages changed, for an index of
	// message text to update.
	ThreadIDs []string `json:"-"`
}

// Retention is how long what people typed is kept (0: for ever).
type Retention struct {
	// Transcripts: hand-off transcripts (what was typed before asking for
	// a person) on threads, from the hand-off.
	Transcripts time.Duration
	// ContactEmails: the address an anonymous visitor typed on a hand-off,
	// from the thread's last message.
	ContactEmails time.Duration
	// FeedbackComments: the comments of "Was this helpful?" votes.
	FeedbackComments time.Duration
}

// Default retention periods.
const (
	DefaultTranscriptRetain      = 180 * 24 * time.Hour
	DefaultContactEmailRetain    = 365 * 24 * time.Hour
	DefaultFeedbackCommentRetain = 180 * 24 * time.Hour
)

// DefaultRetention are the default periods.
func DefaultRetention() Retention {
	return Retention{Transcripts: DefaultTranscriptRetain, ContactEmails: DefaultContactEmailRetain, FeedbackComments: DefaultFeedbackCommentRetain}
}

// Cutoff is the instant before which a period's data goes, and whether the
// period applies at all.
func Cutoff(now time.Time, period time.Duration) (time.Time, bool) {
	if period <= 0 {
		return time.Time{}, false
	}
	return now.Add(-period), true
}

// PurgeReport says what PurgeExpired forgot.
type PurgeReport struct {
	Transcripts      int `json:"transcripts"`
	ContactEmails    int `json:"contact_emails"`
	FeedbackComments int `json:"feedback_comments"`
	PagesScrubbed    int `json:"pages_scrubbed"` // free pages of the file cleared after
}

// ForgetContactEmail removes an anonymous visitor's typed address from a
// thread and its messages (their words stay: they name nobody's account).
// It reports whether anything changed.
func ForgetContactEmail(th *Thread, msgs []*Message) bool {
	if th.UnverifiedEmail == "" {
		return false
	}
	email := th.UnverifiedEmail
	th.UnverifiedEmail = ""
	for _, m := range msgs {
		if m.Unverified && strings.EqualFold(m.AuthorName, email) {
			m.AuthorName = AnonymousAuthor
		}
	}
	return true
}

// AnonymousAuthor names an anonymous visitor's message once their address
// is forgotten.
const AnonymousAuthor = "Anonymous visitor"
