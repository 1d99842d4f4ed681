package api

import (
	"bytes"
	"io"
	"mime"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

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

func (s *Handler) CreateOrderThread(c *fiber.Ctx) error {
	return s.createThread(c, c.Params("number"))
}

func (s *Handler) CreateThread(c *fiber.Ctx) error {
	return s.createThread(c, "")
}

func (s *Handler) createThread(c *fiber.Ctx, order string) error {
	var in threadRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	th, err := s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{
		OrderNumber: order, ShopID: in.ShopID, Recipient: in.Recipient, Topic: in.Topic,
		Subject: in.Subject, Body: in.Body, Attachments: in.Attachments,
	})
	if err != nil {
		return err
	}
	domain.HideInternals(domain.ActorFrom(c.UserContext()), th)
	return c.Status(fiber.StatusCreated).JSON(th)
}

func (s *Handler) ListThreads(c *fiber.Ctx) error {
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	f := domain.ThreadFilter{
		Topic:       c.Query("topic"),
		Customer:    c.Query("customer"),
		OrderNumber: c.Query("order"),
		Status:      c.Query("status"),
		ShopID:      c.Query("shop"),
		Text:        c.Query("text"),
		Sort:        c.Query("sort"),
		Cursor:      c.Query("cursor"),
		Limit:       limit,
	}
	if f.Since, err = web.QueryTime(c, "since"); err != nil {
		return err
	}
	if f.Until, err = web.QueryTime(c, "until"); err != nil {
		return err
	}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), f)
	if err != nil {
		return err
	}
	for i := range page.Threads {
		domain.HideInternals(domain.ActorFrom(c.UserContext()), &page.Threads[i])
	}
	return c.JSON(page)
}

// Thread answers the thread with its newest page of messages; ?cursor= (the
// answer's next) reads older ones, ?limit= sets the page size.
func (s *Handler) Thread(c *fiber.Ctx) error {
	limit, err := web.QueryInt(c, "limit")
	if err != nil {
		return err
	}
	th, err := s.dom.Threads.FindThread(c.UserContext(), c.Params("id"), domain.MessagePage{Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(s.threadForReader(c, th))
}

func (s *Handler) PostMessage(c *fiber.Ctx) error {
	var in domain.NewMessage
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.dom.Threads.PostMessage(c.UserContext(), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Handler) NoReplyNeeded(c *fiber.Ctx) error {
	th, err := s.dom.Threads.MarkNoReplyNeeded(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(th)
}

func (s *Handler) MarkRead(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.dom.Threads.MarkRead(c.UserContext(), id); err != nil {
		return err
	}
	th, err := s.dom.Threads.FindThread(c.UserContext(), id, domain.MessagePage{})
	if err != nil {
		return err
	}
	domain.HideInternals(domain.ActorFrom(c.UserContext()), th)
	return c.JSON(th)
}

// UploadAttachment stores the raw request body as a file: its name in
// the X-Filename header (or the name query parameter), its type detected
// from the content. The body is streamed to disk when the server streams
// request bodies; otherwise the server's body limit bounds uploads.
func (s *Handler) UploadAttachment(c *fiber.Ctx) error {
	name := c.Get("X-Filename")
	if name == "" {
		name = c.Query("name")
	}
	if name == "" {
		if _, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentDisposition)); err == nil {
			name = params["filename"]
		}
	}
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

// DownloadAttachment streams a stored file to someone allowed to see it
// (the API and the back-office pages of every area).
func (s *Handler) DownloadAttachment(c *fiber.Ctx) error {
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

func (s *Handler) ListRoutingRules(c *fiber.Ctx) error {
	rules, err := s.dom.Work.ListRoutingRules(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": rules})
}

func (s *Handler) CreateRoutingRule(c *fiber.Ctx) error {
	var r domain.RoutingRule
	if err := web.DecodeJSON(c, &r); err != nil {
		return err
	}
	r.ID, r.CreatedBy, r.CreatedAt = "", "", time.Time{}
	if err := s.dom.Work.CreateRoutingRule(c.UserContext(), &r); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// CloseThread ends a conversation for now; the next message reopens it.
func (s *Handler) CloseThread(c *fiber.Ctx) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	th, err := s.dom.Threads.CloseThread(c.UserContext(), c.Params("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(th)
}
