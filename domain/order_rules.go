package domain

import "unicode/utf8"

// Validate reports the first rule o breaks as an invalid_order error: a
// number, a customer and a shop, lines numbered 1, 2, … with positive
// quantities and non-negative prices, a currency code, a known state, and
// dates that agree with it.
func (o *Order) Validate() error {
	bad := func(format string, args ...any) error { return Errorf(CodeInvalidOrder, format, args...) }
	if !validHandle(o.Number) {
		return bad("Order number must be 1 to 64 of a-z, 0-9, '.', '_' and '-'.")
	}
	if o.CustomerID == "" || o.ShopID == "" {
		return bad("An order names its customer and its shop.")
	}
	if len(o.Currency) != 3 || o.Currency[0] < 'A' || o.Currency[0] > 'Z' || o.Currency[1] < 'A' || o.Currency[1] > 'Z' || o.Currency[2] < 'A' || o.Currency[2] > 'Z' {
		return bad("Currency must be an ISO 4217 code like EUR.")
	}
	if len(o.Lines) == 0 || len(o.Lines) > 500 {
		return bad("An order has 1 to 500 lines.")
	}
	for i, l := range o.Lines {
		if l.No != i+1 {
			return bad("Lines are numbered from 1 in order: line %d is numbered %d.", i+1, l.No)
		}
		if l.Quantity < 1 || l.Quantity > 100000 {
			return bad("Line %d: quantity must be 1 to 100000.", l.No)
		}
		if l.UnitPrice < 0 || l.UnitPrice > 1e12 {
			return bad("Line %d: unit price must be 0 to 10^12 minor units.", l.No)
		}
		if !utf8.ValidString(l.Title) || utf8.RuneCountInString(l.Title) > 300 || !utf8.ValidString(l.SKU) || len(l.SKU) > 100 {
			return bad("Line %d: title (300 characters) or SKU (100 bytes) too long or not text.", l.No)
		}
	}
	if err := o.ShipTo.validate(); err != nil {
		return bad("ship_to: %v.", err)
	}
	if o.Shipping < 0 || o.Shipping > 1e12 {
		return bad("Shipping must be 0 to 10^12 minor units.")
	}
	switch o.State {
	case OrderPaid, OrderCancelled:
	case OrderShipped, OrderClosed:
		if o.ShippedAt == nil {
			return bad("A %s order has shipped_at.", o.State)
		}
	case OrderDelivered:
		if o.ShippedAt == nil || o.DeliveredAt == nil {
			return bad("A delivered order has shipped_at and delivered_at.")
		}
	default:
		return bad("State must be paid, shipped, delivered, closed or cancelled.")
	}
	if o.ShippedAt != nil && o.DeliveredAt != nil && o.DeliveredAt.Before(*o.ShippedAt) {
		return bad("delivered_at is before shipped_at.")
	}
	return nil
}

// CheckOrderUpdate applies the rules of importing next over prev (nil for a
// new order): the owner never changes, a frozen order's state does not move
// (order_frozen), and lines already partly refunded keep at least what was
// refunded (order_lines_refunded). It carries over what the domain keeps.
func CheckOrderUpdate(prev, next *Order) error {
	if prev == nil {
		next.Frozen, next.OpenIncidents, next.Refunded = false, 0, Refunded{}
		return nil
	}
	if prev.CustomerID != next.CustomerID || prev.ShopID != next.ShopID {
		return Errorf(CodeOrderPartiesFixed, "An order's customer and shop never change.")
	}
	if prev.Frozen && prev.State != next.State {
		return Errorf(CodeOrderFrozen, "Order %s is frozen while an incident is open: its state stays %s until the incident is closed.", prev.Number, prev.State)
	}
	for no, r := range prev.Refunded.Lines {
		if no > len(next.Lines) || next.Lines[no-1].Quantity < r.Units {
			return Errorf(CodeOrderLinesFixed, "Line %d has %d units refunded; it cannot shrink below that or disappear.", no, r.Units)
		}
	}
	next.Frozen, next.OpenIncidents, next.Refunded = prev.Frozen, prev.OpenIncidents, prev.Refunded
	next.PlacedAt = prev.PlacedAt
	return nil
}

// CheckOrderParties refuses an order whose customer is not a known customer
// (cust is the user its CustomerID names, or nil) or whose shop is unknown.
func CheckOrderParties(o *Order, cust *User, shopExists bool) error {
	if cust == nil || cust.Role != RoleCustomer {
		return Errorf(CodeInvalidOrder, "Customer %q is not a known customer.", o.CustomerID)
	}
	if !shopExists {
		return Errorf(CodeInvalidOrder, "Shop %q is not a known shop.", o.ShopID)
	}
	return nil
}
