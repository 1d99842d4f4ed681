package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// hides is a state check: GET path as the admin answers 200 and holds none
// of gone (placeholders filled): what was deleted or revoked is gone.
func hides(path string, gone ...string) func(*testing.T, *kit, string, response) {
	return func(t *testing.T, k *kit, who string, _ response) {
		t.Helper()
		r := k.w.call(t, "adam", "GET", k.fill(path), nil)
		if r.status != http.StatusOK {
			t.Errorf("read back %s: %d", path, r.status)
			return
		}
		for _, s := range gone {
			if s = k.fill(s); strings.Contains(string(r.body), s) {
				t.Errorf("read back %s still holds %s: %.300s", path, s, r.body)
			}
		}
	}
}

// careNote is Olga's notification of the kit's incident (customer care is
// told of every new incident).
func careNote(k *kit) string {
	k.t.Helper()
	entity := "incident:" + k.id("incident")
	var ns struct {
		Notifications []struct{ ID, Entity string }
	}
	k.w.call(k.t, "olga", "GET", "/api/v1/notifications", nil).decode(k.t, &ns)
	for _, n := range ns.Notifications {
		if n.Entity == entity {
			return n.ID
		}
	}
	k.t.Fatalf("kit: olga was not told of %s", entity)
	return ""
}

// careNoteRead is a state check: Olga's notification of the kit's incident
// is read.
func careNoteRead(t *testing.T, k *kit, who string, _ response) {
	t.Helper()
	var ns struct {
		Notifications []struct {
			ID     string
			ReadAt *string `json:"read_at"`
		}
	}
	k.w.call(t, "olga", "GET", "/api/v1/notifications", nil).decode(t, &ns)
	for _, n := range ns.Notifications {
		if n.ID == k.id("carenote") {
			if n.ReadAt == nil {
				t.Errorf("notification %s is not read", n.ID)
			}
			return
		}
	}
	t.Errorf("notification %s is gone", k.id("carenote"))
}
