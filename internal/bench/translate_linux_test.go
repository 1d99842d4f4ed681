package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/marketplace/helpcentre/domain/apertium/apytest"
)

// TestRunTranslate runs bench --translate small against an apertium-apy it
// starts: every run and the pipeline report (20 messages, so that a loaded
// machine still translates them well within the pipeline's 2 minutes). It
// checks no timings.
func TestRunTranslate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts apertium-apy and translates for a few seconds")
	}
	if _, _, err := apytest.Find(); err != nil {
		needs(t, err.Error()+": install it with .ci/deps")
	}
	var out, errb bytes.Buffer
	if err := RunTranslate(t.Context(), TranslateOptions{Messages: 10, Pipeline: 20, JSON: true}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var rep translateBench
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not the report: %v\n%s", err, out.String())
	}
	if len(rep.Runs) != 3 {
		t.Fatalf("runs = %+v", rep.Runs)
	}
	for _, r := range rep.Runs {
		if r.Messages != 10 || r.PerSecond <= 0 {
			t.Errorf("run %+v", r)
		}
	}
	if p := rep.Pipeline; p.Messages != 20 || p.P99MS <= 0 {
		t.Errorf("pipeline = %+v", p)
	}
}

// needs skips a test whose outside dependency is missing, except in CI
// (CI set), where a missing dependency is a failure, never a silent skip.
func needs(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and this test cannot run: %s", why)
	}
	t.Skip(why)
}
