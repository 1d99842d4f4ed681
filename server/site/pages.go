// Package site is the help centre's pages: home, categories, articles and
// their feedback, search, contact, the widget's script, sitemap and robots.
package site

import (
	"bytes"
	"embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/web"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"home", "search", "article", "category", "error", "contact", "contact_suggest", "contact_sent", "contact_thread"}

// parsePages parses every page with the layout once, at start-up, all in
// one set (web.ParsePages): a broken template stops the server from
// starting rather than failing a request.
func parsePages(assets *web.Assets) (*web.Pages, error) {
	p, err := web.ParsePages(templateFS, "templates/layout.html", "templates", pageNames, pageFuncs(assets))
	if err != nil {
		return nil, fmt.Errorf("site: templates: %w", err)
	}
	return p, nil
}

// pageFuncs are the pages' functions: the assets' and the words'.
func pageFuncs(assets *web.Assets) template.FuncMap {
	funcs := assets.Funcs()
	funcs["t"] = func(locale, key string) string { return tr(locale, key) }
	funcs["ct"] = ct // the contact flow's words (contact_i18n.go)
	funcs["nextText"] = nextText
	return funcs
}

// alternate is a link to the same page in another locale (hreflang).
type alternate struct {
	Locale string
	URL    string
}

// pageData is what every page's layout needs.
type pageData struct {
	Title       string
	Description string
	Locale      string
	Query       string
	Canonical   string
	Alternates  []alternate
	Switch      alternate // the locale switch target
	OGType      string
	JSONLD      template.JS
	NoIndex     bool
	Body        any
}

var supportedUI = []string{"en", "es"}

// pageLocale picks the page's language: the path's locale, then ?locale=,
// then the browser's Accept-Language, then English.
func pageLocale(c *fiber.Ctx) string {
	for _, l := range []string{c.Params("locale"), strings.ToLower(c.Query("locale"))} {
		if hasUI(l) {
			return l
		}
	}
	if l := c.AcceptsLanguages(supportedUI...); l != "" {
		return l[:2]
	}
	return content.DefaultLocale
}

func hasUI(l string) bool { return l == "en" || l == "es" }

func otherLocale(l string) string {
	if l == "es" {
		return "en"
	}
	return "es"
}

// homeURL is the home page of a locale.
func homeURL(l string) string { return "/" + l + "/" }

