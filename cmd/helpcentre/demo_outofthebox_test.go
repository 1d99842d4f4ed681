package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// checkDemoOutOfTheBox checks the server `make run` starts (serve --demo,
// at base): a page served on this machine, whatever its port, may use the
// widget's API while another site is told why it may not; the demo agent
// reads every shop's statistics; the deflection report has sixty days of
// sessions. TestReadmeWalkThrough calls it on its server (one demo start
// for both: under the race detector a start takes a minute here).
func checkDemoOutOfTheBox(t *testing.T, base string) {
	deflect := func(origin string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", base+"/api/v1/deflect", strings.NewReader(`{"subject":"where is my invoice","entry":"widget"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}
	for _, o := range []string{"http://localhost:8000", "http://127.0.0.1:5500"} {
		if res, m := deflect(o); res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != o || m["session"] == nil {
			t.Errorf("a page at %s: %d %v %v", o, res.StatusCode, res.Header, m)
		}
	}
	if res, m := deflect("https://shop.example"); res.StatusCode != 403 || m["code"] != "origin_not_allowed" || res.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("another site: %d %v %v", res.StatusCode, res.Header, m)
	}

	if status, m := getJSON(t, base+"/api/v1/shops/shop-2/stats", "Authorization", "Bearer demo-olga"); status != 200 || m["shop_id"] != "shop-2" {
		t.Errorf("olga reads shop-2's statistics: %d %v", status, m)
	}
	from := time.Now().UTC().AddDate(0, 0, -61).Format(time.DateOnly)
	status, m := getJSON(t, base+"/api/v1/reports/deflection?from="+from, "Authorization", "Bearer demo-olga")
	totals, _ := m["totals"].(map[string]any)
	if status != 200 || totals == nil || totals["sessions"].(float64) < 100 || totals["handoffs"].(float64) == 0 {
		t.Errorf("the demo's deflection report: %d %v", status, totals)
	}
}
