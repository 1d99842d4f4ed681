package domain

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	for d, want := range map[time.Duration]string{48 * time.Hour: "48 h", 72 * time.Hour: "72 h", 4800 * time.Hour: "200 days",
		24 * time.Hour: "24 h", 90 * time.Minute: "90 min", 100 * time.Hour: "100 h", 96 * time.Hour: "4 days"} {
		if got := Window(d); got != want {
			t.Errorf("Window(%v) = %q, want %q", d, got, want)
		}
	}
}
