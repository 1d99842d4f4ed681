package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/apertium"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/translate"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

// newDomain builds the after-sales services on db.
func newDomain(db *bolt.DB, p domain.Policy) *server.Domain {
	return domainOf(bolt.NewServices(db, p), p)
}

// domainOf is the server's view of the bbolt services.
func domainOf(b *bolt.Services, p domain.Policy) *server.Domain {
	return &server.Domain{
		Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
		Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work,
		Outbox: b.Outbox, Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p,
		Privacy: b.Privacy,
	}
}

// bootstrapAdmin makes sure HELPCENTRE_ADMIN_TOKEN is the token of the
// operator admin "admin", creating that user on first start, and revokes the
// tokens an earlier value of the variable left behind; without the variable,
// it revokes them all, so that removing it takes the old token's rights away.
func bootstrapAdmin(ctx context.Context, d *server.Domain, token string, log *slog.Logger) error {
	ctx = domain.WithActor(ctx, domain.SystemActor)
	if token == "" {
		n, err := d.Access.RevokeTokensByLabel(ctx, domain.BootstrapTokenLabel)
		if err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
		if n > 0 {
			log.Warn("HELPCENTRE_ADMIN_TOKEN is not set: revoked the admin token an earlier start stored", "tokens", n)
		}
		return nil
	}
	if err := domain.ValidateTokenSecret(domain.BootstrapTokenLabel, token); err != nil {
		return exitError{2, "helpcentre serve: HELPCENTRE_ADMIN_TOKEN: " + domain.ErrorMessage(err)}
	}
	u, err := d.Access.FindUserByName(ctx, "admin")
	if domain.ErrorKind(err) == domain.NotFound {
		u = &domain.User{Name: "admin", Display: "Administrator", Role: domain.RoleAdmin, Locale: "en", Team: domain.TeamCustomerCare}
		err = d.Access.CreateUser(ctx, u)
	}
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	tok, err := d.Access.PutTokenSecret(ctx, u.ID, domain.BootstrapTokenLabel, token, nil)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	toks, err := d.Access.ListTokens(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	for _, t := range toks {
		if t.Label == domain.BootstrapTokenLabel && t.ID != tok.ID && t.RevokedAt == nil {
			if err := d.Access.RevokeToken(ctx, t.ID); err != nil {
				return fmt.Errorf("bootstrap admin: %w", err)
			}
		}
	}
	return nil
}

// revokeDemoTokens revokes the demo world's well-known tokens (demo-<name>)
// at a start without -demo: a data folder once run as a demo keeps its
// users, but nobody signs in with a published token.
func revokeDemoTokens(ctx context.Context, d *server.Domain, log *slog.Logger) error {
	n, err := d.Access.RevokeTokensByLabel(domain.WithActor(ctx, domain.SystemActor), domain.DemoTokenLabel)
	if err != nil {
		return fmt.Errorf("revoke demo tokens: %w", err)
	}
	if n > 0 {
		log.Warn("not in demo mode: revoked the demo tokens (demo-<name>) an earlier -demo start stored; -demo restores them", "tokens", n)
	}
	return nil
}

// seedDemo seeds the demo world and tells the user how to use it.
func seedDemo(ctx context.Context, db *bolt.DB, d *server.Domain, addr string, out io.Writer, log *slog.Logger) error {
	now := time.Now()
	base := demo.Services{Access: d.Access, Orders: d.Orders}
	if _, err := demo.Seed(ctx, base, now); err != nil {
		return err
	}
	h := demo.History{Services: base, Threads: d.Threads, Incidents: d.Incidents, Refunds: d.Refunds, Claims: d.Claims,
		AtServices: func(t time.Time) demo.HistoryServices {
			s := bolt.NewServices(db.At(t), d.Policy)
			return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
		}}
	if err := demo.SeedHistory(ctx, h, now); err != nil {
		return err
	}
	log.Info("demo world ready", "users", "ana ben sam sue olga adam", "orders", "1001 1002 2001")
	fmt.Fprintf(out, `helpcentre: demo mode — every demo user's bearer token is demo-<name>:
  customers ana, ben · sellers sam (shop-1), sue (shop-2) · customer care olga (agent), adam (admin)
  (and carla, diego, emma: customers of 36 past orders 9001–9036, sixty days of history; password demo for everyone at /login)
  orders 1001 (ana, shop-1, shipped 10 days ago), 1002 (ana, shop-2, shipped 250 days ago), 2001 (ben, shop-1, delivered 2 days ago)
  try: curl -H 'Authorization: Bearer demo-ana' http://%s/api/v1/orders/1001
  the widget: <script src="http://%s/widget.js" async></script> on a page served from this machine, any port
  (e.g. python3 -m http.server 8000); other sites need --widget-origins
`, addr, addr)
	return nil
}

// seedDemoServed adds what only the served demo has: olga may read the
// statistics, and the deflection report has sixty days of sessions.
func seedDemoServed(ctx context.Context, d *server.Domain, defl *bolt.DeflectionService) error {
	if err := demo.GrantDemoAgent(ctx, d.Access); err != nil {
		return err
	}
	return demo.SeedSessions(ctx, defl, time.Now())
}

// loadSecret returns the server's signing secret: HELPCENTRE_SECRET when set
// (replicas share it), else the 32 random bytes kept in <data>/secret.key,
// made on first start.
func loadSecret(dataDir string) ([]byte, error) {
	if v := os.Getenv("HELPCENTRE_SECRET"); v != "" {
		if len(v) < 32 {
			return nil, fmt.Errorf("HELPCENTRE_SECRET must be at least 32 characters")
		}
		return []byte(v), nil
	}
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	// Written to a temporary file and renamed: never half a key.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return b, nil
}

// newTranslator connects to the Apertium engine at url and returns the worker
// that translates messages (nil when url is empty). The engine may be down:
// messages then keep their originals and are translated when it returns.
func newTranslator(url string, db *bolt.DB, log *slog.Logger) (*translate.Worker, error) {
	if url == "" {
		return nil, nil
	}
	// The same client also translates help-centre questions (search.SetTranslator).
	c, err := apertium.New(url, apertium.Options{})
	if err != nil {
		return nil, exitError{2, fmt.Sprintf("helpcentre serve: -translator: %v", err)}
	}
	db.EnableTranslation()
	if pairs, err := c.Pairs(context.Background()); err != nil {
		log.Warn("translation engine not answering yet; messages keep their originals until it does", "url", url, "err", err)
	} else {
		log.Info("translation engine ready", "url", url, "pairs", len(pairs))
	}
	return &translate.Worker{
		Queue: bolt.NewTranslationQueue(db), Translator: c, Engine: "apertium", Log: log,
		Retryable:   apertium.Retryable,
		Unsupported: func(err error) bool { return errors.Is(err, apertium.ErrUnsupportedPair) },
	}, nil
}

// deflectFlags configure the contact flow and the embeddable widget.
type deflectFlags struct {
	origins, modes string
	rate           int
	retention      time.Duration
	parsedModes    map[string]domain.DeflectMode
}

func (d *deflectFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&d.origins, "widget-origins", envOr("WIDGET_ORIGINS", ""), "origins that may embed /widget.js and call the deflection API, comma-separated, e.g. https://shop.example (HELPCENTRE_WIDGET_ORIGINS)")
	fset.StringVar(&d.modes, "deflect-modes", envOr("DEFLECT_MODES", "contact=self_service,widget=self_service,order=neutral"), "mode per entry point: self_service, neutral or ask_first (HELPCENTRE_DEFLECT_MODES)")
	rate, _ := strconv.Atoi(envOr("DEFLECT_RATE", strconv.Itoa(server.DefaultDeflectRate)))
	fset.IntVar(&d.rate, "deflect-rate", rate, "requests a minute one client may send to each public deflection endpoint (HELPCENTRE_DEFLECT_RATE)")
	ret, _ := time.ParseDuration(envOr("DEFLECT_RETENTION", domain.DefaultTextRetain.String()))
	fset.DurationVar(&d.retention, "deflect-retention", ret, "how long what customers typed in the contact flow is kept; 0 keeps it (HELPCENTRE_DEFLECT_RETENTION)")
}

