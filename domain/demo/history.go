package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// History are the services SeedHistory writes through, and AtServices, the
// same services on which every command happens at a past instant (bolt:
// NewServices(db.At(t), p)): history is recorded as it would have been, by
// the same rules.
type History struct {
	Services
	Threads   domain.ThreadService
	Incidents domain.IncidentService
	Refunds   domain.RefundService
	Claims    domain.ClaimService
	// AtServices returns the services on which commands happen at t; nil:
	// every command happens now, through the services above.
	AtServices func(t time.Time) HistoryServices
}

// HistoryServices are the services one past command of SeedHistory goes
// through.
type HistoryServices struct {
	Orders    domain.OrderService
	Threads   domain.ThreadService
	Incidents domain.IncidentService
	Refunds   domain.RefundService
	Claims    domain.ClaimService
}

// HistoryPeople are the customers of the history orders (tokens demo-<name>,
// password demo), so that Ana's and Ben's accounts show only their orders.
func HistoryPeople() []Person {
	return []Person{
		{Name: "carla", Display: "Carla Ruiz", Role: domain.RoleCustomer, Locale: "es"},
		{Name: "diego", Display: "Diego Martín", Role: domain.RoleCustomer, Locale: "es"},
		{Name: "emma", Display: "Emma Hughes", Role: domain.RoleCustomer, Locale: "en"},
	}
}

// historyOrders is how many past orders SeedHistory writes.
const historyOrders = 36

// SeedHistory writes sixty days of after-sales life for both shops, once:
// orders, conversations answered in time or late, incidents opened and
// closed, claims resolved in time or not, refunds; and work still waiting
// now (an open incident, a claim near its 72 h deadline, a message near and
// one past its 48 h deadline), so that queues and statistics show something
// real. It does nothing if the history exists.
func SeedHistory(ctx context.Context, h History, now time.Time) error {
	sys := domain.WithActor(ctx, System)
	if _, err := h.Orders.FindOrder(sys, historyNumber(0)); err == nil {
		return nil
	} else if domain.ErrorKind(err) != domain.NotFound {
		return err
	}
	users := map[string]*domain.User{}
	for _, p := range HistoryPeople() {
		u, err := h.Access.FindUserByName(sys, p.Name)
		if domain.ErrorKind(err) == domain.NotFound {
			u = &domain.User{Name: p.Name, Display: p.Display, Role: p.Role, Locale: p.Locale, Email: p.Name + "@demo.example"}
			if err = h.Access.CreateUser(sys, u); err == nil {
				err = h.Access.SetPassword(sys, u.ID, "", Password)
			}
		}
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", p.Name, err)
		}
		if _, err := h.Access.PutTokenSecret(sys, u.ID, "demo", Token(p.Name), nil); err != nil {
			return err
		}
		users[p.Name] = u
	}
	actors := map[string]domain.Actor{}
	for _, name := range []string{"sam", "sue", "olga", "carla", "diego", "emma"} {
		a, err := h.Access.Authenticate(ctx, Token(name))
		if err != nil {
			return fmt.Errorf("demo: %s: %w", name, err)
		}
		actors[name] = a
	}
	// on(t) are the services on which a command happens at t; as(name, t)
	// acts as the demo user name (the instant is on's: t documents when).
	on := func(t time.Time) HistoryServices {
		if h.AtServices != nil {
			return h.AtServices(t)
		}
		return HistoryServices{Orders: h.Orders, Threads: h.Threads, Incidents: h.Incidents, Refunds: h.Refunds, Claims: h.Claims}
	}
	as := func(name string, _ time.Time) context.Context { return domain.WithActor(ctx, actors[name]) }
	customers := []string{"carla", "diego", "emma"}
	shops := []struct{ id, seller string }{{"shop-1", "sam"}, {"shop-2", "sue"}}
	products := []domain.Line{
		{SKU: "NH-MUG-02", Title: "Stoneware mug", UnitPrice: 1290},
		{SKU: "NH-RUG-S", Title: "Jute rug, small", UnitPrice: 3900},
		{SKU: "CS-HAT-01", Title: "Straw sun hat", UnitPrice: 2450},
		{SKU: "CS-SANDAL", Title: "Leather sandals", UnitPrice: 5600},
	}
	for i := range historyOrders {
		cust := customers[i%len(customers)]
		shop := shops[i%len(shops)]
		placed := now.Add(-time.Duration(60-i*60/historyOrders) * day).Add(-time.Duration(i%5) * time.Hour).UTC().Truncate(time.Second)
		if k := i - (historyOrders - 4); k >= 0 {
			// The orders whose work is still open were placed 10 to 7 days
			// ago: delivered before their questions and claims.
			placed = now.Add(-time.Duration(10-k) * day).UTC().Truncate(time.Second)
		}
		shipped := placed.Add(day)
		p := products[i%len(products)]
		p.No, p.Quantity = 1, 1+i%3
		o := domain.Order{Number: historyNumber(i), CustomerID: users[cust].ID, ShopID: shop.id, Currency: "EUR",
			State: domain.OrderShipped, PlacedAt: placed, ShippedAt: &shipped, Shipping: 495, Lines: []domain.Line{p}}
		if delivered := shipped.Add(2 * day); delivered.Before(now) {
			o.State, o.DeliveredAt = domain.OrderDelivered, &delivered
		}
		if _, _, err := on(placed).Orders.PutOrder(sys, &o); err != nil {
			return fmt.Errorf("demo: history order %s: %w", o.Number, err)
		}
		if err := historyLife(as, on, i, o, cust, shop.seller, now); err != nil {
			return fmt.Errorf("demo: history of order %s: %w", o.Number, err)
		}
	}
	return nil
}

