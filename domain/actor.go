package domain

import (
	"context"
	"time"
)

// Role is what a user is to the marketplace. Agents and admins are both the
// operator's customer care; admins also grant permissions and manage users.
type Role string

// The roles.
const (
	RoleCustomer Role = "customer"
	RoleSeller   Role = "seller"
	RoleAgent    Role = "agent" // operator agent
	RoleAdmin    Role = "admin" // operator admin
)

// Party is a side of a conversation: messages are addressed to parties, and
// threads list theirs. Agents and admins write as the operator.
type Party string

// The parties.
const (
	PartyCustomer Party = "customer"
	PartySeller   Party = "seller"
	PartyOperator Party = "operator"
)

// Party returns the side of a conversation a user of role r writes as.
func (r Role) Party() Party {
	switch r {
	case RoleCustomer:
		return PartyCustomer
	case RoleSeller:
		return PartySeller
	case RoleAgent, RoleAdmin:
		return PartyOperator
	}
	return ""
}

// Operator reports whether r is customer care (agent or admin).
func (r Role) Operator() bool { return r == RoleAgent || r == RoleAdmin }

// User is a person who signs in: a customer, a seller user of one shop, or
// customer care.
type User struct {
	ID        string    `json:"id"`   // ULID
	Name      string    `json:"name"` // unique login handle, e.g. "ana"
	Display   string    `json:"display_name"`
	Role      Role      `json:"role"`
	ShopID    string    `json:"shop_id,omitempty"` // sellers only
	Locale    string    `json:"locale"`            // the language they read and write
	Email     string    `json:"email,omitempty"`
	Team      string    `json:"team,omitempty"`   // agents: the team whose queue they work
	Skills    []string  `json:"skills,omitempty"` // agents: what routing may give them
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Shop is a seller on the marketplace.
type Shop struct {
	ID        string    `json:"id"` // e.g. "shop-1", chosen by the marketplace
	Name      string    `json:"name"`
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"created_at"`
	// ReturnAddress is where the shop takes returns; a return's label is
	// addressed to it.
	ReturnAddress *Address `json:"return_address,omitempty"`
}

// Token is an API bearer token. Only its SHA-256 is stored; the secret is
// shown once, when created.
type Token struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Session   bool       `json:"session,omitempty"` // a browser session's: good only as the session cookie
	Secret    string     `json:"token,omitempty"`   // only in the answer that creates it
}

// Permissions an admin grants to agents beyond the defaults of their role.
const (
	PermRefundOver     = "refund_over"     // refunds above DefaultAgentRefundLimit, up to Grant.Limit (0: any amount)
	PermCloseIncidents = "close_incidents" // close incidents (CloseIncident): ends the check and unfreezes the order
	PermManageRouting  = "manage_routing"  // create routing rules
	PermViewStats      = "view_stats"      // statistics of every shop
)

// Grant gives one agent one permission.
type Grant struct {
	ID         string    `json:"id"`
	AgentID    string    `json:"agent_id"`
	Permission string    `json:"permission"`
	Limit      int64     `json:"limit,omitempty"` // refund_over: the highest amount in minor units; 0 means no limit
	GrantedBy  string    `json:"granted_by"`
	GrantedAt  time.Time `json:"granted_at"`
}

// Actor is who is calling: a signed-in user, with what the request needs to
// check permissions. The zero Actor is anonymous.
type Actor struct {
	UserID string
	Name   string
	Role   Role
	ShopID string  // sellers: the shop they act for
	Locale string  // the language they read (their user's locale)
	Grants []Grant // agents: their grants
	// TokenID is the token (or browser session) the request came with, so
	// that signing out revokes exactly it.
	TokenID string
}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.UserID == "" }

// SystemUserID is the user id the program itself acts under: records it
// writes name "system" as their actor.
const SystemUserID = "system"

// SystemActor is the program itself acting as an operator admin that is
// nobody: seeding, the bootstrap admin, work no person asked for. A caller
// that needs another name in logs (the payment callback) uses SystemAs.
var SystemActor = Actor{UserID: SystemUserID, Name: "system", Role: RoleAdmin}

// SystemAs is the system actor under another name and role, e.g.
// SystemAs("payment-callback", "") for the payment side's signed callback,
// which acts as the system but holds no operator role.
func SystemAs(name string, role Role) Actor {
	return Actor{UserID: SystemUserID, Name: name, Role: role}
}

// IsSystem reports whether a is the program itself (SystemActor or SystemAs).
func (a Actor) IsSystem() bool { return a.UserID == SystemUserID }

type actorKey struct{}

// WithActor returns ctx carrying a as the caller. Services read the caller
// from the context so every method checks permissions the same way.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller carried by ctx, or the anonymous Actor.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
