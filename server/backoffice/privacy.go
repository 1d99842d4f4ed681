package backoffice

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// --- Admin: a customer's privacy requests ---

// OperatorEraseCustomer erases a customer's personal data on their request
// (the admin types the customer's login name to confirm), then shows the
// account as it is now: a pseudonym.
func (s *Handler) OperatorEraseCustomer(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Privacy == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	rep, err := s.dom.Privacy.EraseCustomer(c.UserContext(), id, c.FormValue("confirm"))
	if rep != nil && err != nil {
		// Erased in the database, but not everything cleared after: the
		// page says so (the log has the cause).
		slog.ErrorContext(c.UserContext(), "erasure: clearing after the erasure", "err", err)
		return s.opUserPage(c, fiber.StatusOK, map[string]string{"": "The customer's data is erased in the database, but not everything was cleared yet (the server log says what): stop the server and run helpcentre compact."})
	}
	switch domain.ErrorKind(err) {
	case "":
		return c.Redirect("/operator/admin/users/"+id+"?done=erased", fiber.StatusSeeOther)
	case domain.Invalid:
		field := ""
		if domain.ErrorCode(err) == domain.CodeErasureConfirm {
			field = "confirm"
		}
		return s.opUserPage(c, fiber.StatusBadRequest, map[string]string{field: domain.ErrorMessage(err)})
	}
	return err
}
