package web

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// Auth authenticates API callers by their bearer token.
type Auth struct {
	Access     domain.AccessService // nil: no after-sales domain; only AdminToken is known
	AdminToken string               // HELPCENTRE_ADMIN_TOKEN; "" disables the admin endpoints without the domain
}

// Authenticate resolves the bearer token to an Actor and puts it in the
// request's context (c.UserContext()), where the services read it.
func (a *Auth) Authenticate(c *fiber.Ctx) error {
	return a.WithActor(c, (*fiber.Ctx).Next)
}

// WithActor authenticates the request, then calls next.
func (a *Auth) WithActor(c *fiber.Ctx, next func(*fiber.Ctx) error) error {
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return domain.Errorf(domain.CodeUnauthorized, "Send a token as: Authorization: Bearer <token>.")
	}
	actor, err := a.Access.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	c.SetUserContext(domain.WithActor(c.UserContext(), actor))
	return next(c)
}

// RequireAdmin guards /api/v1/admin. With the after-sales domain, any
// operator's token (agent or admin) passes and the services check finer
// rights; HELPCENTRE_ADMIN_TOKEN counts only as the token serve stored for
// the user "admin" (so that disabling that user, or revoking the token,
// takes effect). Without the domain, only that token passes, compared in
// constant time.
func (a *Auth) RequireAdmin(c *fiber.Ctx) error {
	if a.Access != nil {
		err := a.WithActor(c, func(c *fiber.Ctx) error {
			if err := domain.RequireOperator(domain.ActorFrom(c.UserContext())); err != nil {
				return err
			}
			return c.Next()
		})
		return err
	}
	if a.AdminToken == "" {
		return domain.Errorf(domain.CodeAdminDisabled, "Admin endpoints are disabled: set HELPCENTRE_ADMIN_TOKEN.")
	}
	if !a.IsAdmin(c) {
		return domain.Errorf(domain.CodeUnauthorized, "Send the admin token as: Authorization: Bearer <token>.")
	}
	return c.Next()
}

// IsAdmin reports whether the request carries the admin token.
func (a *Auth) IsAdmin(c *fiber.Ctx) bool {
	if a.AdminToken == "" {
		return false
	}
	tok, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(a.AdminToken)) == 1
}

// Audience decides which articles the caller may see: the admin token sees
// all; otherwise the role of whoever the request names, by the actor an
// earlier handler authenticated, the bearer token (API) or the session
// cookie (pages). A token that does not authenticate is anonymous here:
// reading public articles needs none.
func (a *Auth) Audience(c *fiber.Ctx) search.Audience {
	if a.IsAdmin(c) {
		return search.Staff
	}
	if actor := domain.ActorFrom(c.UserContext()); !actor.Anonymous() {
		return AudienceFor(actor)
	}
	if a.Access == nil {
		return search.Anonymous
	}
	// A bearer token (the API) or a browser session (the pages): each is
	// checked as what it claims to be.
	if secret, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer "); ok {
		if secret = strings.TrimSpace(secret); secret != "" {
			if actor, err := a.Access.Authenticate(c.UserContext(), secret); err == nil {
				return AudienceFor(actor)
			}
		}
		return search.Anonymous
	}
	if secret := strings.TrimSpace(c.Cookies(SessionCookie)); secret != "" {
		if actor, err := a.Access.AuthenticateSession(c.UserContext(), secret); err == nil {
			return AudienceFor(actor)
		}
	}
	return search.Anonymous
}

// AudienceFor is the articles' audience of a role: customers read customer
// articles, sellers seller articles, customer care everything.
func AudienceFor(actor domain.Actor) search.Audience {
	switch {
	case actor.Role.Operator():
		return search.Staff
	case actor.Role == domain.RoleSeller:
		return search.Seller
	case actor.Role == domain.RoleCustomer:
		return search.Customer
	}
	return search.Anonymous
}

// ReaderLang is the language a signed-in reader reads: their user's locale,
// which authentication already read.
func ReaderLang(c *fiber.Ctx) string {
	if l := domain.ActorFrom(c.UserContext()).Locale; l != "" {
		return l
	}
	return "en"
}
