// Package api is the JSON API under /api/v1: search, articles and their
// feedback, and the after-sales domain (orders, threads, cases, work, outbox).
package api

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/catalog"
	"github.com/marketplace/helpcentre/server/web"
)

// Deps is what the API's handlers are built from.
type Deps struct {
	Index    *index.Index
	Engine   *search.Engine
	Catalog  *catalog.Catalog
	Feedback domain.FeedbackService // nil: feedback endpoints answer 503
	Domain   *web.Domain            // nil: no after-sales endpoints
	Auth     *web.Auth
	Log      *slog.Logger
	Version  string
	// PaymentKey checks the payment side's refund callbacks.
	PaymentKey []byte
	// Insights hands out query ids and logs searches; Learning learns from
	// the log (nil: its endpoints answer 503); Deflection adds the
	// deflection rate per entry point to the search analytics.
	Insights   *web.Insights
	Learning   domain.LearningService
	Deflection domain.DeflectionService
	// ContentCommit says which commit of the content is served (nil or a
	// nil answer: not known), for /api/v1/admin/content/status.
	ContentCommit func(context.Context) *ContentCommit
}

// ContentCommit is the version of the content a server serves: every
// replica serving the same commit serves the same articles.
type ContentCommit struct {
	ID string `json:"id"` // the git commit
	// Source is where it was read: "git" (the content folder's checkout)
	// or "build" (the bundled articles: the binary's own commit).
	Source string `json:"source"`
	// Modified: the checkout (or the build's tree) had changes not
	// committed, so the commit alone does not say what is served.
	Modified bool `json:"modified"`
}

// Handler serves the JSON API.
type Handler struct {
	ix         *index.Index
	engine     *search.Engine
	cat        *catalog.Catalog
	feedback   domain.FeedbackService
	dom        *web.Domain
	auth       *web.Auth
	log        *slog.Logger
	openapi    []byte
	paymentKey []byte
	insights   *web.Insights
	learn      domain.LearningService
	deflection domain.DeflectionService
	commit     func(context.Context) *ContentCommit
}

// New builds the API's handlers; it fails on a broken OpenAPI fragment.
func New(d Deps) (*Handler, error) {
	doc, err := buildOpenAPI(d.Version)
	if err != nil {
		return nil, err
	}
	return &Handler{ix: d.Index, engine: d.Engine, cat: d.Catalog, feedback: d.Feedback, dom: d.Domain, auth: d.Auth,
		log: d.Log, openapi: doc, paymentKey: d.PaymentKey,
		insights: d.Insights, learn: d.Learning, deflection: d.Deflection, commit: d.ContentCommit}, nil
}

// hitJSON is a search hit as the API shows it.
type hitJSON struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	URL      string     `json:"url"`
	Locale   string     `json:"locale"`
	Category string     `json:"category,omitempty"`
	Snippet  string     `json:"snippet"`
	Score    float64    `json:"score"`
	Why      search.Why `json:"why"`
}

type searchJSON struct {
	Query        string         `json:"query"`
	QueryID      string         `json:"query_id"` // names this search in POST /api/v1/events
	Corrected    string         `json:"corrected,omitempty"`
	Locale       string         `json:"locale"`
	FallbackFrom string         `json:"fallback_from,omitempty"`
	Translated   string         `json:"translated_query,omitempty"` // the question machine-translated into the fallback locale
	Total        int            `json:"total"`
	Page         int            `json:"page"`
	PerPage      int            `json:"per_page"`
	Truncated    bool           `json:"truncated,omitempty"`
	Hits         []hitJSON      `json:"hits"`
	Facets       []search.Facet `json:"facets"`
	TookMS       float64        `json:"took_ms"`
}

func (s *Handler) Search(c *fiber.Ctx) error {
	req, err := web.SearchRequest(c, s.auth.Audience(c))
	if err != nil {
		return err
	}
	res, err := s.engine.Search(c.UserContext(), req)
	if err != nil {
		return err
	}
	defer res.Release() // its snippets and reasons are encoded below, not kept
	hits := hitsPool.Get().(*[]hitJSON)
	defer func() {
		clear(*hits) // what the pool keeps points at nothing
		*hits = (*hits)[:0]
		hitsPool.Put(hits)
	}()
	out := searchJSON{
		Query: res.Query, Corrected: res.Corrected, Locale: res.Locale, FallbackFrom: res.FallbackFrom, Translated: res.Translated,
		Total: res.Total, Page: res.Page, PerPage: res.PerPage, Truncated: res.Truncated,
		Hits: slices.Grow((*hits)[:0], len(res.Hits)), Facets: res.Facets,
		TookMS: float64(res.Took.Microseconds()) / 1000,
	}
	if out.Facets == nil {
		out.Facets = []search.Facet{}
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		a := h.Article
		out.Hits = append(out.Hits, hitJSON{ID: a.ID, Title: a.Title, URL: a.URL(), Locale: a.Locale, Category: a.Category,
			Snippet: string(h.Snippet), Score: h.Score, Why: h.Why})
		ids = append(ids, a.ID)
	}
	*hits = out.Hits
	out.QueryID = s.logSearch(c, "search", res.Locale, res.Query, ids, res.Total)
	return web.SendJSON(c, out) // encoded here: the hits go back to the pool after
}

// hitsPool holds the arrays a search's hits are encoded from (a page of 10
// is ~2 KB: the largest part of a search's garbage in this package).
var hitsPool = sync.Pool{New: func() any { return new([]hitJSON) }}

