package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// Domain holds the after-sales services the API serves. With no Domain the
// after-sales endpoints do not exist (the help centre alone still works).
type Domain struct {
	Access      domain.AccessService
	Orders      domain.OrderService
	Threads     domain.ThreadService
	Incidents   domain.IncidentService
	Refunds     domain.RefundService
	Claims      domain.ClaimService
	Work        domain.WorkService
	Outbox      domain.OutboxService
	Attachments domain.AttachmentService
	Audit       domain.AuditService
	Canned      domain.CannedReplies // sellers' saved answers (pages only)
	Policy      domain.Policy        // the deadlines pages show; zero: domain.DefaultPolicy()
}

// policy returns the configured after-sales policy.
func (d *Domain) policy() domain.Policy {
	if d == nil || d.Policy == (domain.Policy{}) {
		return domain.DefaultPolicy()
	}
	return d.Policy
}

// domainRoutes is the after-sales part of the route table, under /api/v1.
// Every route but the payment callback needs a bearer token; the services
// check what the caller may see and do.
func (s *Server) domainRoutes(api fiber.Router) {
	if s.dom == nil {
		return
	}
	s.accessRoutes(api)
	s.orderRoutes(api)
	s.threadRoutes(api)
	s.caseRoutes(api)
	s.workRoutes(api)
	s.outboxRoutes(api)
	if s.dom.Audit != nil {
		api.Get("/audit", s.authenticate, s.apiAudit)
	}
}

// apiAudit is an entity's audit log (customer care): who did what, when and why.
func (s *Server) apiAudit(c *fiber.Ctx) error {
	entries, err := s.dom.Audit.AuditLog(c.UserContext(), c.Query("entity"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entity": c.Query("entity"), "entries": entries})
}

// authenticate resolves the bearer token to an Actor and puts it in the
// request's context (c.UserContext()), where the services read it.
func (s *Server) authenticate(c *fiber.Ctx) error {
	return s.withActor(c, (*fiber.Ctx).Next)
}

// withActor authenticates the request, then calls next.
func (s *Server) withActor(c *fiber.Ctx, next func(*fiber.Ctx) error) error {
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return domain.Errorf(domain.CodeUnauthorized, "Send a token as: Authorization: Bearer <token>.")
	}
	actor, err := s.dom.Access.Authenticate(c.UserContext(), strings.TrimSpace(token))
	if err != nil {
		return err
	}
	c.SetUserContext(domain.WithActor(c.UserContext(), actor))
	return next(c)
}
