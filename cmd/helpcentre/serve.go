package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/webhook"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
	"github.com/marketplace/helpcentre/server/web"
)

// Config is the serve command's configuration, from flags or HELPCENTRE_* variables.
type Config struct {
	Addr       string
	Content    string // articles root; empty: the bundled articles
	Data       string
	AdminToken string
	LogFormat  string
	LogLevel   string
	Poll       time.Duration
	Shutdown   time.Duration
	Demo       bool          // seed the demo world, with its well-known tokens
	Policy     domain.Policy // after-sales deadlines and limits
	Stdout     io.Writer     // where the demo's how-to goes; nil: nowhere
	Translator string        // Apertium APY base URL; empty: messages are not translated
	WebhookURL string        // where outbox events are POSTed, signed; empty: in-app lists only
	// WebhookSecret signs webhooks (HELPCENTRE_WEBHOOK_SECRET only: a flag
	// would show in ps).
	WebhookSecret string
	Deflect       deflectFlags // the contact flow and widget (wire.go)
	// PublicURL is the origin of absolute links; empty: http:// and the
	// listen address.
	PublicURL      string
	TrustedProxies []netip.Prefix
	MaxConns       int         // connections served at once
	MaxConnsPerIP  int         // connections of one client address; 0: no bound
	SearchRate     int         // search and suggest requests a minute per client; 0: no limit
	Events         eventsFlags // the search log and learning (wire.go)
	Mail           mailFlags   // email through SMTP (mail.go)

	// Retention is how long typed text is kept (privacy.go).
	Retention retentionFlags

	// Store is the after-sales store: empty for the bbolt file under Data,
	// or a PostgreSQL URL that several replicas share (store.go).
	Store string
	// Attachments is the folder of uploaded files; empty: Data/attachments.
	Attachments string
	MemoryLimit memoryLimit // soft limit on the runtime's memory (memlimit.go); 0: GOMEMLIMIT's
	GCHeadroom  memoryLimit // most the heap grows above its live data (gcheadroom.go); 0: GOGC's rule alone
}

// fdHeadroom is how many file descriptors --max-conns leaves for the
// indexes, the database, attachments and outgoing connections, at least.
const fdHeadroom = 256

// envInt is the HELPCENTRE_<NAME> variable as a number, or def.
func envInt(name string, def int) (int, error) {
	v := envOr(name, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, exitError{2, fmt.Sprintf("helpcentre serve: HELPCENTRE_%s: want a whole number, got %q", name, v)}
	}
	return n, nil
}

// envOr returns the HELPCENTRE_<NAME> variable or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("HELPCENTRE_" + name); ok && v != "" {
		return v
	}
	return def
}

