package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
	ix, err := index.Open(context.Background(), tb.TempDir(), tinyContent, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "hc.db"), bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	p := domain.DefaultPolicy()
	b := bolt.NewServices(db, p)
	d := &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
		Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
		Audit: b.Audit, Canned: b.Canned, Policy: p}
	for _, f := range plug {
		f(db, d)
	}
	now := time.Now()
	w, err := demo.Seed(context.Background(), demo.Services{Access: d.Access, Orders: d.Orders}, now)
	if err != nil {
		tb.Fatal(err)
	}
	// Help-centre sessions are recorded as serve records them.
	defl := bolt.NewDeflectionService(db, p, domain.OrderFollowUps(d.Threads, d.Incidents, d.Claims))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defl.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	s, err := server.New(server.Config{AdminToken: adminToken, Domain: d, Deflect: server.DeflectConfig{Service: defl, Policy: p}}, ix, search.New(ix, search.DefaultOptions()), bolt.NewFeedbackService(db), discard(), prometheus.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return &domainWorld{srv: s, db: db, world: w, now: now}
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
func (r response) code() string {
	var p struct{ Code string }
	json.Unmarshal(r.body, &p)
	return p.Code
}
