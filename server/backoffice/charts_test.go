package backoffice

import (
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestOperatorShopCharts(t *testing.T) {
	days := []domain.DayStats{{Day: "2026-11-01", IncidentsOpened: 4}, {Day: "2026-11-02"}, {Day: "2026-11-03", IncidentsOpened: 1}}
	charts := opShopCharts(days)
	if len(charts) != 5 {
		t.Fatalf("%d charts, want 5", len(charts))
	}
	var inc opBarChart
	for _, c := range charts {
		if c.ID == "incidents" {
			inc = c
		}
	}
	if inc.Max != 4 || inc.Total != 5 || len(inc.Bars) != 3 {
		t.Fatalf("incidents chart: max %d total %d bars %d", inc.Max, inc.Total, len(inc.Bars))
	}
	full, none, one := inc.Bars[0], inc.Bars[1], inc.Bars[2]
	if full.H != opChartPlotH || full.Y != opChartTop {
		t.Errorf("the highest bar is %v high at %v, want the plot's height %v from its top", full.H, full.Y, opChartPlotH)
	}
	if none.H != 0 || one.H != opChartPlotH/4 || one.Y+one.H != opChartTop+opChartPlotH {
		t.Errorf("bars: empty day %v high; a quarter day %v high ending at %v", none.H, one.H, one.Y+one.H)
	}
	if full.X+full.W > none.X || none.X+none.W > one.X || one.X+one.W > opChartW {
		t.Errorf("bars overlap or leave the chart: %+v", inc.Bars)
	}
	if len(inc.Labels) != 3 || inc.Labels[0].Label != "1 Nov" || inc.Labels[2].Label != "3 Nov" {
		t.Errorf("day labels: %+v", inc.Labels)
	}
	// A day with a count too small to see still shows a bar.
	tiny := opShopCharts([]domain.DayStats{{Day: "2026-11-01", Claims: 1000}, {Day: "2026-11-02", Claims: 1}})
	for _, c := range tiny {
		if c.ID == "claims" && c.Bars[1].H < 2 {
			t.Errorf("a day with 1 of 1000 is %v high", c.Bars[1].H)
		}
	}
}
