package domain

import "time"

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
