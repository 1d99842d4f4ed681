package domain

import (
	"encoding/json"
	"strings"
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

// ValidateAuditEntity checks the entity an audit log is asked for
// ("refund:01J…").
func ValidateAuditEntity(entity string) error {
	if entity == "" || strings.IndexByte(entity, 0) >= 0 || len(entity) > 200 {
		return Errorf(CodeInvalidEntity, "Name an entity like refund:01J….")
	}
	return nil
}