func parseServe(args []string, stderr io.Writer) (Config, error) {
	var cfg Config
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&cfg.Addr, "addr", envOr("ADDR", ""), "listen address HOST:PORT; default :8080, or 127.0.0.1:8080 with -demo, whose tokens are public (HELPCENTRE_ADDR)")
	fset.StringVar(&cfg.Content, "content", envOr("CONTENT", ""), "articles root, watched for changes; empty serves the bundled articles (HELPCENTRE_CONTENT)")
	fset.StringVar(&cfg.Data, "data", envOr("DATA", "./data"), "folder for indexes and data (HELPCENTRE_DATA)")
	fset.StringVar(&cfg.Store, "store", envOr("STORE", ""), "the after-sales store: a PostgreSQL URL such as postgres://helpcentre@db:5432/helpcentre, which several replicas share (each with its own -data; needs HELPCENTRE_SECRET); empty: the bbolt file under -data (HELPCENTRE_STORE)")
	fset.StringVar(&cfg.Attachments, "attachments", envOr("ATTACHMENTS", ""), "folder of uploaded files; replicas on one PostgreSQL store share one; default: attachments under -data (HELPCENTRE_ATTACHMENTS)")
	fset.StringVar(&cfg.LogFormat, "log-format", envOr("LOG_FORMAT", "text"), "text or json (HELPCENTRE_LOG_FORMAT)")
	fset.StringVar(&cfg.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error (HELPCENTRE_LOG_LEVEL)")
	poll := envOr("POLL", "10s")
	fset.StringVar(&poll, "poll", poll, "also re-scan the content folder this often, 0 to rely on file events only (HELPCENTRE_POLL)")
	fset.StringVar(&cfg.Translator, "translator", envOr("TRANSLATOR", ""), "Apertium APY URL, e.g. http://127.0.0.1:2737: messages are machine-translated for readers of another language (HELPCENTRE_TRANSLATOR)")
	fset.StringVar(&cfg.WebhookURL, "webhook-url", envOr("WEBHOOK_URL", ""), "POST every notification (refund issued, new message, deadline alerts…) here as signed JSON, retried until it answers 2xx; the secret comes from HELPCENTRE_WEBHOOK_SECRET (HELPCENTRE_WEBHOOK_URL)")
	if err := cfg.MemoryLimit.Set(envOr("MEMORY_LIMIT", "")); err != nil {
		return cfg, exitError{2, "helpcentre serve: HELPCENTRE_MEMORY_LIMIT: " + err.Error()}
	}
	cfg.GCHeadroom = defaultGCHeadroom
	if v := envOr("GC_HEADROOM", ""); v != "" {
		if err := cfg.GCHeadroom.Set(v); err != nil {
			return cfg, exitError{2, "helpcentre serve: HELPCENTRE_GC_HEADROOM: " + err.Error()}
		}
	}
	fset.Var(&cfg.GCHeadroom, "gc-headroom", "most the Go heap may grow above its live data between collections: GOGC's 100 % of the live heap, capped at this (README Benchmarks); 0: no cap (HELPCENTRE_GC_HEADROOM)")
	fset.Var(&cfg.MemoryLimit, "memory-limit", "soft limit on the Go runtime's memory, as GOMEMLIMIT: e.g. 400MiB; the collector works harder near it (README Benchmarks); 0: GOMEMLIMIT's, else none (HELPCENTRE_MEMORY_LIMIT)")
	fset.BoolVar(&cfg.Demo, "demo", envOr("DEMO", "") == "true", "seed the demo world (users with tokens demo-<name>, orders, history); never in production (HELPCENTRE_DEMO=true)")
	cfg.Policy = domain.DefaultPolicy()
	policy := []struct {
		flag, env string
		d         *time.Duration
		help      string
	}{
		{"reply-within", "REPLY_WITHIN", &cfg.Policy.SellerReplyWithin, "a seller answers a customer within this"},
		{"care-reply-within", "CARE_REPLY_WITHIN", &cfg.Policy.CareReplyWithin, "customer care answers a message addressed to it within this"},
		{"claim-within", "CLAIM_WITHIN", &cfg.Policy.ClaimResolveWithin, "a claim resolved within this of opening spares the seller's reputation"},
		{"refund-within", "REFUND_WITHIN", &cfg.Policy.RefundWithin, "refunds are possible this long after shipment"},
		{"offer-expires", "OFFER_EXPIRES", &cfg.Policy.OfferExpiresAfter, "a partial-refund offer the buyer has not answered expires after this"},
		{"alert-before", "ALERT_BEFORE", &cfg.Policy.AlertBefore, "alert people this long before a deadline"},
	}
	policyText := make([]string, len(policy))
	for i, p := range policy {
		policyText[i] = envOr(p.env, p.d.String())
		fset.StringVar(&policyText[i], p.flag, policyText[i], p.help+" (HELPCENTRE_"+p.env+")")
	}
	fset.DurationVar(&cfg.Policy.ClaimWindow, "claim-window", envDuration("CLAIM_WINDOW", 0), "claims can be opened this long after shipment, while a remedy is possible; 0: the refund window (HELPCENTRE_CLAIM_WINDOW)")
	fset.DurationVar(&cfg.Policy.UnreferencedUploadTTL, "upload-ttl", envDuration("UPLOAD_TTL", cfg.Policy.UnreferencedUploadTTL), "remove an upload no message carries this long after it was made, 0 to keep (HELPCENTRE_UPLOAD_TTL)")
	cfg.Deflect.register(fset)
	fset.StringVar(&cfg.PublicURL, "public-url", envOr("PUBLIC_URL", ""), "the site's public origin, e.g. https://help.example, for absolute links (sitemap, robots.txt, canonical); https also makes cookies Secure and sends HSTS; empty: http://<listen address> (HELPCENTRE_PUBLIC_URL)")
	proxies := envOr("TRUSTED_PROXIES", "")
	fset.StringVar(&proxies, "trusted-proxies", proxies, "reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, as addresses or CIDRs separated by commas, e.g. 10.0.0.0/8,::1 (HELPCENTRE_TRUSTED_PROXIES)")
	var err error
	ints := []struct {
		flag, env string
		v         *int
		def       int
		help      string
	}{
		{"max-conns", "MAX_CONNS", &cfg.MaxConns, defaultMaxConns(), "connections served at once, more are answered 503; default: the file descriptor limit less headroom"},
		{"max-conns-per-ip", "MAX_CONNS_PER_IP", &cfg.MaxConnsPerIP, 128, "connections one client address may hold open (an IPv6 client: its /64; trusted proxies exempt), 0 for no bound"},
		{"search-rate", "SEARCH_RATE", &cfg.SearchRate, server.DefaultSearchRate, "requests a minute one client may send to /api/v1/search, and as many to /api/v1/suggest, 0 for no limit"},
		{"handoffs-per-hour", "HANDOFFS_PER_HOUR", &cfg.Policy.HandoffsPerHour, cfg.Policy.HandoffsPerHour, "hand-offs to customer care one client address may make an hour, 0 for no limit"},
		{"uploads-per-day", "UPLOADS_PER_DAY", &cfg.Policy.UploadsPerDay, cfg.Policy.UploadsPerDay, "files one user may upload a day, 0 for no limit"},
		{"messages-per-minute", "MESSAGES_PER_MINUTE", &cfg.Policy.MessagesPerMinute, cfg.Policy.MessagesPerMinute, "messages one user may post a minute, 0 for no limit"},
	}
	for _, i := range ints {
		if *i.v, err = envInt(i.env, i.def); err != nil {
			return cfg, err
		}
		fset.IntVar(i.v, i.flag, *i.v, i.help+" (HELPCENTRE_"+i.env+")")
	}
	cfg.Events.register(fset)
	cfg.Mail.register(fset)
	cfg.Retention.register(fset)
	fset.DurationVar(&cfg.Shutdown, "shutdown-timeout", 15*time.Second, "how long to let in-flight requests finish on SIGTERM")
	if err := fset.Parse(args); err != nil {
		return cfg, err
	}
	if fset.NArg() > 0 {
		return cfg, exitError{2, fmt.Sprintf("helpcentre serve: unexpected argument %q", fset.Arg(0))}
	}
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr(cfg.Demo)
	}
	d, err := time.ParseDuration(poll)
	if err != nil {
		return cfg, exitError{2, fmt.Sprintf("helpcentre serve: -poll: %v", err)}
	}
	cfg.Poll = d
	if err := parseStore("serve", cfg.Store); err != nil {
		return cfg, err
	}
	for i, p := range policy {
		v, err := time.ParseDuration(policyText[i])
		if err != nil || v <= 0 {
			return cfg, exitError{2, fmt.Sprintf("helpcentre serve: -%s: want a positive duration like 48h, got %q", p.flag, policyText[i])}
		}
		*p.d = v
	}
	if err := cfg.Deflect.parse(); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = web.ParseTrustedProxies(proxies); err != nil {
		return cfg, exitError{2, "helpcentre serve: -trusted-proxies: " + err.Error()}
	}
	if cfg.PublicURL != "" {
		if cfg.PublicURL, err = web.ParsePublicURL(cfg.PublicURL); err != nil {
			return cfg, exitError{2, "helpcentre serve: -public-url: " + err.Error()}
		}
	}
	if cfg.MaxConns < 1 || cfg.MaxConnsPerIP < 0 || cfg.SearchRate < 0 {
		return cfg, exitError{2, "helpcentre serve: -max-conns must be positive, -max-conns-per-ip and -search-rate not negative"}
	}
	if err := cfg.Events.parse(); err != nil {
		return cfg, err
	}
	if err := cfg.Mail.parse(); err != nil {
		return cfg, err
	}
	if err := cfg.Retention.parse(); err != nil {
		return cfg, err
	}
	cfg.AdminToken = os.Getenv("HELPCENTRE_ADMIN_TOKEN") // never a flag: it would show in ps
	cfg.WebhookSecret = os.Getenv("HELPCENTRE_WEBHOOK_SECRET")
	if cfg.WebhookURL != "" && len(cfg.WebhookSecret) < 16 {
		return cfg, exitError{2, "helpcentre serve: -webhook-url needs HELPCENTRE_WEBHOOK_SECRET (at least 16 characters) to sign the deliveries"}
	}
	return cfg, nil
}

