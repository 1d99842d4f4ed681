package domain

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Topics returns the reason codes a thread's topic may be; any other topic
// is free text.
func Topics() []string {
	return []string{TopicOrderStatus, TopicDelivery, TopicInvoice, TopicReturn, TopicRefund, TopicProduct, TopicAccount, TopicPayment, TopicOther}
}

// ValidTopic reports whether s is a topic: a code of Topics, or free text of
// 1 to MaxTopicRunes characters with no control characters.
func ValidTopic(s string) bool {
	if slices.Contains(Topics(), s) {
		return true
	}
	if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTopicRunes {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// NormalTopic is the form a topic is indexed and filtered by: trimmed, lower case.
func NormalTopic(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidParty reports whether p is one of the three parties.
func ValidParty(p Party) bool {
	return p == PartyCustomer || p == PartySeller || p == PartyOperator
}

// validBody checks a message body: 1 byte to MaxMessageBytes of UTF-8.
func validBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return FieldErrorf(CodeInvalidMessage, "body", "A message needs a body.")
	}
	if len(body) > MaxMessageBytes {
		return FieldErrorf(CodeInvalidMessage, "body", "A message body is at most %d bytes; this one is %d.", MaxMessageBytes, len(body))
	}
	if !utf8.ValidString(body) {
		return FieldErrorf(CodeInvalidMessage, "body", "A message body must be UTF-8 text.")
	}
	return nil
}

// ValidSHA256 reports whether s is a lower-case hex SHA-256.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func validAttachmentRefs(refs []AttachmentRef) error {
	if len(refs) > MaxAttachmentsPer {
		return Errorf(CodeInvalidAttachment, "A message carries at most %d attachments.", MaxAttachmentsPer)
	}
	for _, r := range refs {
		if !ValidSHA256(r.SHA256) {
			return Errorf(CodeInvalidAttachment, "An attachment is named by the sha256 its upload returned.")
		}
	}
	return nil
}

// Validate reports the first rule nt breaks: a recipient party, a topic, a
// subject of at most MaxSubjectRunes, a body, and attachment references.
func (nt *NewThread) Validate() error {
	if !ValidParty(nt.Recipient) {
		return FieldErrorf(CodeInvalidRecipient, "recipient", "Recipient must be customer, seller or operator.")
	}
	if !ValidTopic(nt.Topic) {
		return FieldErrorf(CodeInvalidTopic, "topic", "Topic must be one of %s, or free text of up to %d characters.", strings.Join(Topics(), ", "), MaxTopicRunes)
	}
	if !utf8.ValidString(nt.Subject) || utf8.RuneCountInString(nt.Subject) > MaxSubjectRunes || strings.ContainsFunc(nt.Subject, unicode.IsControl) {
		return FieldErrorf(CodeInvalidThread, "subject", "A subject is at most %d characters of text on one line.", MaxSubjectRunes)
	}
	if err := validBody(nt.Body); err != nil {
		return err
	}
	return validAttachmentRefs(nt.Attachments)
}

// Validate reports the first rule nm breaks when posted by party from:
// recipients are parties other than the author's (an internal note has
// none), and a body and attachment references as for NewThread.
func (nm *NewMessage) Validate(from Party) error {
	if nm.Internal {
		if len(nm.To) > 0 {
			return FieldErrorf(CodeInvalidRecipient, "to", "An internal note has no recipients: it is seen by your own side only.")
		}
	} else {
		if len(nm.To) == 0 {
			return FieldErrorf(CodeInvalidRecipient, "to", "Name the recipients (to): customer, seller and/or operator.")
		}
		seen := map[Party]bool{}
		for _, p := range nm.To {
			if !ValidParty(p) {
				return FieldErrorf(CodeInvalidRecipient, "to", "Recipients are customer, seller or operator, not %q.", p)
			}
			if p == from {
				return FieldErrorf(CodeInvalidRecipient, "to", "You write as the %s: address the other sides.", from)
			}
			if seen[p] {
				return FieldErrorf(CodeInvalidRecipient, "to", "Recipient %s is named twice.", p)
			}
			seen[p] = true
		}
	}
	if err := validBody(nm.Body); err != nil {
		return err
	}
	return validAttachmentRefs(nm.Attachments)
}

