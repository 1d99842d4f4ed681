package server

import (
	"github.com/gofiber/fiber/v2"
)

// operatorPages: customer care's back office, under /operator.
func (s *Server) operatorPages(r fiber.Router) {
	r.Get("/orders", func(c *fiber.Ctx) error { return s.pageOrders(c, "/operator", "All orders") })
}
