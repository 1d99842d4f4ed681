package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// outboxRoutes: delivery of notifications, observable by operators, and each
// user's in-app list.
func (s *Server) outboxRoutes(api fiber.Router) {
	// Under /admin: requireAdmin has authenticated an operator already.
	api.Get("/admin/outbox", s.apiOutbox)
	api.Get("/notifications", s.authenticate, s.apiNotifications)
	api.Post("/notifications/:id/read", s.authenticate, s.apiNotificationRead)
}

// queryBool reads a true/false query parameter; absent is false.
func queryBool(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("invalid_parameter", name+" must be true or false")
	}
	return b, nil
}

func (s *Server) apiOutbox(c *fiber.Ctx) error {
	undelivered, err := queryBool(c, "undelivered")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	events, next, err := s.dom.Outbox.ListOutbox(c.UserContext(), undelivered, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": events, "next": next})
}

func (s *Server) apiNotifications(c *fiber.Ctx) error {
	unread, err := queryBool(c, "unread")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	list, err := s.dom.Outbox.Notifications(c.UserContext(), unread, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"notifications": list})
}

func (s *Server) apiNotificationRead(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	if err := s.dom.Outbox.MarkNotificationRead(c.UserContext(), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "read": true})
}
