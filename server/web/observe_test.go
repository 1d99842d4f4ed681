package web

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// A 5xx is an error in the log, but /readyz's 503 is its answer while the
// index builds: a load balancer asks every few seconds, and an operator's
// error log must not fill with it.
func TestLogLevelFor(t *testing.T) {
	for _, c := range []struct {
		route  string
		status int
		want   slog.Level
	}{
		{"/readyz", 503, slog.LevelInfo},
		{"/readyz", 500, slog.LevelError},
		{"/readyz", 200, slog.LevelDebug},
		{"/api/v1/search", 503, slog.LevelError},
		{"/api/v1/search", 500, slog.LevelError},
		{"/api/v1/search", 404, slog.LevelInfo},
		{"/api/v1/search", 200, slog.LevelDebug},
	} {
		if got := logLevelFor(c.route, c.status); got != c.want {
			t.Errorf("%s %d: %v, want %v", c.route, c.status, got, c.want)
		}
	}
}

// Observe logs a request at its level with its fields, and nothing when
// the logger is above that level.
func TestObserveLogsAtTheRequestsLevel(t *testing.T) {
	for _, c := range []struct {
		level  slog.Level
		path   string
		logged bool
	}{
		{slog.LevelDebug, "/ok", true},
		{slog.LevelInfo, "/ok", false},
		{slog.LevelInfo, "/missing", true},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: c.level}))
		app := fiber.New()
		app.Use(Observe(log, NewMetrics(prometheus.NewRegistry(), nil)))
		app.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("ok") })
		resp, err := app.Test(httptest.NewRequest("GET", c.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		out := buf.String()
		if got := strings.Contains(out, "msg=request"); got != c.logged {
			t.Errorf("%s at %v: logged %v, want %v: %q", c.path, c.level, got, c.logged, out)
		}
		if c.logged && (!strings.Contains(out, "method=GET") || !strings.Contains(out, "status="+strconv.Itoa(resp.StatusCode)) || !strings.Contains(out, "took_ms=")) {
			t.Errorf("%s: the line lacks its fields: %q", c.path, out)
		}
	}
}
