// Package server is the help centre's HTTP face. It wires the audiences'
// handlers (api, deflect, site, backoffice) on one Fiber app, whose whole
// route table is routes (routes.go).
package server

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/api"
	"github.com/marketplace/helpcentre/server/backoffice"
	"github.com/marketplace/helpcentre/server/catalog"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/site"
	"github.com/marketplace/helpcentre/server/web"
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
	// Deflect configures the contact flow and the widget.
	Deflect DeflectConfig
	// PublicURL is the origin of absolute links (sitemap, robots.txt,
	// canonical links), e.g. https://help.example; https also makes cookies
	// Secure and sends Strict-Transport-Security. Empty:
	// web.DefaultPublicURL (the binary passes its listen address).
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; empty: none.
	TrustedProxies []netip.Prefix
	// MaxConns bounds the connections served at once (0: fasthttp's
	// default); MaxConnsPerIP those of one client address (0: no bound).
	MaxConns      int
	MaxConnsPerIP int
	// SearchRate is each client's budget of /api/v1/search and of
	// /api/v1/suggest requests a minute; 0: unlimited.
	SearchRate int
	// Events is the search log (nil: query ids are handed out, nothing is
	// logged); Learning learns from it (nil: no learning endpoints).
	Events   domain.SearchEvents
	Learning domain.LearningService
	// EventsRate is how many POST /api/v1/events one client may send a
	// minute (each up to 100 events); 0 means DefaultEventsRate.
	EventsRate int
	// Backup makes a consistent copy of the database for GET
	// /api/v1/admin/backup and returns it open, with its size; closing it
	// deletes the copy. Nil: the route answers 404.
	Backup func() (io.ReadCloser, int64, error)
	// WriteHealth says whether the store's writes work (nil) or have been
	// failing (disk full, I/O errors); /readyz answers 503 while they fail.
	// Nil: not checked.
	WriteHealth func() error
	// ContentCommit says which commit of the content is served, for
	// /api/v1/admin/content/status (nil: not shown).
	ContentCommit func(context.Context) *api.ContentCommit
}

// DefaultSearchRate is the binary's per-client, per-route limit of search
// and suggest requests a minute.
const DefaultSearchRate = 300

// DefaultEventsRate is the per-client limit of event posts a minute: a
// page sends one per click or vote.
const DefaultEventsRate = 120

// Domain holds the after-sales services the server serves.
type Domain = web.Domain

// DeflectConfig configures the contact flow: the deflection API, the
// embeddable widget and the contact page.
type DeflectConfig = deflect.Config

// DefaultDeflectRate is the per-client, per-endpoint limit of deflection
// requests a minute.
const DefaultDeflectRate = deflect.DefaultRate

// UploadLimit bounds a request that carries files.
const UploadLimit = web.UploadLimit

// SessionTTL is how long a browser session lasts after sign-in.
const SessionTTL = web.SessionTTL

// Server is the wired app.
type Server struct {
	app      *fiber.App
	ix       *index.Index
	site     *site.Handler
	listener web.ListenerConfig
	backupFn func() (io.ReadCloser, int64, error)
	deflect  *deflect.Handler
	baseURL  string       // the public URL: absolute links in mails
	health   func() error // Config.WriteHealth
}

// handlers are the audiences' handlers the route table points to.
type handlers struct {
	auth    *web.Auth
	assets  *web.Assets
	metrics *web.Metrics
	api     *api.Handler
	deflect *deflect.Handler
	site    *site.Handler
	bo      *backoffice.Handler // nil without the after-sales domain
	dom     *Domain
	edge    *web.Edge // client address, scheme and public URL
	// searchRate is each client's budget of search and of suggest requests
	// a minute; 0: unlimited.
	searchRate int

	eventsRate int // POST /api/v1/events a minute per client
}

