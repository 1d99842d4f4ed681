package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/search"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// asset is an embedded static file with its checksum, served with an ETag
// and, under its versioned URL, cached for a year.
type asset struct {
	data  []byte
	etag  string
	ctype string
}

var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		out[name] = asset{data: data, etag: hex.EncodeToString(sum[:8]), ctype: mime.TypeByExtension(path.Ext(p))}
		return nil
	})
	return out
}

// assetURL is the versioned URL of a static file, for templates.
func assetURL(name string) string {
	a, ok := assets[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.etag
}

func (s *Server) static(c *fiber.Ctx) error {
	a, ok := assets[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	etag := `"` + a.etag + `"`
	c.Set(fiber.HeaderETag, etag)
	if c.Query("v") == a.etag {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ctype)
	return c.Send(a.data)
}

var pageNames = []string{"home", "search", "article", "error"}

// parsePages parses every page with the layout once, at start-up: a broken
// template stops the server from starting rather than failing a request.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": assetURL,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// pageData is what every page's layout needs.
type pageData struct {
	Title     string
	Locale    string
	Query     string
	Canonical string
	Body      any
}

var ui = map[string]map[string]string{
	"en": {"search_placeholder": "Search the help centre", "search": "Search", "home": "Help centre", "categories": "Browse by topic",
		"results_for": "results for", "showing_for": "Showing results for", "no_results": "We couldn't find an article for", "contact": "Contact us",
		"related": "Related articles", "updated": "Last updated", "other_lang": "Español", "other_locale": "es", "prev": "Previous", "next": "Next",
		"hero": "How can we help?", "articles": "articles", "translated": "Also in"},
	"es": {"search_placeholder": "Buscar en el centro de ayuda", "search": "Buscar", "home": "Centro de ayuda", "categories": "Temas",
		"results_for": "resultados para", "showing_for": "Mostrando resultados para", "no_results": "No hemos encontrado ningún artículo para", "contact": "Contacto",
		"related": "Artículos relacionados", "updated": "Última actualización", "other_lang": "English", "other_locale": "en", "prev": "Anterior", "next": "Siguiente",
		"hero": "¿En qué podemos ayudarte?", "articles": "artículos", "translated": "También en"},
}

func pageLocale(c *fiber.Ctx) string {
	l := strings.ToLower(c.Query("locale"))
	if _, ok := ui[l]; ok {
		return l
	}
	if p := c.Params("locale"); p != "" {
		if _, ok := ui[p]; ok {
			return p
		}
	}
	return content.DefaultLocale
}

func (s *Server) render(c *fiber.Ctx, status int, name string, d pageData) error {
	var buf bytes.Buffer
	data := map[string]any{"Page": d, "T": ui[d.Locale], "Body": d.Body}
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

func (s *Server) renderError(c *fiber.Ctx, status int, detail string) error {
	d := pageData{Title: http.StatusText(status), Locale: pageLocale(c), Body: map[string]any{"Status": status, "Detail": detail}}
	if err := s.render(c, status, "error", d); err != nil {
		s.log.Error("error page failed", "err", err)
		return c.Status(status).SendString(http.StatusText(status))
	}
	return nil
}

func (s *Server) pageHome(c *fiber.Ctx) error {
	locale := pageLocale(c)
	return s.render(c, fiber.StatusOK, "home", pageData{Title: ui[locale]["home"], Locale: locale, Canonical: "/?locale=" + locale,
		Body: map[string]any{"Categories": s.categoriesOf(locale, search.Anonymous)}})
}

func (s *Server) pageSearch(c *fiber.Ctx) error {
	req, err := s.searchRequest(c)
	if err != nil {
		return s.renderError(c, fiber.StatusBadRequest, err.(*apiError).detail)
	}
	req.Audience = search.Anonymous
	locale := pageLocale(c)
	res, err := s.engine.Search(c.UserContext(), req)
	if err != nil {
		if status, _, detail, internal := problemFor(err); !internal {
			return s.renderError(c, status, detail)
		}
		return err
	}
	return s.render(c, fiber.StatusOK, "search", pageData{Title: req.Query, Locale: locale, Query: res.Query, Body: res})
}

func (s *Server) pageArticle(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !content.KnownLocale(locale) {
		return fiber.ErrNotFound
	}
	a, ok := s.findArticle(c.Params("id"), locale, search.Anonymous)
	if !ok {
		return fiber.ErrNotFound
	}
	if a.Locale != locale {
		return c.Redirect(a.URL(), fiber.StatusFound)
	}
	return s.render(c, fiber.StatusOK, "article", pageData{Title: a.Title, Locale: a.Locale, Canonical: a.URL(),
		Body: map[string]any{"Article": a, "Related": s.related(a, search.Anonymous), "Translations": s.translations(a, search.Anonymous)}})
}
