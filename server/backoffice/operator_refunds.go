package backoffice

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// OperatorRefund is customer care's refund from the order page: everything
// left, or an amount of the order, with an optional reason the customer
// sees. It is made under the form's idempotency key, so a second click makes
// no second refund. What the domain refuses (an agent's limit, which counts
// what the order had refunded before; more than is left; the window) is
// shown next to the form with what was typed.
func (s *Handler) OperatorRefund(c *fiber.Ctx) error {
	if s.dom.Refunds == nil {
		return fiber.ErrNotFound
	}
	number := c.Params("number")
	form := web.FormValues(c, "kind", "amount", "reason", "key")
	req := domain.RefundRequest{Kind: form["kind"], Reason: strings.TrimSpace(form["reason"])}
	errs := map[string]string{}
	switch req.Kind {
	case domain.RefundTotal:
	case domain.RefundPartial:
		amount, ok := web.FormMoney(c, "amount")
		if !ok || amount <= 0 {
			errs["amount"] = "Give an amount such as 12.50."
		}
		req.Amount = amount
	default:
		errs["kind"] = "Choose everything left or an amount."
	}
	status := fiber.StatusBadRequest
	if len(errs) == 0 {
		key := form["key"]
		if key == "" {
			key = sellerIdempotencyKey()
		}
		_, _, err := s.dom.Refunds.CreateRefund(c.UserContext(), number, key, req)
		if err == nil {
			return c.Redirect("/operator/orders/"+number+"?done=refunded", fiber.StatusSeeOther)
		}
		status = web.Status(err)
		if errs, err = fieldErrors(err, sellerRefundFields); err != nil {
			return err
		}
	}
	v, err := s.loadOrderView(c, "/operator", number)
	if err != nil {
		return err
	}
	v.Open, v.Key = "refund", sellerIdempotencyKey() // nothing was refunded: a new try is a new refund
	return s.renderBO(c, status, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}
