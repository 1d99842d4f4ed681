package backoffice

import (
	"cmp"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
)

// ordersView is a page of orders and where their links point.
type ordersView struct {
	Base   string // "/account", "/seller" or "/operator"
	Orders []orderRow
	Next   string
	Staff  bool   // sellers and customer care: claims are marked and filtered
	Claims string // the claims filter: "", "any" or "open"
}

// orderRow is an order of the list with its newest claim, if any.
type orderRow struct {
	domain.Order
	Claim *domain.Claim
}

func (s *Handler) AccountOrders(c *fiber.Ctx) error {
	return s.orders(c, "/account", "My orders")
}

// orders lists the caller's orders (the service decides whose). Sellers and
// customer care see which have a claim, and may list only those (?claims=any)
// or those with an open one (?claims=open).
func (s *Handler) orders(c *fiber.Ctx, base, title string) error {
	ctx := c.UserContext()
	v := ordersView{Base: base, Staff: base != "/account", Claims: c.Query("claims")}
	if v.Claims != "any" && v.Claims != "open" {
		v.Claims = ""
	}
	claims := map[string]*domain.Claim{} // by order: the newest
	if v.Staff && s.dom.Claims != nil {
		cursor := ""
		for range 20 { // at most 1,000 claims: a shop's recent ones
			page, next, err := s.dom.Claims.ListClaims(ctx, "", cursor, 50)
			if err != nil {
				return err
			}
			for i := range page {
				cl := &page[i]
				if old := claims[cl.OrderNumber]; old == nil || cl.OpenedAt.After(old.OpenedAt) {
					claims[cl.OrderNumber] = cl
				}
			}
			if cursor = next; next == "" {
				break
			}
		}
	}
	if v.Claims != "" {
		for number, cl := range claims {
			if v.Claims == "open" && cl.State == domain.ClaimClosed {
				continue
			}
			o, err := s.dom.Orders.FindOrder(ctx, number)
			if err != nil {
				continue
			}
			v.Orders = append(v.Orders, orderRow{Order: *o, Claim: cl})
		}
		slices.SortFunc(v.Orders, func(a, b orderRow) int { return b.PlacedAt.Compare(a.PlacedAt) })
	} else {
		orders, next, err := s.dom.Orders.ListOrders(ctx, c.Query("cursor"), 50)
		if err != nil {
			return err
		}
		v.Next = next
		for _, o := range orders {
			v.Orders = append(v.Orders, orderRow{Order: o, Claim: claims[o.Number]})
		}
	}
	return s.renderBO(c, fiber.StatusOK, "orders", boPage{Title: title, Body: v})
}

// orderView is an order with everything attached to it that the reader may see.
type orderView struct {
	Base      string
	Order     *domain.Order
	Threads   []domain.Thread
	Incidents []domain.Incident
	Claims    []domain.Claim
	Refunds   []domain.Refund
	Open      string // the form to show open: the one with an error
	Topics    []string
	Reasons   []string // incident reasons
	Claimable []string // claim reasons
	CanClaim  bool     // delivered, within the claim window, no claim open: "Make a claim" shows
	OpenClaim string   // the order's claim that is not closed, to continue there
	Key       string   // customer care's refund form: its idempotency key
}

func incidentReasons() []string {
	return []string{domain.IncidentNotReceived, domain.IncidentDamaged, domain.IncidentDefective, domain.IncidentNotAsDescribed, domain.IncidentOther}
}

func claimReasons() []string {
	return []string{domain.ClaimDefect, domain.ClaimDifferentProduct, domain.ClaimDamaged, domain.ClaimBuyersRemorse, domain.ClaimOther}
}

