package server_test

// Server time of the search, suggest and deflect API routes at 10,000
// articles, through the whole Fiber app (middleware, routing, search, JSON),
// by calling its fasthttp handler directly: no network or client time. For
// profiles:
//
//	go test -run '^$' -bench BenchmarkAPI -cpuprofile cpu.out ./server/

import (
	"bufio"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/marketplace/helpcentre/server"
)

// devQuestions reads the bitext dev questions (the bench's query stream).
func devQuestions(b *testing.B) []string {
	f, err := os.Open("../search/testdata/bitext/queries_dev.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(sc.Bytes(), &q) == nil && q.Query != "" {
			out = append(out, q.Query)
		}
	}
	if len(out) == 0 {
		b.Fatal("no dev questions")
	}
	return out
}

func BenchmarkAPI(b *testing.B) {
	// No limit on deflection requests: the benchmark is one client.
	s, _ := benchServer(b, benchArticles, server.Config{AdminToken: adminToken, Deflect: server.DeflectConfig{RatePerMinute: 1 << 30}})
	qs := devQuestions(b)
	handler := s.App().Handler()
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	type call struct {
		method, target string
		body           []byte
	}
	routes := []struct {
		name string
		at   func(i int) call
	}{
		{"search", func(i int) call {
			return call{"GET", "/api/v1/search?locale=en&q=" + url.QueryEscape(qs[i%len(qs)]), nil}
		}},
		{"suggest", func(i int) call {
			q := []rune(qs[i%len(qs)])
			return call{"GET", "/api/v1/suggest?locale=en&q=" + url.QueryEscape(string(q[:min(len(q), 3+i%20)])), nil}
		}},
		{"deflect", func(i int) call {
			body, _ := json.Marshal(map[string]string{"subject": qs[i%len(qs)], "locale": "en", "entry": "bench"})
			return call{"POST", "/api/v1/deflect", body}
		}},
	}
	for _, r := range routes {
		b.Run(r.name, func(b *testing.B) {
			var req fasthttp.Request
			var rc fasthttp.RequestCtx
			serve := func(i int) {
				c := r.at(i)
				req.Reset()
				req.Header.SetMethod(c.method)
				req.SetRequestURI(c.target)
				if c.body != nil {
					req.Header.SetContentType("application/json")
					req.SetBody(c.body)
				}
				rc.Init(&req, remote, nil)
				handler(&rc)
				if code := rc.Response.StatusCode(); code != fasthttp.StatusOK {
					b.Fatalf("%s %s: status %d: %.300s", c.method, c.target, code, rc.Response.Body())
				}
			}
			for i := range len(qs) {
				serve(i) // warm: caches
			}
			var took []time.Duration
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				serve(i)
				took = append(took, time.Since(t0))
			}
			reportLatency(b, took)
		})
	}
}
