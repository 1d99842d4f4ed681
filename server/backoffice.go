package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/marketplace/helpcentre/domain"
)

// The back office: sign-in, and the pages of customers (/account), sellers
// (/seller) and customer care (/operator). Each page template is a file in
// templates/bo/, rendered inside templates/bo/layout.html; each area
// registers its pages in its own file (accountPages, sellerPages,
// operatorPages).
//
//go:embed templates/bo/*.html
var boFS embed.FS

// SessionTTL is how long a browser session lasts after sign-in.
const SessionTTL = 12 * time.Hour

const (
	sessionCookie = "hc_session"
	preCookie     = "hc_pre" // before sign-in: binds the login form's CSRF token to this browser
)

// boFuncs are the back office's template helpers.
func boFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": assetURL,
		"money": formatMoney,
		"when":  formatTime,
		"ago":   func(t time.Time) string { return formatAgo(time.Since(t)) },
		"until": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return formatUntil(time.Until(*t))
		},
		"overdue": func(t *time.Time) bool { return t != nil && time.Now().After(*t) },
		"add":     func(a, b int) int { return a + b },
		"join":    strings.Join,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
}

// parseBackOffice parses every page of templates/bo with the layout; a
// broken template fails start-up.
func parseBackOffice() (map[string]*template.Template, error) {
	names, err := fs.Glob(boFS, "templates/bo/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(boFuncs()).ParseFS(boFS, "templates/bo/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("server: back-office template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// boPage is what a back-office page hands to its template.
type boPage struct {
	Title  string
	Body   any
	Form   map[string]string // what was typed, to show again after an error
	Errors map[string]string // by field name; "" for the form as a whole
	Flash  string            // a confirmation after a redirect
}

// navItem is a link of the role-aware navigation.
type navItem struct {
	Label, URL string
	Current    bool
}

func navFor(a domain.Actor, current string) []navItem {
	var items []navItem
	switch {
	case a.Role == domain.RoleCustomer:
		items = []navItem{{"My orders", "/account", false}, {"My messages", "/account/messages", false}}
	case a.Role == domain.RoleSeller:
		items = []navItem{{"Messages", "/seller/messages", false}, {"Incidents", "/seller/incidents", false},
			{"Orders", "/seller/orders", false}, {"Claims", "/seller/claims", false}, {"Statistics", "/seller/stats", false}}
	case a.Role.Operator():
		items = []navItem{{"Queue", "/operator", false}, {"Messages", "/operator/messages", false}, {"Incidents", "/operator/incidents", false},
			{"Claims", "/operator/claims", false}, {"Orders", "/operator/orders", false}, {"Shops", "/operator/stats", false}, {"Deflection", "/operator/deflection", false}}
		if a.Role == domain.RoleAdmin {
			items = append(items, navItem{"Routing and grants", "/operator/admin", false})
		}
	}
	best := -1
	for i, it := range items {
		if (current == it.URL || strings.HasPrefix(current, it.URL+"/")) && (best < 0 || len(it.URL) > len(items[best].URL)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// homeFor is where a role lands after sign-in.
func homeFor(r domain.Role) string {
	switch r {
	case domain.RoleCustomer:
		return "/account"
	case domain.RoleSeller:
		return "/seller/messages"
	case domain.RoleAgent, domain.RoleAdmin:
		return "/operator"
	}
	return "/"
}

// renderBO renders a back-office page.
func (s *Server) renderBO(c *fiber.Ctx, status int, name string, p boPage) error {
	t, ok := s.bo[name]
	if !ok {
		return fmt.Errorf("server: no back-office template %q", name)
	}
	a := domain.ActorFrom(c.UserContext())
	if p.Flash == "" {
		p.Flash = flashText(c.Query("done"))
	}
	data := map[string]any{
		"Page":  p,
		"Body":  p.Body,
		"Actor": a,
		"Nav":   navFor(a, c.Path()),
		"CSRF":  s.csrfToken(c),
		"Path":  c.Path(),
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// flashes are the confirmations a redirect may ask for with ?done=.
var flashes = map[string]string{
	"password":    "Your password was changed.",
	"sent":        "Your message was sent.",
	"noreply":     "Marked as needing no reply.",
	"solved":      "Marked as solved; customer care has been told.",
	"closed":      "Closed.",
	"reopened":    "Reopened.",
	"refunded":    "The refund was requested; the customer has been told.",
	"offer":       "Your offer was sent to the buyer.",
	"accepted":    "Offer accepted.",
	"rejected":    "Offer rejected.",
	"return":      "A return was issued with its shipping label.",
	"incident":    "The incident was opened; the seller must answer immediately.",
	"claim":       "Your claim was opened.",
	"rule":        "The routing rule was added.",
	"grant":       "The permission was granted.",
	"signed_out":  "You are signed out.",
	"shipped":     "Marked as shipped.",
	"received":    "Marked as received; the refund is on its way.",
	"reply_saved": "Saved.",
	"retried":     "The refund was sent to the payment side again.",
	"opened":      "The incident was opened; the order is frozen until it is closed.",
}

func flashText(code string) string { return flashes[code] }

// signedIn resolves the session cookie to an Actor, or the anonymous one.
func (s *Server) signedIn(c *fiber.Ctx) domain.Actor {
	secret := c.Cookies(sessionCookie)
	if secret == "" || s.dom == nil {
		return domain.Actor{}
	}
	a, err := s.dom.Access.Authenticate(c.UserContext(), secret)
	if err != nil {
		return domain.Actor{}
	}
	return a
}

// pageAuth lets through a signed-in user of one of roles (any role when none
// is given), with the Actor in the request's context; others are sent to
// sign in, or told the area is not theirs.
func (s *Server) pageAuth(roles ...domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a := s.signedIn(c)
		if a.Anonymous() {
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		ok := len(roles) == 0
		for _, r := range roles {
			ok = ok || a.Role == r
		}
		c.SetUserContext(domain.WithActor(c.UserContext(), a))
		if !ok {
			return s.renderBO(c, fiber.StatusForbidden, "denied", boPage{Title: "Not your area", Body: homeFor(a.Role)})
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Next()
	}
}

// csrfToken is the token forms carry: an HMAC of the session's token id (or,
// before sign-in, of the browser's pre-session cookie) under the server's
// secret. Stateless, so it survives restarts and works across replicas that
// share the secret; fiber's csrf middleware keeps tokens in process memory.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if id := domain.ActorFrom(c.UserContext()).TokenID; id != "" {
		return s.mac("csrf:session:" + id)
	}
	pre := c.Cookies(preCookie)
	if pre == "" {
		var b [16]byte
		rand.Read(b[:])
		pre = base64.RawURLEncoding.EncodeToString(b[:])
		c.Cookie(&fiber.Cookie{Name: preCookie, Value: pre, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
		c.Request().Header.SetCookie(preCookie, pre) // a second token on this request agrees
	}
	return s.mac("csrf:pre:" + pre)
}

func (s *Server) mac(msg string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses a state-changing request whose token (form field _csrf or
// header X-CSRF-Token) is not this session's, or that a browser says came
// from another site.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	if site := c.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return s.renderBO(c, fiber.StatusForbidden, "denied", boPage{Title: "Request refused", Body: "/"})
	}
	got := c.FormValue("_csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if got == "" || !hmac.Equal([]byte(got), []byte(s.csrfToken(c))) {
		return s.renderBO(c, fiber.StatusForbidden, "expired", boPage{Title: "This form has expired"})
	}
	return c.Next()
}

// backOfficeRoutes registers sign-in and the three areas. Registered before
// the help centre's /:locale routes, which would otherwise catch them.
func (s *Server) backOfficeRoutes(app *fiber.App) {
	if s.dom == nil {
		return
	}
	app.Get("/login", s.pageLogin)
	perIP, perName := s.loginThrottle()
	app.Post("/login", s.checkCSRF, perIP, perName, s.pageLoginPost)
	app.Post("/logout", s.pageAuth(), s.checkCSRF, s.pageLogout)
	app.Get("/password", s.pageAuth(), s.pagePassword)
	app.Post("/password", s.pageAuth(), s.checkCSRF, s.pagePasswordPost)

	s.accountPages(app.Group("/account", s.pageAuth(domain.RoleCustomer), s.checkCSRF))
	s.sellerPages(app.Group("/seller", s.pageAuth(domain.RoleSeller), s.checkCSRF))
	s.operatorPages(app.Group("/operator", s.pageAuth(domain.RoleAgent, domain.RoleAdmin), s.checkCSRF))
}

// loginThrottle counts failed sign-ins (the form answers 401) per address and
// name, and per address: after 5 wrong passwords for one name, or 30 in all,
// within 15 minutes, the address must wait.
func (s *Server) loginThrottle() (perIP, perName fiber.Handler) {
	reached := func(c *fiber.Ctx) error {
		return s.renderBO(c, fiber.StatusTooManyRequests, "login", boPage{Title: "Sign in",
			Form:   map[string]string{"name": c.FormValue("name"), "next": c.FormValue("next")},
			Errors: map[string]string{"": "Too many failed attempts. Wait 15 minutes, then try again."}})
	}
	perName = limiter.New(limiter.Config{Max: 5, Expiration: 15 * time.Minute, SkipSuccessfulRequests: true, LimitReached: reached,
		KeyGenerator: func(c *fiber.Ctx) string { return c.IP() + "\x00" + strings.ToLower(c.FormValue("name")) }})
	perIP = limiter.New(limiter.Config{Max: 30, Expiration: 15 * time.Minute, SkipSuccessfulRequests: true, LimitReached: reached})
	return perIP, perName
}
