package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// Administration both ways (issue 21.9): routing rules edited and deleted,
// grants revoked, an operator's team set.

// UpdateRoutingRule replaces a rule's fields; its priority reorders it.
func (s *Handler) UpdateRoutingRule(c *fiber.Ctx) error {
	var r domain.RoutingRule
	if err := web.DecodeJSON(c, &r); err != nil {
		return err
	}
	r.ID, r.CreatedBy, r.CreatedAt = c.Params("id"), "", time.Time{}
	if err := s.dom.Work.UpdateRoutingRule(c.UserContext(), &r); err != nil {
		return err
	}
	return c.JSON(r)
}

// DeleteRoutingRule removes a rule.
func (s *Handler) DeleteRoutingRule(c *fiber.Ctx) error {
	if _, err := s.dom.Work.DeleteRoutingRule(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// RevokeGrant takes a grant back.
func (s *Handler) RevokeGrant(c *fiber.Ctx) error {
	if _, err := s.dom.Access.RevokeGrant(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// SetUserTeam sets an operator's team and skills.
func (s *Handler) SetUserTeam(c *fiber.Ctx) error {
	var in struct {
		Team   string   `json:"team"`
		Skills []string `json:"skills"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, err := s.dom.Access.SetUserTeam(c.UserContext(), c.Params("id"), in.Team, in.Skills)
	if err != nil {
		return err
	}
	return c.JSON(u)
}