func (s *Handler) Suggest(c *fiber.Ctx) error {
	locale, err := web.QueryLocale(c)
	if err != nil {
		return err
	}
	q := c.Query("q")
	bufs := suggestPool.Get().(*suggestBufs)
	defer bufs.put()
	sugg, err := s.engine.AppendSuggestions(c.UserContext(), bufs.found[:0], q, locale, s.auth.Audience(c), 5)
	if err != nil {
		return err
	}
	bufs.found = sugg
	ids := make([]string, len(sugg))
	out := slices.Grow(bufs.out[:0], len(sugg))[:len(sugg)]
	if out == nil {
		out = []suggestionJSON{} // "suggestions": [], not null
	}
	bufs.out = out
	for i, sg := range sugg {
		ids[i] = sg.ID
		out[i] = suggestionJSON{Suggestion: sg}
	}
	qid := s.logSearch(c, "suggest", locale, q, ids, len(ids))
	for i := range out {
		out[i].QueryID, out[i].Position = qid, i+1
	}
	// a struct, not a map: no map to make and no keys to sort; the fields
	// are in the order the map's sorted keys had
	return web.SendJSON(c, suggestAnswer{Locale: locale, Query: q, QueryID: qid, Suggestions: out})
}

// suggestBufs are a suggest request's arrays, kept in suggestPool: found,
// where the engine writes the suggestions (5 of 80 bytes, ~16 % of a
// suggestion request's garbage, BenchmarkAPI/suggest), and out, what they
// are encoded from (5 of 104 bytes).
type suggestBufs struct {
	found []search.Suggestion
	out   []suggestionJSON
}

var suggestPool = sync.Pool{New: func() any { return new(suggestBufs) }}

// put empties b (what the pool keeps points at nothing) and gives it back.
func (b *suggestBufs) put() {
	clear(b.found)
	clear(b.out)
	b.found, b.out = b.found[:0], b.out[:0]
	suggestPool.Put(b)
}

type suggestAnswer struct {
	Locale      string           `json:"locale"`
	Query       string           `json:"query"`
	QueryID     string           `json:"query_id"`
	Suggestions []suggestionJSON `json:"suggestions"`
}

// suggestionJSON is a suggestion with what its click event names.
type suggestionJSON struct {
	search.Suggestion
	QueryID  string `json:"query_id"`
	Position int    `json:"position"`
}

// logSearch gives a search its query id and logs it (a failure is logged:
// the answer still goes out).
func (s *Handler) logSearch(c *fiber.Ctx, source, locale, query string, hits []string, total int) string {
	if s.insights == nil {
		return ""
	}
	id, err := s.insights.LogSearch(c, source, locale, query, hits, total)
	if err != nil {
		s.log.Error("logging a search failed", "err", err, "request_id", web.RequestID(c))
	}
	return id
}

type articleJSON struct {
	ID           string         `json:"id"`
	Locale       string         `json:"locale"`
	FallbackFrom string         `json:"fallback_from,omitempty"`
	Title        string         `json:"title"`
	URL          string         `json:"url"`
	Category     string         `json:"category,omitempty"`
	Tags         []string       `json:"tags"`
	Updated      *time.Time     `json:"updated,omitempty"`
	Visibility   string         `json:"visibility"`
	Headings     []string       `json:"headings"`
	HTML         string         `json:"html"`
	Related      []catalog.Link `json:"related"`
	Translations []catalog.Link `json:"translations"`
}

func (s *Handler) Article(c *fiber.Ctx) error {
	locale, err := web.QueryLocale(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	aud := s.auth.Audience(c)
	a, ok := s.cat.Find(id, locale, aud)
	if !ok {
		return domain.Errorf(domain.CodeNotFound, "No article has the id %q.", id)
	}
	out := articleJSON{ID: a.ID, Locale: a.Locale, Title: a.Title, URL: a.URL(), Category: a.Category,
		Tags: a.Tags, Visibility: string(a.Visibility), Headings: a.Headings, HTML: string(a.HTML()),
		Related: s.cat.Related(a, aud), Translations: s.cat.Translations(a, aud)}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Headings == nil {
		out.Headings = []string{}
	}
	if !a.Updated.IsZero() {
		u := a.Updated
		out.Updated = &u
	}
	if a.Locale != locale {
		out.FallbackFrom = locale
	}
	return c.JSON(out)
}

func (s *Handler) Categories(c *fiber.Ctx) error {
	locale, err := web.QueryLocale(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"locale": locale, "categories": s.cat.Categories(locale, s.auth.Audience(c))})
}

func (s *Handler) Reload(c *fiber.Ctx) error {
	sum, err := s.ix.Reload(c.UserContext())
	if err != nil {
		s.log.Error("admin reload failed", "err", err)
		return domain.Errorf(domain.CodeReloadFailed, "The content could not be reloaded; the last good index keeps serving. See /api/v1/admin/content/status.")
	}
	st := s.ix.Status()
	return c.JSON(fiber.Map{"applied": sum, "errors": st.Errors, "warnings": st.Warnings, "diagnostics": diagnosticsOrEmpty(st.Diagnostics)})
}

func (s *Handler) ContentStatus(c *fiber.Ctx) error {
	st := s.ix.Status()
	st.Diagnostics = diagnosticsOrEmpty(st.Diagnostics)
	var commit *ContentCommit
	if s.commit != nil {
		commit = s.commit(c.UserContext())
	}
	return c.JSON(struct {
		index.Status
		Commit *ContentCommit `json:"commit"` // null: not known
	}{st, commit})
}

func diagnosticsOrEmpty(ds content.Diagnostics) content.Diagnostics {
	if ds == nil {
		return content.Diagnostics{}
	}
	return ds
}
