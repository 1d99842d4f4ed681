package backoffice

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// ---- Statistics ----

// sellerStatsView is the shop's figures and their charts.
type sellerStatsView struct {
	Stats  *domain.ShopStats
	Charts []web.BarChart
}

// AvgResponse is the mean first response in hours, or a dash.
func (v sellerStatsView) AvgResponse() string {
	if v.Stats == nil || v.Stats.AvgFirstResponseSeconds == 0 {
		return "—"
	}
	if sec := v.Stats.AvgFirstResponseSeconds; sec < 3600 {
		return fmt.Sprintf("%d min", int(sec/60))
	}
	return fmt.Sprintf("%.1f h", v.Stats.AvgFirstResponseSeconds/3600)
}

// IncidentPct is the incident rate as a percentage.
func (v sellerStatsView) IncidentPct() string {
	if v.Stats == nil {
		return ""
	}
	return fmt.Sprintf("%.1f %%", 100*v.Stats.IncidentRate)
}

func (s *Handler) SellerStats(c *fiber.Ctx) error {
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	a := domain.ActorFrom(c.UserContext())
	form := map[string]string{"from": strings.TrimSpace(c.Query("from")), "to": strings.TrimSpace(c.Query("to"))}
	errs := map[string]string{}
	var from, to time.Time
	if d, ok := sellerFormDate(form["from"]); !ok {
		errs["from"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		from = *d
	}
	if d, ok := sellerFormDate(form["to"]); !ok {
		errs["to"] = "Give a date as YYYY-MM-DD."
	} else if d != nil {
		to = d.Add(24 * time.Hour)
	}
	if len(errs) > 0 {
		return s.renderBO(c, fiber.StatusBadRequest, "seller_stats", boPage{Title: "Statistics", Body: sellerStatsView{}, Form: form, Errors: errs})
	}
	st, err := s.dom.Work.ShopStats(c.UserContext(), a.ShopID, from, to)
	if err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidPeriod: "from"})
		if err != nil {
			return err
		}
		return s.renderBO(c, fiber.StatusBadRequest, "seller_stats", boPage{Title: "Statistics", Body: sellerStatsView{}, Form: form, Errors: errs})
	}
	if form["from"] == "" {
		form["from"] = st.From.UTC().Format(time.DateOnly)
	}
	if form["to"] == "" {
		form["to"] = st.To.UTC().Add(-time.Nanosecond).Format(time.DateOnly)
	}
	v := sellerStatsView{Stats: st, Charts: sellerCharts(st.Daily)}
	return s.renderBO(c, fiber.StatusOK, "seller_stats", boPage{Title: "Statistics", Body: v, Form: form})
}

// sellerCharts draws the shop's daily figures: replies, then after-sales.
func sellerCharts(days []domain.DayStats) []web.BarChart {
	dates, series := dailySeries(days, []dailyMeasure{
		{"Customer messages", "s1", func(d domain.DayStats) int { return d.CustomerMessages }},
		{"Answered within 48 h", "s2", func(d domain.DayStats) int { return d.AnsweredWithin48h }},
		{"Incidents", "s3", func(d domain.DayStats) int { return d.IncidentsOpened }},
		{"Claims", "s4", func(d domain.DayStats) int { return d.Claims }},
		{"Refunds", "s5", func(d domain.DayStats) int { return d.Refunds }},
	})
	o := web.ChartOptions{Class: "panel", Desc: "The table below gives every value."}
	o.ID = "chart-replies"
	replies := web.NewBarChart("Customer messages and those answered within 48 h, per day", dates, series[:2], o)
	o.ID = "chart-aftersales"
	return []web.BarChart{answeredChart(days, "chart-answered", o), replies, web.NewBarChart("Incidents, claims and refunds, per day", dates, series[2:], o)}
}

// replyTarget is the line the share answered within 48 h is read against:
// every customer message answered within 48 h.
var replyTarget = &web.Target{Value: 100, Label: "48 h target: every message"}

// answeredChart draws the share of each day's customer messages answered
// within 48 h against the 48 h target; a day without messages has no bar.
func answeredChart(days []domain.DayStats, id string, o web.ChartOptions) web.BarChart {
	dates, series := dailySeries(days, []dailyMeasure{{"Answered within 48 h", "s2", func(d domain.DayStats) int {
		if d.CustomerMessages == 0 {
			return -1
		}
		return int(math.Round(100 * float64(d.AnsweredWithin48h) / float64(d.CustomerMessages)))
	}}})
	o.ID, o.Unit, o.Target = id, " %", replyTarget
	o.Desc = "Days without customer messages have no bar."
	return web.NewBarChart("Share of the day's customer messages answered within 48 h", dates, series, o)
}

