package web

import (
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The one bar chart of the back office: daily figures drawn server-side as
// inline SVG (no script, no inline style: the CSP allows neither), rendered
// by the "barchart" template that AddBarChart defines.
//
//go:embed barchart.html
var barChartHTML string

// AddBarChart defines the "barchart" template in t, so that a page draws a
// chart with {{template "barchart" .Chart}}.
func AddBarChart(t *template.Template) error {
	if _, err := t.New("barchart").Parse(barChartHTML); err != nil {
		return fmt.Errorf("web: template barchart: %w", err)
	}
	return nil
}

// Series is one measure of a chart: one value per day, named in the legend
// and tooltips, and coloured by the CSS class Class (s1…s5, or bar). A
// negative value is no value (a rate on a day without messages): no bar,
// and a dash in the table.
type Series struct {
	Name   string
	Class  string
	Values []int
}

// Target is a horizontal line a chart's values are read against.
type Target struct {
	Value int
	Label string
}

// ChartOptions are what a page may choose about a chart; the zero value
// draws grouped bars 960 units wide.
type ChartOptions struct {
	ID      string  // the caption's id, unique in the page; the SVG is labelled by it
	Note    string  // said after the title in the caption, muted
	Desc    string  // added to the description screen readers hear
	Class   string  // more classes for the figure, e.g. "panel"
	Stacked bool    // one bar per day with the series on top of each other
	Width   int     // of the view box; the SVG scales to the page's width
	Height  int     // of the plot, in view-box units
	Fit     bool    // every day within Width however thin its bars (an overview), rather than scrolling
	Table   bool    // the values also as a table, under the chart
	Target  *Target // a line across the plot, e.g. a goal
	Unit    string  // said after every value: on the axis, in tooltips and the table, e.g. " %" or " h"
	Names   bool    // the bars stand for names (shops), not days: each labelled as given
}

// phoneWidth is the view box of a chart's phone layout: every day within a
// phone's width, its text still legible.
const phoneWidth = 420

// BarChart is a chart of daily figures laid out for the "barchart" template.
type BarChart struct {
	ID, Title, Note, Desc string
	DescID                string // the id of the SVG's description
	Class                 string
	Width, Height         float64 // the view box
	Wide                  bool    // too many days to fit: drawn at its size, scrolling
	PlotLeft, PlotRight   float64
	PlotTop, PlotBottom   float64
	LabelY                float64 // the day labels' baseline
	Max                   int     // the highest bar's value
	Empty                 bool    // every value is zero
	Bars                  []Bar
	Ticks                 []Tick
	Labels                []DayLabel
	Target                *TargetLine
	Days                  []string
	Series                []Series
	Table                 bool
	Rows                  []ChartRow // the table: a human day (or name) and each series' value
	// Phone is the same chart laid out for a phone's width, every day in
	// view and the last (today) at the right; nil when the chart is that
	// narrow already. The page shows one or the other by its width.
	Phone *BarChart
}

// ChartRow is one line of a chart's table.
type ChartRow struct {
	Label string
	Cells []string
}

// Bar is one drawn bar; Title is its tooltip.
type Bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// Tick is a value on the vertical axis, with its grid line.
type Tick struct {
	Y     float64
	Label string
}

// DayLabel is a day named under the bars.
type DayLabel struct {
	X    float64
	Text string
}

// TargetLine is where the Target is drawn.
type TargetLine struct {
	Y     float64
	Label string
}

// Legend is the series to name under the chart: none when there is only one,
// which the title names.
func (c BarChart) Legend() []Series {
	if len(c.Series) < 2 {
		return nil
	}
	return c.Series
}

// The chart's margins, in view-box units: room for the axis's values on the
// left and for the last day's label on the right.
const (
	chartLeft   = 40
	chartRight  = 20
	chartTop    = 12
	chartBottom = 26
	labelWidth  = 60 // a day label and the space between two
)

// NewBarChart lays out series over days (2006-01-02, one value of each
// series per day; with o.Names, over names).
func NewBarChart(title string, days []string, series []Series, o ChartOptions) BarChart {
	if o.Width == 0 {
		o.Width = 960
	}
	if o.Height == 0 {
		o.Height = 180
	}
	// Every series gets one value a day; a missing one is no value.
	series = append([]Series(nil), series...)
	for k, s := range series {
		vs := make([]int, len(days))
		for i := range vs {
			vs[i] = -1
			if i < len(s.Values) {
				vs[i] = max(s.Values[i], -1)
			}
		}
		series[k].Values = vs
	}
	c := BarChart{ID: o.ID, DescID: o.ID + "-desc", Title: title, Note: o.Note, Class: o.Class, Days: days, Series: series, Table: o.Table,
		PlotTop: chartTop}
	if o.Target != nil {
		c.PlotTop += 12 // room for the target's label above its line
	}
	c.PlotBottom = c.PlotTop + float64(o.Height)
	label := func(day string) string { // under the bars
		if o.Names {
			return day
		}
		return ShortDay(day)
	}
	long := func(day string) string { // in tooltips and the table
		if o.Names {
			return day
		}
		return LongDay(day)
	}
	num := func(v int) string { return strconv.Itoa(v) + o.Unit }
	if o.Table {
		for i, day := range days {
			row := ChartRow{Label: long(day)}
			for _, s := range series {
				if v := s.Values[i]; v < 0 {
					row.Cells = append(row.Cells, "—")
				} else {
					row.Cells = append(row.Cells, num(v))
				}
			}
			c.Rows = append(c.Rows, row)
		}
	}
	c.LabelY = c.PlotBottom + 18
	c.Height = c.PlotBottom + chartBottom
	value := func(s Series, i int) int { return max(s.Values[i], 0) }
	for i := range days {
		sum := 0
		for _, s := range series {
			sum += value(s, i)
			if !o.Stacked {
				c.Max = max(c.Max, value(s, i))
			}
		}
		if o.Stacked {
			c.Max = max(c.Max, sum)
		}
	}
	c.Empty = c.Max == 0 || len(series) == 0
	if o.Target != nil && c.Empty { // read against a target, a zero is a value to show
		for _, s := range series {
			for _, v := range s.Values {
				c.Empty = c.Empty && v < 0
			}
		}
	}
	top := c.Max
	if o.Target != nil {
		top = max(top, o.Target.Value)
	}
	step, scale := chartScale(top)
	// Room on the left for the axis's longest value ("100 %").
	left := max(chartLeft, 10+7.5*float64(utf8.RuneCountInString(num(scale))))
	c.PlotLeft = round1(left)

	// Each day needs room for its bars; more days than fit make the chart
	// wider than asked, and the page scrolls it.
	n := max(len(days), 1)
	perBar := 1
	if !o.Stacked {
		perBar = len(series)
	}
	minSlot := float64(2*perBar + 2)
	slot := (float64(o.Width) - c.PlotLeft - chartRight) / float64(n)
	if slot < minSlot && !o.Fit {
		slot, c.Wide = minSlot, true
	}
	c.Width = c.PlotLeft + chartRight + slot*float64(n)
	c.PlotRight = c.Width - chartRight

	plotH := float64(o.Height)
	y := func(v int) float64 { return c.PlotBottom - float64(v)*plotH/float64(scale) }
	for v := 0; v <= scale; v += step {
		c.Ticks = append(c.Ticks, Tick{Y: round1(y(v)), Label: num(v)})
	}
	if o.Target != nil {
		c.Target = &TargetLine{Y: round1(y(o.Target.Value)), Label: o.Target.Label}
	}

	inner := slot * 0.8
	if o.Names {
		inner = min(inner, float64(48*perBar)) // a few names: bars, not walls
	}
	barW := inner / float64(max(perBar, 1))
	gap := 0.0
	if perBar > 1 && barW >= 3 {
		gap = 1 // a hairline between a day's bars
	}
	every := max(1, int(math.Ceil(float64(n)*labelWidth/(c.PlotRight-c.PlotLeft))))
	if o.Names {
		every = 1
	}
	for i, day := range days {
		x0 := c.PlotLeft + float64(i)*slot + (slot-inner)/2
		base := c.PlotBottom
		for j, s := range series {
			v := value(s, i)
			if s.Values[i] < 0 || v == 0 && o.Target == nil { // no value, or nothing to draw
				continue
			}
			h := float64(v) * plotH / float64(scale)
			if h < 2 {
				h = 2 // a small count stays visible next to a large one
			}
			b := Bar{X: x0 + float64(j)*barW, Y: base - h, W: barW - gap, H: h, Class: s.Class, Title: long(day) + ": " + num(v)}
			if o.Stacked {
				b.X, b.W = x0, inner
				base -= h
			}
			if len(series) > 1 {
				b.Title = long(day) + ", " + s.Name + ": " + num(v)
			}
			b.X, b.Y, b.W, b.H = round1(b.X), round1(b.Y), round1(b.W), round1(b.H)
			c.Bars = append(c.Bars, b)
		}
		if (n-1-i)%every == 0 { // counted back from the last day (today), which is always named
			c.Labels = append(c.Labels, DayLabel{X: round1(c.PlotLeft + float64(i)*slot + slot/2), Text: label(day)})
		}
	}
	c.Desc = chartDesc(c, o)
	if o.Width > phoneWidth && len(days) > 0 {
		p := o
		p.Width, p.Fit, p.Table = phoneWidth, true, false
		p.Height = max(o.Height, 200)
		phone := NewBarChart(title, days, series, p)
		phone.DescID = o.ID + "-phone-desc"
		c.Phone = &phone
	}
	return c
}

// LongDay is a day (2006-01-02) as people read it: "Fri 6 Nov 2026".
func LongDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("Mon 2 Jan 2006")
}