// defaultAddr is the listen address when none is given: every interface,
// but only the loopback one for the demo, whose accounts have well-known
// tokens and passwords (demo-ana, "demo") that anyone on the network
// could use otherwise. -addr :8080 serves the demo to the network on purpose.
func defaultAddr(demo bool) string {
	if demo {
		return "127.0.0.1:8080"
	}
	return ":8080"
}

// envDuration is the duration in HELPCENTRE_<name>, or def.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(envOr(name, "")); err == nil {
		return d
	}
	return def
}

// sweepUploads removes the uploads no message carries, at start and then
// hourly (Policy.UnreferencedUploadTTL), until ctx is done. Of several
// replicas on one store, the one holding bolt.LockAttachmentSweep sweeps.
func sweepUploads(ctx context.Context, db *bolt.DB, atts *bolt.AttachmentService, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if unlock, ok, err := db.TryLock(ctx, bolt.LockAttachmentSweep); err != nil {
			log.Error("sweeping unreferenced uploads", "err", err)
		} else if ok {
			if n, err := atts.SweepUnreferenced(ctx); err != nil {
				log.Error("sweeping unreferenced uploads", "err", err)
			} else if n > 0 {
				log.Info("removed unreferenced uploads", "files", n)
			}
			unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func newLogger(cfg Config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, exitError{2, fmt.Sprintf("helpcentre serve: -log-level: %v", err)}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, exitError{2, fmt.Sprintf("helpcentre serve: -log-format must be text or json, not %q", cfg.LogFormat)}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	// The collector runs at Go's default (GOGC=100; the variable still
	// overrides it). Measured on 2 cores: GOGC=400 gave ~15 % more search throughput,
	// but the heap grows to five times the live data (630 MB RSS at 10,000
	// articles). We ran at 150 while a search made 84 KB of garbage; at
	// 45 KB, 100 costs 2 % of CPU per search and keeps RSS after the
	// bench's load under 300 MB (helpcentre bench, 2026-12-04).
	cfg.MemoryLimit.apply()
	if err := startPprof(os.Getenv("HELPCENTRE_PPROF_ADDR"), log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	cfg.Stdout = stdout
	return Serve(ctx, cfg, ln, log)
}

func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	if strings.HasPrefix(s, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(s, "0.0.0.0:")
	}
	return s
}

// Serve runs the help centre on ln until ctx is done, then drains in-flight
// requests and closes the index.
func Serve(ctx context.Context, cfg Config, ln net.Listener, log *slog.Logger) error {
	defer ln.Close() // Serve owns the listener, whichever way it returns
	if err := requireSharedSecret(cfg); err != nil {
		return err
	}
	// The data folder is this process's own (its index, its lock), also
	// when the store is shared: replicas each have one.
	lock, err := lockDataFolder(cfg.Data, ln.Addr())
	if err != nil {
		return err
	}
	defer lock.release()
	var fsys fs.FS
	if cfg.Content == "" {
		fsys = content.Bundled()
		log.Info("serving the bundled articles")
	} else {
		fi, err := os.Stat(cfg.Content)
		if err != nil || !fi.IsDir() {
			return exitError{2, fmt.Sprintf("helpcentre serve: content folder %q does not exist", cfg.Content)}
		}
		fsys = os.DirFS(cfg.Content)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(gcMetrics)), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfoCollector())

	// The index is built after the server listens (startIndex): until then
	// /readyz says 503 with the progress and search routes answer not_ready.
	ix, err := index.New(filepath.Join(cfg.Data, "index"), fsys, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := ix.Close(); err != nil {
			log.Error("closing the index", "err", err)
		}
	}()
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	db := st.db
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()
	translator, err := newTranslator(cfg.Translator, db, log)
	if err != nil {
		return err
	}
	dom := newDomain(db, cfg.Policy)
	observeStore(reg, db, log)
	dom.Outbox = observeOutbox(reg, dom.Outbox)
	defl := newDeflection(db, dom, cfg)
	// Replicas starting together on one store take turns: the admin and
	// the demo world are made once.
	if err := st.withLock(ctx, "startup", func() error {
		if err := bootstrapAdmin(ctx, dom, cfg.AdminToken, log); err != nil {
			return err
		}
		if !cfg.Demo {
			return revokeDemoTokens(ctx, dom, log)
		}
		if err := seedDemo(ctx, db, dom, displayAddr(ln.Addr()), cmp.Or[io.Writer](cfg.Stdout, io.Discard), log); err != nil {
			return err
		}
		return seedDemoServed(ctx, dom, defl)
	}); err != nil {
		return err
	}
	secret, err := loadSecret(cfg.Data)
	if err != nil {
		return err
	}
	engine := search.New(ix, search.DefaultOptions())
	if translator != nil {
		engine.SetTranslator(translator.Translator)
	}
	events, learning, err := newLearning(ctx, db, cfg, engine)
	if err != nil {
		return err
	}
	erasesQueued(dom, defl.Flush, events.Flush)
	publicURL := cmp.Or(cfg.PublicURL, "http://"+displayAddr(ln.Addr()))
	srv, err := server.New(server.Config{AdminToken: cfg.AdminToken, Domain: dom, Secret: secret, Backup: backupOf(st, cfg.Data), Deflect: cfg.Deflect.config(defl, cfg.Policy, cfg.Demo), PaymentSecret: []byte(os.Getenv("HELPCENTRE_PAYMENT_SECRET")),
		PublicURL: publicURL, TrustedProxies: cfg.TrustedProxies, MaxConns: cfg.MaxConns, MaxConnsPerIP: cfg.MaxConnsPerIP, SearchRate: cfg.SearchRate,
		Events: events, Learning: learning, EventsRate: cfg.Events.rate, WriteHealth: db.WriteHealth, ContentCommit: contentCommit(cfg.Content)},
		ix, engine, bolt.NewFeedbackService(db), log, reg)
	if err != nil {
		return err
	}

	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	background := make(chan struct{})
	go func() {
		defer close(background)
		srv.RunBackground(bg)
	}()
	deflDone := make(chan struct{})
	go func() { defer close(deflDone); _ = defl.Run(bg) }()
	eventsDone := make(chan struct{})
	go func() {
		defer close(eventsDone)
		if err := events.Run(bg); err != nil {
			log.Error("search events", "err", err)
		}
	}()
	learnDone := make(chan struct{})
	go func() {
		defer close(learnDone)
		learning.Run(bg, cfg.Events.learnEvery, func(err error) { log.Error("learning from search events", "err", err) })
	}()
	if translator != nil {
		go translator.Run(bg)
	}
	if cfg.Policy.UnreferencedUploadTTL > 0 {
		go sweepUploads(bg, db, bolt.NewAttachmentService(db, cfg.Policy), log)
	}
	go runRetention(bg, bolt.NewPrivacyService(db), cfg.Retention.values(), log)
	hooks := &webhook.Worker{Outbox: dom.Outbox, URL: cfg.WebhookURL, Secret: []byte(cfg.WebhookSecret), Log: log}
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); hooks.Run(bg) }()
	mailDone := make(chan struct{})
	go func() { defer close(mailDone); runMail(bg, cfg.Mail, dom.Mail, srv, log) }()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-bg.Done():
				return
			case <-hup:
				if !ix.Ready() {
					log.Info("SIGHUP: the index is still being built; nothing to reload")
					continue
				}
				log.Info("SIGHUP: reloading content")
				_, _ = ix.Reload(bg)
			}
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Only now: the listener was bound before the database opened and the
	// demo was seeded (seconds), and "serving on" printed then sent people
	// to an address that did not answer yet.
	fmt.Fprintf(cmp.Or[io.Writer](cfg.Stdout, io.Discard), "helpcentre: serving on http://%s\n", displayAddr(ln.Addr()))
	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL, "admin", cfg.AdminToken != "",
		"max_conns", cfg.MaxConns, "max_conns_per_ip", cfg.MaxConnsPerIP, "trusted_proxies", len(cfg.TrustedProxies))
	indexFailed, indexDone := startIndex(bg, ix, cfg, log)
	go keepGCHeadroom(bg, uint64(cfg.GCHeadroom), indexDone, log)
	var serveErr error
	select {
	case serveErr = <-indexFailed:
		log.Error("the index could not be built; stopping", "err", serveErr)
	case serveErr = <-errc:
		// The listener failed for good (Serve outlives running out of file
		// descriptors): stop as on SIGTERM, so that queued events, view
		// counts and the index are written before the error is returned.
		log.Error("serving stopped", "err", serveErr)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.Shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("shutdown", "err", err)
	}
	stopBG()
	<-indexDone  // the build has stopped before the index closes
	<-background // the last view counts are saved before the database closes
	<-hooksDone
	<-mailDone
	<-deflDone   // and the last queued deflection events
	<-eventsDone // and search events
	<-learnDone
	log.Info("stopped")
	return serveErr
}

// limitMemory returns the index build's garbage to the OS, so that the
// process starts serving at its steady size. A soft limit (GOMEMLIMIT) is
// left to the operator: set close to the live heap it made the collector
// run constantly (at 100,000 articles, 3× the CPU per search).
func limitMemory(log *slog.Logger) {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	log.Info("memory after the index build", "live_mb", m.HeapAlloc>>20)
}
