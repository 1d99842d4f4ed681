package server_test

import (
	"strings"
	"testing"
)

// TestSuggestEncodesFromItsPool: suggestions are encoded from pooled arrays;
// an answer with none says "suggestions": [] (not null), and one after
// another never shows an earlier answer's suggestions.
func TestSuggestEncodesFromItsPool(t *testing.T) {
	s := newServer(t)
	for range 3 {
		sg := get(t, s, "/api/v1/suggest?q=inv").json(t)
		if sug, _ := sg["suggestions"].([]any); len(sug) == 0 || !strings.HasPrefix(sug[0].(map[string]any)["id"].(string), "invoice") {
			t.Fatalf("suggest inv: %v", sg)
		}
		r := get(t, s, "/api/v1/suggest?q=zzqxw")
		if !strings.Contains(string(r.body), `"suggestions":[]`) {
			t.Fatalf("suggest with none: %s", r.body)
		}
	}
}
