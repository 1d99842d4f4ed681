package backoffice

import (
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

func TestOperatorShopCharts(t *testing.T) {
	days := []domain.DayStats{{Day: "2026-11-01", IncidentsOpened: 4}, {Day: "2026-11-02"}, {Day: "2026-11-03", IncidentsOpened: 1}}
	charts := opShopCharts(days)
	if len(charts) != 5 {
		t.Fatalf("%d charts, want 5", len(charts))
	}
	inc := charts[2]
	if inc.ID != "chart-incidents" || inc.Title != "Incidents opened" {
		t.Fatalf("the third chart is %q %q, want the incidents", inc.ID, inc.Title)
	}
	if got, want := inc.Note, "per day; 5 in all, at most 4 a day"; got != want {
		t.Errorf("caption note %q, want %q", got, want)
	}
	if len(inc.Bars) != 2 || inc.Bars[0].Title != "2026-11-01: 4" || inc.Bars[1].Title != "2026-11-03: 1" || inc.Bars[0].Class != "bar" {
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
	if len(charts) != 2 {
		t.Fatalf("%d charts, want 2", len(charts))
	}
	replies, after := charts[0], charts[1]
	if len(replies.Legend()) != 2 || len(after.Legend()) != 3 || replies.Legend()[0].Class != "s1" || after.Legend()[2].Name != "Refunds" {
		t.Errorf("legends: %+v and %+v", replies.Legend(), after.Legend())
	}
	if replies.Max != 3 || after.Max != 1 {
		t.Errorf("highest values %d and %d, want 3 and 1", replies.Max, after.Max)
	}
	if len(after.Bars) != 1 || after.Bars[0].Title != "2026-11-01, Refunds: 1" || after.Bars[0].Class != "s5" {
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
