package web

import (
	"html/template"
	"strings"
	"testing"
	"time"
)

func chartDays(n int) []string {
	days := make([]string, n)
	for i := range days {
		days[i] = "2026-11-" + string(rune('0'+(i+1)/10)) + string(rune('0'+(i+1)%10))
	}
	return days
}

func TestBarChartGrouped(t *testing.T) {
	days := chartDays(3)
	c := NewBarChart("Messages", days, []Series{
		{Name: "In", Class: "s1", Values: []int{4, 0, 1}},
		{Name: "Out", Class: "s2", Values: []int{2, 1000}}, // short: the last day is zero
	}, ChartOptions{ID: "chart-m", Width: 600, Height: 150})
	if c.Max != 1000 || c.Empty || c.Wide {
		t.Fatalf("max %d, empty %v, wide %v", c.Max, c.Empty, c.Wide)
	}
	if len(c.Bars) != 4 {
		t.Fatalf("%d bars, want 4 (zeros are not drawn): %+v", len(c.Bars), c.Bars)
	}
	in0, out0, out1, in2 := c.Bars[0], c.Bars[1], c.Bars[2], c.Bars[3]
	if out1.H != 150 || out1.Y != c.PlotTop || out1.Y+out1.H != c.PlotBottom {
		t.Errorf("the highest bar is %v high at %v, want the plot's height from its top %v", out1.H, out1.Y, c.PlotTop)
	}
	if in0.H < 2 || in2.H < 2 || in2.Y+in2.H != c.PlotBottom {
		t.Errorf("a count too small to see is %v high (want at least 2), ends at %v", in2.H, in2.Y+in2.H)
	}
	if in0.X+in0.W > out0.X || out0.X+out0.W > in2.X || in2.X+in2.W > c.PlotRight || in0.X < c.PlotLeft {
		t.Errorf("bars overlap or leave the plot: %+v", c.Bars)
	}
	if in0.Title != "Sun 1 Nov 2026, In: 4" || in0.Class != "s1" || out1.Class != "s2" {
		t.Errorf("bar tooltips and classes: %+v", c.Bars)
	}
	if len(c.Ticks) != 6 || c.Ticks[0].Label != "0" || c.Ticks[5].Label != "1000" || c.Ticks[5].Y != c.PlotTop {
		t.Errorf("ticks: %+v", c.Ticks)
	}
	if len(c.Labels) != 3 || c.Labels[0].Text != "1 Nov" || c.Labels[2].Text != "3 Nov" {
		t.Errorf("day labels: %+v", c.Labels)
	}
	if len(c.Legend()) != 2 || len(c.Series[1].Values) != 3 {
		t.Errorf("legend %+v, series %+v", c.Legend(), c.Series)
	}
	if want := "Bars per day from 1 Nov to 3 Nov (In, Out); the highest is 1000."; c.Desc != want {
		t.Errorf("desc %q, want %q", c.Desc, want)
	}
}

func TestBarChartStackedAndTarget(t *testing.T) {
	c := NewBarChart("Replies", chartDays(2), []Series{
		{Name: "On time", Class: "s2", Values: []int{3, 1}},
		{Name: "Late", Class: "s3", Values: []int{1, 0}},
	}, ChartOptions{ID: "r", Stacked: true, Target: &Target{Value: 5, Label: "goal"}, Height: 100})
	if c.Max != 4 {
		t.Errorf("max %d, want the highest stack, 4", c.Max)
	}
	onTime, late := c.Bars[0], c.Bars[1]
	if onTime.X != late.X || onTime.W != late.W || late.Y+late.H != onTime.Y || onTime.Y+onTime.H != c.PlotBottom {
		t.Errorf("not stacked: %+v", c.Bars)
	}
	// The scale reaches the target: 5, with ticks 0…5.
	if c.Target == nil || c.Target.Y != c.PlotTop || c.Ticks[len(c.Ticks)-1].Label != "5" || late.Y != c.PlotTop+20 {
		t.Errorf("target %+v, ticks %+v, bars %+v", c.Target, c.Ticks, c.Bars)
	}
	if !strings.HasPrefix(c.Desc, "Stacked bars per day") || !strings.Contains(c.Desc, "goal at 5") {
		t.Errorf("desc %q", c.Desc)
	}
}