// New builds the app and its routes. reg receives the server's metrics.
func New(cfg Config, ix *index.Index, engine *search.Engine, feedback domain.FeedbackService, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	signer, err := web.NewSigner(cfg.Secret)
	if err != nil {
		return nil, err
	}
	assets, err := web.LoadAssets()
	if err != nil {
		return nil, err
	}
	cat := catalog.New(ix)
	insights := web.NewInsights(cfg.Events, signer)
	if cfg.EventsRate <= 0 {
		cfg.EventsRate = DefaultEventsRate
	}
	h := handlers{assets: assets, metrics: web.NewMetrics(reg, ix), dom: cfg.Domain,
		auth: &web.Auth{AdminToken: cfg.AdminToken}}
	if cfg.Domain != nil {
		h.auth.Access = cfg.Domain.Access
	}
	paymentKey := cfg.PaymentSecret
	if len(paymentKey) == 0 {
		paymentKey = api.PaymentCallbackKey(signer)
	}
	if h.api, err = api.New(api.Deps{Index: ix, Engine: engine, Catalog: cat, Feedback: feedback, Domain: cfg.Domain, Auth: h.auth,
		Log: log, Version: cfg.Version, PaymentKey: paymentKey,
		Insights: insights, Learning: cfg.Learning, Deflection: cfg.Deflect.Service, ContentCommit: cfg.ContentCommit}); err != nil {
		return nil, err
	}
	h.deflect = deflect.New(deflect.Deps{Config: cfg.Deflect, Engine: engine, Domain: cfg.Domain, Signer: signer, Log: log, Insights: insights,
		Articles: func(id string, aud search.Audience) bool {
			for _, l := range content.Locales {
				if _, ok := cat.Find(id, l, aud); ok {
					return true
				}
			}
			return false
		},
		CategoryTitle: func(id, locale string) string {
			if c, ok := cat.Content().Categories[content.Key{ID: id, Locale: locale}]; ok {
				return c.Title
			}
			return ""
		}})
	var sessions *web.Sessions
	if cfg.Domain != nil {
		sessions = &web.Sessions{Access: cfg.Domain.Access, Signer: signer}
	}
	if h.site, err = site.New(site.Deps{Engine: engine, Catalog: cat, Feedback: feedback, Assets: assets, Auth: h.auth, Log: log, Insights: insights,
		Contact: h.deflect, Sessions: sessions, Domain: cfg.Domain}); err != nil {
		return nil, err
	}
	if cfg.Domain != nil {
		if h.bo, err = backoffice.New(backoffice.Deps{Domain: cfg.Domain, Engine: engine, Catalog: cat, Deflection: h.deflect,
			Sessions: sessions, Assets: assets, Analytics: h.api.LoadAnalytics, Learning: cfg.Learning}); err != nil {
			return nil, err
		}
	}
	if cfg.PublicURL != "" {
		if cfg.PublicURL, err = web.ParsePublicURL(cfg.PublicURL); err != nil {
			return nil, err
		}
	}
	h.edge = &web.Edge{TrustedProxies: cfg.TrustedProxies, PublicURL: cfg.PublicURL}
	h.searchRate = max(cfg.SearchRate, 0)
	app := web.NewApp(web.AppConfig{ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, BodyLimit: cfg.BodyLimit,
		MaxConns: cfg.MaxConns, TrustedProxies: cfg.TrustedProxies},
		web.ErrorHandler(log, h.site.ErrorPage))
	s := &Server{app: app, ix: ix, site: h.site, backupFn: cfg.Backup, deflect: h.deflect, baseURL: cmp.Or(cfg.PublicURL, web.DefaultPublicURL), health: cfg.WriteHealth,
		listener: web.ListenerConfig{MaxConnsPerIP: cfg.MaxConnsPerIP, TrustedProxies: cfg.TrustedProxies, Log: log}}
	h.eventsRate = cfg.EventsRate
	routes(app, s, h, web.AppConfig{BodyLimit: cfg.BodyLimit}.WithDefaults().BodyLimit, log, reg)
	return s, nil
}

// App exposes the Fiber app, for tests (app.Test) and embedding.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown. It bounds the
// connections of each client address and outlives running out of file
// descriptors (web.Listen): only Shutdown, or ln failing for good, ends it.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(web.Listen(ln, s.listener)) }

// Shutdown stops accepting connections and waits for in-flight requests
// (bounded by ctx).
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

// RunBackground flushes article view counts until ctx is done.
func (s *Server) RunBackground(ctx context.Context) { s.site.RunBackground(ctx) }

// WidgetSizes reports the widget script's size, plain and gzipped, in bytes.
func (s *Server) WidgetSizes() (plain, gzipped int) { return s.site.WidgetSizes() }

// WidgetPath is the versioned URL of the widget script.
func (s *Server) WidgetPath() string { return s.site.WidgetPath() }

// SignCustomerToken makes a customer token for userID valid until expires,
// signed with the server's secret (Config.Secret).
func SignCustomerToken(secret []byte, userID string, expires time.Time) string {
	signer, _ := web.NewSigner(secret) // never fails with a secret
	return deflect.SignCustomerToken(signer, userID, expires)
}

// PaymentCallbackKey is the key the payment side signs refund callbacks
// with, derived from the server's shared secret (Config.Secret).
func PaymentCallbackKey(secret []byte) []byte {
	signer, _ := web.NewSigner(secret)
	return api.PaymentCallbackKey(signer)
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if !s.ix.Ready() {
		done, total := s.ix.Progress()
		c.Status(fiber.StatusServiceUnavailable)
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.JSON(fiber.Map{"status": "building index", "done": done, "total": total})
	}
	if s.health != nil && s.health() != nil {
		// Every write would fail: send traffic elsewhere until one works
		// (the store probes while failing, so this clears by itself).
		c.Status(fiber.StatusServiceUnavailable)
		c.Set(fiber.HeaderRetryAfter, "30")
		return c.JSON(fiber.Map{"status": "storage failing"})
	}
	return c.JSON(fiber.Map{"status": "ready", "locales": s.ix.Locales()})
}

// MailLinks are the links of a mail, absolute on the public URL: for an
// anonymous visitor, a signed link to their conversation (valid for
// domain.GuestLinkTTL, no account needed); for a customer, the page of what
// it is about in their account and the page where they choose their emails.
func (s *Server) MailLinks(m domain.Mail) (open, prefs string) {
	switch m.Kind {
	case domain.MailHandoffVerify, domain.MailHandoffReply:
		tok := s.deflect.GuestToken(m.Thread, m.To, time.Now().Add(domain.GuestLinkTTL))
		return s.baseURL + "/contact/c/" + tok, ""
	}
	open = s.baseURL + "/account"
	switch {
	case m.Thread != "":
		open += "/messages/" + m.Thread
	case m.Order != "":
		open += "/orders/" + m.Order
	}
	return open, s.baseURL + "/account/notifications"
}
