package domain

import (
	"testing"
	"time"
)

var (
	t0       = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ana      = Actor{UserID: "u-ana", Role: RoleCustomer}
	ben      = Actor{UserID: "u-ben", Role: RoleCustomer}
	sam      = Actor{UserID: "u-sam", Role: RoleSeller, ShopID: "shop-1"}
	sue      = Actor{UserID: "u-sue", Role: RoleSeller, ShopID: "shop-2"}
	olga     = Actor{UserID: "u-olga", Role: RoleAgent, Grants: []Grant{{Permission: PermCloseIncidents}}} // as in the demo world
	adam     = Actor{UserID: "u-adam", Role: RoleAdmin}
	payments = SystemActor
)

// testOrder: ana's order from shop-1: 2 × 1000 + 1 × 500 + 300 shipping = 2800.
func testOrder() *Order {
	shipped, delivered := t0, t0.Add(48*time.Hour)
	return &Order{Number: "1001", CustomerID: "u-ana", ShopID: "shop-1", Currency: "EUR", State: OrderDelivered,
		Lines:     []Line{{No: 1, SKU: "a", Quantity: 2, UnitPrice: 1000}, {No: 2, SKU: "b", Quantity: 1, UnitPrice: 500}},
		Shipping:  300,
		ShippedAt: &shipped, DeliveredAt: &delivered}
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	if got := ErrorCode(err); got != code {
		t.Fatalf("got code %q (%v), want %q", got, err, code)
	}
}
