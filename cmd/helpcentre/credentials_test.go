package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// testAdminToken is a HELPCENTRE_ADMIN_TOKEN strong enough to be accepted.
const testAdminToken = "test-admin-token-0123456789abcdef"

// TestRestartRevokesStaleCredentials: a start without HELPCENTRE_ADMIN_TOKEN
// revokes the token an earlier start stored, a start without -demo revokes
// the demo's well-known tokens (and says so), and a weak admin token is
// refused at start-up.
func TestRestartRevokesStaleCredentials(t *testing.T) {
	dataDir := t.TempDir()
	r := start(t, Config{Data: dataDir, AdminToken: testAdminToken, Demo: true, Policy: domain.DefaultPolicy(), Poll: time.Minute, Shutdown: 5 * time.Second})
	if status, _ := getJSON(t, r.base+"/api/v1/admin/users", "Authorization", "Bearer "+testAdminToken); status != 200 {
		t.Fatalf("admin token: %d", status)
	}
	if status, _ := getJSON(t, r.base+"/api/v1/me", "Authorization", "Bearer demo-adam"); status != 200 {
		t.Fatalf("demo token in demo mode: %d", status)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// Neither the variable nor -demo this time.
	var logs bytes.Buffer
	r = startLogged(t, Config{Data: dataDir, Policy: domain.DefaultPolicy(), Poll: time.Minute, Shutdown: 5 * time.Second}, slog.New(slog.NewTextHandler(&logs, nil)))
	for _, tok := range []string{testAdminToken, "demo-adam", "demo-ana"} {
		if status, _ := getJSON(t, r.base+"/api/v1/me", "Authorization", "Bearer "+tok); status != 401 {
			t.Errorf("%s after a restart without it: %d, want 401", tok[:6], status)
		}
	}
	if !strings.Contains(logs.String(), "revoked the demo tokens") || !strings.Contains(logs.String(), "revoked the admin token") {
		t.Errorf("the log does not say what was revoked:\n%s", logs.String())
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// A low-entropy admin token is refused at start-up.
	for _, weak := range []string{strings.Repeat("a", 16), strings.Repeat("a", 40), "short"} {
		ln := listen(t)
		err := Serve(t.Context(), Config{Data: dataDir, AdminToken: weak, Shutdown: time.Second}, ln, slog.New(slog.DiscardHandler))
		if code, ok := err.(exitError); !ok || code.code != 2 || !strings.Contains(err.Error(), "HELPCENTRE_ADMIN_TOKEN") {
			t.Errorf("admin token %q: %v, want exit 2", weak, err)
		}
	}
}
