package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/server/web"
)

func (s *Handler) Outbox(c *fiber.Ctx) error {
	undelivered, err := web.QueryBool(c, "undelivered")
	if err != nil {
		return err
	}
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	events, next, err := s.dom.Outbox.ListOutbox(c.UserContext(), undelivered, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": events, "next": next})
}

func (s *Handler) Notifications(c *fiber.Ctx) error {
	unread, err := web.QueryBool(c, "unread")
	if err != nil {
		return err
	}
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	list, err := s.dom.Outbox.Notifications(c.UserContext(), unread, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": list})
}

func (s *Handler) NotificationRead(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.dom.Outbox.MarkNotificationRead(c.UserContext(), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "read": true})
}