func TestBarChartManyDaysScroll(t *testing.T) {
	days := make([]string, 365)
	for i := range days {
		days[i] = "2026-01-01"
	}
	c := NewBarChart("A year", days, []Series{{Name: "a", Class: "s1"}, {Name: "b", Class: "s2"}, {Name: "c", Class: "s3"}}, ChartOptions{})
	if !c.Wide || c.Width <= 960 || !c.Empty {
		t.Errorf("365 days of three series: wide %v, %v units, empty %v", c.Wide, c.Width, c.Empty)
	}
	if len(c.Labels) > int(c.PlotRight-c.PlotLeft)/labelWidth+1 {
		t.Errorf("%d day labels over %v units overlap", len(c.Labels), c.PlotRight-c.PlotLeft)
	}
	fit := NewBarChart("A year", days, []Series{{Name: "a", Class: "s1", Values: []int{1}}}, ChartOptions{Width: 600, Fit: true})
	if fit.Wide || fit.Width != 600 || fit.Bars[0].X+fit.Bars[0].W > fit.PlotLeft+(fit.PlotRight-fit.PlotLeft)/365 {
		t.Errorf("a year fitted in 600 units: wide %v, %v units, first bar %+v", fit.Wide, fit.Width, fit.Bars[0])
	}
	if len(fit.Labels) > int(fit.PlotRight-fit.PlotLeft)/labelWidth+1 {
		t.Errorf("%d day labels over %v units overlap", len(fit.Labels), fit.PlotRight-fit.PlotLeft)
	}
}

