package domain

import (
	"encoding/json"
	"time"
)

// Teams work queues. Every seller's shop is also a queue of its own.
const (
	TeamCustomerCare = "customer_care"
	TeamSeller       = "seller" // the order's shop
)

// RoutingRule sends new work to a team, and then to the least-loaded agent of
// that team with Skill. Rules are tried in ascending Priority; the first that
// matches fires. Empty match fields match anything.
type RoutingRule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Priority  int       `json:"priority"`
	Topics    []string  `json:"topics,omitempty"`
	Locales   []string  `json:"locales,omitempty"`
	Entity    string    `json:"entity,omitempty"` // "order" (about an order), "none" (no order), "" (either)
	Team      string    `json:"team"`             // customer_care, or seller: the order's shop
	Skill     string    `json:"skill,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Assignment records where routing sent a piece of work, and which rule fired.
type Assignment struct {
	Team    string    `json:"team"`
	ShopID  string    `json:"shop_id,omitempty"`  // team seller
	AgentID string    `json:"agent_id,omitempty"` // customer care: the agent chosen
	Agent   string    `json:"agent,omitempty"`    // their name
	Rule    string    `json:"rule"`               // the rule's id, or "default"
	Why     string    `json:"why"`                // readable: "topic account → customer_care (rule 'account questions')"
	At      time.Time `json:"at"`
}

// QueueItem is one piece of work in a queue, most urgent first: open
// incidents, then claims by time left to 72 h, then threads by time left to
// 48 h, then the rest; ties by age.
type QueueItem struct {
	Kind     string      `json:"kind"` // incident, claim, thread
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Order    string      `json:"order,omitempty"`
	ShopID   string      `json:"shop_id,omitempty"`
	Rank     int         `json:"rank"`     // 1 is the most urgent
	Priority int         `json:"priority"` // the urgency class: 0 incident, 1 claim, 2 thread with a clock, 3 the rest
	Reason   string      `json:"reason"`   // why it is here: "open incident: answer immediately"
	DueAt    *time.Time  `json:"due_at"`
	Since    time.Time   `json:"since"`
	Assigned *Assignment `json:"assignment,omitempty"`
}

// ShopStats are a shop's after-sales figures over a period.
type ShopStats struct {
	ShopID                    string     `json:"shop_id"`
	From                      time.Time  `json:"from"`
	To                        time.Time  `json:"to"`
	CustomerMessages          int        `json:"customer_messages"`          // needing a reply, received in the period
	AnsweredWithin48h         int        `json:"answered_within_48h"`        // of those
	AnsweredWithin48hPct      float64    `json:"answered_within_48h_pct"`    // 0..100
	AvgFirstResponseSeconds   float64    `json:"avg_first_response_seconds"` // over threads with a seller reply
	IncidentsOpened           int        `json:"incidents_opened"`
	OrderLines                int        `json:"order_lines"`   // of orders placed in the period
	IncidentRate              float64    `json:"incident_rate"` // order lines with an incident ÷ order lines
	OpenIncidentsNow          int        `json:"open_incidents_now"`
	Claims                    int        `json:"claims"`
	ClaimsAffectingReputation int        `json:"claims_affecting_reputation"`
	Refunds                   int        `json:"refunds"`
	RefundedAmount            int64      `json:"refunded_amount"`
	Currency                  string     `json:"currency,omitempty"`
	Daily                     []DayStats `json:"daily"` // per UTC day, for charts
}

// DayStats are one day's counts, for charts.
type DayStats struct {
	Day               string `json:"day"` // 2006-01-02
	CustomerMessages  int    `json:"customer_messages"`
	AnsweredWithin48h int    `json:"answered_within_48h"`
	IncidentsOpened   int    `json:"incidents_opened"`
	Claims            int    `json:"claims"`
	Refunds           int    `json:"refunds"`
}

// AuditEntry records one command on one entity: who, when, what and why.
// The log is append-only.
type AuditEntry struct {
	ID     string          `json:"id"`
	Entity string          `json:"entity"` // "refund:01J…"
	Action string          `json:"action"` // "refund.created"
	Actor  string          `json:"actor"`  // user id, or "system"
	Role   Role            `json:"role,omitempty"`
	Why    string          `json:"why,omitempty"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// OutboxEvent is a notification to deliver, written in the same transaction as
// the change it tells of, then delivered by a worker as a signed webhook.
type OutboxEvent struct {
	ID          string          `json:"id"`                // ULID; also the webhook's idempotency id
	Type        string          `json:"type"`              // "refund.issued", "thread.message", …
	UserID      string          `json:"user_id,omitempty"` // who is told, if one person
	ShopID      string          `json:"shop_id,omitempty"`
	Entity      string          `json:"entity"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	Attempts    int             `json:"attempts"`
	NextAttempt time.Time       `json:"next_attempt_at"`
	DeliveredAt *time.Time      `json:"delivered_at"`
	LastError   string          `json:"last_error,omitempty"`
	Dead        bool            `json:"dead,omitempty"` // gave up after the last retry
}

// Notification is an entry in a user's in-app list.
type Notification struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Type      string     `json:"type"`
	Title     string     `json:"title"`
	Link      string     `json:"link,omitempty"` // API path of what it is about
	Entity    string     `json:"entity"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Attachment is a stored file, addressed by the SHA-256 of its content.
type Attachment struct {
	SHA256     string    `json:"sha256"`
	Name       string    `json:"name"`
	Type       string    `json:"type"` // media type, checked against the content
	Size       int64     `json:"size"`
	UploadedBy string    `json:"uploaded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// AttachmentRef is an attachment as a message names it.
type AttachmentRef struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// Attachment limits.
const (
	MaxAttachmentBytes = 10 << 20
)

// AttachmentTypes are the media types accepted, detected from the content.
func AttachmentTypes() []string {
	return []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain; charset=utf-8"}
}

// Transcript is what happened in a help-centre session before the customer
// asked for a person: it travels with the hand-off thread.
type Transcript struct {
	Session string           `json:"session"`
	Locale  string           `json:"locale"`
	Entry   string           `json:"entry,omitempty"`
	Order   string           `json:"order,omitempty"`
	Typed   []TypedText      `json:"typed"`
	Shown   []ShownArticle   `json:"shown"`
	Opened  []string         `json:"opened"`
	Votes   []TranscriptVote `json:"votes"`
}

// TypedText is a question as the customer typed it.
type TypedText struct {
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// ShownArticle is a suggestion the customer saw.
type ShownArticle struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Rank  int       `json:"rank"`
	Why   string    `json:"why"`
	Score float64   `json:"score"`
	At    time.Time `json:"at"`
}

// TranscriptVote is a customer's "this solved it" or "not helpful".
type TranscriptVote struct {
	Article string    `json:"article"`
	Helpful bool      `json:"helpful"`
	At      time.Time `json:"at"`
}
