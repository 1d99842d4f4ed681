// Package backoffice is the pages of customers (/account), sellers
// (/seller) and customer care (/operator), and signing in to them.
package backoffice

import (
	"bytes"
	"cmp"
	"embed"
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
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/catalog"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/web"
)

// The back office: sign-in, and the pages of customers (/account), sellers
// (/seller) and customer care (/operator). Each page template is a file in
// templates/, rendered inside templates/layout.html. The files are per
// entity (messages, orders, incidents, claims...), each holding the three
// areas' pages of it.
//
//go:embed templates/*.html
var boFS embed.FS

// Deps is what the back office's pages are built from.
type Deps struct {
	Domain     *web.Domain
	Engine     *search.Engine   // finds articles to link in canned replies
	Catalog    *catalog.Catalog // names articles
	Deflection *deflect.Handler // the deflection report
	Sessions   *web.Sessions
	Assets     *web.Assets
	// Analytics reads the search analytics a request asks for (the API's
	// LoadAnalytics); Learning takes editors' reviews. Nil: no page.
	Analytics func(c *fiber.Ctx) (*domain.SearchAnalytics, error)
	Learning  domain.LearningService
}

// Handler serves the back office's pages.
type Handler struct {
	dom      *web.Domain
	engine   *search.Engine
	cat      *catalog.Catalog
	defl     *deflect.Handler
	sessions *web.Sessions

	analytics func(c *fiber.Ctx) (*domain.SearchAnalytics, error)
	learning  domain.LearningService
	bo        *web.Pages
	// LoginPerIP and LoginPerName throttle failed sign-ins (loginThrottle).
	LoginPerIP, LoginPerName fiber.Handler
}

// New parses the back office's templates; a broken one fails here, at start-up.
func New(d Deps) (*Handler, error) {
	funcs := d.Assets.Funcs()
	bo, err := parseBackOffice(funcs)
	if err != nil {
		return nil, err
	}
	h := &Handler{dom: d.Domain, engine: d.Engine, cat: d.Catalog, defl: d.Deflection, sessions: d.Sessions, bo: bo,
		analytics: d.Analytics, learning: d.Learning}
	h.LoginPerIP, h.LoginPerName = h.loginThrottle()
	return h, nil
}

// parseBackOffice parses every page of templates/ with the layout, all in
// one set (web.ParsePages); a broken template fails start-up. The seller's
// thread page shows thread.html's content, kept as "thread-content", above
// its canned replies.
func parseBackOffice(funcs template.FuncMap) (*web.Pages, error) {
	names, err := boPageNames()
	if err != nil {
		return nil, err
	}
	p, err := web.ParsePages(boFS, "templates/layout.html", "templates", names, funcs)
	if err == nil {
		err = web.AddBarChart(p.Set())
	}
	if err == nil {
		_, err = p.Set().AddParseTree("thread-content", p.Set().Lookup("content/thread").Tree.Copy())
	}
	if err != nil {
		return nil, fmt.Errorf("backoffice: templates: %w", err)
	}
	return p, nil
}

