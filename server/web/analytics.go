package web

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/marketplace/helpcentre/domain"
)

// SearchAnalyticsCSV writes the daily series, then the top queries, as CSV.
func SearchAnalyticsCSV(a *domain.SearchAnalytics) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	_ = w.Write([]string{"day", "searches", "zero_results", "with_click", "clicks", "zero_result_rate", "no_click_rate", "click_through", "mean_click_position"})
	for _, d := range a.ByDay {
		_ = w.Write([]string{d.Day, strconv.Itoa(d.Searches), strconv.Itoa(d.ZeroResults), strconv.Itoa(d.WithClick), strconv.Itoa(d.Clicks),
			f(d.ZeroRate), f(d.NoClickRate), f(d.ClickThrough), f(d.MeanPosition)})
	}
	t := a.Totals
	_ = w.Write([]string{"total", strconv.Itoa(t.Searches), strconv.Itoa(t.ZeroResults), strconv.Itoa(t.WithClick), strconv.Itoa(t.Clicks),
		f(t.ZeroRate), f(t.NoClickRate), f(t.ClickThrough), f(t.MeanPosition)})
	_ = w.Write(nil)
	_ = w.Write([]string{"query", "searches", "zero_results", "with_click", "click_through"})
	for _, q := range a.TopQueries {
		_ = w.Write([]string{csvSafe(q.Query), strconv.Itoa(q.Searches), strconv.Itoa(q.ZeroResults), strconv.Itoa(q.WithClick), f(q.ClickThrough)})
	}
	w.Flush()
	return buf.Bytes()
}

// csvSafe keeps a visitor's query from being read as a formula by a
// spreadsheet (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
