package deflect

import "testing"

// TestLoopbackOrigins: the demo's Loopback lets pages served on this machine
// embed the widget, whatever their port, and nothing else; without it only
// the list counts.
func TestLoopbackOrigins(t *testing.T) {
	listed := &Handler{origins: map[string]bool{"https://shop.example": true}}
	demo := &Handler{cfg: Config{Loopback: true}, origins: listed.origins}
	for _, c := range []struct {
		origin     string
		demo, list bool
	}{
		{"https://shop.example", true, true},
		{"http://localhost:8000", true, false},
		{"http://localhost", true, false},
		{"http://127.0.0.1:5500", true, false},
		{"https://127.0.0.2:8443", true, false},
		{"http://[::1]:3000", true, false},
		{"http://localhost.evil.example", false, false},
		{"http://127.0.0.1.evil.example:8000", false, false},
		{"http://192.168.1.10:8000", false, false},
		{"null", false, false},
		{"file://", false, false},
		{"ftp://localhost", false, false},
	} {
		if got := demo.allowed(c.origin); got != c.demo {
			t.Errorf("demo: %s allowed %v, want %v", c.origin, got, c.demo)
		}
		if got := listed.allowed(c.origin); got != c.list {
			t.Errorf("listed: %s allowed %v, want %v", c.origin, got, c.list)
		}
	}
}