// boPageNames are the back-office pages: every file of templates/ but the
// layout.
func boPageNames() ([]string, error) {
	files, err := fs.Glob(boFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range files {
		if name := strings.TrimSuffix(path.Base(n), ".html"); name != "layout" {
			names = append(names, name)
		}
	}
	return names, nil
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
		items = []navItem{{"My orders", "/account", false}, {"My messages", "/account/messages", false}, {"Notifications", "/account/notifications", false}}
	case a.Role == domain.RoleSeller:
		items = []navItem{{"Messages", "/seller/messages", false}, {"Incidents", "/seller/incidents", false},
			{"Orders", "/seller/orders", false}, {"Claims", "/seller/claims", false}, {"Statistics", "/seller/stats", false}}
	case a.Role.Operator():
		items = []navItem{{"Queue", "/operator", false}, {"Notifications", "/operator/notifications", false}, {"Messages", "/operator/messages", false}, {"Incidents", "/operator/incidents", false},
			{"Claims", "/operator/claims", false}, {"Orders", "/operator/orders", false}, {"Shops", "/operator/stats", false}, {"Deflection", "/operator/deflection", false}, {"Search analytics", "/operator/analytics", false}}
		if a.Role == domain.RoleAdmin {
			items = append(items, navItem{"Routing and grants", "/operator/admin", false}, navItem{"Users", "/operator/admin/users", false})
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

// SellerHome answers /seller, the address sellers are given, with their
// home: the messages inbox.
func (s *Handler) SellerHome(c *fiber.Ctx) error {
	return c.Redirect(homeFor(domain.RoleSeller), fiber.StatusFound)
}

// renderBO renders a back-office page.
func (s *Handler) renderBO(c *fiber.Ctx, status int, name string, p boPage) error {
	t := s.bo.Page(name)
	if t == nil {
		return fmt.Errorf("backoffice: no template %q", name)
	}
	a := domain.ActorFrom(c.UserContext())
	if p.Flash == "" {
		p.Flash = flashText(c.Query("done"))
	}
	w := wordsFor(a)
	if a.Anonymous() && c.AcceptsLanguages("en", "es") == "es" {
		w = words{"es"} // the sign-in page, before we know who it is
	}
	if w.lang != "en" && len(p.Errors) > 0 {
		errs := make(map[string]string, len(p.Errors))
		for k, v := range p.Errors {
			errs[k] = w.Error(v)
		}
		p.Errors = errs
	}
	data := map[string]any{
		"Page":   p,
		"Body":   p.Body,
		"Actor":  a,
		"Nav":    navFor(a, c.Path()),
		"CSRF":   s.sessions.CSRFToken(c),
		"Path":   c.Path(),
		"T":      w,
		"Reader": cmp.Or(a.Locale, "en"), // the language translations are shown in
		"Names":  &names{ctx: c.UserContext(), dom: s.dom},
		"Staff":  a.Role == domain.RoleSeller || a.Role.Operator(),
	}
	pol := s.dom.PolicyOrDefault()
	data["Win"] = map[string]string{"Reply": domain.Window(pol.SellerReplyWithin), "Claim": domain.Window(pol.ClaimResolveWithin)}
	if data["Staff"] == true {
		data["Policy"] = fmt.Sprintf("Deadlines: sellers answer within %s; claims resolved within %s keep the seller's reputation.",
			domain.Window(pol.SellerReplyWithin), domain.Window(pol.ClaimResolveWithin))
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("backoffice: render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// flashes are the confirmations a redirect may ask for with ?done=.
var flashes = map[string]string{
	"password":       "Your password was changed.",
	"email_prefs":    "Saved: your emails follow your choice.",
	"sent":           "Your message was sent.",
	"noreply":        "Marked as needing no reply.",
	"solved":         "Marked as solved; customer care has been told.",
	"closed":         "Closed.",
	"reopened":       "Reopened.",
	"refunded":       "The refund was requested; the customer has been told.",
	"offer":          "Your offer was sent to the buyer.",
	"accepted":       "Offer accepted.",
	"rejected":       "Offer rejected.",
	"return":         "A return was issued with its shipping label.",
	"incident":       "The incident was opened; the seller must answer immediately.",
	"claim":          "Your claim was opened.",
	"rule":           "The routing rule was added.",
	"grant":          "The permission was granted.",
	"signed_out":     "You are signed out.",
	"shipped":        "Marked as shipped.",
	"sent_back":      "Thank you: the seller refunds you when the parcel arrives.",
	"received":       "Marked as received; the refund is on its way.",
	"withdrawn":      "The offer was withdrawn; the buyer has been told.",
	"reply_saved":    "Saved.",
	"retried":        "The refund was sent to the payment side again.",
	"opened":         "The incident was opened; the order is frozen until it is closed.",
	"disabled":       "The user is disabled; their tokens and sessions are revoked.",
	"enabled":        "The user is enabled again. Their old tokens stay revoked.",
	"password_reset": "The password was reset; their tokens and sessions are revoked.",
	"token_revoked":  "The token was revoked.",
	"rule_saved":     "The routing rule was saved.",
	"rule_deleted":   "The routing rule was deleted.",
	"grant_revoked":  "The permission was revoked; the agent has been told.",
	"team":           "The team was saved.",
	"erased":         "The customer's personal data was erased; the account is a pseudonym now and cannot sign in.",
}

func flashText(code string) string { return flashes[code] }

// Auth lets through a signed-in user of one of roles (any role when none
// is given), with the Actor in the request's context; others are sent to
// sign in, or told the area is not theirs.
func (s *Handler) Auth(roles ...domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a := s.sessions.SignedIn(c)
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

// CSRF refuses a state-changing request whose token (form field _csrf or
// header X-CSRF-Token) is not this session's, or that a browser says came
// from another site.
func (s *Handler) CSRF(c *fiber.Ctx) error {
	switch s.sessions.CSRFRefusal(c) {
	case "cross-site":
		return s.renderBO(c, fiber.StatusForbidden, "denied", boPage{Title: "Request refused", Body: "/"})
	case "expired":
		return s.renderBO(c, fiber.StatusForbidden, "expired", boPage{Title: "This form has expired"})
	}
	return c.Next()
}

// loginThrottle counts failed sign-ins (the form answers 401) per address and
// name, and per address: after 5 wrong passwords for one name, or 30 in all,
// within 15 minutes, the address must wait. The name is normalised as Login
// normalises it. Guesses at one name from many addresses meet the store's
// per-name back-off (domain.StartLogin), which survives restarts.
func (s *Handler) loginThrottle() (perIP, perName fiber.Handler) {
	reached := func(c *fiber.Ctx) error {
		return s.renderBO(c, fiber.StatusTooManyRequests, "login", boPage{Title: "Sign in",
			Form:   map[string]string{"name": c.FormValue("name"), "next": c.FormValue("next")},
			Errors: map[string]string{"": "Too many failed attempts. Wait 15 minutes, then try again."}})
	}
	perName = limiter.New(limiter.Config{Max: 5, Expiration: 15 * time.Minute, SkipSuccessfulRequests: true, LimitReached: reached,
		KeyGenerator: func(c *fiber.Ctx) string {
			return web.ClientIP(c) + "\x00" + domain.NormalizeLoginName(c.FormValue("name"))
		}})
	perIP = limiter.New(limiter.Config{Max: 30, Expiration: 15 * time.Minute, SkipSuccessfulRequests: true, LimitReached: reached,
		KeyGenerator: web.ClientIP})
	return perIP, perName
}
