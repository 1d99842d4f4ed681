package backoffice

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// analyticsCharts draws searches (with a click, without results) and the
// click-through rate per day, from the first to the last day of the period.
func analyticsCharts(a *domain.SearchAnalytics) (volume, ctr web.BarChart) {
	byDay := map[string]domain.SearchDay{}
	for _, d := range a.ByDay {
		byDay[d.Day] = d
	}
	var days []string
	for t := a.From.UTC().Truncate(24 * time.Hour); t.Before(a.To); t = t.AddDate(0, 0, 1) {
		days = append(days, t.Format(time.DateOnly))
	}
	if len(days) == 0 || len(days) > 366 {
		days = days[:0]
		for _, d := range a.ByDay {
			days = append(days, d.Day)
		}
	}
	series := []web.Series{{Name: "Searches", Class: "s1"}, {Name: "With a click", Class: "s2"}, {Name: "No results", Class: "s3"}}
	rate := []web.Series{{Name: "Click-through", Class: "s2"}}
	for _, day := range days {
		d := byDay[day]
		series[0].Values = append(series[0].Values, d.Searches)
		series[1].Values = append(series[1].Values, d.WithClick)
		series[2].Values = append(series[2].Values, d.ZeroResults)
		rate[0].Values = append(rate[0].Values, int(d.ClickThrough*100+0.5))
	}
	volume = web.NewBarChart("Searches, searches with a click and searches without results, per day", days, series,
		web.ChartOptions{ID: "chart-searches", Table: true, Desc: "The table under the chart gives every value."})
	ctr = web.NewBarChart("Click-through rate per day (searches with results that led to a click)", days, rate,
		web.ChartOptions{ID: "chart-ctr", Table: true, Unit: " %", Desc: "Percent of searches with results; the table gives every value."})
	return volume, ctr
}

// analyticsQuery keeps the page's filters for links (the JSON and CSV).
func analyticsQuery(c *fiber.Ctx, extra ...string) string {
	v := url.Values{}
	for _, k := range []string{"from", "to", "locale"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// SearchAnalytics is the editors' search analytics page (agents and
// admins); ?format=csv downloads what the API's CSV holds.
func (s *Handler) SearchAnalytics(c *fiber.Ctx) error {
	if s.analytics == nil {
		return fiber.ErrNotFound
	}
	a, err := s.analytics(c)
	if err == nil && c.Query("format") == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="search-analytics.csv"`)
		return c.Send(web.SearchAnalyticsCSV(a))
	}
	form := map[string]string{"from": c.Query("from"), "to": c.Query("to"), "locale": c.Query("locale")}
	if err != nil {
		status, _, detail, internal := web.Describe(err)
		if internal {
			return err
		}
		return s.renderBO(c, status, "analytics", boPage{Title: "Search analytics", Errors: map[string]string{"": detail}, Form: form})
	}
	form["from"], form["to"], form["locale"] = a.From.Format(time.DateOnly), a.To.Add(-time.Nanosecond).Format(time.DateOnly), a.Locale
	titles := map[string]string{}
	for _, v := range append(append([]domain.ArticleVotes{}, a.NotHelpful...), a.Handoffs...) {
		titles[v.Article] = s.cat.Title(v.Article)
	}
	for _, x := range a.ToReview {
		titles[x.Article] = s.cat.Title(x.Article)
	}
	pct := func(x float64) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", x*100), "0"), ".") + " %"
	}
	volume, ctr := analyticsCharts(a)
	flash := ""
	switch c.Query("done") {
	case "rejected":
		flash = "The association was rejected: it no longer applies, and learning will not bring it back."
	case "promoted":
		flash = "The association was promoted: add the alias line shown to the article's front matter."
	}
	admin := domain.ActorFrom(c.UserContext()).Role == domain.RoleAdmin
	return s.renderBO(c, fiber.StatusOK, "analytics", boPage{Title: "Search analytics", Form: form, Flash: flash,
		Body: map[string]any{"A": a, "Volume": volume, "CTR": ctr, "Titles": titles, "Pct": pct, "Admin": admin,
			"Promoted": c.Query("alias"),
			"JSON":     "/api/v1/admin/analytics" + analyticsQuery(c), "CSV": "/operator/analytics" + analyticsQuery(c, "format", "csv")}})
}

// SearchAnalyticsReview rejects or promotes a learned association (admins).
func (s *Handler) SearchAnalyticsReview(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.learning == nil {
		return fiber.ErrNotFound
	}
	decision := domain.ReviewRejected
	if c.FormValue("decision") == "promote" {
		decision = domain.ReviewPromoted
	}
	a, err := s.learning.Review(c.UserContext(), c.FormValue("id"), decision)
	if err != nil {
		return err
	}
	if decision == domain.ReviewPromoted {
		return c.Redirect("/operator/analytics?done=promoted&alias="+url.QueryEscape(a.Article+": "+a.AliasLine()), fiber.StatusSeeOther)
	}
	return c.Redirect("/operator/analytics?done=rejected", fiber.StatusSeeOther)
}
