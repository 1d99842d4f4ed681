package server_test

// Server time of the pages at 10,000 articles: the bundled articles plus
// 10,000 generated ones (content/synth), each page rendered through the whole
// Fiber app (middleware, routing, search, templates) by calling its fasthttp
// handler directly, so no network or client time is counted.
//
//	go test -run '^$' -bench BenchmarkPages -benchtime 2000x ./server/
//
// Each sub-benchmark reports ns/op and the p50 and p99 of its requests in
// milliseconds. The target is under 20 ms a page.

import (
	"net"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/server"
)

const benchArticles = 10000

// benchServer is a server on the bundled articles plus n generated ones.
func benchServer(b *testing.B, n int, cfg server.Config) (*server.Server, *index.Index) {
	b.Helper()
	fsys, err := synth.Corpus(n, 1)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	s, ix := serverWith(b, fsys, cfg)
	b.Logf("indexed %d articles in %s", len(ix.Content().Articles), time.Since(start).Round(time.Millisecond))
	return s, ix
}

func BenchmarkPages(b *testing.B) {
	s, ix := benchServer(b, benchArticles, server.Config{AdminToken: adminToken})
	article, ok := ix.Content().Articles[content.Key{ID: "invoice-find", Locale: "en"}]
	if !ok {
		b.Fatal("no bundled article invoice-find")
	}
	pages := []struct{ name, target string }{
		{"home", "/en/"},
		{"search", "/search?locale=en&q=" + url.QueryEscape("how do I get a refund for my order")},
		{"search-typo", "/search?locale=en&q=" + url.QueryEscape("where is my invoce")},
		{"article", article.URL()},
		{"category", "/en/categories/invoices"},
	}
	handler := s.App().Handler()
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var req fasthttp.Request
			req.Header.SetMethod(fasthttp.MethodGet)
			req.SetRequestURI(p.target)
			req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
			var rc fasthttp.RequestCtx
			serve := func() {
				rc.Init(&req, remote, nil)
				handler(&rc)
				if code := rc.Response.StatusCode(); code != fasthttp.StatusOK {
					b.Fatalf("GET %s: status %d: %.300s", p.target, code, rc.Response.Body())
				}
			}
			serve() // warm: first render, caches
			if len(rc.Response.Body()) < 1000 {
				b.Fatalf("GET %s: a %d-byte page", p.target, len(rc.Response.Body()))
			}
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				serve()
				took = append(took, time.Since(t0))
			}
			if p99 := reportLatency(b, took); p99 > 20 {
				b.Logf("%s: p99 %.2f ms is over the 20 ms target at %d articles", p.name, p99, benchArticles)
			}
		})
	}
}

// reportLatency reports the p50 and p99 of took (which it sorts) in
// milliseconds, and returns the p99.
func reportLatency(b *testing.B, took []time.Duration) float64 {
	slices.Sort(took)
	ms := func(q float64) float64 {
		return float64(took[min(len(took)-1, int(q*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	return ms(0.99)
}