// CanStartThread checks who may start a conversation with whom. o is the
// order it is about, nil for none; shopID names the seller of a thread
// without an order (operators writing to a seller). Customers write to the
// seller or the operator about their own orders, or to the operator without
// an order; sellers write to the customer or the operator about their shop's
// orders, or to the operator without an order; operators write to anyone.
// An order the actor may not see is NotFound.
func CanStartThread(a Actor, o *Order, recipient Party, shopID string) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	from := a.Role.Party()
	if from == "" {
		return Errorf(CodeForbidden, "Your role does not take part in conversations.")
	}
	if recipient == from {
		return FieldErrorf(CodeInvalidRecipient, "recipient", "Start a conversation with another side than your own.")
	}
	if o != nil {
		if !CanSeeOrder(a, o) {
			return ErrNotFound("Order " + o.Number)
		}
		return nil // customer ↔ seller ↔ operator: any other side of an order they may see
	}
	switch from {
	case PartyCustomer:
		if recipient != PartyOperator {
			return FieldErrorf(CodeInvalidRecipient, "recipient", "Without an order, customers write to customer care (operator).")
		}
	case PartySeller:
		if recipient != PartyOperator {
			return FieldErrorf(CodeInvalidRecipient, "recipient", "Without an order, sellers write to customer care (operator).")
		}
	case PartyOperator:
		if recipient != PartySeller {
			return FieldErrorf(CodeInvalidRecipient, "recipient", "Without an order, customer care writes to a seller (shop_id); write to a customer about one of their orders.")
		}
		if shopID == "" {
			return Errorf(CodeInvalidThread, "Name the shop (shop_id) to write to a seller without an order.")
		}
	}
	return nil
}

// CanSeeThread reports whether a may see th: its customer (while the
// customer takes part), a user of its shop (while the seller takes part), or
// customer care.
func CanSeeThread(a Actor, th *Thread) bool {
	switch a.Role {
	case RoleAgent, RoleAdmin:
		return true
	case RoleCustomer:
		return a.UserID != "" && th.CustomerID == a.UserID && slices.Contains(th.Parties, PartyCustomer)
	case RoleSeller:
		return a.ShopID != "" && th.ShopID == a.ShopID && slices.Contains(th.Parties, PartySeller)
	}
	return false
}

// CanSeeMessage reports whether a, who may see the thread, may see m: the
// author always; an internal note only the author's own side; otherwise the
// parties it is addressed to and the author's side. Customer care sees every
// message but the other sides' internal notes.
func CanSeeMessage(a Actor, m *Message) bool {
	if a.UserID != "" && m.AuthorID == a.UserID {
		return true
	}
	return PartyCanSee(a.Role.Party(), m)
}

// PartyCanSee reports whether the side p may see m: an internal note only the
// author's side; otherwise the parties it is addressed to, the author's side
// and customer care.
func PartyCanSee(p Party, m *Message) bool {
	if p == "" {
		return false
	}
	if m.Internal {
		return p == m.From
	}
	return p == PartyOperator || p == m.From || slices.Contains(m.To, p)
}

// AddParties adds to th.Parties those of ps it lacks, reporting whether it
// changed anything. Parties are kept in the order customer, seller, operator.
func AddParties(th *Thread, ps ...Party) bool {
	changed := false
	for _, p := range ps {
		if !slices.Contains(th.Parties, p) {
			th.Parties = append(th.Parties, p)
			changed = true
		}
	}
	if changed {
		rank := map[Party]int{PartyCustomer: 0, PartySeller: 1, PartyOperator: 2}
		slices.SortFunc(th.Parties, func(a, b Party) int { return rank[a] - rank[b] })
	}
	return changed
}

// ReadMarks keep, per party, when a message addressed to it last arrived
// and when that side last read the thread: a thread is unread for a party
// when something arrived after it last read.
type ReadMarks struct {
	LastIn map[Party]time.Time `json:"last_in,omitempty"`
	ReadAt map[Party]time.Time `json:"read_at,omitempty"`
}

