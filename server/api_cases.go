package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// caseRoutes: incidents, refunds, claims, offers and returns.
func (s *Server) caseRoutes(api fiber.Router) {
	if s.dom.Incidents != nil {
		api.Post("/orders/:number/incidents", s.authenticate, s.apiOpenIncident)
		api.Get("/incidents", s.authenticate, s.apiListIncidents)
		api.Get("/incidents/:id", s.authenticate, s.apiIncident)
		api.Post("/incidents/:id/resolve", s.authenticate, s.apiResolveIncident)
		api.Post("/incidents/:id/close", s.authenticate, s.apiCloseIncident)
		api.Post("/incidents/:id/reopen", s.authenticate, s.apiReopenIncident)
	}
	if s.dom.Refunds != nil {
		api.Post("/orders/:number/refunds", s.authenticate, s.apiCreateRefund)
		api.Get("/orders/:number/refunds", s.authenticate, s.apiListRefunds)
		api.Get("/refunds/:id", s.authenticate, s.apiRefund)
		// The payment side signs its callbacks (X-Helpcentre-Signature);
		// customer care may call it with a bearer token instead.
		api.Post("/refunds/:id/callback", s.apiRefundCallback)
		api.Post("/refunds/:id/retry", s.authenticate, s.apiRetryRefund)
	}
	if s.dom.Claims != nil {
		api.Post("/orders/:number/claims", s.authenticate, s.apiOpenClaim)
		api.Get("/claims", s.authenticate, s.apiListClaims)
		api.Get("/claims/:id", s.authenticate, s.apiClaim)
		api.Post("/claims/:id/offers", s.authenticate, s.apiOffer)
		api.Post("/claims/:id/offers/:offer/accept", s.authenticate, s.apiAcceptOffer)
		api.Post("/claims/:id/offers/:offer/reject", s.authenticate, s.apiRejectOffer)
		api.Post("/claims/:id/refund", s.authenticate, s.apiRefundClaim)
		api.Post("/claims/:id/return", s.authenticate, s.apiStartReturn)
		api.Post("/claims/:id/close", s.authenticate, s.apiCloseClaim)
		api.Get("/returns/:id", s.authenticate, s.apiReturn)
		api.Get("/returns/:id/label", s.authenticate, s.apiReturnLabel)
		api.Post("/returns/:id/shipped", s.authenticate, s.apiReturnShipped)
		api.Post("/returns/:id/received", s.authenticate, s.apiReturnReceived)
	}
}

// decodeOptionalJSON reads a JSON body into v when there is one: actions
// whose fields are all optional may be posted without a body.
func decodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

// listLimit reads the limit parameter of a paged list.
func listLimit(c *fiber.Ctx) (int, error) { return queryInt(c, "limit") }

// ---- Incidents ----

type incidentRequest struct {
	Reason      string `json:"reason"`
	Line        int    `json:"line"`
	Description string `json:"description"`
}

func (s *Server) apiOpenIncident(c *fiber.Ctx) error {
	var in incidentRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.OpenIncident(c.UserContext(), strings.Clone(c.Params("number")), in.Line, in.Reason, in.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inc)
}

