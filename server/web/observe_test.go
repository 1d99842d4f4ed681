package web

import (
	"log/slog"
	"testing"
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
