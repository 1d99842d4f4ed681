package domain

import (
	"strings"
	"unicode/utf8"
)

// Password length bounds, in bytes (bcrypt reads at most 72).
const (
	MinPasswordLen = 4
	MaxPasswordLen = 72
)

// ValidatePassword reports whether a new password is acceptable. The demo's
// "demo" is four characters: the floor is that, and length beyond it is the
// user's (and their password manager's) business.
func ValidatePassword(p string) error {
	if len(p) < MinPasswordLen || len(p) > MaxPasswordLen || !utf8.ValidString(p) {
		return Errorf(CodeInvalidPassword, "A password is %d to %d bytes of text.", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// ErrNotFound is the answer for anything the caller may not see: the same as
// for what does not exist, so that existence never leaks.
func ErrNotFound(what string) *Error {
	return Errorf(CodeNotFound, "%s not found.", what)
}

// RequireSignedIn returns Unauthorized for the anonymous actor.
func RequireSignedIn(a Actor) error {
	if a.Anonymous() {
		return Errorf(CodeUnauthorized, "Sign in first: send a bearer token.")
	}
	return nil
}

// RequireOperator lets agents and admins through.
func RequireOperator(a Actor) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	if !a.Role.Operator() {
		return Errorf(CodeForbidden, "Only customer care may do this.")
	}
	return nil
}

// RequireAdmin lets operator admins through.
func RequireAdmin(a Actor) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	if a.Role != RoleAdmin {
		return Errorf(CodeForbidden, "Only a customer-care admin may do this.")
	}
	return nil
}

// CanSeeOrder reports whether a may see o and everything attached to it:
// its customer, a user of its shop, or customer care.
func CanSeeOrder(a Actor, o *Order) bool {
	switch a.Role {
	case RoleAgent, RoleAdmin:
		return true
	case RoleCustomer:
		return a.UserID != "" && o.CustomerID == a.UserID
	case RoleSeller:
		return a.ShopID != "" && o.ShopID == a.ShopID
	}
	return false
}

// Has reports whether the agent holds a grant of perm. Admins hold every
// permission.
func (a Actor) Has(perm string) bool {
	if a.Role == RoleAdmin {
		return true
	}
	for _, g := range a.Grants {
		if g.Permission == perm {
			return true
		}
	}
	return false
}

// RefundLimit is the largest refund a may issue in minor units; ok is false
// when there is no limit. Sellers refund their own orders without a limit of
// their own (what was paid bounds them); agents have p.AgentRefundLimit unless
// a refund_over grant raises it (Limit 0: no limit); admins have none.
func RefundLimit(a Actor, p Policy) (limit int64, ok bool) {
	switch a.Role {
	case RoleAdmin, RoleSeller:
		return 0, false
	case RoleAgent:
		limit = p.AgentRefundLimit
		for _, g := range a.Grants {
			if g.Permission != PermRefundOver {
				continue
			}
			if g.Limit == 0 {
				return 0, false
			}
			limit = max(limit, g.Limit)
		}
		return limit, true
	}
	return 0, true // customers refund nothing
}

// Permissions returns the permissions an admin may grant.
func Permissions() []string {
	return []string{PermRefundOver, PermCloseIncidents, PermManageRouting, PermViewStats}
}

// Validate reports the first rule g breaks.
func (g *Grant) Validate() error {
	if g.AgentID == "" {
		return Errorf(CodeInvalidGrant, "A grant names the agent it is for (agent_id).")
	}
	ok := false
	for _, p := range Permissions() {
		ok = ok || p == g.Permission
	}
	if !ok {
		return Errorf(CodeInvalidGrant, "Permission must be one of %s.", strings.Join(Permissions(), ", "))
	}
	if g.Limit < 0 || (g.Limit != 0 && g.Permission != PermRefundOver) {
		return Errorf(CodeInvalidGrant, "Only refund_over takes a limit, and it may not be negative.")
	}
	return nil
}

// validHandle: 1 to 64 of a-z, 0-9, '.', '_', '-' (user names, shop ids).
func validHandle(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Validate reports the first rule u breaks. It does not look at ID and
// CreatedAt, which the service assigns.
func (u *User) Validate() error {
	if !validHandle(u.Name) {
		return Errorf(CodeInvalidUser, "Name must be 1 to 64 of a-z, 0-9, '.', '_' and '-'.")
	}
	if !utf8.ValidString(u.Display) || utf8.RuneCountInString(u.Display) > 100 {
		return Errorf(CodeInvalidUser, "Display name must be valid text of at most 100 characters.")
	}
	switch u.Role {
	case RoleCustomer, RoleAgent, RoleAdmin:
		if u.ShopID != "" {
			return Errorf(CodeInvalidUser, "Only sellers belong to a shop.")
		}
	case RoleSeller:
		if u.ShopID == "" {
			return Errorf(CodeInvalidUser, "A seller belongs to a shop (shop_id).")
		}
	default:
		return Errorf(CodeInvalidUser, "Role must be customer, seller, agent or admin.")
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	if err := ValidateLocale(u.Locale); err != nil {
		return err
	}
	return nil
}

// Validate reports the first rule s breaks.
func (s *Shop) Validate() error {
	if !validHandle(s.ID) {
		return Errorf(CodeInvalidShop, "Shop id must be 1 to 64 of a-z, 0-9, '.', '_' and '-'.")
	}
	if s.Name == "" || !utf8.ValidString(s.Name) || utf8.RuneCountInString(s.Name) > 100 {
		return Errorf(CodeInvalidShop, "Shop name must be 1 to 100 characters.")
	}
	if s.Locale == "" {
		s.Locale = "en"
	}
	return ValidateLocale(s.Locale)
}
