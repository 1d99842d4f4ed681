package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestClientLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080"} {
		if _, err := NewClient(addr, 1); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	for _, addr := range []string{"10.0.0.1:80", "example.com:80", "localhost:80", "0.0.0.0:80", "127.0.0.1"} {
		if _, err := NewClient(addr, 1); err == nil {
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

func TestClosedIsBounded(t *testing.T) {
	srv, n := countingServer(t)
	c, err := NewClient(strings.TrimPrefix(srv.URL, "http://"), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdle()
	ctx := context.Background()

	// Bounded by time.
	start := time.Now()
	res, err := Closed(ctx, c, []string{"/ok"}, Phase{Concurrency: 4, Duration: 200 * time.Millisecond, MaxRequests: 1_000_000})
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
	res, err = Closed(ctx, c, []string{"/ok", "/fail"}, Phase{Concurrency: 4, Duration: time.Minute, MaxRequests: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 50 || n.Load() != 50 || res.Errors != 25 {
		t.Errorf("requests %d (server saw %d), errors %d; want 50, 50, 25", res.Requests, n.Load(), res.Errors)
	}

	// The caller's cancellation stops it and is reported.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Closed(cctx, c, []string{"/ok"}, Phase{Concurrency: 4, Duration: time.Minute}); err == nil {
		t.Error("cancelled phase: no error")
	}
}

func TestOpenFollowsTheSchedule(t *testing.T) {
	srv, n := countingServer(t)
	c, err := NewClient(strings.TrimPrefix(srv.URL, "http://"), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdle()
	// 500/s for 200 ms is 100 requests, however fast the server is.
	res, err := Open(context.Background(), c, []string{"/ok"}, Phase{Rate: 500, Duration: 200 * time.Millisecond, MaxRequests: 1_000_000, Workers: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 100 || n.Load() != 100 || res.Errors != 0 || len(res.Lat) != 100 {
		t.Errorf("requests %d (server saw %d), errors %d, latencies %d; want 100", res.Requests, n.Load(), res.Errors, len(res.Lat))
	}
	// The request cap wins over the duration.
	res, err = Open(context.Background(), c, []string{"/ok"}, Phase{Rate: 500, Duration: time.Minute, MaxRequests: 30, Workers: 8})
	if err != nil || res.Requests != 30 {
		t.Errorf("capped: %d requests, %v; want 30", res.Requests, err)
	}
}

func TestPostTarget(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type") + " " + string(b))
	}))
	defer srv.Close()
	c, err := NewClient(strings.TrimPrefix(srv.URL, "http://"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdle()
	res, err := Closed(context.Background(), c, []string{PostTarget("/api/v1/deflect", []byte(`{"subject":"a\nb"}`))}, Phase{Concurrency: 1, Duration: time.Minute, MaxRequests: 1})
	if err != nil || res.Requests != 1 || res.Errors != 0 {
		t.Fatalf("got %+v, %v", res, err)
	}
	if want := `POST /api/v1/deflect application/json {"subject":"a\nb"}`; got.Load() != want {
		t.Errorf("got %q, want %q", got.Load(), want)
	}
}
