package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Password length bounds (NIST SP 800-63B): at least MinPasswordLen
// characters; up to MaxPasswordLen bytes (bcrypt reads 72), which leaves room
// for the 64 characters the guideline asks to allow.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// ValidatePassword reports whether a person may choose p: 8 characters or
// more, at most 72 bytes of text, and not one of the most common passwords
// (CommonPassword). There are no composition rules, as 800-63B advises.
func ValidatePassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLen || len(p) > MaxPasswordLen || !utf8.ValidString(p) {
		return Errorf(CodeInvalidPassword, "A password is %d characters to %d bytes of text.", MinPasswordLen, MaxPasswordLen)
	}
	if CommonPassword(p) {
		return Errorf(CodeInvalidPassword, "That password is one of the most common ones; choose another.")
	}
	return nil
}

// ValidatePasswordBy is ValidatePassword for what a sets. The program itself
// (seeding the demo world, whose password is "demo") only keeps within
// bcrypt's bounds; people always meet the policy.
func ValidatePasswordBy(a Actor, p string) error {
	if a.IsSystem() {
		if p == "" || len(p) > MaxPasswordLen || !utf8.ValidString(p) {
			return Errorf(CodeInvalidPassword, "A password is 1 to %d bytes of text.", MaxPasswordLen)
		}
		return nil
	}
	return ValidatePassword(p)
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
		return FieldErrorf(CodeInvalidGrant, "agent", "A grant names the agent it is for (agent_id).")
	}
	ok := false
	for _, p := range Permissions() {
		ok = ok || p == g.Permission
	}
	if !ok {
		return FieldErrorf(CodeInvalidGrant, "permission", "Permission must be one of %s.", strings.Join(Permissions(), ", "))
	}
	if g.Limit < 0 || (g.Limit != 0 && g.Permission != PermRefundOver) {
		return FieldErrorf(CodeInvalidGrant, "limit", "Only refund_over takes a limit, and it may not be negative.")
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
	return CheckTeam(u)
}

// Validate reports the first rule s breaks.
func (s *Shop) Validate() error {
	if !validHandle(s.ID) {
		return Errorf(CodeInvalidShop, "Shop id must be 1 to 64 of a-z, 0-9, '.', '_' and '-'.")
	}
	if s.Name == "" || !utf8.ValidString(s.Name) || utf8.RuneCountInString(s.Name) > 100 {
		return Errorf(CodeInvalidShop, "Shop name must be 1 to 100 characters.")
	}
	if err := s.ReturnAddress.validate(); err != nil {
		return Errorf(CodeInvalidShop, "return_address: %v.", err)
	}
	if s.Locale == "" {
		s.Locale = "en"
	}
	return ValidateLocale(s.Locale)
}

// Token lifetimes: 0 asks for DefaultTokenTTL; no token lives longer than
// MaxTokenTTL.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// Token secret lengths, in bytes: a secret someone chooses (the bootstrap
// admin's) is at least MinTokenSecret long with MinSecretDistinct different
// characters; one longer than MaxTokenSecret is never looked up.
const (
	MinTokenSecret    = 32
	MinSecretDistinct = 10
	MaxTokenSecret    = 512
)

// Labels of the tokens the program stores itself, by which it finds them
// again at start-up to revoke them.
const (
	BootstrapTokenLabel = "HELPCENTRE_ADMIN_TOKEN" // the bootstrap admin's
	DemoTokenLabel      = "demo"                   // the demo world's demo-<name>
)

// ErrTokenRejected is the one answer for a bearer token that may not be
// used, whatever the reason, so that the reason never leaks.
func ErrTokenRejected() *Error {
	return Errorf(CodeUnauthorized, "The token is unknown, expired or revoked.")
}

// CheckTokenSecret refuses a secret no token can have (empty or too long)
// before it is looked up.
func CheckTokenSecret(secret string) error {
	if secret == "" || len(secret) > MaxTokenSecret {
		return ErrTokenRejected()
	}
	return nil
}

// CheckTokenUse reports whether tok, of user u, lets its bearer in at now:
// a token that exists (tok, u not nil), is not revoked or expired, of a
// user who is not disabled, and of the kind asked for: a browser session's
// secret is only good as the session cookie (session true), an API token's
// only as a bearer token, so that a stolen or leaked cookie never reaches
// the JSON API (nor mints tokens that outlive the session).
func CheckTokenUse(tok *Token, u *User, now time.Time, session bool) error {
	if tok == nil || tok.RevokedAt != nil || (tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt)) || u == nil || u.Disabled || tok.Session != session {
		return ErrTokenRejected()
	}
	return nil
}

// ErrBadCredentials is the answer for a sign-in that fails, whether the name
// or the password is wrong, or the user is disabled.
func ErrBadCredentials() *Error {
	return Errorf(CodeBadCredentials, "That name and password do not match.")
}

// ErrWrongCurrentPassword refuses a password change whose current password
// does not match.
func ErrWrongCurrentPassword() *Error {
	return FieldErrorf(CodeBadCredentials, "current", "The current password is not right.")
}

// CanActForUser reports whether a may manage userID's password and tokens:
// an admin, or the user themself.
func CanActForUser(a Actor, userID string) bool {
	return a.Role == RoleAdmin || a.UserID == userID
}

