package server

import (
	"github.com/gofiber/fiber/v2"
)

// sellerPages: the seller's back office, under /seller.
func (s *Server) sellerPages(r fiber.Router) {
	r.Get("/orders", func(c *fiber.Ctx) error { return s.pageOrders(c, "/seller", "Orders") })
}
