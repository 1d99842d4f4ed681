package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

func (s *Handler) Me(c *fiber.Ctx) error {
	a := domain.ActorFrom(c.UserContext())
	u, err := s.dom.Access.FindUser(c.UserContext(), a.UserID)
	if err != nil {
		return err
	}
	grants := a.Grants
	if grants == nil {
		grants = []domain.Grant{}
	}
	return c.JSON(fiber.Map{"user": u, "grants": grants})
}

type tokenRequest struct {
	Label    string `json:"label"`
	TTLHours int64  `json:"ttl_hours"`
}

func (s *Handler) createToken(c *fiber.Ctx, userID string) error {
	var req tokenRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	ttl, err := domain.TokenTTLHours(req.TTLHours)
	if err != nil {
		return err
	}
	tok, err := s.dom.Access.CreateToken(c.UserContext(), userID, req.Label, ttl)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tok)
}

func (s *Handler) CreateOwnToken(c *fiber.Ctx) error {
	return s.createToken(c, domain.ActorFrom(c.UserContext()).UserID)
}

func (s *Handler) CreateUserToken(c *fiber.Ctx) error {
	return s.createToken(c, c.Params("id"))
}

func (s *Handler) RevokeToken(c *fiber.Ctx) error {
	if err := s.dom.Access.RevokeToken(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Handler) ListUsers(c *fiber.Ctx) error {
	users, err := s.dom.Access.ListUsers(c.UserContext(), domain.Role(c.Query("role")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": users})
}

func (s *Handler) CreateUser(c *fiber.Ctx) error {
	var u domain.User
	if err := web.DecodeJSON(c, &u); err != nil {
		return err
	}
	u.ID, u.CreatedAt, u.Disabled = "", time.Time{}, false
	if err := s.dom.Access.CreateUser(c.UserContext(), &u); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Handler) PutShop(c *fiber.Ctx) error {
	var sh domain.Shop
	if err := web.DecodeJSON(c, &sh); err != nil {
		return err
	}
	sh.ID = c.Params("id")
	if err := s.dom.Access.PutShop(c.UserContext(), &sh); err != nil {
		return err
	}
	return c.JSON(sh)
}

func (s *Handler) ListGrants(c *fiber.Ctx) error {
	gs, err := s.dom.Access.ListGrants(c.UserContext(), c.Query("agent"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"grants": gs})
}

func (s *Handler) Grant(c *fiber.Ctx) error {
	var g domain.Grant
	if err := web.DecodeJSON(c, &g); err != nil {
		return err
	}
	g.ID, g.GrantedBy, g.GrantedAt = "", "", time.Time{}
	if err := s.dom.Access.Grant(c.UserContext(), &g); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

func (s *Handler) DisableUser(c *fiber.Ctx) error { return s.setDisabled(c, true) }

func (s *Handler) EnableUser(c *fiber.Ctx) error { return s.setDisabled(c, false) }

func (s *Handler) setDisabled(c *fiber.Ctx, disabled bool) error {
	u, err := s.dom.Access.SetUserDisabled(c.UserContext(), c.Params("id"), disabled)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *Handler) ResetPassword(c *fiber.Ctx) error {
	var req struct {
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.dom.Access.ResetPassword(c.UserContext(), c.Params("id"), req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ListUserTokens is the admin's view of a user's tokens and sessions
// (never their secrets).
func (s *Handler) ListUserTokens(c *fiber.Ctx) error {
	if err := domain.RequireAdmin(domain.ActorFrom(c.UserContext())); err != nil {
		return err
	}
	toks, err := s.dom.Access.ListTokens(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": toks})
}

func (s *Handler) RevokeUserToken(c *fiber.Ctx) error {
	if err := s.dom.Access.RevokeUserToken(c.UserContext(), c.Params("id"), c.Params("token")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
