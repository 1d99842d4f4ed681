package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/server/web"
)

func (s *Handler) Queue(c *fiber.Ctx) error {
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	items, err := s.dom.Work.Queue(c.UserContext(), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// ShopStats: from and to are RFC 3339 times; by default the last 30 days.
func (s *Handler) ShopStats(c *fiber.Ctx) error {
	var from, to time.Time
	if t, err := web.QueryTime(c, "from"); err != nil {
		return err
	} else if t != nil {
		from = *t
	}
	if t, err := web.QueryTime(c, "to"); err != nil {
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