// dailyMeasure is one figure of the daily statistics, drawn in CSS class class.
type dailyMeasure struct {
	name, class string
	get         func(domain.DayStats) int
}

// dailySeries turns the daily statistics into a chart's days and series.
func dailySeries(days []domain.DayStats, ms []dailyMeasure) ([]string, []web.Series) {
	dates := make([]string, len(days))
	for i, d := range days {
		dates[i] = d.Day
	}
	series := make([]web.Series, len(ms))
	for k, m := range ms {
		series[k] = web.Series{Name: m.name, Class: m.class, Values: make([]int, len(days))}
		for i, d := range days {
			series[k].Values[i] = m.get(d)
		}
	}
	return dates, series
}

// --- Seller statistics across shops ---

// opStatsPeriod is the period the statistics pages show.
type opStatsPeriod struct {
	Days     int
	From, To time.Time
	Choices  []int
}

func opReadPeriod(c *fiber.Ctx, now time.Time) opStatsPeriod {
	days, _ := strconv.Atoi(c.Query("days"))
	switch days {
	case 7, 30, 90, 365:
	default:
		days = 30
	}
	to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return opStatsPeriod{Days: days, From: to.AddDate(0, 0, -days), To: to, Choices: []int{7, 30, 90, 365}}
}

// opShopStatsRow is one shop's figures.
type opShopStatsRow struct {
	Shop  domain.Shop
	Stats *domain.ShopStats
}

// AvgResponse is the average first response time, readable.
func (r opShopStatsRow) AvgResponse() string { return opStatsDuration(r.Stats) }

// IncidentRate is the share of order lines with an incident, as a percentage.
func (r opShopStatsRow) IncidentRate() string { return opRate(r.Stats) }

func opRate(st *domain.ShopStats) string {
	if st == nil || st.OrderLines == 0 {
		return "—"
	}
	return strconv.FormatFloat(st.IncidentRate*100, 'f', 1, 64) + " %"
}

// opStatsDuration says a shop's average first response time in hours and minutes.
func opStatsDuration(st *domain.ShopStats) string {
	if st == nil || st.AvgFirstResponseSeconds == 0 {
		return "—"
	}
	d := time.Duration(st.AvgFirstResponseSeconds * float64(time.Second))
	if d < time.Hour {
		return strconv.Itoa(int(d.Minutes())) + " min"
	}
	return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
}

type opStatsView struct {
	Period opStatsPeriod
	Shops  []opShopStatsRow
	Charts []web.BarChart
}

// opStatsCharts compares the shops with the 48 h target: the share of
// customer messages answered within 48 h, and the average first response
// in hours. A shop without messages has no bar.
func opStatsCharts(rows []opShopStatsRow) []web.BarChart {
	names := make([]string, len(rows))
	answered := web.Series{Name: "Answered within 48 h", Class: "s2", Values: make([]int, len(rows))}
	first := web.Series{Name: "Average first response", Class: "s1", Values: make([]int, len(rows))}
	for i, r := range rows {
		names[i] = r.Shop.Name
		answered.Values[i], first.Values[i] = -1, -1
		if st := r.Stats; st != nil && st.CustomerMessages > 0 {
			answered.Values[i] = int(math.Round(st.AnsweredWithin48hPct))
		}
		if st := r.Stats; st != nil && st.AvgFirstResponseSeconds > 0 {
			first.Values[i] = int(math.Round(st.AvgFirstResponseSeconds / 3600))
		}
	}
	o := web.ChartOptions{Class: "panel", Width: 600, Height: 150, Fit: true, Names: true, Desc: "Shops without customer messages have no bar."}
	o.ID, o.Unit, o.Target = "chart-shops-answered", " %", replyTarget
	a := web.NewBarChart("Customer messages answered within 48 h, by shop", names, []web.Series{answered}, o)
	o.ID, o.Unit, o.Target = "chart-shops-first", " h", &web.Target{Value: 48, Label: "48 h target"}
	f := web.NewBarChart("Average first response, in hours, by shop", names, []web.Series{first}, o)
	return []web.BarChart{a, f}
}