func (s *Handler) render(c *fiber.Ctx, status int, name string, d pageData) error {
	if d.Switch.URL == "" {
		d.Switch = alternate{Locale: otherLocale(d.Locale), URL: homeURL(otherLocale(d.Locale))}
	}
	if d.Description == "" {
		d.Description = tr(d.Locale, "tagline")
	}
	if d.OGType == "" {
		d.OGType = "website"
	}
	// Canonical, hreflang and og:url links are absolute, on the public URL
	// (never the request's Host, which a client may forge).
	if strings.HasPrefix(d.Canonical, "/") {
		d.Canonical = web.BaseURL(c) + d.Canonical
	}
	if len(d.Alternates) > 0 {
		alts := make([]alternate, len(d.Alternates))
		for i, a := range d.Alternates {
			if strings.HasPrefix(a.URL, "/") {
				a.URL = web.BaseURL(c) + a.URL
			}
			alts[i] = a
		}
		d.Alternates = alts
	}
	var buf bytes.Buffer
	data := map[string]any{"Page": d, "L": d.Locale, "Body": d.Body}
	if err := s.pages.Page(name).Execute(&buf, data); err != nil {
		return fmt.Errorf("site: render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}

// ErrorPage is the page of an error, for browsers.
func (s *Handler) ErrorPage(c *fiber.Ctx, status int, detail string) error {
	locale := pageLocale(c)
	d := pageData{Title: http.StatusText(status), Locale: locale, NoIndex: true,
		Body: map[string]any{"Status": status, "Detail": detail, "Popular": s.popular(c, locale, 6)}}
	if err := s.render(c, status, "error", d); err != nil {
		s.log.Error("error page failed", "err", err)
		return c.Status(status).SendString(http.StatusText(status))
	}
	return nil
}

// articleLink is an article as pages list it.
type articleLink struct {
	ID, Title, URL, Category string
}

func linkOf(a *content.Article) articleLink {
	return articleLink{ID: a.ID, Title: a.Title, URL: a.URL(), Category: a.Category}
}

// popular lists the most viewed public articles of a locale, topped up with
// the first articles of the first categories while there are few views.
func (s *Handler) popular(c *fiber.Ctx, locale string, n int) []articleLink {
	set := s.cat.Content()
	seen := map[string]bool{}
	var out []articleLink
	add := func(a *content.Article) {
		if a != nil && !seen[a.ID] && !a.Draft && a.Visibility == content.Public && len(out) < n {
			seen[a.ID] = true
			out = append(out, linkOf(a))
		}
	}
	if s.feedback != nil {
		if views, err := s.mostViewed(c.UserContext(), locale, n*2); err == nil {
			for _, v := range views {
				add(set.Articles[content.Key{ID: v.ArticleID, Locale: locale}])
			}
		}
	}
	aud := s.auth.Audience(c)
	for _, cat := range s.cat.Categories(locale, aud) {
		for _, a := range s.cat.ArticlesIn(locale, cat.ID, aud) {
			add(a)
			break
		}
	}
	return out
}

func (s *Handler) RootRedirect(c *fiber.Ctx) error {
	return c.Redirect(homeURL(pageLocale(c)), fiber.StatusFound)
}

func (s *Handler) Home(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) {
		return fiber.ErrNotFound
	}
	alts := []alternate{{"en", homeURL("en")}, {"es", homeURL("es")}}
	return s.render(c, fiber.StatusOK, "home", pageData{Title: tr(locale, "home"), Locale: locale, Canonical: homeURL(locale), Alternates: alts,
		Body: map[string]any{"Categories": s.cat.Categories(locale, s.auth.Audience(c)), "Popular": s.popular(c, locale, 6)}})
}

func (s *Handler) Category(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	articles := s.cat.ArticlesIn(locale, id, s.auth.Audience(c))
	if len(articles) == 0 {
		return fiber.ErrNotFound
	}
	// A category articles name without describing it is titled by its id,
	// as the category list shows it.
	cat, ok := s.cat.Content().Categories[content.Key{ID: id, Locale: locale}]
	if !ok {
		cat = &content.Category{ID: id, Locale: locale, Title: id}
	}
	links := make([]articleLink, 0, len(articles))
	for _, a := range articles {
		links = append(links, linkOf(a))
	}
	u := "/" + locale + "/categories/" + id
	var alts []alternate
	sw := alternate{}
	for _, l := range supportedUI {
		if _, ok := s.cat.Content().Categories[content.Key{ID: id, Locale: l}]; ok {
			alts = append(alts, alternate{l, "/" + l + "/categories/" + id})
			if l != locale {
				sw = alternate{l, "/" + l + "/categories/" + id}
			}
		}
	}
	return s.render(c, fiber.StatusOK, "category", pageData{Title: cat.Title, Description: cat.Description, Locale: locale, Canonical: u, Alternates: alts, Switch: sw,
		Body: map[string]any{"Category": cat, "Articles": links}})
}

// searchPage is what the search template shows.
type searchPage struct {
	Res         *search.Result
	Category    string
	CategoryTit string
	Facets      []facetLink
	Pages       []pageLink
	Prev, Next  string
	Popular     []articleLink
	Original    string // the query as typed, when a corrected one was used
	Typed       string // the query as typed: the search box, the heading and the links keep it, not its translation
	QueryID     string // this search's, carried by the result links (?qid=)
}

type facetLink struct {
	Title, URL string
	Count      int
	Active     bool
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

func searchURL(locale, q, category string, page int) string {
	v := url.Values{}
	v.Set("q", q)
	v.Set("locale", locale)
	if category != "" {
		v.Set("category", category)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}

func (s *Handler) Search(c *fiber.Ctx) error {
	locale := pageLocale(c)
	req, err := web.SearchRequest(c, s.auth.Audience(c))
	if err != nil {
		status, _, detail, _ := web.Describe(err)
		return s.ErrorPage(c, status, detail)
	}
	req.Locale = locale
	if req.PerPage == 0 {
		req.PerPage = 10
	}
	res, err := s.engine.Search(c.UserContext(), req)
	if err != nil {
		if status, _, detail, internal := web.Describe(err); !internal {
			return s.ErrorPage(c, status, detail)
		}
		return err
	}
	defer res.Release() // the page is rendered into its own buffer below
	sp := &searchPage{Res: res, Category: req.Category, Typed: req.Query}
	if res.Translated == "" {
		sp.Typed = res.Query // as the engine read it (trimmed, cut to its word limit)
	}
	if s.insights != nil {
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.Article.ID
		}
		qid, err := s.insights.LogSearch(c, "page", res.Locale, res.Query, ids, res.Total)
		if err != nil {
			s.log.Error("logging a search failed", "err", err, "request_id", web.RequestID(c))
		}
		sp.QueryID = qid
	}
	if res.Corrected != "" {
		sp.Original = res.Query
	}
	if cat, ok := s.cat.Content().Categories[content.Key{ID: req.Category, Locale: locale}]; ok {
		sp.CategoryTit = cat.Title
	}
	total := 0
	for _, f := range res.Facets {
		total += f.Count
		sp.Facets = append(sp.Facets, facetLink{Title: f.Title, Count: f.Count, URL: searchURL(locale, sp.Typed, f.Category, 1), Active: f.Category == req.Category})
	}
	if req.Category != "" {
		sp.Facets = append([]facetLink{{Title: tr(locale, "all_topics"), URL: searchURL(locale, sp.Typed, "", 1)}}, sp.Facets...)
	}
	pages := (res.Total + res.PerPage - 1) / res.PerPage
	pages = min(pages, s.engine.Options().MaxResults/res.PerPage)
	for n := max(1, res.Page-4); n <= min(pages, res.Page+4); n++ {
		sp.Pages = append(sp.Pages, pageLink{N: n, URL: searchURL(locale, sp.Typed, req.Category, n), Current: n == res.Page})
	}
	if res.Page > 1 {
		sp.Prev = searchURL(locale, sp.Typed, req.Category, res.Page-1)
	}
	if res.Page < pages {
		sp.Next = searchURL(locale, sp.Typed, req.Category, res.Page+1)
	}
	if len(res.Hits) == 0 {
		sp.Popular = s.popular(c, locale, 6)
	}
	title := tr(locale, "search")
	if sp.Typed != "" {
		title = sp.Typed
	}
	return s.render(c, fiber.StatusOK, "search", pageData{Title: title, Locale: locale, Query: sp.Typed, NoIndex: true,
		Switch: alternate{otherLocale(locale), searchURL(otherLocale(locale), sp.Typed, "", 1)}, Body: sp})
}

// Article serves /{locale}/articles/{id}/{slug}: an old or missing slug
// redirects permanently to the canonical URL; an article not translated into
// the locale redirects to the default locale's version.
func (s *Handler) Article(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) && !content.KnownLocale(locale) {
		return fiber.ErrNotFound
	}
	aud := s.auth.Audience(c)
	a, ok := s.cat.Find(c.Params("id"), locale, aud)
	if !ok {
		return fiber.ErrNotFound
	}
	if a.Locale != locale {
		return c.Redirect(a.URL(), fiber.StatusFound)
	}
	if c.Params("slug") != content.Slugify(a.Title) {
		target := a.URL()
		if q := string(c.Request().URI().QueryString()); q != "" {
			target += "?" + q
		}
		return c.Redirect(target, fiber.StatusMovedPermanently)
	}
	s.views.add(a.ID, a.Locale)
	translations := s.cat.Translations(a, aud)
	alts := []alternate{{a.Locale, a.URL()}}
	sw := alternate{otherLocale(locale), homeURL(otherLocale(locale))}
	for _, t := range translations {
		alts = append(alts, alternate{t.Locale, t.URL})
		if t.Locale == otherLocale(locale) {
			sw = alternate{t.Locale, t.URL}
		}
	}
	var catTitle string
	if cat, ok := s.cat.Content().Categories[content.Key{ID: a.Category, Locale: a.Locale}]; ok {
		catTitle = cat.Title
	}
	fb := c.Query("feedback")
	qid := c.Query("qid")
	if s.insights == nil || s.insights.CheckQueryID(qid, time.Now()) != nil {
		qid = ""
	}
	return s.render(c, fiber.StatusOK, "article", pageData{
		Title: a.Title, Description: summary(a.Text, 160), Locale: a.Locale, Canonical: a.URL(), Alternates: alts, Switch: sw,
		OGType: "article", JSONLD: faqJSONLD(a),
		Body: map[string]any{"Article": a, "CategoryTitle": catTitle, "Related": s.cat.Related(a, aud),
			"Translations": translations, "Voted": fb, "Reasons": reasonsFor(a.Locale),
			"QueryID": qid},
	})
}

// summary cuts text to about n bytes on a word boundary.
func summary(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut < n/2 {
		cut = n
	}
	return strings.TrimRight(text[:cut], " ,.;:") + "…"
}

// faqJSONLD is the article as schema.org FAQPage structured data.
func faqJSONLD(a *content.Article) template.JS {
	doc := map[string]any{
		"@context": "https://schema.org",
		"@type":    "FAQPage",
		"mainEntity": []any{map[string]any{
			"@type": "Question",
			"name":  a.Title,
			"acceptedAnswer": map[string]any{
				"@type": "Answer",
				"text":  summary(a.Text, 1000),
			},
		}},
	}
	data, _ := json.Marshal(doc) // escapes <, > and & so the script cannot be closed early
	return template.JS(data)
}

type reason struct{ Code, Label string }

func reasonsFor(locale string) []reason {
	return []reason{
		{"outdated", tr(locale, "reason_outdated")},
		{"unclear", tr(locale, "reason_unclear")},
		{"didnt_apply", tr(locale, "reason_didnt_apply")},
		{"other", tr(locale, "reason_other")},
	}
}

// Sitemap lists the home pages, categories and every public article with
// its translations as hreflang alternates.
func (s *Handler) Sitemap(c *fiber.Ctx) error {
	base := web.BaseURL(c)
	set := s.cat.Content()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
	esc := func(s string) string {
		var buf bytes.Buffer
		_ = xml.EscapeText(&buf, []byte(s))
		return buf.String()
	}
	for _, l := range supportedUI {
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", esc(base+homeURL(l)))
		for _, cat := range s.cat.Categories(l, search.Anonymous) {
			fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", esc(base+"/"+l+"/categories/"+cat.ID))
		}
	}
	for _, a := range set.Sorted() {
		if a.Draft || a.Visibility != content.Public || !hasUI(a.Locale) {
			continue
		}
		fmt.Fprintf(&b, "<url><loc>%s</loc>", esc(base+a.URL()))
		if !a.Updated.IsZero() {
			fmt.Fprintf(&b, "<lastmod>%s</lastmod>", a.Updated.Format("2006-01-02"))
		}
		for _, l := range content.Locales {
			if t, ok := set.Articles[content.Key{ID: a.ID, Locale: l}]; ok && !t.Draft && t.Visibility == content.Public {
				fmt.Fprintf(&b, `<xhtml:link rel="alternate" hreflang="%s" href="%s"/>`, l, esc(base+t.URL()))
			}
		}
		b.WriteString("</url>\n")
	}
	b.WriteString("</urlset>\n")
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	return c.SendString(b.String())
}

func (s *Handler) Robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString("User-agent: *\nDisallow: /api/\nDisallow: /search\nSitemap: " + web.BaseURL(c) + "/sitemap.xml\n")
}
