package site

import (
	"html/template"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/catalog"
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
}

// Handler serves the help centre's pages.
type Handler struct {
	engine   *search.Engine
	cat      *catalog.Catalog
	feedback domain.FeedbackService
	auth     *web.Auth
	log      *slog.Logger
	pages    map[string]*template.Template
	widget   widgetAsset
	views    *viewCounter
	viewed   popularCache
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
		pages: pages, widget: w, views: newViewCounter()}, nil
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
	a, _ := s.cat.Find(v.ArticleID, v.Locale, s.auth.Audience(c))
	return c.Redirect(a.URL()+"?feedback="+helpful+"#feedback", fiber.StatusSeeOther)
}