// opKnownShops lists the shops: those that have seller users (there is no shop
// list in the access service; users are few and listed by name).
func (s *Handler) opKnownShops(c *fiber.Ctx) ([]domain.Shop, error) {
	ctx := c.UserContext()
	sellers, err := s.dom.Access.ListUsers(ctx, domain.RoleSeller)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []domain.Shop
	for _, u := range sellers {
		if u.ShopID == "" || seen[u.ShopID] {
			continue
		}
		seen[u.ShopID] = true
		sh, err := s.dom.Access.FindShop(ctx, u.ShopID)
		if domain.ErrorKind(err) == domain.NotFound {
			out = append(out, domain.Shop{ID: u.ShopID, Name: u.ShopID})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// opNeedsViewStats refuses an agent without the view_stats grant, as the
// statistics service would; it returns nil for those who may read them.
func (s *Handler) opNeedsViewStats(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return nil
	}
	return s.renderBO(c, fiber.StatusForbidden, "operator_refused", boPage{Title: "Statistics need a permission",
		Body: "Reading every shop's statistics needs the view_stats permission. Ask a customer care admin to grant it to you."})
}

func (s *Handler) OperatorStats(c *fiber.Ctx) error {
	if !domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return s.opNeedsViewStats(c)
	}
	shops, err := s.opKnownShops(c)
	if err != nil {
		return err
	}
	v := opStatsView{Period: opReadPeriod(c, time.Now())}
	for _, sh := range shops {
		row := opShopStatsRow{Shop: sh}
		if s.dom.Work != nil {
			if row.Stats, err = s.dom.Work.ShopStats(c.UserContext(), sh.ID, v.Period.From, v.Period.To); err != nil {
				return err
			}
		}
		v.Shops = append(v.Shops, row)
	}
	if s.dom.Work != nil && len(v.Shops) > 0 {
		v.Charts = opStatsCharts(v.Shops)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_stats", boPage{Title: "Seller statistics", Body: v})
}

// opShopStatsView is one shop's figures with charts over time.
type opShopStatsView struct {
	Period opStatsPeriod
	Shop   domain.Shop
	Stats  *domain.ShopStats
	Charts []web.BarChart
}

// AvgResponse is the average first response time, readable.
func (v opShopStatsView) AvgResponse() string { return opStatsDuration(v.Stats) }

// IncidentRate is the share of order lines with an incident, as a percentage.
func (v opShopStatsView) IncidentRate() string { return opRate(v.Stats) }

func (s *Handler) OperatorShopStats(c *fiber.Ctx) error {
	if !domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return s.opNeedsViewStats(c)
	}
	ctx := c.UserContext()
	sh, err := s.dom.Access.FindShop(ctx, c.Params("shop"))
	if err != nil {
		return err
	}
	v := opShopStatsView{Period: opReadPeriod(c, time.Now()), Shop: *sh}
	if s.dom.Work != nil {
		if v.Stats, err = s.dom.Work.ShopStats(ctx, sh.ID, v.Period.From, v.Period.To); err != nil {
			return err
		}
		v.Charts = opShopCharts(v.Stats.Daily)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_shop_stats", boPage{Title: "Statistics of " + sh.Name, Body: v})
}

// opShopCharts draws the daily figures worth charting, one chart each, small
// enough for two side by side.
func opShopCharts(days []domain.DayStats) []web.BarChart {
	ms := []struct {
		id string
		dailyMeasure
	}{
		{"messages", dailyMeasure{"Customer messages needing a reply", "bar", func(d domain.DayStats) int { return d.CustomerMessages }}},
		{"answered", dailyMeasure{"Of those, answered within 48 h", "bar", func(d domain.DayStats) int { return d.AnsweredWithin48h }}},
		{"incidents", dailyMeasure{"Incidents opened", "bar", func(d domain.DayStats) int { return d.IncidentsOpened }}},
		{"claims", dailyMeasure{"Claims opened", "bar", func(d domain.DayStats) int { return d.Claims }}},
		{"refunds", dailyMeasure{"Refunds", "bar", func(d domain.DayStats) int { return d.Refunds }}},
	}
	out := make([]web.BarChart, 0, len(ms)+1)
	for _, m := range ms {
		dates, series := dailySeries(days, []dailyMeasure{m.dailyMeasure})
		total := 0
		for _, v := range series[0].Values {
			total += v
		}
		ch := web.NewBarChart(m.name, dates, series, web.ChartOptions{ID: "chart-" + m.id, Class: "panel", Width: 600, Height: 150, Fit: true})
		ch.Note = fmt.Sprintf("per day; %d in all, at most %d a day", total, ch.Max)
		out = append(out, ch)
		if m.id == "answered" { // and the same against the 48 h target
			out = append(out, answeredChart(days, "chart-answered-share", web.ChartOptions{Class: "panel", Width: 600, Height: 150, Fit: true}))
		}
	}
	return out
}
