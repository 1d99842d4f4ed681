package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// Mail lists the outbox's mails, newest first (operators): what was sent,
// what waits and why.
func (s *Handler) Mail(c *fiber.Ctx) error {
	if s.dom.Mail == nil {
		return web.NotFound(c)
	}
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	list, err := s.dom.Mail.ListMail(c.UserContext(), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"mail": list})
}

// MailPreferences answers the caller's choice of notifications by email.
func (s *Handler) MailPreferences(c *fiber.Ctx) error {
	if s.dom.Mail == nil {
		return web.NotFound(c)
	}
	p, err := s.dom.Mail.MailPreferences(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// PutMailPreferences stores the caller's choice of notifications by email.
func (s *Handler) PutMailPreferences(c *fiber.Ctx) error {
	if s.dom.Mail == nil {
		return web.NotFound(c)
	}
	var p domain.MailPrefs
	if err := web.DecodeJSON(c, &p); err != nil {
		return err
	}
	p, err := s.dom.Mail.SetMailPreferences(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
