package domain

import "time"

// OrderState is where an order is in its cycle. The marketplace moves it on
// (PUT /orders/{number}); an open incident freezes it.
type OrderState string

// The order states, in cycle order.
const (
	OrderPaid      OrderState = "paid"
	OrderShipped   OrderState = "shipped"
	OrderDelivered OrderState = "delivered"
	OrderClosed    OrderState = "closed" // the cycle is over: the seller is paid out
	OrderCancelled OrderState = "cancelled"
)

// Order is a purchase from one shop, imported from the marketplace. Amounts
// are integer minor units of Currency (cents for EUR).
type Order struct {
	Number      string     `json:"number"`
	CustomerID  string     `json:"customer_id"`
	ShopID      string     `json:"shop_id"`
	Currency    string     `json:"currency"` // ISO 4217, e.g. "EUR"
	Lines       []Line     `json:"lines"`
	Shipping    int64      `json:"shipping"` // shipping cost paid
	State       OrderState `json:"state"`
	PlacedAt    time.Time  `json:"placed_at"`
	ShippedAt   *time.Time `json:"shipped_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ShipTo      *Address   `json:"ship_to,omitempty"` // where it was delivered: a return's label comes from here

	// Kept by the domain, not imported:
	Frozen        bool     `json:"frozen"`         // an incident is open: the cycle may not move on
	OpenIncidents int      `json:"open_incidents"` // how many
	Refunded      Refunded `json:"refunded"`       // what refunds have taken back so far
}

// Line is one product of an order. Lines are numbered from 1.
type Line struct {
	No        int    `json:"line"`
	SKU       string `json:"sku"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
}

// Total returns what the line cost.
func (l Line) Total() int64 { return int64(l.Quantity) * l.UnitPrice }

// Refunded is what refunds (requested, processing or refunded; not failed)
// have taken from an order: per line, for shipping, and in all.
type Refunded struct {
	Lines    map[int]LineRefunded `json:"lines,omitempty"` // by line number
	Shipping int64                `json:"shipping"`
	Total    int64                `json:"total"`
}

// LineRefunded is what has been refunded of one line.
type LineRefunded struct {
	Units  int   `json:"units"`
	Amount int64 `json:"amount"`
}

// Paid returns what the customer paid for the order: its lines and shipping.
func (o *Order) Paid() int64 {
	t := o.Shipping
	for _, l := range o.Lines {
		t += l.Total()
	}
	return t
}
