package site

import (
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/catalog"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/web"
)

// Deps is what the help centre's pages are built from.
type Deps struct {
	Engine   *search.Engine
	Catalog  *catalog.Catalog
	Feedback domain.FeedbackService // nil: no votes, no view counts
	Assets   *web.Assets
	Auth     *web.Auth // who may see staff articles
	Log      *slog.Logger
	Insights *web.Insights // query ids of the search page; votes reached from a search
	// The contact flow without JavaScript and the conversations mailed to
	// anonymous visitors (contact.go): the deflection handlers, the
	// browser sessions (signed-in customers, CSRF) and the after-sales
	// services; nil: the plain contact forms answer 404.
	Contact  *deflect.Handler
	Sessions *web.Sessions
	Domain   *web.Domain
}

// Handler serves the help centre's pages.
type Handler struct {
	engine   *search.Engine
	cat      *catalog.Catalog
	feedback domain.FeedbackService
	auth     *web.Auth
	log      *slog.Logger
	pages    *web.Pages
	widget   widgetAsset
	views    *viewCounter
	viewed   popularCache
	insights *web.Insights
	contact  *deflect.Handler
	sessions *web.Sessions
	dom      *web.Domain
}

// New parses the pages' templates and builds the widget script; a broken
// template fails here, at start-up.
func New(d Deps) (*Handler, error) {
	pages, err := parsePages(d.Assets)
	if err != nil {
		return nil, err
	}
	w, err := buildWidget(d.Assets)
	if err != nil {
		return nil, err
	}
	return &Handler{engine: d.Engine, cat: d.Catalog, feedback: d.Feedback, auth: d.Auth, log: d.Log,
		pages: pages, widget: w, views: newViewCounter(), insights: d.Insights,
		contact: d.Contact, sessions: d.Sessions, dom: d.Domain}, nil
}

// Feedback takes the article page's form (no script needed) and
// redirects back to the article, which then thanks the reader.
func (s *Handler) Feedback(c *fiber.Ctx) error {
	locale := c.Params("locale")
	helpful := c.FormValue("helpful")
	if helpful != "yes" && helpful != "no" {
		return domain.Errorf(domain.CodeInvalidVote, "helpful must be yes or no")
	}
	v, err := s.cat.Vote(c.UserContext(), s.feedback, s.auth.Audience(c), c.Params("id"), locale, helpful == "yes", c.FormValue("reason"), c.FormValue("comment"))
	if err != nil {
		return err
	}
	s.logVote(c, c.FormValue("qid"), v.ArticleID, helpful == "yes")
	a, _ := s.cat.Find(v.ArticleID, v.Locale, s.auth.Audience(c))
	return c.Redirect(a.URL()+"?feedback="+helpful+"#feedback", fiber.StatusSeeOther)
}

// logVote adds a vote on an article reached from a search (the form
// carries that search's query id) to the search log.
func (s *Handler) logVote(c *fiber.Ctx, qid, article string, helpful bool) {
	if s.insights == nil || s.insights.Events == nil || qid == "" {
		return
	}
	now := time.Now().UTC()
	if s.insights.CheckQueryID(qid, now) != nil {
		return // a stale or forged id: the vote itself still counts
	}
	typ := domain.SearchNotHelpful
	if helpful {
		typ = domain.SearchHelpful
	}
	visitor, client := s.insights.Visitor(c)
	if err := s.insights.Events.Record(c.UserContext(), domain.SearchEvent{Type: typ, At: now, QueryID: strings.Clone(qid),
		Visitor: visitor, Client: client, Article: article}); err != nil {
		s.log.Error("logging a vote failed", "err", err, "request_id", web.RequestID(c))
	}
}
