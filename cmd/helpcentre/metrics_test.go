package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// TestMetricsLint: everything /metrics serves passes promlint (names, units,
// help, counter suffixes), and the store's metrics are there: its
// transactions by kind and result, its write health, the translation queue
// and the outbox's failure counter.
func TestMetricsLint(t *testing.T) {
	r := start(t, Config{Data: t.TempDir(), AdminToken: testAdminToken, Poll: time.Minute, Shutdown: 5 * time.Second})
	defer r.stop()
	getJSON(t, r.base+"/api/v1/search?q=refund")
	res, err := http.Get(r.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	problems, err := promlint.New(strings.NewReader(string(body))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	for _, want := range []string{
		`helpcentre_store_transaction_duration_seconds_count{kind="update",result="ok"}`,
		`helpcentre_store_transaction_duration_seconds_count{kind="view",result="ok"}`,
		"helpcentre_store_write_healthy 1",
		"helpcentre_translation_queue_jobs 0",
		`helpcentre_outbox_delivery_failures_total{outcome="dead"} 0`,
		"helpcentre_build_info{",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestHealthcheck: the subcommand Docker's HEALTHCHECK runs exits 0 against
// a running server (a wildcard address means this machine) and 1 when
// nothing answers.
func TestHealthcheck(t *testing.T) {
	r := start(t, Config{Data: t.TempDir(), Poll: time.Minute, Shutdown: 5 * time.Second})
	_, port, _ := strings.Cut(strings.TrimPrefix(r.base, "http://"), ":")
	for _, args := range [][]string{{"--addr", ":" + port}, {"--addr", "0.0.0.0:" + port, "--ready"}} {
		if code := Run(context.Background(), append([]string{"healthcheck"}, args...), io.Discard, io.Discard); code != 0 {
			t.Errorf("healthcheck %v: exit %d", args, code)
		}
	}
	r.stop()
	var stderr strings.Builder
	if code := Run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:" + port, "--timeout", "1s"}, io.Discard, &stderr); code != 1 {
		t.Errorf("healthcheck of a stopped server: exit %d, %s", code, stderr.String())
	}
}

// TestRequestLogClient: each request's log line names the client's
// address; behind a trusted proxy, the address the proxy forwards.
func TestRequestLogClient(t *testing.T) {
	var logs lockedBuffer
	r := startLogged(t, Config{Data: t.TempDir(), Poll: time.Minute, Shutdown: 5 * time.Second,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))) // 2xx are logged at DEBUG
	defer r.stop()
	req, _ := http.NewRequest(http.MethodGet, r.base+"/api/v1/search?q=refund", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	waitFor(t, "the request's log line", func() bool {
		return strings.Contains(logs.String(), `msg=request method=GET route=/api/v1/search status=200`)
	})
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "route=/api/v1/search") && !strings.Contains(line, "client=203.0.113.9") {
			t.Errorf("the request log lacks the forwarded client address: %s", line)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
