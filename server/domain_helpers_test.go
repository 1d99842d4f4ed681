package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

// domainWorld is a server with the after-sales API over a fresh bbolt file
// holding the demo world (ana, ben, sam, sue, olga, adam; orders 1001, 1002,
// 2001). Each area plugs its services in: plug functions receive the DB and
// the Domain before the server is built.
type domainWorld struct {
	srv   *server.Server
	db    *bolt.DB
	world *demo.World
	now   time.Time
}

// tinyContent is one article: domain tests need an index, not the bundled one.
var tinyContent = fstest.MapFS{
	"en/returns.md": {Data: []byte("---\ntitle: How do returns work?\ncategory: returns\n---\nStart a return from your order page.\n")},
}

func newDomainWorld(tb testing.TB, plug ...func(db *bolt.DB, d *server.Domain)) *domainWorld {
	tb.Helper()
	w, _, _ := buildWorld(tb, worldOptions{domain: domainServices(plug...)})
	return w
}

// domainServices builds the after-sales services on the world's file, each
// plug function adjusting them.
func domainServices(plug ...func(db *bolt.DB, d *server.Domain)) func(db *bolt.DB, p domain.Policy) *server.Domain {
	return func(db *bolt.DB, p domain.Policy) *server.Domain {
		b := bolt.NewServices(db, p)
		d := &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
			Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
			Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p, Privacy: b.Privacy}
		for _, f := range plug {
			f(db, d)
		}
		return d
	}
}

// worldOptions shape a test world.
type worldOptions struct {
	content fs.FS                                             // the articles; nil: tinyContent
	domain  func(db *bolt.DB, p domain.Policy) *server.Domain // the services on the world's file
	config  func(cfg *server.Config)                          // adjusts the server's configuration
	// engine builds the search engine (nil: search.New with the
	// defaults); it may rewire cfg's learning to the engine.
	engine func(ix *index.Index, db *bolt.DB, cfg *server.Config) *search.Engine
	// now is the store's clock (nil: time.Now); the demo world is seeded
	// at its first reading.
	now func() time.Time
}

// buildWorld opens an index and a bbolt file in temporary folders, seeds the
// demo world through o.domain's services, records help-centre sessions as
// serve does, and builds the server. It returns the sessions' service and a
// stop that flushes them (also run at cleanup).
func buildWorld(tb testing.TB, o worldOptions) (*domainWorld, *bolt.DeflectionService, func()) {
	tb.Helper()
	if o.content == nil {
		o.content = tinyContent
	}
	ix, err := index.Open(context.Background(), tb.TempDir(), o.content, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost, Now: o.now}) // behaviour, not durability
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	d := o.domain(db, p)
	now := time.Now()
	if o.now != nil {
		now = o.now()
	}
	w, err := demo.Seed(context.Background(), demo.Services{Access: d.Access, Orders: d.Orders}, now)
	if err != nil {
		tb.Fatal(err)
	}
	// As serve does at start-up: HELPCENTRE_ADMIN_TOKEN is the admin's token.
	if _, err := d.Access.PutTokenSecret(domain.WithActor(context.Background(), domain.SystemActor), w.Users["adam"].ID,
		domain.BootstrapTokenLabel, adminToken, nil); err != nil {
		tb.Fatal(err)
	}
	defl := bolt.NewDeflectionService(db, p, domain.OrderFollowUps(d.Threads, d.Incidents, d.Claims))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defl.Run(ctx); close(done) }()
	stop := sync.OnceFunc(func() { cancel(); <-done })
	tb.Cleanup(stop)
	// The search log, as serve wires it (written on Flush and Scan: no writer runs).
	events := bolt.NewSearchEvents(db)
	learning, err := bolt.NewLearningService(context.Background(), db, events, domain.PlainWords, domain.DefaultLearnParams())
	if err != nil {
		tb.Fatal(err)
	}
	cfg := server.Config{AdminToken: adminToken, Domain: d, Deflect: server.DeflectConfig{Service: defl, Policy: p}, Events: events, Learning: learning,
		Backup: func() (io.ReadCloser, int64, error) {
			var buf bytes.Buffer
			n, err := db.WriteTo(&buf)
			return io.NopCloser(&buf), n, err
		}}
	if o.config != nil {
		o.config(&cfg)
	}
	engine := search.New(ix, search.DefaultOptions())
	if o.engine != nil {
		engine = o.engine(ix, db, &cfg)
	}
	s, err := server.New(cfg, ix, engine, bolt.NewFeedbackService(db), discard(), prometheus.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return &domainWorld{srv: s, db: db, world: w, now: now}, defl, stop
}

// call sends a request as the demo user who ("" for none) with body encoded
// as JSON (nil for none; a string or []byte is sent as is).
func (w *domainWorld) call(tb testing.TB, who, method, target string, body any, header ...string) response {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+demo.Token(who))
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := w.srv.App().Test(req, -1)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// decode unmarshals a response body into v.
func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("body is not the JSON expected (%v): %s", err, r.body)
	}
}

// code returns a problem document's code ("" if the body is not one).
func (r response) code() domain.Code {
	var p struct{ Code domain.Code }
	json.Unmarshal(r.body, &p)
	return p.Code
}