func TestChartScale(t *testing.T) {
	for _, tc := range []struct{ top, step, scale int }{{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {7, 2, 8}, {13, 5, 15}, {1000, 200, 1000}, {1001, 500, 1500}} {
		if step, scale := chartScale(tc.top); step != tc.step || scale != tc.scale {
			t.Errorf("chartScale(%d) = %d, %d; want %d, %d", tc.top, step, scale, tc.step, tc.scale)
		}
	}
}

func TestBarChartTemplate(t *testing.T) {
	page := template.Must(template.New("page").Parse(`{{template "barchart" .}}`))
	if err := AddBarChart(page); err != nil {
		t.Fatal(err)
	}
	render := func(c BarChart) string {
		var b strings.Builder
		if err := page.Execute(&b, c); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	c := NewBarChart(`Sessions <b>&</b>`, chartDays(2), []Series{
		{Name: "Sessions", Class: "s1", Values: []int{3, 1}},
		{Name: `Hand<offs>`, Class: "s3", Values: []int{1, 0}},
	}, ChartOptions{ID: "chart-s", Note: "per day", Class: "panel", Table: true, Target: &Target{Value: 2, Label: "goal"}})
	html := render(c)
	for _, want := range []string{
		`<figure class="barchart panel">`, `<figcaption id="chart-s">Sessions &lt;b&gt;&amp;&lt;/b&gt; <span class="muted">(per day)</span>`,
		`role="img" aria-labelledby="chart-s" aria-describedby="chart-s-desc"`, `<desc id="chart-s-desc">Bars per day from 1 Nov to 2 Nov`,
		`<rect class="s1"`, `<title>Sun 1 Nov 2026, Hand&lt;offs&gt;: 1</title>`, `<line class="target"`, `>goal</text>`,
		`<span class="swatch s3" aria-hidden="true"></span> Hand&lt;offs&gt;</li>`,
		`<th scope="col">Hand&lt;offs&gt;</th>`, `<tr><th scope="row">Mon 2 Nov 2026</th><td>1</td><td>0</td></tr>`,
		// The phone's layout, its own description, shown by the page's width.
		`<div class="chart-scroll chart-wide">`, `<div class="chart-scroll chart-phone"><svg viewBox="0 0 420 `,
		`aria-labelledby="chart-s" aria-describedby="chart-s-phone-desc"`, `<desc id="chart-s-phone-desc">`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the chart lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, "style=") || strings.Contains(html, "ZgotmplZ") {
		t.Errorf("inline style or an escaped value:\n%s", html)
	}
	empty := render(NewBarChart("Nothing", chartDays(2), []Series{{Name: "a", Class: "s1"}}, ChartOptions{ID: "e"}))
	if strings.Contains(empty, "<svg") || !strings.Contains(empty, "Nothing to show in this period.") || strings.Contains(empty, "legend") {
		t.Errorf("an empty chart:\n%s", empty)
	}
}

// TestBarChartPhoneUnitsNames: a chart has a phone layout with every day in
// 420 units, ending at the last day; a unit follows every value; no value
// (negative) draws no bar and a dash; names are labelled as given.
func TestBarChartPhoneUnitsNames(t *testing.T) {
	days := make([]string, 90)
	for i := range days {
		days[i] = time.Date(2026, 9, 8, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
	}
	vals := make([]int, 90)
	for i := range vals {
		vals[i] = i % 101
	}
	vals[89] = 100
	vals[3] = -1
	c := NewBarChart("Share", days, []Series{{Name: "Answered", Class: "s2", Values: vals}},
		ChartOptions{ID: "x", Unit: " %", Target: &Target{Value: 100, Label: "48 h target"}, Table: true})
	p := c.Phone
	if p == nil || p.Width != phoneWidth || p.Wide || p.Table || p.Phone != nil || p.DescID != "x-phone-desc" || p.ID != "x" {
		t.Fatalf("phone layout: %+v", p)
	}
	last := p.Bars[len(p.Bars)-1]
	if last.X+last.W > p.PlotRight || p.PlotRight-(last.X+last.W) > (p.PlotRight-p.PlotLeft)/90 || last.Title != "Sun 6 Dec 2026: 100 %" {
		t.Errorf("the phone's last bar %+v does not end the plot at %v", last, p.PlotRight)
	}
	if p.Labels[len(p.Labels)-1].X > p.PlotRight || len(p.Labels) > int(p.PlotRight-p.PlotLeft)/labelWidth+1 {
		t.Errorf("phone labels: %+v", p.Labels)
	}
	if c.Ticks[len(c.Ticks)-1].Label != "100 %" || c.Target == nil || !strings.Contains(c.Desc, "48 h target at 100 %") {
		t.Errorf("units: ticks %+v, desc %q", c.Ticks, c.Desc)
	}
	if len(c.Bars) != 89 || c.Bars[0].H != 2 || c.Rows[3].Cells[0] != "—" || c.Rows[4].Cells[0] != "4 %" || c.Rows[0].Label != "Tue 8 Sep 2026" {
		t.Errorf("%d bars (want 89: none for no value; against a target a zero is a stub), rows %+v", len(c.Bars), c.Rows[:5])
	}
	if zero := NewBarChart("Share", days[:2], []Series{{Name: "a", Values: []int{0, -1}}}, ChartOptions{Target: &Target{Value: 100}}); zero.Empty {
		t.Error("a 0 % day read against a target is nothing to show")
	}
	if small := NewBarChart("Small", days[:3], []Series{{Name: "a", Values: []int{1, 2, 3}}}, ChartOptions{Width: phoneWidth}); small.Phone != nil {
		t.Error("a chart as narrow as a phone's has a phone layout")
	}

	shops := NewBarChart("By shop", []string{"Nordic Home", "Casa Sol"}, []Series{{Name: "First response", Class: "s1", Values: []int{22, 60}}},
		ChartOptions{ID: "s", Width: 600, Fit: true, Names: true, Unit: " h", Target: &Target{Value: 48, Label: "48 h target"}})
	if len(shops.Labels) != 2 || shops.Labels[0].Text != "Nordic Home" || shops.Bars[1].Title != "Casa Sol: 60 h" || shops.Bars[0].W > 48 {
		t.Errorf("names: labels %+v, bars %+v", shops.Labels, shops.Bars)
	}
	if !strings.HasPrefix(shops.Desc, "Bars for Nordic Home, Casa Sol; the highest is 60 h. A line marks 48 h target at 48 h.") {
		t.Errorf("desc %q", shops.Desc)
	}
}
