package searcheval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/search"
)

// TestRun scores a trivial set both ways and checks the report's lines.
func TestRun(t *testing.T) {
	queries := filepath.Join(t.TempDir(), "q.jsonl")
	err := os.WriteFile(queries, []byte(`{"id":"a","query":"how does covid spread","relevant":["cov-002"],"tags":"Z"}
{"id":"b","query":"what is covid","relevant":["cov-001"]}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		deflect bool
		want    []string
	}{
		{false, []string{"queries   2\n", "hit@1     1.0000\n", "typo hit@3 1.0000 (1 queries tagged Z)\n"}},
		{true, []string{"answerable         2\n", "threshold  answer shown  nothing shown (out of scope)\n"}},
	} {
		var out, errb bytes.Buffer
		o := Options{Content: os.DirFS("../../content/testdata/flat"), Deflect: tc.deflect, Queries: []string{queries},
			Locale: "en", Engine: search.DefaultOptions()}
		if err := Run(t.Context(), o, &out, &errb); err != nil {
			t.Fatalf("deflect %v: %v\n%s", tc.deflect, err, errb.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("deflect %v: no %q in\n%s", tc.deflect, w, out.String())
			}
		}
	}
}
