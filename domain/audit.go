package domain

import (
	"encoding/json"
	"time"
)

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
