// Package web is the server's small web kit: the Fiber app and its
// middleware, problem responses and the one error → status table, request
// and response helpers, sessions, the signer, assets, formats and charts.
package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
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
	// MaxConns bounds the connections served at once; more are answered
	// 503 and closed. 0: fasthttp's default (262,144).
	MaxConns int
	// TrustedProxies are the reverse proxies (Edge.TrustedProxies), for
	// Fiber's own c.Protocol and c.Hostname; handlers use ClientIP and
	// Scheme.
	TrustedProxies []netip.Prefix
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
	trusted := make([]string, len(cfg.TrustedProxies))
	for i, p := range cfg.TrustedProxies {
		trusted[i] = p.String()
	}
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
		// Fiber believes X-Forwarded-* only from the trusted proxies. Its
		// c.IP() would take X-Forwarded-For's leftmost hop, which the client
		// writes: ProxyHeader stays unset and ClientIP takes the rightmost
		// untrusted one.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          trusted,
		Concurrency:             cfg.MaxConns,
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
// is accepted only where uploads are. A request with both Content-Length and
// Transfer-Encoding is refused on every route and its connection closed
// (RFC 9112, 6.1): a proxy in front may have framed it by the other header,
// and what follows on the connection could be a smuggled request.
func LimitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Request().Header.ContentLength() == -1 && hasContentLength(c.Request().Header.RawHeaders()) {
			c.Context().SetConnectionClose()
			return fiber.ErrBadRequest
		}
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

// hasContentLength reports whether raw request headers carry a
// Content-Length line (fasthttp drops the header itself when the body is
// chunked).
func hasContentLength(raw []byte) bool {
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte(fiber.HeaderContentLength)) {
			return true
		}
	}
	return false
}
