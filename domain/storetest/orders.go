package storetest

import (
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

var orderCases = []testCase{
	{"visibility", testOrdersVisibility},
	{"import_and_update", testOrdersImport},
	{"pages", testOrdersPages},
	{"refusals", testOrderRefusals},
}

func testOrdersVisibility(t *testing.T, open Opener) {
	w := newWorld(t, open)
	for _, c := range []struct {
		who, order string
		ok         bool
	}{
		{"ana", "1001", true}, {"ana", "2001", false}, {"ben", "2001", true}, {"ben", "1001", false},
		{"sam", "1001", true}, {"sam", "2001", true}, {"sam", "1002", false}, {"sue", "1002", true}, {"sue", "1001", false},
		{"olga", "1001", true}, {"adam", "1002", true},
	} {
		_, err := w.Orders.FindOrder(w.as(t, c.who), c.order)
		if c.ok != (err == nil) || (!c.ok && code(err) != domain.CodeNotFound) {
			t.Errorf("%s reads %s: %v, want ok=%v (else not_found)", c.who, c.order, err, c.ok)
		}
	}
	list, _, err := w.Orders.ListOrders(w.as(t, "ana"), "", 10)
	if err != nil || len(list) != 2 || list[0].Number != "1001" {
		t.Errorf("ana's orders = %v, %v; want 1001 then 1002", list, err)
	}
	list, _, _ = w.Orders.ListOrders(w.as(t, "sam"), "", 1)
	if len(list) != 1 || list[0].Number != "2001" {
		t.Errorf("sam's first order = %v, want 2001 (newest)", list)
	}
}

func testOrdersImport(t *testing.T, open Opener) {
	w := newWorld(t, open)
	olga := w.as(t, "olga")
	o := demo.Orders(&demo.World{Users: w.users}, start)[0]
	o.Number = "3001"
	saved, created, err := w.Orders.PutOrder(olga, &o)
	if err != nil || !created || saved.Number != "3001" {
		t.Fatalf("new order: %+v %v %v", saved, created, err)
	}
	o.Lines[0].Title = "Renamed"
	saved, created, err = w.Orders.PutOrder(olga, &o)
	if err != nil || created || saved.Lines[0].Title != "Renamed" {
		t.Fatalf("update: %+v %v %v", saved, created, err)
	}
	// A frozen order's details may change, its state may not.
	if _, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, ""); err != nil {
		t.Fatal(err)
	}
	o1 := w.order(t, "1001")
	o1.Lines[1].Title = "LED bulb E27 (2700 K)"
	got, _, err := w.Orders.PutOrder(olga, o1)
	if err != nil || !got.Frozen || got.OpenIncidents != 1 || got.Lines[1].Title != "LED bulb E27 (2700 K)" {
		t.Errorf("updating a frozen order's details: %+v %v", got, err)
	}
}

func testOrdersPages(t *testing.T, open Opener) {
	w := newWorld(t, open)
	olga := w.as(t, "olga")
	var seen []string
	cursor := ""
	for range 5 {
		page, next, err := w.Orders.ListOrders(olga, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			seen = append(seen, o.Number)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 3 || seen[0] != "2001" || seen[2] != "1002" {
		t.Errorf("pages = %v, want 2001 1001 1002", seen)
	}
}

func testOrderRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, olga := w.as(t, "ana"), w.as(t, "olga")
	// 1001 gets an open incident (frozen) and a refund of 2 units of line 2.
	if _, err := w.Incidents.OpenIncident(ana, "1001", 1, domain.IncidentDamaged, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Refunds.CreateRefund(w.as(t, "sam"), "1001", "k", domain.RefundRequest{Kind: domain.RefundPartial, Lines: []domain.RefundLine{{Line: 2, Units: 2}}}); err != nil {
		t.Fatal(err)
	}
	edited := func(number string, edit func(o *domain.Order)) *domain.Order {
		o := w.order(t, number)
		o.Lines = append([]domain.Line(nil), o.Lines...)
		edit(o)
		return o
	}
	w.refuseAll(t, []refusal{
		{"import anonymous", domain.CodeUnauthorized, func() error {
			_, _, err := w.Orders.PutOrder(anon, edited("2001", func(*domain.Order) {}))
			return err
		}},
		{"customer imports", domain.CodeForbidden, func() error {
			_, _, err := w.Orders.PutOrder(ana, edited("1002", func(*domain.Order) {}))
			return err
		}},
		{"seller imports", domain.CodeForbidden, func() error {
			_, _, err := w.Orders.PutOrder(w.as(t, "sam"), edited("2001", func(*domain.Order) {}))
			return err
		}},
		{"invalid order", domain.CodeInvalidOrder, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("2001", func(o *domain.Order) { o.Currency = "euro" }))
			return err
		}},
		{"unknown customer", domain.CodeInvalidOrder, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("2001", func(o *domain.Order) { o.Number, o.CustomerID = "3001", "no-such-user" }))
			return err
		}},
		{"unknown shop", domain.CodeInvalidOrder, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("2001", func(o *domain.Order) { o.Number, o.ShopID = "3001", "shop-9" }))
			return err
		}},
		{"another customer", domain.CodeOrderPartiesFixed, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("2001", func(o *domain.Order) { o.CustomerID = w.id("ana") }))
			return err
		}},
		{"another shop", domain.CodeOrderPartiesFixed, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("2001", func(o *domain.Order) { o.ShopID = "shop-2" }))
			return err
		}},
		{"moving a frozen order on", domain.CodeOrderFrozen, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("1001", func(o *domain.Order) {
				at := w.clock.Now()
				o.State, o.DeliveredAt = domain.OrderDelivered, &at
			}))
			return err
		}},
		{"dropping a refunded line", domain.CodeOrderLinesFixed, func() error {
			_, _, err := w.Orders.PutOrder(olga, edited("1001", func(o *domain.Order) { o.Lines[1].Quantity = 1 }))
			return err
		}},
		{"find anonymous", domain.CodeNotFound, func() error { _, err := w.Orders.FindOrder(anon, "1001"); return err }},
		{"find another's", domain.CodeNotFound, func() error { _, err := w.Orders.FindOrder(w.as(t, "ben"), "1001"); return err }},
		{"find unknown", domain.CodeNotFound, func() error { _, err := w.Orders.FindOrder(olga, "9999"); return err }},
		{"list anonymous", domain.CodeUnauthorized, func() error { _, _, err := w.Orders.ListOrders(anon, "", 10); return err }},
		{"list bad cursor", domain.CodeInvalidCursor, func() error { _, _, err := w.Orders.ListOrders(olga, "!!", 1); return err }},
	})
}
