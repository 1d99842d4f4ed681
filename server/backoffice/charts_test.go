package backoffice

import (
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

func TestOperatorShopCharts(t *testing.T) {
	days := []domain.DayStats{{Day: "2026-11-01", IncidentsOpened: 4}, {Day: "2026-11-02"}, {Day: "2026-11-03", IncidentsOpened: 1}}
	charts := opShopCharts(days)
	if len(charts) != 6 {
		t.Fatalf("%d charts, want 6", len(charts))
	}
	inc := charts[3]
	if inc.ID != "chart-incidents" || inc.Title != "Incidents opened" {
		t.Fatalf("the fourth chart is %q %q, want the incidents", inc.ID, inc.Title)
	}
	if got, want := inc.Note, "per day; 5 in all, at most 4 a day"; got != want {
		t.Errorf("caption note %q, want %q", got, want)
	}
	if len(inc.Bars) != 2 || inc.Bars[0].Title != "Sun 1 Nov 2026: 4" || inc.Bars[1].Title != "Tue 3 Nov 2026: 1" || inc.Bars[0].Class != "bar" {
		t.Errorf("bars: %+v", inc.Bars)
	}
	if len(inc.Legend()) != 0 {
		t.Errorf("a chart of one figure has a legend: %+v", inc.Legend())
	}
	if !charts[0].Empty {
		t.Error("a chart of nothing but zeros is not empty")
	}
}

func TestSellerCharts(t *testing.T) {
	days := []domain.DayStats{{Day: "2026-11-01", CustomerMessages: 3, AnsweredWithin48h: 2, Refunds: 1}, {Day: "2026-11-02"}}
	charts := sellerCharts(days)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3", len(charts))
	}
	share, replies, after := charts[0], charts[1], charts[2]
	// The share answered within 48 h, against the target; no bar for a day
	// without messages.
	if share.Target == nil || len(share.Bars) != 1 || share.Bars[0].Title != "Sun 1 Nov 2026: 67 %" || share.Ticks[len(share.Ticks)-1].Label != "100 %" {
		t.Errorf("share chart: target %+v, bars %+v, ticks %+v", share.Target, share.Bars, share.Ticks)
	}
	if len(replies.Legend()) != 2 || len(after.Legend()) != 3 || replies.Legend()[0].Class != "s1" || after.Legend()[2].Name != "Refunds" {
		t.Errorf("legends: %+v and %+v", replies.Legend(), after.Legend())
	}
	if replies.Max != 3 || after.Max != 1 {
		t.Errorf("highest values %d and %d, want 3 and 1", replies.Max, after.Max)
	}
	if len(after.Bars) != 1 || after.Bars[0].Title != "Sun 1 Nov 2026, Refunds: 1" || after.Bars[0].Class != "s5" {
		t.Errorf("after-sales bars: %+v", after.Bars)
	}
}

func TestReportChartFillsEmptyDays(t *testing.T) {
	from := time.Date(2026, 11, 1, 15, 0, 0, 0, time.UTC)
	rep := &domain.DeflectionReport{From: from, To: from.AddDate(0, 0, 3),
		ByDay: []domain.DayCounts{{Day: "2026-11-02", DeflectionCounts: domain.DeflectionCounts{Sessions: 5, Handoffs: 1, Strict: 2}}}}
	ch := reportChart(rep)
	if got, want := len(ch.Days), 4; got != want {
		t.Fatalf("%d days (%v), want %d: 1 to 4 Nov", got, ch.Days, want)
	}
	if ch.Days[0] != "2026-11-01" || ch.Series[0].Values[1] != 5 || ch.Series[1].Values[1] != 1 || ch.Series[2].Values[1] != 2 || ch.Series[0].Values[0] != 0 {
		t.Errorf("days %v, series %+v", ch.Days, ch.Series)
	}
	if !ch.Table || len(ch.Bars) != 3 {
		t.Errorf("table %v, %d bars", ch.Table, len(ch.Bars))
	}
}

// TestOpStatsCharts: customer care compares the shops with the 48 h target;
// a shop without messages has no bar.
func TestOpStatsCharts(t *testing.T) {
	rows := []opShopStatsRow{
		{Shop: domain.Shop{ID: "shop-1", Name: "Nordic Home"}, Stats: &domain.ShopStats{CustomerMessages: 6, AnsweredWithin48hPct: 66.7, AvgFirstResponseSeconds: 80640}},
		{Shop: domain.Shop{ID: "shop-2", Name: "Casa Sol"}, Stats: &domain.ShopStats{}},
	}
	charts := opStatsCharts(rows)
	if len(charts) != 2 {
		t.Fatalf("%d charts", len(charts))
	}
	share, first := charts[0], charts[1]
	if share.Target == nil || share.Target.Label == "" || len(share.Bars) != 1 || share.Bars[0].Title != "Nordic Home: 67 %" || share.Labels[1].Text != "Casa Sol" {
		t.Errorf("share: %+v %+v %+v", share.Target, share.Bars, share.Labels)
	}
	if first.Target == nil || first.Ticks[len(first.Ticks)-1].Label != "50 h" || len(first.Bars) != 1 || first.Bars[0].Title != "Nordic Home: 22 h" {
		t.Errorf("first response: %+v %+v %+v", first.Target, first.Ticks, first.Bars)
	}
}
