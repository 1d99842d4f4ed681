package backoffice

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
)

// ---- Statistics ----

// sellerStatsView is the shop's figures and their charts.
type sellerStatsView struct {
	Stats  *domain.ShopStats
	Charts []sellerChart
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
	v := sellerStatsView{Stats: st, Charts: []sellerChart{
		sellerBarChart("Customer messages and those answered within 48 h, per day", st.Daily, []sellerSeries{
			{"Customer messages", "s1", func(d domain.DayStats) int { return d.CustomerMessages }},
			{"Answered within 48 h", "s2", func(d domain.DayStats) int { return d.AnsweredWithin48h }},
		}),
		sellerBarChart("Incidents, claims and refunds, per day", st.Daily, []sellerSeries{
			{"Incidents", "s3", func(d domain.DayStats) int { return d.IncidentsOpened }},
			{"Claims", "s4", func(d domain.DayStats) int { return d.Claims }},
			{"Refunds", "s5", func(d domain.DayStats) int { return d.Refunds }},
		}),
	}}
	return s.renderBO(c, fiber.StatusOK, "seller_stats", boPage{Title: "Statistics", Body: v, Form: form})
}

// sellerSeries is one measure of the daily statistics, drawn in class Class.
type sellerSeries struct {
	Name, Class string
	value       func(domain.DayStats) int
}

// sellerChart is a grouped bar sellerChart drawn server-side as SVG: one group of bars
// per day, a y axis with ticks, and day labels every few days.
type sellerChart struct {
	Title         string
	Width, Height int
	Bars          []sellerBar
	Ticks         []sellerTick
	Labels        []sellerLabel
	Legend        []sellerSeries
	Max           int
	PlotX, PlotY  int // the plot area's origin (bottom left)
	PlotW         int
	Empty         bool
}

type sellerBar struct {
	X, Y, W, H int
	Class      string
	Title      string // the bar's value, for a pointer's tooltip
}

type sellerTick struct {
	Y     int
	Value int
}

type sellerLabel struct {
	X    int
	Text string
}

// sellerBarChart lays out the bars of ss over days.
func sellerBarChart(title string, days []domain.DayStats, ss []sellerSeries) sellerChart {
	const left, right, top, bottom, height = 36, 8, 10, 28, 220
	c := sellerChart{Title: title, Height: height, Legend: ss, PlotX: left, PlotY: height - bottom}
	group := max(3*len(ss), 6)
	if len(days) > 0 {
		group = max(group, (720-left-right)/len(days))
	}
	c.Width = left + right + group*max(len(days), 1)
	c.PlotW = group * len(days)
	for _, d := range days {
		for _, s := range ss {
			c.Max = max(c.Max, s.value(d))
		}
	}
	c.Empty = c.Max == 0
	scale := max(c.Max, 1)
	// Whole-number ticks: at most 5 steps.
	step := max(1, (scale+4)/5)
	scale = step * ((scale + step - 1) / step)
	plotH := height - top - bottom
	for v := 0; v <= scale; v += step {
		c.Ticks = append(c.Ticks, sellerTick{Y: c.PlotY - v*plotH/scale, Value: v})
	}
	barW := max(1, (group-2)/len(ss))
	every := max(1, (len(days)+9)/10)
	for i, d := range days {
		x0 := left + i*group + 1
		for j, s := range ss {
			v := s.value(d)
			h := v * plotH / scale
			c.Bars = append(c.Bars, sellerBar{X: x0 + j*barW, Y: c.PlotY - h, W: max(1, barW-1), H: h, Class: s.Class,
				Title: fmt.Sprintf("%s, %s: %d", d.Day, s.Name, v)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, sellerLabel{X: x0 + group/2, Text: sellerShortDay(d.Day)})
		}
	}
	return c
}

// sellerShortDay turns 2006-01-02 into "2 Jan".
func sellerShortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
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
	return s.renderBO(c, fiber.StatusOK, "operator_stats", boPage{Title: "Seller statistics", Body: v})
}

// opShopStatsView is one shop's figures with charts over time.
type opShopStatsView struct {
	Period opStatsPeriod
	Shop   domain.Shop
	Stats  *domain.ShopStats
	Charts []opBarChart
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

// opBarChart is a chart of one daily figure, drawn as inline SVG by the
// template (no script), with its numbers also given as a table.
type opBarChart struct {
	ID, Title string
	Max       int
	Total     int
	Bars      []opBar
	Ticks     []opTick
	Labels    []opTick // a few days along the bottom
}

type opBar struct {
	X, Y, W, H float64
	Day        string
	Value      int
}

type opTick struct {
	X, Y   float64
	Label  string
	Anchor string // text-anchor: the first and last day labels stay inside the chart
}

// The charts' geometry, in view-box units: the SVG scales to the page's width.
const (
	opChartW     = 600.0
	opChartPlotH = 150.0
	opChartTop   = 10.0
	opChartLeft  = 40.0 // room for the axis labels
)

// opShopCharts draws the daily figures worth charting.
func opShopCharts(days []domain.DayStats) []opBarChart {
	series := []struct {
		id, title string
		get       func(d domain.DayStats) int
	}{
		{"messages", "Customer messages needing a reply", func(d domain.DayStats) int { return d.CustomerMessages }},
		{"answered", "Of those, answered within 48 h", func(d domain.DayStats) int { return d.AnsweredWithin48h }},
		{"incidents", "Incidents opened", func(d domain.DayStats) int { return d.IncidentsOpened }},
		{"claims", "Claims opened", func(d domain.DayStats) int { return d.Claims }},
		{"refunds", "Refunds", func(d domain.DayStats) int { return d.Refunds }},
	}
	out := make([]opBarChart, 0, len(series))
	slot := (opChartW - opChartLeft - 4) / float64(max(len(days), 1))
	base := opChartTop + opChartPlotH
	for _, sr := range series {
		ch := opBarChart{ID: sr.id, Title: sr.title}
		for _, d := range days {
			ch.Max = max(ch.Max, sr.get(d))
			ch.Total += sr.get(d)
		}
		scale := float64(max(ch.Max, 1))
		for i, d := range days {
			val := sr.get(d)
			h := float64(val) * opChartPlotH / scale
			if val > 0 && h < 2 {
				h = 2
			}
			ch.Bars = append(ch.Bars, opBar{X: opChartLeft + float64(i)*slot + slot*0.1, Y: base - h, W: slot * 0.8, H: h, Day: d.Day, Value: val})
		}
		ch.Ticks = []opTick{{X: opChartLeft - 4, Y: base, Label: "0"}}
		if ch.Max > 0 {
			ch.Ticks = append(ch.Ticks, opTick{X: opChartLeft - 4, Y: opChartTop, Label: strconv.Itoa(ch.Max)})
		}
		if n := len(days); n > 0 {
			for j, i := range []int{0, n / 2, n - 1} {
				if j > 0 && (i == 0 || (j == 1 && i == n-1)) {
					continue // fewer days than labels
				}
				x, anchor := opChartLeft+float64(i)*slot+slot/2, "middle"
				switch j {
				case 0:
					x, anchor = opChartLeft, "start"
				case 2:
					x, anchor = opChartW-4, "end"
				}
				ch.Labels = append(ch.Labels, opTick{X: x, Y: base + 18, Label: opShortDay(days[i].Day), Anchor: anchor})
			}
		}
		out = append(out, ch)
	}
	return out
}

// opShortDay turns 2006-01-02 into "2 Jan".
func opShortDay(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}
