package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// SessionTTL is how long a browser session lasts after sign-in.
const SessionTTL = 12 * time.Hour

// The cookies of browser sessions.
const (
	SessionCookie = "hc_session"
	PreCookie     = "hc_pre" // before sign-in: binds the login form's CSRF token to this browser
)

// Sessions are the pages' signed-in users: a session cookie holding a
// session's secret (domain.AccessService.CreateSession: good only as this
// cookie, never as a bearer token), and CSRF tokens bound to it.
type Sessions struct {
	Access domain.AccessService
	Signer *Signer
}

// SignedIn resolves the session cookie to an Actor, or the anonymous one.
func (s *Sessions) SignedIn(c *fiber.Ctx) domain.Actor {
	secret := c.Cookies(SessionCookie)
	if secret == "" || s.Access == nil {
		return domain.Actor{}
	}
	a, err := s.Access.AuthenticateSession(c.UserContext(), secret)
	if err != nil {
		return domain.Actor{}
	}
	return a
}

// CSRFToken is the token forms carry: a signature of the session's token id
// (or, before sign-in, of the browser's pre-session cookie). Stateless, so it
// survives restarts and works across replicas that share the secret;
// fiber's csrf middleware keeps tokens in process memory.
func (s *Sessions) CSRFToken(c *fiber.Ctx) string {
	if id := domain.ActorFrom(c.UserContext()).TokenID; id != "" {
		return s.Signer.Sign("csrf:session:" + id)
	}
	pre := c.Cookies(PreCookie)
	if pre == "" {
		var b [16]byte
		rand.Read(b[:])
		pre = base64.RawURLEncoding.EncodeToString(b[:])
		c.Cookie(&fiber.Cookie{Name: PreCookie, Value: pre, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: SecureCookies(c)})
		c.Request().Header.SetCookie(PreCookie, pre) // a second token on this request agrees
	}
	return s.Signer.Sign("csrf:pre:" + pre)
}

// CSRFRefusal says why a state-changing request is refused: "cross-site"
// when a browser says it came from another site, "expired" when its token
// (form field _csrf or header X-CSRF-Token) is not this session's, "" when it
// may go on (and for GET and HEAD).
func (s *Sessions) CSRFRefusal(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return ""
	}
	if site := c.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return "cross-site"
	}
	got := c.FormValue("_csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if got == "" || !hmac.Equal([]byte(got), []byte(s.CSRFToken(c))) {
		return "expired"
	}
	return ""
}
