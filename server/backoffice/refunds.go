package backoffice

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// sellerIdempotencyKey is a fresh key for a form that must act once.
func sellerIdempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sellerRefundView is the confirmation step of a refund: what the customer
// will receive, and the form that confirms it.
type sellerRefundView struct {
	Order  *domain.Order
	Plan   *domain.Refund
	Titles map[int]string
	Key    string
	Hidden map[string]string // the request, to post again
}

// sellerRefundForm reads the refund form of order o: the request, what was typed,
// and the errors of fields that are not numbers.
func sellerRefundForm(c *fiber.Ctx, o *domain.Order) (domain.RefundRequest, map[string]string, map[string]string) {
	names := []string{"kind", "amount", "shipping", "reason", "key", "confirm"}
	for _, l := range o.Lines {
		names = append(names, "units_"+strconv.Itoa(l.No))
	}
	form := web.FormValues(c, names...)
	errs := map[string]string{}
	req := domain.RefundRequest{Kind: form["kind"], Reason: strings.TrimSpace(form["reason"])}
	if req.Kind != domain.RefundTotal && req.Kind != domain.RefundPartial {
		errs["kind"] = "Choose a total or a partial refund."
	}
	if req.Kind == domain.RefundTotal {
		return req, form, errs
	}
	var ok bool
	if req.Amount, ok = web.FormMoney(c, "amount"); !ok {
		errs["amount"] = "Give an amount such as 12.50."
	}
	if req.Shipping, ok = web.FormMoney(c, "shipping"); !ok {
		errs["shipping"] = "Give an amount such as 4.95."
	}
	for _, l := range o.Lines {
		n, ok := web.FormInt(c, "units_"+strconv.Itoa(l.No))
		if !ok {
			errs["units_"+strconv.Itoa(l.No)] = "Give a whole number of units."
		} else if n > 0 {
			req.Lines = append(req.Lines, domain.RefundLine{Line: l.No, Units: n})
		}
	}
	return req, form, errs
}

// sellerRefundFields names the field a refund error is about.
var sellerRefundFields = map[domain.Code]string{domain.CodeInvalidRefund: "refund", domain.CodeRefundExceedsPaid: "refund",

	domain.CodeRefundWindowClosed: "refund", domain.CodeIdempotencyKeyRequired: "refund", domain.CodeIdempotencyKeyReused: "refund", domain.CodeRefundOverLimit: "refund",
	domain.CodeRefundState: "refund", domain.CodeForbidden: "refund", domain.CodeOrderFrozen: "refund"}

// SellerRefund is the refund form's two steps: without confirm it shows
// what the customer will receive; with confirm it creates the refund under
// the form's idempotency key, so a second click returns the same refund.
func (s *Handler) SellerRefund(c *fiber.Ctx) error {
	if s.dom.Refunds == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	number := c.Params("number")
	o, err := s.dom.Orders.FindOrder(ctx, number)
	if err != nil {
		return err
	}
	req, form, errs := sellerRefundForm(c, o)
	if c.FormValue("edit") != "" { // back from the confirmation to change it
		return s.sellerOrderError(c, "refund", fiber.StatusOK, form, nil)
	}
	if len(errs) > 0 {
		return s.sellerOrderError(c, "refund", fiber.StatusBadRequest, form, errs)
	}
	if form["confirm"] != "" && form["key"] != "" {
		return s.createSellerRefund(c, number, req, form)
	}
	plan, err := domain.PlanRefund(s.dom.PolicyOrDefault(), o, req, time.Now())
	if err != nil {
		errs, err := fieldErrors(err, sellerRefundFields)
		if err != nil {
			return err
		}
		return s.sellerOrderError(c, "refund", fiber.StatusBadRequest, form, errs)
	}
	if form["key"] == "" {
		form["key"] = sellerIdempotencyKey()
	}
	if form["confirm"] == "" {
		hidden := map[string]string{}
		for k, v := range form {
			if v != "" && k != "confirm" && k != "key" {
				hidden[k] = v
			}
		}
		titles := map[int]string{}
		for _, l := range o.Lines {
			titles[l.No] = l.Title
		}
		return s.renderBO(c, fiber.StatusOK, "seller_refund", boPage{Title: "Confirm the refund on order " + o.Number,
			Body: sellerRefundView{Order: o, Plan: plan, Titles: titles, Key: form["key"], Hidden: hidden}})
	}
	return s.createSellerRefund(c, number, req, form)
}

// createSellerRefund creates the confirmed refund under the form's key: the
// same key (a second click) returns the refund the first made.
func (s *Handler) createSellerRefund(c *fiber.Ctx, number string, req domain.RefundRequest, form map[string]string) error {
	if _, _, err := s.dom.Refunds.CreateRefund(c.UserContext(), number, form["key"], req); err != nil {
		status := web.Status(err)
		errs, err := fieldErrors(err, sellerRefundFields)
		if err != nil {
			return err
		}
		return s.sellerOrderError(c, "refund", status, form, errs)
	}
	return c.Redirect("/seller/orders/"+number+"?done=refunded", fiber.StatusSeeOther)
}

func (s *Handler) SellerClaimRefund(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	_, err := s.dom.Claims.RefundClaim(c.UserContext(), c.Params("id"))
	return s.sellerClaimDone(c, "refunded", err, nil, nil)
}

func (s *Handler) OperatorRetryRefund(c *fiber.Ctx) error {
	if s.dom.Refunds == nil {
		return fiber.ErrNotFound
	}
	number, id := c.Params("number"), c.Params("id")
	ctx := c.UserContext()
	r, err := s.dom.Refunds.FindRefund(ctx, id)
	if err == nil && r.OrderNumber != number {
		return fiber.ErrNotFound // a refund of another order: this URL does not exist
	}
	if err == nil {
		_, err = s.dom.Refunds.RetryRefund(ctx, id)
	}
	if err == nil {
		return c.Redirect("/operator/orders/"+number+"?done=retried", fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	v, lerr := s.loadOrderView(c, "/operator", number)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Errors: errs})
}