// NeedsCurrentPassword reports whether a changing userID's password must give
// the current one: users changing their own password that has one; admins
// setting someone else's do not.
func NeedsCurrentPassword(a Actor, userID string, hasPassword bool) bool {
	return hasPassword && a.UserID == userID
}

// CanSeeUser reports whether a may see u: customer care sees everyone,
// others only themselves.
func CanSeeUser(a Actor, u *User) bool {
	return a.Role.Operator() || u.ID == a.UserID
}

// CanSeeShop reports whether a may see shop shopID: customer care and the
// shop's own sellers.
func CanSeeShop(a Actor, shopID string) bool {
	return a.Role.Operator() || a.Role == RoleSeller && a.ShopID == shopID
}

// ErrUserExists refuses a second user with a taken login name.
func ErrUserExists(name string) *Error {
	return FieldErrorf(CodeUserExists, "name", "A user named %q exists.", name)
}

// CheckUserShop refuses a seller of a shop that does not exist (shopExists
// is whether the store has it). Other roles belong to no shop.
func CheckUserShop(u *User, shopExists bool) error {
	if u.Role == RoleSeller && !shopExists {
		return FieldErrorf(CodeInvalidUser, "shop_id", "Shop %q does not exist.", u.ShopID)
	}
	return nil
}

// CanMintToken lets admins make tokens for anyone and users for themselves.
func CanMintToken(a Actor, forUserID string) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	if !CanActForUser(a, forUserID) {
		return Errorf(CodeForbidden, "Only an admin makes tokens for someone else.")
	}
	return nil
}

// TokenTTLHours is the lifetime of ttl_hours hours, checked before it is
// converted (a large count would wrap time.Duration into a short lifetime):
// 0 is DefaultTokenTTL; otherwise 1 hour to MaxTokenTTL.
func TokenTTLHours(hours int64) (time.Duration, error) {
	if hours == 0 {
		return DefaultTokenTTL, nil
	}
	if hours < 1 || hours > int64(MaxTokenTTL/time.Hour) {
		return 0, errTokenTTL()
	}
	return TokenTTL(time.Duration(hours) * time.Hour)
}

func errTokenTTL() *Error {
	return FieldErrorf(CodeInvalidToken, "ttl_hours", "A token lives from a minute to %d days.", int(MaxTokenTTL.Hours()/24))
}

// TokenTTL resolves a requested token lifetime: 0 is DefaultTokenTTL;
// otherwise from a minute to MaxTokenTTL.
func TokenTTL(ttl time.Duration) (time.Duration, error) {
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Minute || ttl > MaxTokenTTL {
		return 0, errTokenTTL()
	}
	return ttl, nil
}

// ValidateTokenSecret checks a secret chosen rather than drawn at random,
// stored under label: the demo's are demo-<name> (the program revokes them at
// every start without -demo); any other, e.g. HELPCENTRE_ADMIN_TOKEN, is at
// least MinTokenSecret bytes with MinSecretDistinct different characters, a
// floor that refuses "aaaa…" and short words without pretending to measure
// entropy.
func ValidateTokenSecret(label, secret string) error {
	if label == DemoTokenLabel {
		if name, ok := strings.CutPrefix(secret, "demo-"); !ok || !validHandle(name) {
			return Errorf(CodeInvalidToken, "A demo token is demo-<name>.")
		}
		return nil
	}
	if len(secret) < MinTokenSecret || len(secret) > MaxTokenSecret || distinctBytes(secret) < MinSecretDistinct {
		return Errorf(CodeInvalidToken, "A chosen token is %d to %d characters with at least %d different ones; e.g. openssl rand -hex 24.",
			MinTokenSecret, MaxTokenSecret, MinSecretDistinct)
	}
	return nil
}

func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]], n = true, n+1
		}
	}
	return n
}

// ErrTokenTaken refuses storing a secret that is another user's token.
func ErrTokenTaken() *Error {
	return Errorf(CodeTokenTaken, "That secret belongs to another user.")
}

// CheckGrantee refuses a grant to anyone but an agent; u is the user ref
// names (an id or a login name), nil when there is none.
func CheckGrantee(u *User, ref string) error {
	if u == nil || u.Role != RoleAgent {
		return FieldErrorf(CodeInvalidGrant, "agent", "%q is not an agent.", ref)
	}
	return nil
}

// ErrInvalidCursor refuses a page cursor that the list did not give.
func ErrInvalidCursor() *Error {
	return Errorf(CodeInvalidCursor, "The cursor is not one this list gave.")
}

// ListScope is what an actor's lists of orders and cases hold: everything
// (customer care), one customer's, or one shop's. The zero ListScope holds
// nothing.
type ListScope struct {
	All        bool
	CustomerID string
	ShopID     string
}

// ListScopeFor is a's list scope: customer care everything, a customer
// theirs, a seller their shop's; anyone else nothing.
func ListScopeFor(a Actor) ListScope {
	switch {
	case a.Role.Operator():
		return ListScope{All: true}
	case a.Role == RoleCustomer:
		return ListScope{CustomerID: a.UserID}
	case a.Role == RoleSeller:
		return ListScope{ShopID: a.ShopID}
	}
	return ListScope{}
}
