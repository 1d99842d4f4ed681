package backoffice

import (
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/web"
)

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

// DeflectionReport is the deflection report page.
func (s *Handler) DeflectionReport(c *fiber.Ctx) error {
	rep, err := s.defl.LoadReport(c)
	if err != nil {
		status, _, detail, internal := web.Describe(err)
		if internal {
			return err
		}
		return s.renderBO(c, status, "deflection", boPage{Title: "Deflection", Errors: map[string]string{"": detail},
			Form: map[string]string{"from": c.Query("from"), "to": c.Query("to"), "locale": c.Query("locale"), "entry": c.Query("entry")}})
	}
	bars, maxY := reportChart(rep.ByDay)
	titles := map[string]string{}
	for _, a := range rep.ByArticle {
		titles[a.Article] = s.cat.Title(a.Article)
	}
	pct := func(x float64) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", x*100), "0"), ".") + " %"
	}
	return s.renderBO(c, fiber.StatusOK, "deflection", boPage{Title: "Deflection",
		Form: map[string]string{"from": rep.From.Format("2006-01-02"), "to": rep.To.AddDate(0, 0, -1).Format("2006-01-02"), "locale": rep.Locale, "entry": rep.Entry},
		Body: map[string]any{"Report": rep, "Bars": bars, "MaxY": maxY, "Titles": titles, "Pct": pct,
			"JSON": "/api/v1/reports/deflection" + deflect.ReportQuery(c)}})
}
