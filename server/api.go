package server

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/search"
)

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

// queryInt reads an optional integer parameter; junk is the client's mistake.
func queryInt(c *fiber.Ctx, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 9 {
		return 0, badRequest("invalid_parameter", name+" must be a whole number up to 9 digits")
	}
	return n, nil
}

// queryLocale reads the locale parameter: empty means the default.
func queryLocale(c *fiber.Ctx) (string, error) {
	l := strings.ToLower(strings.TrimSpace(c.Query("locale")))
	if l == "" {
		return content.DefaultLocale, nil
	}
	if !content.KnownLocale(l) {
		return "", badRequest("unknown_locale", "locale must be one of "+strings.Join(content.Locales, ", "))
	}
	return l, nil
}

// searchRequest decodes and validates the shared search parameters.
func (s *Server) searchRequest(c *fiber.Ctx) (search.Request, error) {
	locale, err := queryLocale(c)
	if err != nil {
		return search.Request{}, err
	}
	page, err := queryInt(c, "page")
	if err != nil {
		return search.Request{}, err
	}
	per, err := queryInt(c, "per_page")
	if err != nil {
		return search.Request{}, err
	}
	if page < 0 || per < 0 {
		return search.Request{}, badRequest("bad_pagination", "page and per_page must be positive")
	}
	return search.Request{
		Query:    strings.Clone(c.Query("q")),
		Locale:   locale,
		Category: strings.Clone(c.Query("category")),
		Page:     page,
		PerPage:  per,
		Audience: s.audience(c),
		Facets:   true,
	}, nil
}

func (s *Server) apiSearch(c *fiber.Ctx) error {
	req, err := s.searchRequest(c)
	if err != nil {
		return err
	}
	res, err := s.engine.Search(c.UserContext(), req)
	if err != nil {
		return err
	}
	out := searchJSON{
		Query: res.Query, Corrected: res.Corrected, Locale: res.Locale, FallbackFrom: res.FallbackFrom, Translated: res.Translated,
		Total: res.Total, Page: res.Page, PerPage: res.PerPage, Truncated: res.Truncated,
		Hits: make([]hitJSON, 0, len(res.Hits)), Facets: res.Facets,
		TookMS: float64(res.Took.Microseconds()) / 1000,
	}
	if out.Facets == nil {
		out.Facets = []search.Facet{}
	}
	for _, h := range res.Hits {
		a := h.Article
		out.Hits = append(out.Hits, hitJSON{ID: a.ID, Title: a.Title, URL: a.URL(), Locale: a.Locale, Category: a.Category,
			Snippet: string(h.Snippet), Score: h.Score, Why: h.Why})
	}
	return sendJSON(c, out)
}

func (s *Server) apiSuggest(c *fiber.Ctx) error {
	locale, err := queryLocale(c)
	if err != nil {
		return err
	}
	q := strings.Clone(c.Query("q"))
	sugg, err := s.engine.Suggest(c.UserContext(), q, locale, s.audience(c), 5)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.Map{"query": q, "locale": locale, "suggestions": sugg})
}

type linkJSON struct {
	ID     string `json:"id"`
	Locale string `json:"locale"`
	Title  string `json:"title"`
	URL    string `json:"url"`
}

type articleJSON struct {
	ID           string     `json:"id"`
	Locale       string     `json:"locale"`
	FallbackFrom string     `json:"fallback_from,omitempty"`
	Title        string     `json:"title"`
	URL          string     `json:"url"`
	Category     string     `json:"category,omitempty"`
	Tags         []string   `json:"tags"`
	Updated      *time.Time `json:"updated,omitempty"`
	Visibility   string     `json:"visibility"`
	Headings     []string   `json:"headings"`
	HTML         string     `json:"html"`
	Related      []linkJSON `json:"related"`
	Translations []linkJSON `json:"translations"`
}

