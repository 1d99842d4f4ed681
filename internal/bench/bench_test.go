package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the bench test re-execute this test binary as the server
// under test, as the real bench re-executes helpcentre.
func TestMain(m *testing.M) {
	if os.Getenv("HELPCENTRE_BENCH_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestParseProcStat(t *testing.T) {
	// A command name with a space and a parenthesis; utime 1234, stime 66.
	stat := "4242 (hc (x) serve) S 1 4242 4242 0 -1 4194560 2786 0 0 0 1234 66 0 0 20 0 9 0 123 1234567 890 18446744073709551615\n"
	got, err := parseProcStat([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if want := 13 * time.Second; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseProcStat([]byte("4242 (short) S 1 2")); err == nil {
		t.Error("a truncated stat line parsed")
	}
	// This process's own stat parses.
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip("no /proc")
	}
	if _, err := parseProcStat(data); err != nil {
		t.Errorf("/proc/self/stat: %v", err)
	}
}

func TestParseMachineStat(t *testing.T) {
	// user nice system idle iowait irq softirq steal: 270 ticks running
	// processes or stolen.
	stat := "cpu  100 10 150 9000 500 5 25 10 0 0\ncpu0 50 5 75 4500 250 2 12 5 0 0\n"
	got, err := parseMachineStat([]byte(stat))
	if err != nil || got != 2700*time.Millisecond {
		t.Errorf("got %v, %v; want 2.7s", got, err)
	}
	if _, err := parseMachineStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("no cpu line: no error")
	}
	a := cpuWindow{machine: 10 * time.Second, self: 2 * time.Second, server: 3 * time.Second}
	b := cpuWindow{machine: 14 * time.Second, self: 3 * time.Second, server: 5 * time.Second}
	if got := others(a, b); got != time.Second {
		t.Errorf("others: got %v, want 1s", got)
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\thelpcentre\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n"
	got, err := parseVmRSS([]byte(status))
	if err != nil || got != 123456<<10 {
		t.Errorf("got %d, %v; want %d", got, err, 123456<<10)
	}
	if _, err := parseVmRSS([]byte("Name:\tx\n")); err == nil {
		t.Error("no VmRSS line: no error")
	}
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

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1000, 10k,100_000")
	if err != nil || len(got) != 3 || got[0] != 1000 || got[1] != 10000 || got[2] != 100000 {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "ten", "-5", "1000,,2000"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPrefixes(t *testing.T) {
	got := prefixes("where is my invoice")
	want := []string{"whe", "where", "where is", "where is my invoi"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoadClientLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080"} {
		if _, err := newLoadClient(addr, 1); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	for _, addr := range []string{"10.0.0.1:80", "example.com:80", "localhost:80", "0.0.0.0:80", "127.0.0.1"} {
		if _, err := newLoadClient(addr, 1); err == nil {
			t.Errorf("%s: accepted", addr)
		}
	}
}

// countingServer answers 200 on /ok and 500 elsewhere, counting requests.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/ok" {
			w.WriteHeader(500)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestClosedLoopIsBounded(t *testing.T) {
	srv, n := countingServer(t)
	c, err := newLoadClient(strings.TrimPrefix(srv.URL, "http://"), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.closeIdle()
	ctx := context.Background()

	// Bounded by time.
	start := time.Now()
	res, err := closedLoop(ctx, c, []string{"/ok"}, 4, 200*time.Millisecond, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a 200 ms phase took %v", took)
	}
	if res.Requests == 0 || res.Errors != 0 || len(res.Lat) != res.Requests || int64(res.Requests) != n.Load() {
		t.Errorf("requests %d, errors %d, latencies %d, server saw %d", res.Requests, res.Errors, len(res.Lat), n.Load())
	}

	// Bounded by count, and failures are counted.
	n.Store(0)
	res, err = closedLoop(ctx, c, []string{"/ok", "/fail"}, 4, time.Minute, 50)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50 || n.Load() != 50 || res.Errors != 25 {
		t.Errorf("requests %d (server saw %d), errors %d; want 50, 50, 25", res.Requests, n.Load(), res.Errors)
	}

	// The caller's cancellation stops it and is reported.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := closedLoop(cctx, c, []string{"/ok"}, 4, time.Minute, 1_000_000); err == nil {
		t.Error("cancelled phase: no error")
	}
}

func TestOpenLoopFollowsTheSchedule(t *testing.T) {
	srv, n := countingServer(t)
	c, err := newLoadClient(strings.TrimPrefix(srv.URL, "http://"), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer c.closeIdle()
	// 500/s for 200 ms is 100 requests, however fast the server is.
	res, err := openLoop(context.Background(), c, []string{"/ok"}, 500, 200*time.Millisecond, 1_000_000, 8)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 100 || n.Load() != 100 || res.Errors != 0 || len(res.Lat) != 100 {
		t.Errorf("requests %d (server saw %d), errors %d, latencies %d; want 100", res.Requests, n.Load(), res.Errors, len(res.Lat))
	}
	// The request cap wins over the duration.
	res, err = openLoop(context.Background(), c, []string{"/ok"}, 500, time.Minute, 30, 8)
	if err != nil || res.Requests != 30 {
		t.Errorf("capped: %d requests, %v; want 30", res.Requests, err)
	}
}

// TestBenchCommand runs the whole bench on the bundled articles alone with
// very short phases: the child server starts, every figure is filled in,
// and the JSON has the shape. It checks no timings.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads it for a few seconds")
	}
	t.Setenv("HELPCENTRE_BENCH_CHILD", "1")
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"bench", "--articles", "0", "--duration", "200ms", "--concurrency", "4",
		"--queries", "../../search/testdata/bitext/queries_dev.jsonl", "--domain-threads", "200", "--json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
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
}
