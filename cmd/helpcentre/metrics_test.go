package main

import (
	"context"
	"io"
	"net/http"
	"strings"
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
