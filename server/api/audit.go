package api

import (
	"github.com/gofiber/fiber/v2"
)

// Audit is an entity's audit log (customer care): who did what, when and why.
func (s *Handler) Audit(c *fiber.Ctx) error {
	entries, err := s.dom.Audit.AuditLog(c.UserContext(), c.Query("entity"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entity": c.Query("entity"), "entries": entries})
}