// Unread reports whether p has not read what was addressed to it.
func (r *ReadMarks) Unread(p Party) bool {
	in, ok := r.LastIn[p]
	return ok && in.After(r.ReadAt[p])
}

// Read records that p read the thread at t.
func (r *ReadMarks) Read(p Party, t time.Time) {
	if r.ReadAt == nil {
		r.ReadAt = map[Party]time.Time{}
	}
	if t.After(r.ReadAt[p]) {
		r.ReadAt[p] = t
	}
}

// ApplyMessage updates th and its read marks for the message m just posted:
// the last message time, the parties, what is unread for whom (the author's
// side has read the thread), and the seller's reply clock (SellerClock). A
// message, other than an internal note, reopens a closed conversation.
func ApplyMessage(p Policy, th *Thread, r *ReadMarks, m *Message) {
	if m.CreatedAt.After(th.LastMessage) {
		th.LastMessage = m.CreatedAt
	}
	if !m.Internal {
		th.Status = ThreadOpen
		AddParties(th, append([]Party{m.From}, m.To...)...)
		if r.LastIn == nil {
			r.LastIn = map[Party]time.Time{}
		}
		for _, to := range m.To {
			if m.CreatedAt.After(r.LastIn[to]) {
				r.LastIn[to] = m.CreatedAt
			}
		}
	}
	r.Read(m.From, m.CreatedAt)
	SellerClock(p, th, m)
	CareClock(p, th, m)
}

// SellerClock runs the seller's reply clock on message m: a customer message
// to the seller starts it if it is not running (its time is then the oldest
// unanswered one) and undoes an earlier "no reply needed"; only a seller
// message to the customer stops it. Messages to or from the operator alone,
// and internal notes, change nothing.
func SellerClock(p Policy, th *Thread, m *Message) {
	if m.Internal {
		return
	}
	switch {
	case m.From == PartyCustomer && slices.Contains(m.To, PartySeller):
		if th.SellerReplyNeededSince == nil {
			t := m.CreatedAt
			th.SellerReplyNeededSince = &t
		}
		th.NoReplyNeeded = false
	case m.From == PartySeller && slices.Contains(m.To, PartyCustomer):
		th.SellerReplyNeededSince = nil
	}
	th.SellerReplyDueAt = SellerReplyDue(p, th)
}

// StopSellerClock is "no reply needed": the clock stops until the customer
// writes to the seller again.
func StopSellerClock(th *Thread) {
	th.SellerReplyNeededSince = nil
	th.SellerReplyDueAt = nil
	th.NoReplyNeeded = true
}

// SellerReplyDue is when the seller's reply is due: SellerReplyWithin after
// the oldest unanswered customer message; nil when no reply is awaited.
func SellerReplyDue(p Policy, th *Thread) *time.Time {
	if th.SellerReplyNeededSince == nil || th.NoReplyNeeded || th.Status == ThreadClosed {
		return nil
	}
	due := th.SellerReplyNeededSince.Add(p.SellerReplyWithin).UTC()
	return &due
}

// SellerReplyOverdue reports whether the seller's reply is late at now:
// strictly after the due time.
func SellerReplyOverdue(p Policy, th *Thread, now time.Time) bool {
	due := SellerReplyDue(p, th)
	return due != nil && now.After(*due)
}

// CanStopSellerClock: the shop's sellers and customer care may say no reply
// is needed; customers may not.
func CanStopSellerClock(a Actor) error {
	if a.Role == RoleSeller || a.Role.Operator() {
		return nil
	}
	return Errorf(CodeForbidden, "Only the seller or customer care may say no reply is needed.")
}

