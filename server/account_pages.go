package server

import (
	"github.com/gofiber/fiber/v2"
)

// accountPages: the customer's account area, under /account.
func (s *Server) accountPages(r fiber.Router) {
	r.Get("/", s.pageAccountOrders)
}

// ordersView is a page of orders and where their links point.
type ordersView struct {
	Base   string // "/account", "/seller" or "/operator"
	Orders any
	Next   string
}

func (s *Server) pageAccountOrders(c *fiber.Ctx) error {
	return s.pageOrders(c, "/account", "My orders")
}

// pageOrders lists the caller's orders (the service decides whose).
func (s *Server) pageOrders(c *fiber.Ctx, base, title string) error {
	orders, next, err := s.dom.Orders.ListOrders(c.UserContext(), c.Query("cursor"), 50)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "orders", boPage{Title: title, Body: ordersView{Base: base, Orders: orders, Next: next}})
}
