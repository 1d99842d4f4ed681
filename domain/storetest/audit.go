package storetest

import (
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

var auditCases = []testCase{
	{"log", testAuditLog},
	{"refusals", testAuditRefusals},
}

func testAuditLog(t *testing.T, open Opener) {
	w := newWorld(t, open)
	in, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, "broken")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Incidents.CloseIncident(w.as(t, "olga"), in.ID, "replaced"); err != nil {
		t.Fatal(err)
	}
	log, err := w.Audit.AuditLog(w.as(t, "olga"), "incident:"+in.ID)
	if err != nil || len(log) != 2 || log[0].Action != "incident.opened" || log[1].Action != "incident.closed" ||
		log[0].Actor != w.id("ana") || log[1].Actor != w.id("olga") || log[1].Why != "replaced" || !log[0].At.Equal(w.clock.Now()) {
		t.Fatalf("log = %+v, %v", log, err)
	}
	if empty, err := w.Audit.AuditLog(w.as(t, "adam"), "incident:none"); err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("an entity without entries: %#v, %v (want [])", empty, err)
	}
}

func testAuditRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	audit := func(who, entity string) func() error {
		return func() error {
			ctx := anon
			if who != "" {
				ctx = w.as(t, who)
			}
			_, err := w.Audit.AuditLog(ctx, entity)
			return err
		}
	}
	w.refuseAll(t, []refusal{
		{"anonymous", domain.CodeUnauthorized, audit("", "order:1001")},
		{"a customer", domain.CodeForbidden, audit("ana", "order:1001")},
		{"a seller", domain.CodeForbidden, audit("sam", "order:1001")},
		{"no entity", domain.CodeInvalidEntity, audit("olga", "")},
		{"a NUL in the entity", domain.CodeInvalidEntity, audit("olga", "order:\x001001")},
		{"too long an entity", domain.CodeInvalidEntity, audit("olga", strings.Repeat("x", 201))},
	})
}