// CanPost checks that a may post nm on th: a is a side of the conversation
// (CanSeeThread), and a message to a party that is not
// part of an order thread's world makes sense: a customer needs the thread to
// have a customer (or an anonymous hand-off's address, answered by email), a
// seller a shop.
func CanPost(a Actor, th *Thread, nm *NewMessage) error {
	if !CanSeeThread(a, th) {
		return ErrNotFound("Thread " + th.ID)
	}
	from := a.Role.Party()
	if err := nm.Validate(from); err != nil {
		return err
	}
	// A closed conversation takes messages: the next one reopens it
	// (ApplyMessage), as a customer writing again expects.
	for _, p := range nm.To {
		if p == PartyCustomer && th.CustomerID == "" && th.UnverifiedEmail == "" {
			return FieldErrorf(CodeInvalidRecipient, "to", "This thread has no customer.")
		}
		if p == PartySeller && th.ShopID == "" {
			return FieldErrorf(CodeInvalidRecipient, "to", "This thread has no seller.")
		}
	}
	return nil
}

// NormalName is the form customer names are indexed and filtered by.
func NormalName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks a thread filter's values (the cursor is checked by the store).
func (f *ThreadFilter) Validate() error {
	switch f.Status {
	case "", "unread", "overdue", "open", "closed":
	default:
		return Errorf(CodeInvalidFilter, "status must be unread, overdue, open or closed.")
	}
	switch f.Sort {
	case "", "last_message", "due":
	default:
		return Errorf(CodeInvalidFilter, "sort must be last_message or due.")
	}
	if f.Limit < 0 || f.Limit > MaxPageLimit {
		return Errorf(CodeInvalidLimit, "limit must be 1 to %d.", MaxPageLimit)
	}
	if len(f.Text) > 200 || !utf8.ValidString(f.Text) {
		return Errorf(CodeInvalidFilter, "text is at most 200 bytes of text.")
	}
	if f.Since != nil && f.Until != nil && !f.Until.After(*f.Since) {
		return Errorf(CodeInvalidFilter, "until must be after since.")
	}
	return nil
}

// Inbox is the list of threads an actor reads: customer care's (every
// thread, read as the operator), a shop's (read as its seller) or a
// customer's.
type Inbox struct {
	Party      Party  // who reads: operator (every thread), seller or customer
	ShopID     string // PartySeller: the shop
	CustomerID string // PartyCustomer: the customer
}

// InboxFor is the inbox a reads. Customer care may narrow theirs to one
// shop (shopID), which they then read as that shop's seller would.
func InboxFor(a Actor, shopID string) (Inbox, error) {
	switch {
	case a.Role.Operator() && shopID != "":
		return Inbox{Party: PartySeller, ShopID: shopID}, nil
	case a.Role.Operator():
		return Inbox{Party: PartyOperator}, nil
	case a.Role == RoleSeller && a.ShopID != "":
		return Inbox{Party: PartySeller, ShopID: a.ShopID}, nil
	case a.Role == RoleCustomer && a.UserID != "":
		return Inbox{Party: PartyCustomer, CustomerID: a.UserID}, nil
	}
	if err := RequireSignedIn(a); err != nil {
		return Inbox{}, err
	}
	return Inbox{}, Errorf(CodeForbidden, "Your role has no inbox.")
}

// CanHandoff checks who hands a help-centre question to a person: a
// signed-in customer, or an anonymous visitor who gives an email to answer
// to and names no order.
func CanHandoff(a Actor, h Handoff) error {
	if !a.Anonymous() && a.Role != RoleCustomer {
		return Errorf(CodeForbidden, "Hand-offs come from customers.")
	}
	if a.Anonymous() && (h.Email == "" || len(h.Email) > 254 || !strings.Contains(h.Email, "@") || h.OrderNumber != "") {
		return FieldErrorf(CodeInvalidThread, "email", "Without signing in, give an email to answer to (and no order).")
	}
	return nil
}

// CheckTranscript bounds what a hand-off's transcript carries.
func CheckTranscript(tr Transcript) error {
	if len(tr.Typed)+len(tr.Shown)+len(tr.Opened)+len(tr.Votes) > MaxTranscriptEvents {
		return Errorf(CodeInvalidThread, "A transcript holds at most %d events.", MaxTranscriptEvents)
	}
	return nil
}
