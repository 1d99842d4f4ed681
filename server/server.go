// Package server is the help centre's HTTP face: the JSON API, the pages and
// the operational endpoints, on a hardened Fiber app.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// Config is what the server needs beyond its collaborators.
type Config struct {
	AdminToken   string // bearer token for /api/v1/admin; admin endpoints refuse all when empty
	Version      string
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	BodyLimit    int
	Domain       *Domain // the after-sales services; nil: no after-sales API
	// Secret signs what the server hands out and checks later (CSRF tokens,
	// short-lived customer tokens). Replicas must share it; empty: a random
	// one per process (forms open across a restart then expire).
	Secret []byte
	// PaymentSecret is the key the payment side signs refund callbacks with;
	// empty: one derived from Secret (PaymentCallbackKey).
	PaymentSecret []byte
	// Deflect configures the contact flow and the widget (api_deflect.go).
	Deflect DeflectConfig
}

// Server wires handlers to the index and the search engine.
type Server struct {
	cfg      Config
	app      *fiber.App
	ix       *index.Index
	engine   *search.Engine
	log      *slog.Logger
	metrics  *metrics
	pages    map[string]*template.Template
	reload   func(ctx context.Context) (*index.ChangeSummary, error)
	feedback domain.FeedbackService // may be nil: feedback endpoints then answer 503
	views    *viewCounter
	catalog  atomic.Pointer[catalog]
	viewed   popularCache
	dom      *Domain
	openapi  []byte
	bo       map[string]*template.Template // back-office pages
	secret   []byte
	defl     *deflectState
}

// New builds the app and its routes. reg receives the server's metrics.
func New(cfg Config, ix *index.Index, engine *search.Engine, feedback domain.FeedbackService, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 256 << 10
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ix: ix, engine: engine, log: log, pages: pages, reload: ix.Reload, feedback: feedback, views: newViewCounter(), dom: cfg.Domain}
	if s.openapi, err = buildOpenAPI(cfg.Version); err != nil {
		return nil, err
	}
	if s.bo, err = parseBackOffice(); err != nil {
		return nil, err
	}
	s.secret = cfg.Secret
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		if _, err := rand.Read(s.secret); err != nil {
			return nil, err
		}
	}
	if err := s.initDeflect(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(reg, ix)
	s.app = fiber.New(fiber.Config{
		AppName:               "helpcentre",
		DisableStartupMessage: true,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		// Bodies are streamed so that uploads are not buffered whole;
		// limitBody keeps every other route to cfg.BodyLimit.
		BodyLimit:         UploadLimit,
		StreamRequestBody: true,
		ReadBufferSize:    16 << 10, // request line + headers; larger gets 431
		ErrorHandler:      s.errorHandler,
		// c.IP() must not trust X-Forwarded-For unless a trusted proxy is configured.
		EnableTrustedProxyCheck: true,
	})
	s.routes(reg)
	return s, nil
}

// routes is the whole route table.
func (s *Server) routes(reg *prometheus.Registry) {
	app := s.app
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.log.Error("panic", "path", c.Path(), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
	}}))
	app.Use(requestid.New())
	app.Use(s.observe)
	app.Use(securityHeaders)
	app.Use(s.limitBody)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	api := app.Group("/api/v1")
	s.deflectRoutes(api)
	api.Get("/search", s.apiSearch)
	api.Get("/suggest", s.apiSuggest)
	api.Get("/articles/:id", s.apiArticle)
	api.Post("/articles/:id/feedback", s.feedbackLimit(), s.apiVote)
	api.Get("/articles/:id/feedback", s.requireAdmin, s.apiFeedbackSummary)
	api.Get("/categories", s.apiCategories)
	api.Get("/openapi.json", s.apiOpenAPI)

	admin := api.Group("/admin", s.requireAdmin)
	admin.Post("/reload", s.apiReload)
	admin.Get("/content/status", s.apiContentStatus)
	s.domainRoutes(api)
	api.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	app.Get("/static/*", s.static)
	app.Get("/sitemap.xml", s.sitemap)
	app.Get("/robots.txt", s.robots)
	s.backOfficeRoutes(app)
	s.contactRoutes(app)
	app.Get("/search", s.pageSearch)
	app.Get("/", s.rootRedirect)
	app.Get("/:locale", s.pageHome)
	app.Get("/:locale/categories/:id", s.pageCategory)
	app.Get("/:locale/articles/:id/:slug?", s.pageArticle)
	app.Post("/:locale/articles/:id/feedback", s.feedbackLimit(), s.pageFeedback)
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// App exposes the Fiber app, for tests (app.Test) and embedding.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests
// (bounded by ctx).
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if !s.ix.Ready() {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "building index"})
	}
	return c.JSON(fiber.Map{"status": "ready", "locales": s.ix.Locales()})
}

// requireAdmin guards /api/v1/admin. With the after-sales domain, any
// operator's token (agent or admin) passes and the services check finer
// rights; HELPCENTRE_ADMIN_TOKEN is the bootstrap admin's token there. Without
// the domain, only that token passes, compared in constant time.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	if s.dom != nil {
		err := s.withActor(c, func(c *fiber.Ctx) error {
			if err := domain.RequireOperator(domain.ActorFrom(c.UserContext())); err != nil {
				return err
			}
			return c.Next()
		})
		if domain.ErrorKind(err) != domain.Unauthorized || !s.isAdmin(c) {
			return err
		}
		c.SetUserContext(domain.WithActor(c.UserContext(), bootstrapAdmin))
		return c.Next()
	}
	if s.cfg.AdminToken == "" {
		return &apiError{status: fiber.StatusForbidden, code: "admin_disabled", detail: "Admin endpoints are disabled: set HELPCENTRE_ADMIN_TOKEN."}
	}
	if !s.isAdmin(c) {
		return &apiError{status: fiber.StatusUnauthorized, code: "unauthorized", detail: "Send the admin token as: Authorization: Bearer <token>."}
	}
	return c.Next()
}

// bootstrapAdmin is who HELPCENTRE_ADMIN_TOKEN stands for when the domain has
// not stored it as a user's token (serve does at start-up).
var bootstrapAdmin = domain.Actor{UserID: "system", Name: "admin", Role: domain.RoleAdmin}

func (s *Server) isAdmin(c *fiber.Ctx) bool {
	if s.cfg.AdminToken == "" {
		return false
	}
	h := c.Get(fiber.HeaderAuthorization)
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.cfg.AdminToken)) == 1
}

// audience decides which articles the caller may see.
func (s *Server) audience(c *fiber.Ctx) search.Audience {
	if s.isAdmin(c) {
		return search.Staff
	}
	return search.Anonymous
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return v
	}
	return ""
}

// observe logs each request and records its latency per route.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && (route == "/" && c.Path() != "/" || route == "") {
		route = "unmatched"
	}
	took := time.Since(start)
	s.metrics.observe(route, c.Method(), status, took)
	s.log.Log(c.Context(), logLevelFor(status), "request", "method", c.Method(), "route", route,
		"status", status, "took_ms", float64(took.Microseconds())/1000, "request_id", requestID(c))
	return nil
}
