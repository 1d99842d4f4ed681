package server

import (
	"bytes"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// threadRoutes: conversations, attachments and routing rules.
func (s *Server) threadRoutes(api fiber.Router) {
	if s.dom.Threads != nil {
		api.Post("/orders/:number/threads", s.authenticate, s.apiCreateOrderThread)
		api.Post("/threads", s.authenticate, s.apiCreateThread)
		api.Get("/threads", s.authenticate, s.apiListThreads)
		api.Get("/threads/:id", s.authenticate, s.apiThread)
		api.Post("/threads/:id/messages", s.authenticate, s.apiPostMessage)
		api.Post("/threads/:id/no-reply-needed", s.authenticate, s.apiNoReplyNeeded)
		api.Post("/threads/:id/close", s.authenticate, s.apiCloseThread)
		api.Post("/threads/:id/read", s.authenticate, s.apiMarkRead)
	}
	if s.dom.Attachments != nil {
		api.Post("/attachments", s.authenticate, s.apiUploadAttachment)
		api.Get("/attachments/:sha", s.authenticate, s.apiDownloadAttachment)
	}
	if s.dom.Work != nil {
		// Under /admin: requireAdmin has authenticated an operator already.
		api.Get("/admin/routing-rules", s.apiListRoutingRules)
		api.Post("/admin/routing-rules", s.apiCreateRoutingRule)
	}
}

// threadRequest starts a conversation; the order comes from the path when
// there is one.
type threadRequest struct {
	Recipient   domain.Party           `json:"recipient"`
	Topic       string                 `json:"topic"`
	Subject     string                 `json:"subject"`
	Body        string                 `json:"body"`
	ShopID      string                 `json:"shop_id"`
	Attachments []domain.AttachmentRef `json:"attachments"`
}

func (s *Server) apiCreateOrderThread(c *fiber.Ctx) error {
	return s.createThread(c, strings.Clone(c.Params("number")))
}

func (s *Server) apiCreateThread(c *fiber.Ctx) error {
	return s.createThread(c, "")
}

func (s *Server) createThread(c *fiber.Ctx, order string) error {
	var in threadRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	th, err := s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{
		OrderNumber: order, ShopID: in.ShopID, Recipient: in.Recipient, Topic: in.Topic,
		Subject: in.Subject, Body: in.Body, Attachments: in.Attachments,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(th)
}

func (s *Server) apiListThreads(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	f := domain.ThreadFilter{
		Topic:       strings.Clone(c.Query("topic")),
		Customer:    strings.Clone(c.Query("customer")),
		OrderNumber: strings.Clone(c.Query("order")),
		Status:      strings.Clone(c.Query("status")),
		ShopID:      strings.Clone(c.Query("shop")),
		Text:        strings.Clone(c.Query("text")),
		Sort:        strings.Clone(c.Query("sort")),
		Cursor:      strings.Clone(c.Query("cursor")),
		Limit:       limit,
	}
	if f.Since, err = queryTime(c, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(c, "until"); err != nil {
		return err
	}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// queryTime reads an RFC 3339 time parameter; empty means none.
func queryTime(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, badRequest("invalid_parameter", name+" must be an RFC 3339 time, e.g. 2026-03-01T12:00:00Z")
	}
	return &t, nil
}

func (s *Server) apiThread(c *fiber.Ctx) error {
	th, err := s.dom.Threads.FindThread(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s.threadForReader(c, th))
}

func (s *Server) apiPostMessage(c *fiber.Ctx) error {
	var in domain.NewMessage
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.dom.Threads.PostMessage(c.UserContext(), strings.Clone(c.Params("id")), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) apiNoReplyNeeded(c *fiber.Ctx) error {
	th, err := s.dom.Threads.MarkNoReplyNeeded(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(th)
}

func (s *Server) apiMarkRead(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	if err := s.dom.Threads.MarkRead(c.UserContext(), id); err != nil {
		return err
	}
	th, err := s.dom.Threads.FindThread(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(th)
}

// apiUploadAttachment stores the raw request body as a file: its name in
// the X-Filename header (or the name query parameter), its type detected
// from the content. The body is streamed to disk when the server streams
// request bodies; otherwise the server's body limit bounds uploads.
func (s *Server) apiUploadAttachment(c *fiber.Ctx) error {
	name := c.Get("X-Filename")
	if name == "" {
		name = c.Query("name")
	}
	if name == "" {
		if _, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentDisposition)); err == nil {
			name = params["filename"]
		}
	}
	name = strings.Clone(name)
	var body io.Reader
	if r := c.Context().RequestBodyStream(); r != nil {
		body = r
	} else {
		body = bytes.NewReader(c.Body())
	}
	att, err := s.dom.Attachments.PutAttachment(c.UserContext(), name, body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(att)
}

// apiDownloadAttachment streams a stored file to someone allowed to see it
// (the API and the back-office pages of every area).
func (s *Server) apiDownloadAttachment(c *fiber.Ctx) error {
	if s.dom.Attachments == nil {
		return fiber.ErrNotFound
	}
	att, rc, err := s.dom.Attachments.OpenAttachment(c.UserContext(), c.Params("sha"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, att.Type)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	c.Set(fiber.HeaderCacheControl, "private, max-age=31536000, immutable") // content-addressed
	c.Set(fiber.HeaderETag, strconv.Quote(att.SHA256))
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(rc, int(att.Size))
}

func (s *Server) apiListRoutingRules(c *fiber.Ctx) error {
	rules, err := s.dom.Work.ListRoutingRules(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": rules})
}

func (s *Server) apiCreateRoutingRule(c *fiber.Ctx) error {
	var r domain.RoutingRule
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	r.ID, r.CreatedBy, r.CreatedAt = "", "", time.Time{}
	if err := s.dom.Work.CreateRoutingRule(c.UserContext(), &r); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// apiCloseThread ends a conversation for now; the next message reopens it.
func (s *Server) apiCloseThread(c *fiber.Ctx) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	th, err := s.dom.Threads.CloseThread(c.UserContext(), c.Params("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(th)
}
