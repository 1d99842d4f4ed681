package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Canned replies: a shop's saved answers, which its sellers insert into a
// reply (with links to help-centre articles in their text).

// CannedReply is one saved answer of a shop.
type CannedReply struct {
	ID        string    `json:"id"`
	ShopID    string    `json:"shop_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CannedReplies stores the shops' canned replies. Sellers see and change
// their own shop's only; another shop's reply is NotFound.
type CannedReplies interface {
	// ListCannedReplies returns the caller's shop's replies, by title.
	// Errors: forbidden (not a seller).
	ListCannedReplies(ctx context.Context) ([]CannedReply, error)
	// FindCannedReply returns one of the caller's shop's replies.
	// Errors: forbidden, not_found.
	FindCannedReply(ctx context.Context, id string) (*CannedReply, error)
	// SaveCannedReply creates r (empty ID) or updates the reply r.ID with
	// r's title and body. Errors: invalid_canned_title, invalid_canned_body,
	// too_many_canned_replies, not_found, forbidden.
	SaveCannedReply(ctx context.Context, r *CannedReply) (*CannedReply, error)
	// DeleteCannedReply deletes one of the caller's shop's replies.
	// Errors: forbidden, not_found.
	DeleteCannedReply(ctx context.Context, id string) error
}

// Limits of canned replies.
const (
	MaxCannedTitleRunes = 100
	MaxCannedBodyBytes  = 10 << 10
	MaxCannedPerShop    = 200
)

// CanManageCanned: a seller, for their own shop.
func CanManageCanned(a Actor) error {
	if a.Role != RoleSeller || a.ShopID == "" {
		return Errorf(CodeForbidden, "Canned replies belong to a shop: only its sellers keep them.")
	}
	return nil
}

// Validate trims r's title and body and checks their lengths.
func (r *CannedReply) Validate() error {
	r.Title, r.Body = strings.TrimSpace(r.Title), strings.TrimSpace(r.Body)
	if n := utf8.RuneCountInString(r.Title); n == 0 || n > MaxCannedTitleRunes {
		return FieldErrorf(CodeInvalidCannedTitle, "title", "Give the reply a title of 1 to %d characters.", MaxCannedTitleRunes)
	}
	if r.Body == "" || len(r.Body) > MaxCannedBodyBytes || !utf8.ValidString(r.Body) {
		return FieldErrorf(CodeInvalidCannedBody, "body", "Write the reply: 1 to %d bytes of text.", MaxCannedBodyBytes)
	}
	return nil
}

// CheckCannedRoom refuses a new canned reply to a shop that keeps n already.
func CheckCannedRoom(n int) error {
	if n >= MaxCannedPerShop {
		return Errorf(CodeTooManyCanned, "A shop keeps at most %d canned replies: delete one first.", MaxCannedPerShop)
	}
	return nil
}
