package api

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// listLimit reads the limit parameter of a paged list.
func listLimit(c *fiber.Ctx) (int, error) { return web.QueryInt(c, "limit") }

// ---- Incidents ----

type incidentRequest struct {
	Reason      string `json:"reason"`
	Line        int    `json:"line"`
	Description string `json:"description"`
}

func (s *Handler) OpenIncident(c *fiber.Ctx) error {
	var in incidentRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.OpenIncident(c.UserContext(), c.Params("number"), in.Line, in.Reason, in.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inc)
}

func (s *Handler) Incident(c *fiber.Ctx) error {
	inc, err := s.dom.Incidents.FindIncident(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(incidentJSON{Incident: inc, DescriptionDisplay: caseDisplay(inc.Description, inc.CaseText, readerLang(c))})
}

func (s *Handler) ListIncidents(c *fiber.Ctx) error {
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

func (s *Handler) ResolveIncident(c *fiber.Ctx) error {
	var in textRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.ResolveIncident(c.UserContext(), c.Params("id"), in.Message)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Handler) CloseIncident(c *fiber.Ctx) error {
	var in struct {
		Reason  string `json:"reason"`
		CloseAs string `json:"close_as"` // "", duplicate, customer_mistake
	}
	if err := web.DecodeOptionalJSON(c, &in); err != nil {
		return err
	}
	inc, err := s.dom.Incidents.CloseIncidentAs(c.UserContext(), c.Params("id"), in.Reason, in.CloseAs)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Handler) ReopenIncident(c *fiber.Ctx) error {
	var in textRequest
	if err := web.DecodeOptionalJSON(c, &in); err != nil {
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

func (s *Handler) CreateRefund(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.Get(HeaderIdempotencyKey))
	if key == "" {
		return domain.Errorf(domain.CodeIdempotencyKeyRequired, "Send an Idempotency-Key header (e.g. a UUID): a retried request with the same key never refunds twice.")
	}
	var in domain.RefundRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, replayed, err := s.dom.Refunds.CreateRefund(c.UserContext(), c.Params("number"), key, in)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
		return c.JSON(r)
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Handler) Refund(c *fiber.Ctx) error {
	r, err := s.dom.Refunds.FindRefund(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Handler) ListRefunds(c *fiber.Ctx) error {
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

func (s *Handler) RetryRefund(c *fiber.Ctx) error {
	r, err := s.dom.Refunds.RetryRefund(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// The payment side's callback headers (Standard Webhooks; see
// domain/payment_callback.go): the event's id, its Unix time and
// "v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>".
const (
	HeaderPaymentEventID   = "Webhook-Id"
	HeaderPaymentTimestamp = "Webhook-Timestamp"
	HeaderPaymentSignature = "Webhook-Signature"
)

// paymentActor is who a signed payment callback acts as.
var paymentActor = domain.SystemAs("payment-callback", "")

// PaymentCallbackKey is the key the payment side signs refund callbacks
// with, derived from the server's shared secret (Config.Secret) so that it
// is never the key of anything else the server signs.
func PaymentCallbackKey(signer *web.Signer) []byte {
	return signer.Key("helpcentre payment callback v1")
}

type callbackRequest struct {
	State   domain.RefundState `json:"state"`
	Failure string             `json:"failure"`
}

// RefundCallback is the payment side telling where a refund's money is:
// signed (Webhook-Id, Webhook-Timestamp, Webhook-Signature; at most 5
// minutes old; each event once), or sent by customer care with a bearer
// token.
func (s *Handler) RefundCallback(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) != "" {
		return s.auth.WithActor(c, s.refundCallback)
	}
	cb, err := domain.VerifyPaymentCallback(s.paymentKey, c.Params("id"), c.Get(HeaderPaymentEventID), c.Get(HeaderPaymentTimestamp),
		c.Get(HeaderPaymentSignature), c.Body(), time.Now())
	if err != nil {
		return err
	}
	cb.RefundID, cb.EventID = strings.Clone(cb.RefundID), strings.Clone(cb.EventID)
	r, err := s.dom.Refunds.ApplyPaymentCallback(domain.WithActor(c.UserContext(), paymentActor), *cb)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// refundCallback is customer care moving a refund on by hand.
func (s *Handler) refundCallback(c *fiber.Ctx) error {
	var in callbackRequest
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return domain.Errorf(domain.CodeInvalidJSON, "%s", "The body is {\"state\": \"processing\"|\"refunded\"|\"failed\", \"failure\": \"...\"}.")
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

func (s *Handler) OpenClaim(c *fiber.Ctx) error {
	var in claimRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.dom.Claims.OpenClaim(c.UserContext(), c.Params("number"), in.Reason, in.Description)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cl)
}

func (s *Handler) Claim(c *fiber.Ctx) error {
	cl, err := s.dom.Claims.FindClaim(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(claimJSON{Claim: cl, DescriptionDisplay: caseDisplay(cl.Description, cl.CaseText, readerLang(c))})
}

func (s *Handler) ListClaims(c *fiber.Ctx) error {
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

// Offer makes an offer: 201 with the claim, the new offer last in offers.
func (s *Handler) Offer(c *fiber.Ctx) error {
	var in offerRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := s.dom.Claims.OfferPartialRefund(c.UserContext(), c.Params("id"), in.Percent, in.Amount)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cl)
}

func (s *Handler) AcceptOffer(c *fiber.Ctx) error {
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.AcceptOffer(ctx, id, c.Params("offer"))
	})
}

func (s *Handler) RejectOffer(c *fiber.Ctx) error {
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.RejectOffer(ctx, id, c.Params("offer"))
	})
}

// WithdrawOffer is the seller taking back the pending offer.
func (s *Handler) WithdrawOffer(c *fiber.Ctx) error {
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.WithdrawOffer(ctx, id, c.Params("offer"))
	})
}

func (s *Handler) RefundClaim(c *fiber.Ctx) error {
	return s.claimAction(c, s.dom.Claims.RefundClaim)
}

func (s *Handler) CloseClaim(c *fiber.Ctx) error {
	var in textRequest
	if err := web.DecodeOptionalJSON(c, &in); err != nil {
		return err
	}
	return s.claimAction(c, func(ctx context.Context, id string) (*domain.Claim, error) {
		return s.dom.Claims.CloseClaim(ctx, id, in.Reason)
	})
}

func (s *Handler) claimAction(c *fiber.Ctx, do func(ctx context.Context, id string) (*domain.Claim, error)) error {
	cl, err := do(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cl)
}

func (s *Handler) StartReturn(c *fiber.Ctx) error {
	r, err := s.dom.Claims.StartReturn(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Handler) Return(c *fiber.Ctx) error {
	r, err := s.dom.Claims.FindReturn(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// ReturnLabel downloads a return's shipping label document (the API and
// the back-office pages of customers, sellers and customer care).
func (s *Handler) ReturnLabel(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	r, label, err := s.dom.Claims.ReturnLabel(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, r.Label.Type)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+web.SafeFilename(r.Label.Name)+`"`)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(label)
}

type returnRequest struct {
	Tracking string `json:"tracking"`
}

func (s *Handler) ReturnShipped(c *fiber.Ctx) error {
	return s.returnAction(c, domain.ReturnShipped)
}

func (s *Handler) ReturnReceived(c *fiber.Ctx) error {
	return s.returnAction(c, domain.ReturnReceived)
}

func (s *Handler) returnAction(c *fiber.Ctx, to domain.ReturnState) error {
	var in returnRequest
	if err := web.DecodeOptionalJSON(c, &in); err != nil {
		return err
	}
	r, err := s.dom.Claims.AdvanceReturn(c.UserContext(), c.Params("id"), to, in.Tracking)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
