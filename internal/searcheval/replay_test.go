package searcheval

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/search"
)

// simulatedEvents writes simulated traffic from the bitext train split to a
// temporary file and returns its path.
func simulatedEvents(t *testing.T, n int) string {
	t.Helper()
	qs, intents := bitext(t, "queries_train.jsonl")
	var buf bytes.Buffer
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := SimulateTraffic(&buf, qs[:min(n, len(qs))], intents, start, 30, 400, 1); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bitext reads a bitext split and the intent map.
func bitext(t testing.TB, name string) ([]search.EvalQuery, map[string][]string) {
	t.Helper()
	dir := filepath.Join("..", "..", "search", "testdata", "bitext")
	qs, err := ReadQueriesFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	intents, err := ReadIntents(filepath.Join(dir, "intents.json"))
	if err != nil {
		t.Fatal(err)
	}
	return qs, intents
}

func TestReplaySimulatedTraffic(t *testing.T) {
	path := simulatedEvents(t, 3000)
	var out bytes.Buffer
	if err := Replay(context.Background(), ReplayOptions{Events: path, Engine: search.DefaultOptions(), JSON: true}, &out); err != nil {
		t.Fatal(err)
	}
	var rep ReplayReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.Bytes())
	}
	t.Logf("%s", strings.TrimSpace(out.String()))
	if rep.Scored < 300 || rep.Learned == 0 || rep.Without.Hit3 <= 0.3 || rep.With == nil || rep.With.Hit3 < rep.Without.Hit3 {
		t.Errorf("replay report %+v", rep)
	}
}

func TestReadEventsRefusesDisorder(t *testing.T) {
	in := `{"type":"search","at":"2026-01-02T00:00:00Z","query_id":"b","locale":"en","query":"x"}
{"type":"search","at":"2026-01-01T00:00:00Z","query_id":"a","locale":"en","query":"x"}
`
	if _, err := ReadEvents(strings.NewReader(in), "f.jsonl"); err == nil || !strings.Contains(err.Error(), "f.jsonl:2") {
		t.Errorf("got %v, want an error at f.jsonl:2", err)
	}
}