// findArticle looks an article up in a locale, falling back to the default
// locale, and hides what the audience may not see.
func (s *Server) findArticle(id, locale string, aud search.Audience) (*content.Article, bool) {
	set := s.ix.Content()
	for _, l := range []string{locale, content.DefaultLocale} {
		if a, ok := set.Articles[content.Key{ID: id, Locale: l}]; ok && !a.Draft && aud.Allows(a.Visibility) {
			return a, true
		}
	}
	return nil, false
}

// translations lists the other locales an article is published in.
func (s *Server) translations(a *content.Article, aud search.Audience) []linkJSON {
	out := []linkJSON{}
	set := s.ix.Content()
	for _, l := range content.Locales {
		if l == a.Locale {
			continue
		}
		if t, ok := set.Articles[content.Key{ID: a.ID, Locale: l}]; ok && !t.Draft && aud.Allows(t.Visibility) {
			out = append(out, linkJSON{ID: t.ID, Locale: t.Locale, Title: t.Title, URL: t.URL()})
		}
	}
	return out
}

func (s *Server) related(a *content.Article, aud search.Audience) []linkJSON {
	out := []linkJSON{}
	for _, id := range a.Related {
		if r, ok := s.findArticle(id, a.Locale, aud); ok {
			out = append(out, linkJSON{ID: r.ID, Locale: r.Locale, Title: r.Title, URL: r.URL()})
		}
	}
	return out
}

func (s *Server) apiArticle(c *fiber.Ctx) error {
	locale, err := queryLocale(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	aud := s.audience(c)
	a, ok := s.findArticle(id, locale, aud)
	if !ok {
		return notFound("No article has the id " + strconv.Quote(id) + ".")
	}
	out := articleJSON{ID: a.ID, Locale: a.Locale, Title: a.Title, URL: a.URL(), Category: a.Category,
		Tags: a.Tags, Visibility: string(a.Visibility), Headings: a.Headings, HTML: string(a.HTML),
		Related: s.related(a, aud), Translations: s.translations(a, aud)}
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

type categoryJSON struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Order       int    `json:"order"`
	Articles    int    `json:"articles"`
}

// categoriesOf lists a locale's categories with their visible article counts.
func (s *Server) categoriesOf(locale string, aud search.Audience) []categoryJSON {
	return s.catalogFor(s.ix.Content()).categories(locale, aud)
}

func (s *Server) apiCategories(c *fiber.Ctx) error {
	locale, err := queryLocale(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"locale": locale, "categories": s.categoriesOf(locale, s.audience(c))})
}

func (s *Server) apiReload(c *fiber.Ctx) error {
	sum, err := s.reload(c.UserContext())
	if err != nil {
		s.log.Error("admin reload failed", "err", err)
		return &apiError{status: fiber.StatusConflict, code: "reload_failed",
			detail: "The content could not be reloaded; the last good index keeps serving. See /api/v1/admin/content/status."}
	}
	st := s.ix.Status()
	return c.JSON(fiber.Map{"applied": sum, "errors": st.Errors, "warnings": st.Warnings, "diagnostics": diagnosticsOrEmpty(st.Diagnostics)})
}

func (s *Server) apiContentStatus(c *fiber.Ctx) error {
	st := s.ix.Status()
	st.Diagnostics = diagnosticsOrEmpty(st.Diagnostics)
	return c.JSON(st)
}

func diagnosticsOrEmpty(ds content.Diagnostics) content.Diagnostics {
	if ds == nil {
		return content.Diagnostics{}
	}
	return ds
}

// sendJSON is c.JSON for the hot routes (search, suggest, deflect): it
// encodes into the response's own pooled body buffer instead of into a new
// slice that c.JSON then hands over, which was an eighth of what a search
// allocated. The body is the same JSON plus a final newline.
func sendJSON(c *fiber.Ctx, v any) error {
	resp := c.Response()
	resp.ResetBody()
	if err := json.NewEncoder(resp.BodyWriter()).Encode(v); err != nil {
		resp.ResetBody()
		return err
	}
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}