func historyNumber(i int) string { return fmt.Sprintf("%d", 9001+i) }

// historyLife gives order i of the history what happened to it; the last few
// orders carry the work still open now.
func historyLife(as func(string, time.Time) context.Context, on func(time.Time) HistoryServices, i int, o domain.Order, cust, seller string, now time.Time) error {
	shipped := *o.ShippedAt
	asked := shipped.Add(36 * time.Hour)
	last := i >= historyOrders-4 // recent orders: work still waiting
	switch {
	case last && i == historyOrders-4: // a message past its 48 h deadline
		subject, body := "Where is my order?", "Hello, the tracking has not changed for days. Could you look into it?"
		if cust != "emma" {
			subject, body = "¿Dónde está mi pedido?", "Hola, el seguimiento no cambia desde hace días. ¿Podéis mirarlo?"
		}
		_, err := on(now.Add(-60*time.Hour)).Threads.CreateThread(as(cust, now.Add(-60*time.Hour)), domain.NewThread{OrderNumber: o.Number, Recipient: domain.PartySeller,
			Topic: domain.TopicDelivery, Subject: subject, Body: body})
		return err
	case last && i == historyOrders-3: // a message whose deadline is near
		_, err := on(now.Add(-43*time.Hour)).Threads.CreateThread(as(cust, now.Add(-43*time.Hour)), domain.NewThread{OrderNumber: o.Number, Recipient: domain.PartySeller,
			Topic: domain.TopicInvoice, Subject: "Invoice with my company name", Body: "Could you send the invoice with my company's name and VAT number?"})
		return err
	case last && i == historyOrders-2: // an incident still open
		_, err := on(now.Add(-3*time.Hour)).Incidents.OpenIncident(as(cust, now.Add(-3*time.Hour)), o.Number, 1, domain.IncidentDamaged, "The box was crushed and the item is broken.")
		return err
	case last && o.DeliveredAt != nil: // a claim near its 72 h deadline
		_, err := on(now.Add(-50*time.Hour)).Claims.OpenClaim(as(cust, now.Add(-50*time.Hour)), o.Number, domain.ClaimDefect, "It stopped working after two days.")
		return outsideWindows(err)
	case last:
		return nil
	}
	// Most orders have a question, answered in time (or, one in five, late).
	if i%3 != 2 {
		th, err := on(asked).Threads.CreateThread(as(cust, asked), domain.NewThread{OrderNumber: o.Number, Recipient: domain.PartySeller,
			Topic: domain.TopicDelivery, Body: map[bool]string{true: "When will my order arrive?", false: "¿Cuándo llegará mi pedido?"}[cust == "emma"]})
		if err != nil {
			return err
		}
		wait := time.Duration(2+i%9*4) * time.Hour
		if i%5 == 0 {
			wait = 60 * time.Hour
		}
		if _, err := on(asked.Add(wait)).Threads.PostMessage(as(seller, asked.Add(wait)), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer},
			Body: "It is on its way: the carrier expects to deliver it within two days."}); err != nil {
			return err
		}
	}
	// One in six: an incident, solved by the seller and closed by customer care.
	if i%6 == 1 {
		at := shipped.Add(3 * day)
		inc, err := on(at).Incidents.OpenIncident(as(cust, at), o.Number, 1, domain.IncidentNotReceived, "The parcel never arrived.")
		if err != nil {
			return err
		}
		if _, err := on(at.Add(5*time.Hour)).Incidents.ResolveIncident(as(seller, at.Add(5*time.Hour)), inc.ID, "The carrier found it and delivered it today."); err != nil {
			return err
		}
		if _, err := on(at.Add(9*time.Hour)).Incidents.CloseIncident(as("olga", at.Add(9*time.Hour)), inc.ID, "Delivered; confirmed with the customer."); err != nil {
			return err
		}
	}
	// One in five delivered orders: a claim, settled by an offer in time or
	// (one in three of those) too late.
	if i%5 == 3 && o.DeliveredAt != nil {
		at := o.DeliveredAt.Add(day)
		cl, err := on(at).Claims.OpenClaim(as(cust, at), o.Number, domain.ClaimDamaged, "One corner is scratched.")
		if err != nil {
			return outsideWindows(err)
		}
		settle := at.Add(20 * time.Hour)
		if i%3 == 0 {
			settle = at.Add(90 * time.Hour)
		}
		cl, err = on(settle.Add(-2*time.Hour)).Claims.OfferPartialRefund(as(seller, settle.Add(-2*time.Hour)), cl.ID, 20, 0)
		if err != nil {
			return outsideWindows(err)
		}
		if _, err := on(settle).Claims.AcceptOffer(as(cust, settle), cl.ID, cl.Offers[len(cl.Offers)-1].ID); err != nil {
			return outsideWindows(err)
		}
	}
	// One in seven: a partial refund of the shipping, paid out.
	if i%7 == 4 {
		r, _, err := on(shipped.Add(4*day)).Refunds.CreateRefund(as(seller, shipped.Add(4*day)), o.Number, "history-"+o.Number,
			domain.RefundRequest{Kind: domain.RefundPartial, Shipping: o.Shipping, Reason: "Late delivery"})
		if err != nil {
			if outsideWindows(err) == nil {
				return nil
			}
			return err
		}
		for _, st := range []domain.RefundState{domain.RefundProcessing, domain.RefundRefunded} {
			if _, err := on(shipped.Add(4*day+time.Hour)).Refunds.AdvanceRefund(as("olga", shipped.Add(4*day+time.Hour)), r.ID, st, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// outsideWindows lets the history go on where the configured windows forbid
// a step the seller guide's defaults allow (a refund 4 days after shipment
// with --refund-within 24h, a claim past its claim window): that order's
// history stops there, the demo still starts. Other errors are returned.
func outsideWindows(err error) error {
	if err != nil && strings.HasSuffix(string(domain.ErrorCode(err)), "_window_closed") {
		return nil
	}
	return err
}
