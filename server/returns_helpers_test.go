package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// recentOrder imports order number for the demo customer from shop, shipped
// four days and delivered two days before the world's start: inside the
// claim window, unlike 1002 (shipped 250 days ago).
func (w *domainWorld) recentOrder(t testing.TB, orders domain.OrderService, number, customer, shop string) {
	t.Helper()
	adam := w.world.Users["adam"]
	ctx := domain.WithActor(context.Background(), domain.Actor{UserID: adam.ID, Name: adam.Name, Role: adam.Role})
	shipped, delivered := w.now.Add(-96*time.Hour), w.now.Add(-48*time.Hour)
	if _, _, err := orders.PutOrder(ctx, &domain.Order{Number: number, CustomerID: w.world.Users[customer].ID, ShopID: shop, Currency: "EUR",
		State: domain.OrderDelivered, PlacedAt: shipped.Add(-24 * time.Hour), ShippedAt: &shipped, DeliveredAt: &delivered, Shipping: 390,
		Lines: []domain.Line{{No: 1, SKU: "CS-TOWEL-L", Title: "Cotton beach towel", Quantity: 2, UnitPrice: 1890}}}); err != nil {
		t.Fatal(err)
	}
}
