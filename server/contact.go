package server

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// The help centre's own contact page runs the widget's flow inline (the same
// script, mounted in the page): subject and question, suggestions as they
// are typed, the form staying on screen, then the hand-off.

// parseContactPages adds the contact page to the help centre's pages.
func parseContactPages(pages map[string]*template.Template) error {
	funcs := template.FuncMap{
		"asset": assetURL,
		"t":     func(locale, key string) string { return tr(locale, key) },
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"mul":   func(a, b int) int { return a * b },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
	t, err := template.New("contact").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/contact.html")
	if err != nil {
		return fmt.Errorf("server: template contact: %w", err)
	}
	pages["contact"] = t
	return nil
}

// contactRoutes registers the widget script, the contact pages and the
// deflection report page; before the /:locale routes, which would catch them.
func (s *Server) contactRoutes(app *fiber.App) {
	app.Get("/:file<regex(^widget\\.([0-9a-z]+\\.)?js$)>", s.widgetScript)
	app.Get("/contact", func(c *fiber.Ctx) error {
		return c.Redirect("/"+pageLocale(c)+"/contact", fiber.StatusFound)
	})
	app.Get("/:locale/contact", s.pageContact)
	app.Get("/reports/deflection", func(c *fiber.Ctx) error {
		return c.Redirect("/operator/deflection"+reportQuery(c), fiber.StatusFound)
	})
	if s.dom != nil {
		app.Get("/operator/deflection", s.pageAuth(domain.RoleAgent, domain.RoleAdmin), s.pageDeflectionReport)
	}
}

func (s *Server) pageContact(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) {
		return fiber.ErrNotFound
	}
	alts := []alternate{{"en", "/en/contact"}, {"es", "/es/contact"}}
	return s.render(c, fiber.StatusOK, "contact", pageData{Title: tr(locale, "contact"), Description: tr(locale, "contact_intro"), Locale: locale,
		Canonical: "/" + locale + "/contact", Alternates: alts, Switch: alternate{otherLocale(locale), "/" + otherLocale(locale) + "/contact"},
		Body: map[string]any{"Widget": s.WidgetPath(), "Popular": s.popular(c, locale, 4)}})
}

// chartBar is one day of the report's chart.
type chartBar struct {
	Day                     string
	X, W                    int
	SessionsY, SessionsH    int
	HandoffsY, HandoffsH    int
	StrictY, StrictH        int
	Sessions, Handoffs, Str int
}

// reportChart lays out the days as grouped bars in a 600×200 SVG.
func reportChart(days []domain.DayCounts) (bars []chartBar, maxY int) {
	const width, height = 600, 180
	for _, d := range days {
		maxY = max(maxY, d.Sessions)
	}
	if len(days) == 0 || maxY == 0 {
		return nil, 0
	}
	slot := width / len(days)
	w := max(1, slot/4)
	scale := func(n int) int { return int(math.Round(float64(n) / float64(maxY) * height)) }
	for i, d := range days {
		x := i*slot + slot/8
		b := chartBar{Day: d.Day, X: x, W: w, Sessions: d.Sessions, Handoffs: d.Handoffs, Str: d.Strict}
		b.SessionsH, b.HandoffsH, b.StrictH = scale(d.Sessions), scale(d.Handoffs), scale(d.Strict)
		b.SessionsY, b.HandoffsY, b.StrictY = height-b.SessionsH+10, height-b.HandoffsH+10, height-b.StrictH+10
		bars = append(bars, b)
	}
	return bars, maxY
}

// articleTitle names an article in the report, falling back to its id.
func (s *Server) articleTitle(id string) string {
	for _, l := range []string{"en", "es"} {
		if a, ok := s.findArticle(id, l, 0); ok {
			return a.Title
		}
	}
	return id
}

func (s *Server) pageDeflectionReport(c *fiber.Ctx) error {
	rep, err := s.deflectionReport(c)
	if err != nil {
		status, _, detail, internal := problemFor(err)
		if internal {
			return err
		}
		return s.renderBO(c, status, "deflection", boPage{Title: "Deflection", Errors: map[string]string{"": detail},
			Form: map[string]string{"from": c.Query("from"), "to": c.Query("to"), "locale": c.Query("locale"), "entry": c.Query("entry")}})
	}
	bars, maxY := reportChart(rep.ByDay)
	titles := map[string]string{}
	for _, a := range rep.ByArticle {
		titles[a.Article] = s.articleTitle(a.Article)
	}
	pct := func(x float64) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", x*100), "0"), ".") + " %"
	}
	return s.renderBO(c, fiber.StatusOK, "deflection", boPage{Title: "Deflection",
		Form: map[string]string{"from": rep.From.Format("2006-01-02"), "to": rep.To.AddDate(0, 0, -1).Format("2006-01-02"), "locale": rep.Locale, "entry": rep.Entry},
		Body: map[string]any{"Report": rep, "Bars": bars, "MaxY": maxY, "Titles": titles, "Pct": pct,
			"JSON": "/api/v1/reports/deflection" + reportQuery(c)}})
}