func (s *Server) apiIncident(c *fiber.Ctx) error {
	inc, err := s.dom.Incidents.FindIncident(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Server) apiListIncidents(c *fiber.Ctx) error {
	limit, err := listLimit(c)
	if err != nil {
		return err
	}
	list, next, err := s.dom.Incidents.ListIncidents(c.UserContext(), c.Query("order"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"incidents": list, "next": next})
}

// textRequest is the body of actions that take a message or a reason.
type textRequest struct {
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func (s *Server) apiResolveIncident(c *fiber.Ctx) error {
	var in textRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.ResolveIncident(c.UserContext(), c.Params("id"), in.Message)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Server) apiCloseIncident(c *fiber.Ctx) error {
	var in textRequest
	if err := decodeOptionalJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.CloseIncident(c.UserContext(), c.Params("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Server) apiReopenIncident(c *fiber.Ctx) error {
	var in textRequest
	if err := decodeOptionalJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.ReopenIncident(c.UserContext(), c.Params("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

// ---- Refunds ----

// HeaderIdempotencyKey names the client's key that makes a refund request
// safe to retry.
const HeaderIdempotencyKey = "Idempotency-Key"

func (s *Server) apiCreateRefund(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.Get(HeaderIdempotencyKey))
	if key == "" {
		return domain.Errorf(domain.CodeIdempotencyKeyRequired, "Send an Idempotency-Key header (e.g. a UUID): a retried request with the same key never refunds twice.")
	}
	var in domain.RefundRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, replayed, err := s.dom.Refunds.CreateRefund(c.UserContext(), strings.Clone(c.Params("number")), strings.Clone(key), in)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
		return c.JSON(r)
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) apiRefund(c *fiber.Ctx) error {
	r, err := s.dom.Refunds.FindRefund(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) apiListRefunds(c *fiber.Ctx) error {
	limit, err := listLimit(c)
	if err != nil {
		return err
	}
	list, next, err := s.dom.Refunds.ListRefunds(c.UserContext(), c.Params("number"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"refunds": list, "next": next})
}

func (s *Server) apiRetryRefund(c *fiber.Ctx) error {
	r, err := s.dom.Refunds.RetryRefund(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// HeaderPaymentSignature carries the payment side's signature of a refund
// callback: "t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>." + body)>"
// (domain.SignPaymentCallback).
const HeaderPaymentSignature = "X-Helpcentre-Signature"

// paymentActor is who a signed payment callback acts as.
var paymentActor = domain.Actor{UserID: "system", Name: "payment-callback"}

// PaymentCallbackKey is the key the payment side signs refund callbacks
// with, derived from the server's shared secret (Config.Secret) so that it
// is never the key of anything else the server signs.
func PaymentCallbackKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("helpcentre payment callback v1"))
	return m.Sum(nil)
}

// paymentKey is the refund callbacks' key: the configured one, else derived.
func (s *Server) paymentKey() []byte {
	if len(s.cfg.PaymentSecret) > 0 {
		return s.cfg.PaymentSecret
	}
	return PaymentCallbackKey(s.secret)
}

type callbackRequest struct {
	State   domain.RefundState `json:"state"`
	Failure string             `json:"failure"`
}

// apiRefundCallback is the payment side telling where a refund's money is:
// signed (X-Helpcentre-Signature, at most 5 minutes old), or sent by customer
// care with a bearer token.
func (s *Server) apiRefundCallback(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) != "" {
		return s.withActor(c, s.refundCallback)
	}
	body := c.Body()
	if err := domain.VerifyPaymentCallback(s.paymentKey(), c.Get(HeaderPaymentSignature), body, time.Now()); err != nil {
		return err
	}
	c.SetUserContext(domain.WithActor(c.UserContext(), paymentActor))
	return s.refundCallback(c)
}

func (s *Server) refundCallback(c *fiber.Ctx) error {
	var in callbackRequest
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return badRequest("invalid_json", "The body is {\"state\": \"processing\"|\"refunded\"|\"failed\", \"failure\": \"...\"}.")
	}
	r, err := s.dom.Refunds.AdvanceRefund(c.UserContext(), c.Params("id"), in.State, in.Failure)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// ---- Claims, offers and returns ----

type claimRequest struct {
	Reason      string `json:"reason"`
	Description string `json:"description"`
}

func (s *Server) apiOpenClaim(c *fiber.Ctx) error {
	var in claimRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.dom.Claims.OpenClaim(c.UserContext(), strings.Clone(c.Params("number")), in.Reason, in.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cl)
}

func (s *Server) apiClaim(c *fiber.Ctx) error {
	cl, err := s.dom.Claims.FindClaim(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cl)
}

func (s *Server) apiListClaims(c *fiber.Ctx) error {
	limit, err := listLimit(c)
	if err != nil {
		return err
	}
	list, next, err := s.dom.Claims.ListClaims(c.UserContext(), c.Query("order"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"claims": list, "next": next})
}

type offerRequest struct {
	Percent int   `json:"percent"`
	Amount  int64 `json:"amount"`
}

// apiOffer makes an offer: 201 with the claim, the new offer last in offers.
func (s *Server) apiOffer(c *fiber.Ctx) error {
	var in offerRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.dom.Claims.OfferPartialRefund(c.UserContext(), c.Params("id"), in.Percent, in.Amount)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cl)
}

func (s *Server) apiAcceptOffer(c *fiber.Ctx) error {
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.AcceptOffer(ctx, id, c.Params("offer"))
	})
}

func (s *Server) apiRejectOffer(c *fiber.Ctx) error {
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.RejectOffer(ctx, id, c.Params("offer"))
	})
}

func (s *Server) apiRefundClaim(c *fiber.Ctx) error {
	return s.claimAction(c, s.dom.Claims.RefundClaim)
}

func (s *Server) apiCloseClaim(c *fiber.Ctx) error {
	var in textRequest
	if err := decodeOptionalJSON(c, &in); err != nil {
		return err
	}
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.CloseClaim(ctx, id, in.Reason)
	})
}

func (s *Server) claimAction(c *fiber.Ctx, do func(ctx context.Context, id string) (*domain.Claim, error)) error {
	cl, err := do(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cl)
}

func (s *Server) apiStartReturn(c *fiber.Ctx) error {
	r, err := s.dom.Claims.StartReturn(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) apiReturn(c *fiber.Ctx) error {
	r, err := s.dom.Claims.FindReturn(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// apiReturnLabel downloads a return's shipping label document (the API and
// the back-office pages of customers, sellers and customer care).
func (s *Server) apiReturnLabel(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	r, label, err := s.dom.Claims.ReturnLabel(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, r.Label.Type)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+safeFilename(r.Label.Name)+`"`)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(label)
}

type returnRequest struct {
	Tracking string `json:"tracking"`
}

func (s *Server) apiReturnShipped(c *fiber.Ctx) error {
	return s.returnAction(c, domain.ReturnShipped)
}

func (s *Server) apiReturnReceived(c *fiber.Ctx) error {
	return s.returnAction(c, domain.ReturnReceived)
}

func (s *Server) returnAction(c *fiber.Ctx, to domain.ReturnState) error {
	var in returnRequest
	if err := decodeOptionalJSON(c, &in); err != nil {
		return err
	}
	r, err := s.dom.Claims.AdvanceReturn(c.UserContext(), c.Params("id"), to, in.Tracking)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
