package domain

import "time"

// Topics of a thread: a reason code from this list, or free text.
const (
	TopicOrderStatus = "order_status"
	TopicDelivery    = "delivery"
	TopicInvoice     = "invoice"
	TopicReturn      = "return"
	TopicRefund      = "refund"
	TopicProduct     = "product"
	TopicAccount     = "account" // login, password, personal data: customer care, no order
	TopicPayment     = "payment"
	TopicOther       = "other"
)

// ThreadStatus is whether a conversation is still going.
type ThreadStatus string

// The thread statuses.
const (
	ThreadOpen   ThreadStatus = "open"
	ThreadClosed ThreadStatus = "closed"
)

// Thread is a conversation about an order, or about no order (seller ↔
// operator, or customer ↔ operator, e.g. a help-centre hand-off).
type Thread struct {
	ID          string `json:"id"` // ULID
	OrderNumber string `json:"order,omitempty"`
	ShopID      string `json:"shop_id,omitempty"`
	CustomerID  string `json:"customer_id,omitempty"`
	Customer    string `json:"customer,omitempty"` // the customer's display name, for the inbox filter
	// UnverifiedEmail is the address an anonymous help-centre visitor typed
	// when handing off: nobody checked it, it names no account, and the
	// thread is never shown as that customer's.
	UnverifiedEmail string `json:"unverified_email,omitempty"`
	// EmailVerifiedAt is when the visitor followed a link mailed to
	// UnverifiedEmail, proving the address theirs; nil until then.
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
	// Reference is a hand-off's short reference (HC-1042), what the
	// customer is told and quotes.
	Reference   string       `json:"reference,omitempty"`
	Topic       string       `json:"topic"`
	Subject     string       `json:"subject,omitempty"`
	Locale      string       `json:"locale,omitempty"` // the customer's language
	Parties     []Party      `json:"participants"`
	Status      ThreadStatus `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
	CreatedBy   string       `json:"created_by"`
	LastMessage time.Time    `json:"last_message_at"`

	// The seller's 48-hour clock: since when a customer message has waited
	// for a seller reply, and when the reply is due. Both null when none is.
	SellerReplyNeededSince *time.Time `json:"seller_reply_needed_since"`
	SellerReplyDueAt       *time.Time `json:"seller_reply_due_at"`
	NoReplyNeeded          bool       `json:"no_reply_needed"`

	// Customer care's clock (CareClock): since when a message to customer
	// care has waited for its answer, and when it is due. Both null when
	// none is.
	CareReplyNeededSince *time.Time `json:"care_reply_needed_since"`
	CareReplyDueAt       *time.Time `json:"care_reply_due_at"`

	// Routing: the team and agent the thread was given to, and why.
	Assignment *Assignment `json:"assignment,omitempty"`

	// For the reader (set by the service when it answers a request):
	Unread   bool      `json:"unread"`
	Overdue  bool      `json:"overdue"`
	Messages []Message `json:"messages,omitempty"` // only in GET /threads/{id}: a page of the messages this reader may see
	// MessagesNext is the cursor of the page of older messages; empty on the oldest.
	MessagesNext string `json:"next,omitempty"`

	// Transcript of the help-centre session a hand-off came from, if any.
	Transcript *Transcript `json:"transcript,omitempty"`
}

// Message is one message of a thread. Its recipients decide who sees it: a
// message to the operator only is not shown to the customer, and the other
// way round. Internal notes are seen by the author's own team only.
type Message struct {
	ID          string          `json:"id"` // ULID
	ThreadID    string          `json:"thread_id"`
	AuthorID    string          `json:"author_id"`
	AuthorName  string          `json:"author"`
	From        Party           `json:"from"`
	To          []Party         `json:"to"`
	Internal    bool            `json:"internal,omitempty"`
	Unverified  bool            `json:"unverified,omitempty"` // written by an anonymous visitor: AuthorName is a typed, unverified email
	Body        string          `json:"body"`                 // the original text, as written
	Erased      bool            `json:"erased,omitempty"`     // the author's data was erased on request: Body is empty
	Language    string          `json:"language"`             // of Body: the author's locale, or detected
	Attachments []AttachmentRef `json:"attachments,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`

	// Machine translations of Body, by language (issue 8).
	Translations map[string]Translation `json:"translations,omitempty"`
}

// Translation is a machine translation of a message into one language.
type Translation struct {
	Text      string    `json:"text,omitempty"`
	Status    string    `json:"status"` // pending, done, failed, unsupported
	Engine    string    `json:"engine,omitempty"`
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewThread is what starting a conversation takes.
type NewThread struct {
	OrderNumber string          `json:"order,omitempty"`
	ShopID      string          `json:"shop_id,omitempty"` // seller ↔ operator threads without an order
	Recipient   Party           `json:"recipient"`
	Topic       string          `json:"topic"`
	Subject     string          `json:"subject,omitempty"`
	Body        string          `json:"body"`
	Attachments []AttachmentRef `json:"attachments,omitempty"`
}

// NewMessage is what posting to a thread takes.
type NewMessage struct {
	To          []Party         `json:"to"`
	Body        string          `json:"body"`
	Internal    bool            `json:"internal,omitempty"`
	Attachments []AttachmentRef `json:"attachments,omitempty"`
}

// Thread list filters. A filtered list reads an index, never every thread.
type ThreadFilter struct {
	Topic       string
	Customer    string // the start of the customer's name (display name or login) or of a word of it, case-insensitive
	OrderNumber string
	Since       *time.Time // last message at or after
	Until       *time.Time // last message before
	Status      string     // "", unread, overdue, open, closed
	ShopID      string     // operators: one shop's threads
	// Text: every word must appear, case and accents aside, in the subject,
	// the customer's name, the order number, the topic, a hand-off's
	// reference or a message the reader may see. Threads are read newest first, a bounded number per
	// page, so a page may be short with a cursor to go on.
	Text   string
	Sort   string // "last_message" (newest first, the default) or "due" (soonest first)
	Cursor string // opaque, from ThreadPage.Next
	Limit  int    // default 50, at most 200
}

// ThreadPage is one page of a thread list.
type ThreadPage struct {
	Threads []Thread `json:"threads"`
	Next    string   `json:"next,omitempty"` // cursor of the next page; empty on the last
}

// Limits of thread input.
const (
	MaxMessageBytes     = 100 << 10 // a message body
	MaxSubjectRunes     = 200
	MaxTopicRunes       = 64
	MaxAttachmentsPer   = 5
	DefaultPageLimit    = 50
	MaxPageLimit        = 200
	MaxTranscriptEvents = 200
)
