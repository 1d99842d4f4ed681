package web

import (
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
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
// and tooltips, and coloured by the CSS class Class (s1…s5, or bar).
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
}

// BarChart is a chart of daily figures laid out for the "barchart" template.
type BarChart struct {
	ID, Title, Note, Desc string
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
// series per day).
func NewBarChart(title string, days []string, series []Series, o ChartOptions) BarChart {
	if o.Width == 0 {
		o.Width = 960
	}
	if o.Height == 0 {
		o.Height = 180
	}
	// Every series gets one value a day, none below zero.
	series = append([]Series(nil), series...)
	for k, s := range series {
		vs := make([]int, len(days))
		for i := range vs {
			if i < len(s.Values) {
				vs[i] = max(s.Values[i], 0)
			}
		}
		series[k].Values = vs
	}
	c := BarChart{ID: o.ID, Title: title, Note: o.Note, Class: o.Class, Days: days, Series: series, Table: o.Table,
		PlotLeft: chartLeft, PlotTop: chartTop, PlotBottom: float64(chartTop + o.Height)}
	c.LabelY = c.PlotBottom + 18
	c.Height = c.PlotBottom + chartBottom
	value := func(s Series, i int) int { return s.Values[i] }
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

	// Each day needs room for its bars; more days than fit make the chart
	// wider than asked, and the page scrolls it.
	n := max(len(days), 1)
	perBar := 1
	if !o.Stacked {
		perBar = len(series)
	}
	minSlot := float64(2*perBar + 2)
	slot := float64(o.Width-chartLeft-chartRight) / float64(n)
	if slot < minSlot && !o.Fit {
		slot, c.Wide = minSlot, true
	}
	c.Width = chartLeft + chartRight + slot*float64(n)
	c.PlotRight = c.Width - chartRight

	top := c.Max
	if o.Target != nil {
		top = max(top, o.Target.Value)
	}
	step, scale := chartScale(top)
	plotH := float64(o.Height)
	y := func(v int) float64 { return c.PlotBottom - float64(v)*plotH/float64(scale) }
	for v := 0; v <= scale; v += step {
		c.Ticks = append(c.Ticks, Tick{Y: round1(y(v)), Label: strconv.Itoa(v)})
	}
	if o.Target != nil {
		c.Target = &TargetLine{Y: round1(y(o.Target.Value)), Label: o.Target.Label}
	}

	inner := slot * 0.8
	barW := inner / float64(max(perBar, 1))
	gap := 0.0
	if perBar > 1 && barW >= 3 {
		gap = 1 // a hairline between a day's bars
	}
	every := max(1, int(math.Ceil(float64(n)*labelWidth/(c.PlotRight-c.PlotLeft))))
	for i, day := range days {
		x0 := chartLeft + float64(i)*slot + (slot-inner)/2
		base := c.PlotBottom
		for j, s := range series {
			v := value(s, i)
			if v == 0 {
				continue
			}
			h := float64(v) * plotH / float64(scale)
			if h < 2 {
				h = 2 // a small count stays visible next to a large one
			}
			b := Bar{X: x0 + float64(j)*barW, Y: base - h, W: barW - gap, H: h, Class: s.Class, Title: day + ": " + strconv.Itoa(v)}
			if o.Stacked {
				b.X, b.W = x0, inner
				base -= h
			}
			if len(series) > 1 {
				b.Title = day + ", " + s.Name + ": " + strconv.Itoa(v)
			}
			b.X, b.Y, b.W, b.H = round1(b.X), round1(b.Y), round1(b.W), round1(b.H)
			c.Bars = append(c.Bars, b)
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, DayLabel{X: round1(chartLeft + float64(i)*slot + slot/2), Text: ShortDay(day)})
		}
	}
	c.Desc = chartDesc(c, o)
	return c
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
	if o.Stacked {
		b.WriteString("Stacked bars per day")
	} else {
		b.WriteString("Bars per day")
	}
	if len(c.Days) > 0 {
		fmt.Fprintf(&b, " from %s to %s", ShortDay(c.Days[0]), ShortDay(c.Days[len(c.Days)-1]))
	}
	if len(c.Series) > 1 {
		names := make([]string, len(c.Series))
		for i, s := range c.Series {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, "; the highest is %d.", c.Max)
	if o.Target != nil {
		fmt.Fprintf(&b, " A line marks %s at %d.", o.Target.Label, o.Target.Value)
	}
	if o.Desc != "" {
		b.WriteString(" " + o.Desc)
	}
	return b.String()
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
