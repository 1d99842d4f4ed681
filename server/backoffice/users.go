package backoffice

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// --- Admin: users, their credentials ---

// opUserView is one user's page: who they are, their tokens and sessions.
type opUserView struct {
	User   *domain.User
	Tokens []domain.Token
	Self   bool // the admin's own page: no disabling
	// History is the user's audit log: created, disabled, grants added and
	// revoked, team set…
	History []opHistoryEntry
	Erased  bool // a customer whose data was erased: no second erasure
}

func (s *Handler) OperatorUsers(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	users, err := s.dom.Access.ListUsers(c.UserContext(), "")
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_users", boPage{Title: "Users", Body: users})
}

func (s *Handler) opUserPage(c *fiber.Ctx, status int, errs map[string]string) error {
	ctx := c.UserContext()
	u, err := s.dom.Access.FindUser(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	toks, err := s.dom.Access.ListTokens(ctx, u.ID)
	if err != nil {
		return err
	}
	v := &opUserView{User: u, Tokens: toks, Self: u.ID == domain.ActorFrom(ctx).UserID, Erased: domain.IsErased(u)}
	if v.History, err = s.opHistory(c, "user:"+u.ID); err != nil {
		return err
	}
	return s.renderBO(c, status, "operator_user", boPage{Title: "User " + u.Name, Body: v, Errors: errs})
}

func (s *Handler) OperatorUser(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	return s.opUserPage(c, fiber.StatusOK, nil)
}

// OperatorUserAction disables or enables a user, resets their password or
// revokes one of their tokens: the same services as the admin API.
func (s *Handler) OperatorUserAction(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	ctx, id := c.UserContext(), c.Params("id")
	var err error
	done := ""
	switch c.Params("action") {
	case "disable", "enable":
		_, err = s.dom.Access.SetUserDisabled(ctx, id, c.Params("action") == "disable")
		done = c.Params("action") + "d"
	case "password":
		if c.FormValue("password") != c.FormValue("again") {
			return s.opUserPage(c, fiber.StatusBadRequest, map[string]string{"again": "The two passwords differ."})
		}
		err, done = s.dom.Access.ResetPassword(ctx, id, c.FormValue("password")), "password_reset"
	case "revoke":
		err, done = s.dom.Access.RevokeUserToken(ctx, id, c.FormValue("token")), "token_revoked"
	default:
		return fiber.ErrNotFound
	}
	switch domain.ErrorKind(err) {
	case "":
		return c.Redirect("/operator/admin/users/"+id+"?done="+done, fiber.StatusSeeOther)
	case domain.Invalid, domain.Conflict:
		field := ""
		if domain.ErrorCode(err) == domain.CodeInvalidPassword {
			field = "password"
		}
		return s.opUserPage(c, fiber.StatusBadRequest, map[string]string{field: domain.ErrorMessage(err)})
	}
	return err
}
