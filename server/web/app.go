// Package web is the server's small web kit: the Fiber app and its
// middleware, problem responses and the one error → status table, request
// and response helpers, sessions, the signer, assets, formats and charts.
package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/marketplace/helpcentre/domain"
)

// UploadLimit bounds a request that carries files: an attachment upload, or
// a back-office form with up to domain.MaxAttachmentsPer files.
const UploadLimit = domain.MaxAttachmentsPer*domain.MaxAttachmentBytes + 1<<20

// AppConfig is what the Fiber app is set up with.
type AppConfig struct {
	ReadTimeout  time.Duration // 0: 10 s
	WriteTimeout time.Duration // 0: 10 s
	IdleTimeout  time.Duration // 0: 60 s
	BodyLimit    int           // every route but uploads; 0: 256 KiB
}

// WithDefaults fills in the zero fields.
func (c AppConfig) WithDefaults() AppConfig {
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 10 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 60 * time.Second
	}
	if c.BodyLimit == 0 {
		c.BodyLimit = 256 << 10
	}
	return c
}

// NewApp is the hardened Fiber app every route is registered on.
func NewApp(cfg AppConfig, errorHandler fiber.ErrorHandler) *fiber.App {
	cfg = cfg.WithDefaults()
	return fiber.New(fiber.Config{
		AppName:               "helpcentre",
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		// Strings from the context (Params, Query, FormValue, Get...) are
		// copies that handlers may keep: Fiber otherwise reuses their bytes
		// for the next request.
		Immutable: true,
		// Bodies are streamed so that uploads are not buffered whole;
		// LimitBody keeps every other route to cfg.BodyLimit.
		BodyLimit:         UploadLimit,
		StreamRequestBody: true,
		ReadBufferSize:    16 << 10, // request line + headers; larger gets 431
		ErrorHandler:      errorHandler,
		// c.IP() must not trust X-Forwarded-For unless a trusted proxy is configured.
		EnableTrustedProxyCheck: true,
	})
}

// Recover turns a panic into a 500, logging its stack.
func Recover(log *slog.Logger) fiber.Handler {
	return recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		log.Error("panic", "path", c.Path(), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
	}})
}

// RequestIDs gives each request an id (X-Request-ID), logged with it.
func RequestIDs() fiber.Handler { return requestid.New() }

// RequestID is the request's id.
func RequestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return v
	}
	return ""
}

// SecurityHeaders sets the headers every answer carries.
func SecurityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	return c.Next()
}

// NotFound answers every path no route took.
func NotFound(*fiber.Ctx) error { return fiber.ErrNotFound }

// isUpload reports whether a request may carry files: the attachment upload
// endpoint, or a multipart form of the back office.
func isUpload(c *fiber.Ctx) bool {
	p := c.Path()
	if p == "/api/v1/attachments" {
		return true
	}
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return false
	}
	return strings.HasPrefix(p, "/account/") || strings.HasPrefix(p, "/seller/") || strings.HasPrefix(p, "/operator/")
}

// LimitBody refuses a body over its route's limit before it is read: the
// server streams request bodies (so that uploads are not buffered whole), and
// this keeps every other route to limit. A body of unknown length (chunked)
// is accepted only where uploads are.
func LimitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
			return c.Next()
		}
		n := c.Request().Header.ContentLength()
		max := limit
		if isUpload(c) {
			max = UploadLimit
		}
		switch {
		case n > max:
			// The body stays unread: the connection cannot carry another request.
			c.Context().SetConnectionClose()
			return fiber.ErrRequestEntityTooLarge
		case n == -1 && max == limit: // chunked
			c.Context().SetConnectionClose()
			return fiber.ErrLengthRequired
		}
		return c.Next()
	}
}

// RateLimit lets one client (by address) send max requests a minute to the
// routes it guards, counted under name; more are answered 429.
func RateLimit(name string, max int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          max,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return name + ":" + c.IP() },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}