// loadOrderView reads an order and what hangs on it; a service not wired in
// leaves its part empty.
func (s *Handler) loadOrderView(c *fiber.Ctx, base, number string) (*orderView, error) {
	ctx := c.UserContext()
	o, err := s.dom.Orders.FindOrder(ctx, number)
	if err != nil {
		return nil, err
	}
	v := &orderView{Base: base, Order: o, Topics: domain.Topics(), Reasons: incidentReasons(), Claimable: claimReasons(),
		CanClaim: o.DeliveredAt != nil}
	if s.dom.Threads != nil {
		page, err := s.dom.Threads.ListThreads(ctx, domain.ThreadFilter{OrderNumber: number, Limit: 50})
		if err != nil {
			return nil, err
		}
		v.Threads = page.Threads
	}
	if s.dom.Incidents != nil {
		if v.Incidents, _, err = s.dom.Incidents.ListIncidents(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	if s.dom.Claims != nil {
		if v.Claims, _, err = s.dom.Claims.ListClaims(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	if s.dom.Refunds != nil {
		if v.Refunds, _, err = s.dom.Refunds.ListRefunds(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	v.CanClaim = v.CanClaim && domain.CheckClaimWindow(s.dom.PolicyOrDefault(), o, time.Now()) == nil
	for _, cl := range v.Claims {
		if cl.State != domain.ClaimClosed {
			v.CanClaim, v.OpenClaim = false, cl.ID
		}
	}
	return v, nil
}

func (s *Handler) AccountOrder(c *fiber.Ctx) error {
	v, err := s.loadOrderView(c, "/account", c.Params("number"))
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_order", boPage{Title: wordsOf(c).F("Order %s", v.Order.Number), Body: v})
}

// orderFormError shows the order page again with what was typed and the error
// next to its field.
func (s *Handler) orderFormError(c *fiber.Ctx, base, tmpl, open string, form, errs map[string]string) error {
	v, err := s.loadOrderView(c, base, c.Params("number"))
	if err != nil {
		return err
	}
	v.Open = open
	return s.renderBO(c, fiber.StatusBadRequest, tmpl, boPage{Title: wordsOf(c).F("Order %s", v.Order.Number), Body: v, Form: form, Errors: errs})
}

// ---- Orders ----

// sellerCycleStep is one state of the order's cycle as the order page shows it.
type sellerCycleStep struct {
	State   domain.OrderState
	At      *time.Time
	Done    bool
	Current bool
}

// sellerOrderView is an order with what the seller may do on it.
type sellerOrderView struct {
	*orderView
	Cycle        []sellerCycleStep
	Deadline     *time.Time // the last instant of the refund window; nil before shipment
	WindowClosed bool
	DaysLeft     int
	Left         domain.Left
	Key          string // the refund form's idempotency key
	Recipients   []domain.Party
}

func sellerOrderCycle(o *domain.Order) []sellerCycleStep {
	states := []domain.OrderState{domain.OrderPaid, domain.OrderShipped, domain.OrderDelivered, domain.OrderClosed}
	at := map[domain.OrderState]*time.Time{domain.OrderPaid: &o.PlacedAt, domain.OrderShipped: o.ShippedAt, domain.OrderDelivered: o.DeliveredAt}
	cur := slices.Index(states, o.State)
	out := make([]sellerCycleStep, 0, len(states)+1)
	for i, st := range states {
		out = append(out, sellerCycleStep{State: st, At: at[st], Done: cur >= 0 && i <= cur, Current: i == cur})
	}
	if o.State == domain.OrderCancelled {
		out = append(out, sellerCycleStep{State: o.State, Done: true, Current: true})
	}
	return out
}

func (s *Handler) loadSellerOrder(c *fiber.Ctx, number string) (*sellerOrderView, error) {
	v, err := s.loadOrderView(c, "/seller", number)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(v.Incidents, func(a, b domain.Incident) int {
		return cmp.Compare(sellerIncidentRank(a.State), sellerIncidentRank(b.State))
	})
	o := v.Order
	sv := &sellerOrderView{orderView: v, Cycle: sellerOrderCycle(o), Left: domain.RefundableLeft(o), Key: sellerIdempotencyKey(),
		Recipients: []domain.Party{domain.PartyCustomer, domain.PartyOperator}}
	if d := domain.RefundDeadline(s.dom.PolicyOrDefault(), o); d != nil {
		sv.Deadline = d
		now := time.Now()
		sv.WindowClosed = now.After(*d)
		sv.DaysLeft = int(d.Sub(now).Hours() / 24)
	}
	return sv, nil
}

func (s *Handler) SellerOrder(c *fiber.Ctx) error {
	v, err := s.loadSellerOrder(c, c.Params("number"))
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_order", boPage{Title: "Order " + v.Order.Number, Body: v})
}

// sellerOrderError shows the order page again with the form open, what was
// typed and the errors.
func (s *Handler) sellerOrderError(c *fiber.Ctx, open string, status int, form, errs map[string]string) error {
	v, err := s.loadSellerOrder(c, c.Params("number"))
	if err != nil {
		return err
	}
	v.Open = open
	if k := form["key"]; k != "" {
		v.Key = k // the same refund, tried again
	}
	return s.renderBO(c, status, "seller_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

// --- Orders ---

func (s *Handler) OperatorOrder(c *fiber.Ctx) error {
	v, err := s.loadOrderView(c, "/operator", c.Params("number"))
	if err != nil {
		return err
	}
	v.Key = sellerIdempotencyKey()
	return s.renderBO(c, fiber.StatusOK, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v})
}
