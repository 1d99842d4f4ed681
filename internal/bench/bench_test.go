package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/internal/pgtest"
	"github.com/marketplace/helpcentre/internal/proc"
)

// exeDir holds the helpcentre binary the bench tests start as the server
// under test, built once for the package.
var exeDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "helpcentre-bench-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exeDir = dir
	code := pgtest.Run(m) // the PostgreSQL probe's test starts a cluster
	os.RemoveAll(dir)
	os.Exit(code)
}

// helpcentreExe builds cmd/helpcentre, as the bench re-executes it in
// production.
var helpcentreExe = sync.OnceValues(func() (string, error) {
	exe := filepath.Join(exeDir, "helpcentre")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", exe, "../../cmd/helpcentre").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return exe, nil
})

// serverExe is helpcentreExe or the test's end.
func serverExe(t *testing.T) string {
	t.Helper()
	exe, err := helpcentreExe()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestMetricValue(t *testing.T) {
	text := "# HELP go_memstats_heap_alloc_bytes Number of heap bytes allocated and currently in use.\n" +
		"# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes_total 1\n" +
		"go_memstats_heap_alloc_bytes 4.194304e+07\n"
	got, err := metricValue([]byte(text), "go_memstats_heap_alloc_bytes")
	if err != nil || got != 41943040 {
		t.Errorf("got %v, %v; want 41943040", got, err)
	}
	if _, err := metricValue([]byte(text), "nope"); err == nil {
		t.Error("missing metric: no error")
	}
}

func TestPrefixes(t *testing.T) {
	got := prefixes("where is my invoice")
	want := []string{"whe", "where", "where is", "where is my invoi"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestBenchCommand runs the whole bench on the bundled articles alone with
// very short phases: the child server starts, every figure is filled in,
// and the JSON has the shape. It checks no timings.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads it for a few seconds")
	}
	var out, errb bytes.Buffer
	err := Run(t.Context(), Options{Sizes: []int{0}, Duration: 200 * time.Millisecond, Concurrency: 4, Seed: 1, MaxRequests: 1_000_000,
		Queries: "../../search/testdata/bitext/queries_dev.jsonl", DistinctQueries: []string{"../../search/testdata/es/queries_dev.jsonl"},
		DomainThreads: 200, Runs: 2, JSON: true, Exe: serverExe(t)}, &out, &errb)
	if runtime.GOOS != "linux" {
		// The server's CPU time and memory are read from /proc.
		if !errors.Is(err, proc.ErrNotAvailable) {
			t.Fatalf("got %v, want proc.ErrNotAvailable", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"machine", "go", "sizes", "domain"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("no %q in %s", k, out.String())
		}
	}
	if d, _ := rep["domain"].(map[string]any); d == nil || d["messages"] == nil || d["messages_1_client"] == nil || d["inbox"] == nil {
		t.Errorf("domain figures missing: %v", rep["domain"])
	}
	sizes, _ := rep["sizes"].([]any)
	if len(sizes) != 1 {
		t.Fatalf("sizes: %v", rep["sizes"])
	}
	s := sizes[0].(map[string]any)
	positive := func(where string, m any, keys ...string) {
		t.Helper()
		mm, _ := m.(map[string]any)
		for _, k := range keys {
			if v, _ := mm[k].(float64); !(v > 0) {
				t.Errorf("%s.%s = %v, want > 0", where, k, mm[k])
			}
		}
	}
	positive("index", s["index"], "build_s", "docs_per_s", "reload_ms", "disk_mb", "rss_mb", "heap_mb", "rss_after_load_mb")
	if s["docs"] != 84.0 || s["content_errors"] != 0.0 {
		t.Errorf("docs %v, content errors %v; want the 84 bundled articles, no errors", s["docs"], s["content_errors"])
	}
	inproc, _ := s["inprocess"].(map[string]any)
	for _, c := range inprocClasses {
		positive("inprocess."+c.key, inproc[c.key], "p50_ms", "p90_ms", "p99_ms")
	}
	hr, _ := s["http"].(map[string]any)
	for _, r := range []string{"/api/v1/search", "/api/v1/suggest"} {
		positive("http."+r, hr[r], "qps", "cpu_ms", "p50_ms", "p99_ms")
		if e := hr[r].(map[string]any)["errors"]; e != 0.0 {
			t.Errorf("http.%s: %v failed requests", r, e)
		}
	}
	positive("http.baseline", hr["baseline"], "qps")
	// --runs 2: each route's p99 of both runs beside their median
	for _, r := range []string{"/api/v1/search", "/api/v1/suggest", "/api/v1/deflect"} {
		if runs, _ := hr[r].(map[string]any)["p99_runs_ms"].([]any); len(runs) != 2 {
			t.Errorf("http.%s.p99_runs_ms = %v, want two runs' p99", r, hr[r].(map[string]any)["p99_runs_ms"])
		}
	}

	// The never-repeating stream, and the plain Bleve anchor on both.
	if n, _ := s["distinct_questions"].(float64); n < 810+221 {
		t.Errorf("distinct_questions = %v, want at least the 810 dev and 221 Spanish questions", s["distinct_questions"])
	}
	dr, _ := s["distinct"].(map[string]any)
	positive("distinct./api/v1/search", dr["/api/v1/search"], "qps", "cpu_ms", "p50_ms", "p99_ms")
	anchors, _ := s["anchors"].(map[string]any)
	bl, _ := anchors["bleve"].(map[string]any)
	positive("anchors.bleve", bl, "docs", "segments", "build_s", "rss_mb")
	if bl["docs"] != 84.0 || bl["segments"] != 1.0 {
		t.Errorf("anchor: %v docs in %v segments, want the 84 bundled articles in one segment", bl["docs"], bl["segments"])
	}
	for _, st := range []string{"cycled", "distinct"} {
		positive("anchors.bleve."+st, bl[st], "qps", "cpu_ms", "p50_ms", "p99_ms")
		if e := bl[st].(map[string]any)["errors"]; e != 0.0 {
			t.Errorf("anchors.bleve.%s: %v failed requests", st, e)
		}
	}
	positive("anchors.bleve.cpu_ratio", bl["cpu_ratio"], "cycled", "distinct")
	// --runs 2: the anchor measured in each run, beside the project's
	rr, _ := bl["cpu_ratio_runs"].(map[string]any)
	for _, st := range []string{"cycled", "distinct"} {
		if runs, _ := rr[st].([]any); len(runs) != 2 {
			t.Errorf("anchors.bleve.cpu_ratio_runs.%s = %v, want two runs' ratios", st, rr[st])
		}
		if runs, _ := bl[st].(map[string]any)["p99_runs_ms"].([]any); len(runs) != 2 {
			t.Errorf("anchors.bleve.%s.p99_runs_ms = %v, want two runs", st, bl[st].(map[string]any)["p99_runs_ms"])
		}
	}
}

// The anchor's ratio is the median of each run's: a drift of the machine
// between runs moves both servers' figures, not the ratio.
func TestRunRatios(t *testing.T) {
	ours := []routeReport{{CPUms: 0.3}, {CPUms: 0.6}, {CPUms: 0.4}}
	anchor := []routeReport{{CPUms: 1.0}, {CPUms: 1.5}, {CPUms: 2.0}}
	med, runs := runRatios(ours, anchor)
	if want := []float64{0.3, 0.4, 0.2}; !reflect.DeepEqual(runs, want) {
		t.Errorf("runs %v, want %v in run order", runs, want)
	}
	if med != 0.3 {
		t.Errorf("median %v, want 0.3", med)
	}
	if med, runs := runRatios(ours, []routeReport{{CPUms: 0}}); med != 0 || runs != nil {
		t.Errorf("no anchor CPU: %v %v, want none", med, runs)
	}
}

func TestParseRSSSplit(t *testing.T) {
	anon, file := parseRSSSplit([]byte("Name:\thelpcentre\nVmRSS:\t  300000 kB\nRssAnon:\t  204800 kB\nRssFile:\t   97280 kB\nRssShmem:\t       0 kB\n"))
	if anon != 200 || file != 95 {
		t.Fatalf("anon %v file %v, want 200 and 95", anon, file)
	}
	if a, f := parseRSSSplit([]byte("Name:\tx\n")); a != 0 || f != 0 {
		t.Fatalf("no lines: %v %v", a, f)
	}
}

func TestMedianRuns(t *testing.T) {
	one := routeReport{QPS: 10, P99: 3}
	if got := medianRuns([]routeReport{one}); !reflect.DeepEqual(got, one) {
		t.Errorf("one run: %+v, want it as it was", got)
	}
	got := medianRuns([]routeReport{{QPS: 30, P99: 9, Errors: 1}, {QPS: 10, P99: 2}, {QPS: 20, P99: 4, Errors: 2}})
	want := routeReport{QPS: 20, P99: 4, Errors: 3, P99Runs: []float64{9, 2, 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := medianRuns([]routeReport{{P99: 2}, {P99: 5}}); got.P99 != 3.5 {
		t.Errorf("two runs: p99 %v, want the mean of the middle two, 3.5", got.P99)
	}
}