func (d *deflectFlags) parse() error {
	m, err := domain.ParseModes(d.modes)
	if err != nil {
		return exitError{2, "helpcentre serve: -deflect-modes: " + err.Error()}
	}
	if d.rate < 1 || d.retention < 0 {
		return exitError{2, "helpcentre serve: -deflect-rate must be positive and -deflect-retention not negative"}
	}
	d.parsedModes = m
	return nil
}

// config is the deflection's configuration; the demo (demo) also lets pages
// on this machine embed the widget, whatever their port.
func (d *deflectFlags) config(svc *bolt.DeflectionService, p domain.Policy, demo bool) server.DeflectConfig {
	var origins []string
	for _, o := range strings.Split(d.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	return server.DeflectConfig{Service: svc, Origins: origins, Loopback: demo, Modes: d.parsedModes, RatePerMinute: d.rate, Policy: p}
}

// newDeflection is the help-centre session store; the strict deflection
// rate looks up threads, incidents and claims through the domain.
func newDeflection(db *bolt.DB, dom *server.Domain, cfg Config) *bolt.DeflectionService {
	svc := bolt.NewDeflectionService(db, cfg.Policy, domain.OrderFollowUps(dom.Threads, dom.Incidents, dom.Claims))
	svc.Retention = cfg.Deflect.retention
	return svc
}

// eventsFlags configure the search log and learning from it.
type eventsFlags struct {
	retention, learnEvery, halfLife time.Duration
	rate, minVoters                 int
}

func (e *eventsFlags) register(fset *flag.FlagSet) {
	dur := func(p *time.Duration, name, env string, def time.Duration, help string) {
		v, err := time.ParseDuration(envOr(env, def.String()))
		if err != nil {
			v = def
		}
		fset.DurationVar(p, name, v, help+" (HELPCENTRE_"+env+")")
	}
	dur(&e.retention, "events-retention", "EVENTS_RETENTION", domain.DefaultEventsRetain, "how long searches and their clicks and votes are kept; a purge runs hourly")
	dur(&e.learnEvery, "learn-every", "LEARN_EVERY", 10*time.Minute, "how often query → article associations are learned from the search events")
	p := domain.DefaultLearnParams()
	dur(&e.halfLife, "learn-half-life", "LEARN_HALF_LIFE", p.HalfLife, "a learning vote's weight halves every this")
	rate, _ := strconv.Atoi(envOr("EVENTS_RATE", strconv.Itoa(server.DefaultEventsRate)))
	fset.IntVar(&e.rate, "events-rate", rate, "POST /api/v1/events one client may send a minute, each up to 100 events (HELPCENTRE_EVENTS_RATE)")
	minV, _ := strconv.Atoi(envOr("LEARN_MIN_VOTERS", strconv.Itoa(p.MinVoters)))
	fset.IntVar(&e.minVoters, "learn-min-voters", minV, "distinct visitors an association needs before it applies (HELPCENTRE_LEARN_MIN_VOTERS)")
}

func (e *eventsFlags) parse() error {
	if e.retention < 24*time.Hour || e.learnEvery <= 0 || e.halfLife <= 0 || e.rate < 1 || e.minVoters < 1 {
		return exitError{2, "helpcentre serve: -events-retention must be at least 24h; -learn-every, -learn-half-life, -events-rate and -learn-min-voters positive"}
	}
	return nil
}

func (e *eventsFlags) params() domain.LearnParams {
	p := domain.DefaultLearnParams()
	if e.halfLife > 0 {
		p.HalfLife = e.halfLife
	}
	if e.minVoters > 0 {
		p.MinVoters = e.minVoters
	}
	return p
}

// newLearning wires the search log and learning from it: queries are keyed
// by the engine's own analysis, and the engine reads what was learned.
func newLearning(ctx context.Context, db *bolt.DB, cfg Config, engine *search.Engine) (*bolt.SearchEvents, *bolt.LearningService, error) {
	events := bolt.NewSearchEvents(db)
	if cfg.Events.retention > 0 { // 0: a Config built without flags keeps the default
		events.Retention = cfg.Events.retention
	}
	learning, err := bolt.NewLearningService(ctx, db, events, engine.QueryKeyWords, cfg.Events.params())
	if err != nil {
		return nil, nil, err
	}
	learning.Window = events.Retention
	engine.SetLearned(learning)
	return events, learning, nil
}