// chartScale is the top of the vertical axis and the step of its ticks: whole
// numbers, 1, 2 or 5 times a power of ten, at most five steps.
func chartScale(top int) (step, scale int) {
	top = max(top, 1)
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step = m * p; (top+step-1)/step <= 5 {
				return step, step * ((top + step - 1) / step)
			}
		}
	}
}

// chartDesc says in words what the bars show, for those who cannot see them.
func chartDesc(c BarChart, o ChartOptions) string {
	var b strings.Builder
	switch {
	case o.Names:
		fmt.Fprintf(&b, "Bars for %s", strings.Join(c.Days, ", "))
	case o.Stacked:
		b.WriteString("Stacked bars per day")
	default:
		b.WriteString("Bars per day")
	}
	if len(c.Days) > 0 && !o.Names {
		fmt.Fprintf(&b, " from %s to %s", ShortDay(c.Days[0]), ShortDay(c.Days[len(c.Days)-1]))
	}
	if len(c.Series) > 1 {
		names := make([]string, len(c.Series))
		for i, s := range c.Series {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, "; the highest is %d%s.", c.Max, o.Unit)
	if o.Target != nil {
		fmt.Fprintf(&b, " A line marks %s at %d%s.", o.Target.Label, o.Target.Value, o.Unit)
	}
	if o.Desc != "" {
		b.WriteString(" " + o.Desc)
	}
	return b.String()
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
