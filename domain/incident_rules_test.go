package domain

import (
	"testing"
	"time"
)

func TestNewIncident(t *testing.T) {
	o := testOrder()
	for _, tc := range []struct {
		name   string
		a      Actor
		line   int
		reason string
		code   Code
	}{
		{"customer on own order line", ana, 1, IncidentDamaged, ""},
		{"customer on the whole order", ana, 0, IncidentNotReceived, ""},
		{"operator on any order", olga, 2, IncidentOther, ""},
		{"admin", adam, 2, IncidentDefective, ""},
		{"another customer", ben, 1, IncidentDamaged, CodeNotFound},
		{"seller of another shop", sue, 1, IncidentDamaged, CodeNotFound},
		{"own seller may not open", sam, 1, IncidentDamaged, CodeForbidden},
		{"anonymous", Actor{}, 1, IncidentDamaged, CodeNotFound},
		{"unknown reason", ana, 1, "late", CodeInvalidIncident},
		{"line out of range", ana, 3, IncidentDamaged, CodeInvalidIncident},
		{"negative line", ana, -1, IncidentDamaged, CodeInvalidIncident},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := NewIncident(tc.a, o, tc.line, tc.reason, "", t0)
			wantCode(t, err, tc.code)
			if err == nil && (in.State != IncidentOpen || !in.OpenedAt.Equal(t0) || in.ShopID != "shop-1" || in.CustomerID != "u-ana") {
				t.Fatalf("got %+v", in)
			}
		})
	}
}

func TestIncidentTransitions(t *testing.T) {
	later := t0.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		from   IncidentState
		do     func(in *Incident) error
		code   Code
		want   IncidentState
		active bool
	}{
		{"seller resolves open", IncidentOpen, func(in *Incident) error { return ResolveIncident(sam, in, "sent a new one", later) }, "", IncidentResolvedBySeller, true},
		{"seller resolves without a message", IncidentOpen, func(in *Incident) error { return ResolveIncident(sam, in, " ", later) }, CodeInvalidIncident, IncidentOpen, true},
		{"other shop's seller resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(sue, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"customer resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(ana, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"operator resolves", IncidentOpen, func(in *Incident) error { return ResolveIncident(olga, in, "x", later) }, CodeForbidden, IncidentOpen, true},
		{"resolve twice", IncidentResolvedBySeller, func(in *Incident) error { return ResolveIncident(sam, in, "x", later) }, CodeIncidentState, IncidentResolvedBySeller, true},
		{"resolve closed", IncidentClosed, func(in *Incident) error { return ResolveIncident(sam, in, "x", later) }, CodeIncidentState, IncidentClosed, false},
		{"operator closes resolved", IncidentResolvedBySeller, func(in *Incident) error { return CloseIncident(olga, in, "", later) }, "", IncidentClosed, false},
		{"operator closes open with a reason", IncidentOpen, func(in *Incident) error { return CloseIncident(olga, in, "duplicate", later) }, "", IncidentClosed, false},
		{"operator closes open without a reason", IncidentOpen, func(in *Incident) error { return CloseIncident(olga, in, "", later) }, CodeCloseReasonRequired, IncidentOpen, true},
		{"seller closes", IncidentResolvedBySeller, func(in *Incident) error { return CloseIncident(sam, in, "done", later) }, CodeForbidden, IncidentResolvedBySeller, true},
		{"customer closes", IncidentOpen, func(in *Incident) error { return CloseIncident(ana, in, "ok", later) }, CodeForbidden, IncidentOpen, true},
		{"close closed", IncidentClosed, func(in *Incident) error { return CloseIncident(adam, in, "again", later) }, CodeIncidentState, IncidentClosed, false},
		{"operator reopens resolved", IncidentResolvedBySeller, func(in *Incident) error { return ReopenIncident(olga, in, "not fixed", later) }, "", IncidentOpen, true},
		{"reopen open", IncidentOpen, func(in *Incident) error { return ReopenIncident(olga, in, "", later) }, CodeIncidentState, IncidentOpen, true},
		{"reopen closed", IncidentClosed, func(in *Incident) error { return ReopenIncident(olga, in, "", later) }, CodeIncidentState, IncidentClosed, false},
		{"seller reopens", IncidentResolvedBySeller, func(in *Incident) error { return ReopenIncident(sam, in, "", later) }, CodeForbidden, IncidentResolvedBySeller, true},
		{"total refund closes open", IncidentOpen, func(in *Incident) error {
			if !CloseIncidentByRefund(in, "r1", later) {
				t.Error("CloseIncidentByRefund changed nothing")
			}
			return nil
		}, "", IncidentClosed, false},
		{"total refund closes resolved", IncidentResolvedBySeller, func(in *Incident) error { CloseIncidentByRefund(in, "r1", later); return nil }, "", IncidentClosed, false},
		{"total refund leaves closed", IncidentClosed, func(in *Incident) error {
			if CloseIncidentByRefund(in, "r1", later) {
				t.Error("CloseIncidentByRefund changed a closed incident")
			}
			return nil
		}, "", IncidentClosed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &Incident{ID: "i1", OrderNumber: "1001", ShopID: "shop-1", CustomerID: "u-ana", State: tc.from, OpenedAt: t0}
			wantCode(t, tc.do(in), tc.code)
			if in.State != tc.want {
				t.Fatalf("state %s, want %s", in.State, tc.want)
			}
			if IncidentActive(in.State) != tc.active {
				t.Fatalf("active %v, want %v", IncidentActive(in.State), tc.active)
			}
			if tc.code == "" && tc.from != in.State && !in.UpdatedAt.Equal(later) {
				t.Fatalf("updated at %s, want %s", in.UpdatedAt, later)
			}
			if in.State == IncidentClosed && tc.from != IncidentClosed && in.ClosedAt == nil {
				t.Fatal("closed without closed_at")
			}
		})
	}
}

func TestCountIncidentFreezes(t *testing.T) {
	o := testOrder()
	CountIncident(o, 1)
	CountIncident(o, 1)
	if !o.Frozen || o.OpenIncidents != 2 {
		t.Fatalf("after two: frozen %v, open %d", o.Frozen, o.OpenIncidents)
	}
	CountIncident(o, -1)
	if !o.Frozen {
		t.Fatal("one incident still open, but not frozen")
	}
	CountIncident(o, -1)
	CountIncident(o, -1) // never below zero
	if o.Frozen || o.OpenIncidents != 0 {
		t.Fatalf("after closing: frozen %v, open %d", o.Frozen, o.OpenIncidents)
	}
}
