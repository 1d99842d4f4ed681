package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// orderImport is an order as the marketplace sends it: the customer by id or
// by login name.
type orderImport struct {
	domain.Order
	Customer string `json:"customer"`
}

func (s *Handler) PutOrder(c *fiber.Ctx) error {
	var in orderImport
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	o := in.Order
	o.Number = c.Params("number")
	// Refuse before resolving the customer's name, so that the answer to
	// someone who may not import says nothing of which names exist.
	if err := domain.RequireOperator(domain.ActorFrom(c.UserContext())); err != nil {
		return err
	}
	if o.CustomerID == "" && in.Customer != "" {
		u, err := s.dom.Access.FindUserByName(c.UserContext(), in.Customer)
		if err != nil {
			if domain.ErrorKind(err) == domain.NotFound {
				return domain.Errorf(domain.CodeInvalidOrder, "Customer %q is not a known customer.", in.Customer)
			}
			return err
		}
		o.CustomerID = u.ID
	}
	saved, created, err := s.dom.Orders.PutOrder(c.UserContext(), &o)
	if err != nil {
		return err
	}
	if created {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(saved)
}

func (s *Handler) Order(c *fiber.Ctx) error {
	o, err := s.dom.Orders.FindOrder(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (s *Handler) ListOrders(c *fiber.Ctx) error {
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	orders, next, err := s.dom.Orders.ListOrders(c.UserContext(), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"orders": orders, "next": next})
}
