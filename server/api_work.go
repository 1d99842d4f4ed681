package server

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// workRoutes: the caller's work queue and shop statistics. (Routing rules
// are registered with the threads, under /admin.)
func (s *Server) workRoutes(api fiber.Router) {
	if s.dom.Work == nil {
		return
	}
	api.Get("/queue", s.authenticate, s.apiQueue)
	api.Get("/shops/:id/stats", s.authenticate, s.apiShopStats)
}

func (s *Server) apiQueue(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	items, err := s.dom.Work.Queue(c.UserContext(), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// apiShopStats: from and to are RFC 3339 times; by default the last 30 days.
func (s *Server) apiShopStats(c *fiber.Ctx) error {
	var from, to time.Time
	if t, err := queryTime(c, "from"); err != nil {
		return err
	} else if t != nil {
		from = *t
	}
	if t, err := queryTime(c, "to"); err != nil {
		return err
	} else if t != nil {
		to = *t
	}
	st, err := s.dom.Work.ShopStats(c.UserContext(), c.Params("id"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(st)
}
