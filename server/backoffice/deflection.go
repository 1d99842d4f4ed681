package backoffice

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/web"
)

// reportChart draws sessions, hand-offs and strictly deflected sessions per
// day, from the first to the last day of the period: a day without sessions
// is a day at zero, not a missing one.
func reportChart(rep *domain.DeflectionReport) web.BarChart {
	byDay := map[string]domain.DayCounts{}
	for _, d := range rep.ByDay {
		byDay[d.Day] = d
	}
	var days []string
	for t := rep.From.UTC().Truncate(24 * time.Hour); t.Before(rep.To); t = t.AddDate(0, 0, 1) {
		days = append(days, t.Format(time.DateOnly))
	}
	if len(days) == 0 || len(days) > 366 {
		days = days[:0]
		for _, d := range rep.ByDay {
			days = append(days, d.Day)
		}
	}
	series := []web.Series{{Name: "Sessions", Class: "s1"}, {Name: "Hand-offs", Class: "s3"}, {Name: "Strictly deflected", Class: "s2"}}
	for _, day := range days {
		d := byDay[day]
		series[0].Values = append(series[0].Values, d.Sessions)
		series[1].Values = append(series[1].Values, d.Handoffs)
		series[2].Values = append(series[2].Values, d.Strict)
	}
	return web.NewBarChart("Sessions, hand-offs and strictly deflected sessions, per day", days, series,
		web.ChartOptions{ID: "chart-sessions", Table: true, Desc: "The table under the chart gives every value."})
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
	titles := map[string]string{}
	for _, a := range rep.ByArticle {
		titles[a.Article] = s.cat.Title(a.Article)
	}
	pct := func(x float64) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", x*100), "0"), ".") + " %"
	}
	window := rep.Window // "168h0m0s": said in days
	if d, err := time.ParseDuration(rep.Window); err == nil && d > 0 && d%(24*time.Hour) == 0 {
		window = fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return s.renderBO(c, fiber.StatusOK, "deflection", boPage{Title: "Deflection",
		Form: map[string]string{"from": rep.From.Format("2006-01-02"), "to": rep.To.AddDate(0, 0, -1).Format("2006-01-02"), "locale": rep.Locale, "entry": rep.Entry},
		Body: map[string]any{"Report": rep, "Chart": reportChart(rep), "Titles": titles, "Pct": pct, "Window": window,
			"JSON": "/api/v1/reports/deflection" + deflect.ReportQuery(c)}})
}
