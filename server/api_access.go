package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// accessRoutes: who am I, users, shops, tokens and grants.
func (s *Server) accessRoutes(api fiber.Router) {
	api.Get("/me", s.authenticate, s.apiMe)
	api.Post("/me/tokens", s.authenticate, s.apiCreateOwnToken)
	api.Delete("/tokens/:id", s.authenticate, s.apiRevokeToken)

	// Under /admin: requireAdmin has authenticated an operator already.
	api.Get("/admin/users", s.apiListUsers)
	api.Post("/admin/users", s.apiCreateUser)
	api.Post("/admin/users/:id/tokens", s.apiCreateUserToken)
	api.Put("/admin/shops/:id", s.apiPutShop)
	api.Get("/admin/grants", s.apiListGrants)
	api.Post("/admin/grants", s.apiGrant)
}

// decodeJSON reads a JSON body into v; a malformed body is the client's
// mistake, answered with invalid_json.
func decodeJSON(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return badRequest("invalid_json", "The request needs a JSON body.")
	}
	if err := c.BodyParser(v); err != nil {
		return badRequest("invalid_json", "The body is not the JSON this endpoint takes: "+jsonErrorDetail(err))
	}
	return nil
}

// jsonErrorDetail keeps a decoder's message short and free of Go type names.
func jsonErrorDetail(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (s *Server) apiMe(c *fiber.Ctx) error {
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
	TTLHours int    `json:"ttl_hours"`
}

func (s *Server) createToken(c *fiber.Ctx, userID string) error {
	var req tokenRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	tok, err := s.dom.Access.CreateToken(c.UserContext(), userID, req.Label, time.Duration(req.TTLHours)*time.Hour)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tok)
}

func (s *Server) apiCreateOwnToken(c *fiber.Ctx) error {
	return s.createToken(c, domain.ActorFrom(c.UserContext()).UserID)
}

func (s *Server) apiCreateUserToken(c *fiber.Ctx) error {
	return s.createToken(c, c.Params("id"))
}

func (s *Server) apiRevokeToken(c *fiber.Ctx) error {
	if err := s.dom.Access.RevokeToken(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiListUsers(c *fiber.Ctx) error {
	users, err := s.dom.Access.ListUsers(c.UserContext(), domain.Role(c.Query("role")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": users})
}

func (s *Server) apiCreateUser(c *fiber.Ctx) error {
	var u domain.User
	if err := decodeJSON(c, &u); err != nil {
		return err
	}
	u.ID, u.CreatedAt, u.Disabled = "", time.Time{}, false
	if err := s.dom.Access.CreateUser(c.UserContext(), &u); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *Server) apiPutShop(c *fiber.Ctx) error {
	var sh domain.Shop
	if err := decodeJSON(c, &sh); err != nil {
		return err
	}
	sh.ID = c.Params("id")
	if err := s.dom.Access.PutShop(c.UserContext(), &sh); err != nil {
		return err
	}
	return c.JSON(sh)
}

func (s *Server) apiListGrants(c *fiber.Ctx) error {
	gs, err := s.dom.Access.ListGrants(c.UserContext(), c.Query("agent"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"grants": gs})
}

func (s *Server) apiGrant(c *fiber.Ctx) error {
	var g domain.Grant
	if err := decodeJSON(c, &g); err != nil {
		return err
	}
	g.ID, g.GrantedBy, g.GrantedAt = "", "", time.Time{}
	if err := s.dom.Access.Grant(c.UserContext(), &g); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}
