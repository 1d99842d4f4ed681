package server_test

import (
	"net/http"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

func withOutbox(db *bolt.DB, d *server.Domain) {
	d.Outbox = bolt.NewOutboxService(db, domain.DefaultPolicy())
}

func TestOutboxAndNotificationsAPI(t *testing.T) {
	w := newDomainWorld(t, withOutbox)

	// A command that notifies: adam grants olga a permission.
	if r := w.call(t, "adam", "POST", "/api/v1/admin/grants", map[string]any{"agent_id": "olga", "permission": "view_stats"}); r.status != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.status, r.body)
	}

	// Olga's in-app list has it, unread.
	var list struct{ Notifications []domain.Notification }
	r := w.call(t, "olga", "GET", "/api/v1/notifications", nil)
	r.decode(t, &list)
	if r.status != 200 || len(list.Notifications) != 1 || list.Notifications[0].Type != "grant.added" || list.Notifications[0].ReadAt != nil {
		t.Fatalf("olga's notifications: %d %s", r.status, r.body)
	}
	n := list.Notifications[0]

	// Nobody else sees it or can mark it: 404, as for what does not exist.
	for _, who := range []string{"ana", "sam", "adam"} {
		var other struct{ Notifications []domain.Notification }
		w.call(t, who, "GET", "/api/v1/notifications", nil).decode(t, &other)
		for _, o := range other.Notifications {
			if o.ID == n.ID {
				t.Errorf("%s sees olga's notification", who)
			}
		}
		if r := w.call(t, who, "POST", "/api/v1/notifications/"+n.ID+"/read", nil); r.status != 404 || r.code() != "not_found" {
			t.Errorf("%s marks olga's notification: %d %s", who, r.status, r.body)
		}
	}
	if r := w.call(t, "", "GET", "/api/v1/notifications", nil); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
	if r := w.call(t, "olga", "GET", "/api/v1/notifications?unread=perhaps", nil); r.status != 400 || r.code() != "invalid_parameter" {
		t.Errorf("unread=perhaps: %d %s", r.status, r.body)
	}

	// Olga reads it: gone from the unread list, still in the list.
	if r := w.call(t, "olga", "POST", "/api/v1/notifications/"+n.ID+"/read", nil); r.status != 200 {
		t.Fatalf("read: %d %s", r.status, r.body)
	}
	w.call(t, "olga", "GET", "/api/v1/notifications?unread=true", nil).decode(t, &list)
	if len(list.Notifications) != 0 {
		t.Errorf("unread after reading: %+v", list.Notifications)
	}
	w.call(t, "olga", "GET", "/api/v1/notifications", nil).decode(t, &list)
	if len(list.Notifications) != 1 || list.Notifications[0].ReadAt == nil {
		t.Errorf("after reading: %+v", list.Notifications)
	}

	// The outbox: operators see the event, with its delivery state.
	var page struct {
		Events []domain.OutboxEvent
		Next   string
	}
	for _, who := range []string{"adam", "olga"} {
		r := w.call(t, who, "GET", "/api/v1/admin/outbox?undelivered=true", nil)
		r.decode(t, &page)
		if r.status != 200 || len(page.Events) != 1 || page.Events[0].Type != "grant.added" || page.Events[0].DeliveredAt != nil || page.Events[0].Entity == "" {
			t.Errorf("%s: undelivered outbox: %d %s", who, r.status, r.body)
		}
	}
	r = w.call(t, "", "GET", "/api/v1/admin/outbox", nil, "Authorization", "Bearer "+adminToken)
	r.decode(t, &page)
	if r.status != 200 || len(page.Events) != 1 {
		t.Errorf("outbox with the admin token: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "GET", "/api/v1/admin/outbox?limit=1", nil); r.status != 200 {
		t.Errorf("limit=1: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "GET", "/api/v1/admin/outbox?cursor=zz", nil); r.status != 400 || r.code() != "invalid_cursor" {
		t.Errorf("bad cursor: %d %s", r.status, r.body)
	}
	for _, who := range []string{"ana", "sam"} {
		if r := w.call(t, who, "GET", "/api/v1/admin/outbox", nil); r.status != 403 {
			t.Errorf("%s reads the outbox: %d %s", who, r.status, r.body)
		}
	}
	if r := w.call(t, "", "GET", "/api/v1/admin/outbox", nil); r.status != 401 {
		t.Errorf("anonymous reads the outbox: %d", r.status)
	}
}
