package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
	"github.com/marketplace/helpcentre/server/web"
)

// serveLoopback serves s on 127.0.0.1 until the test ends; Serve's result,
// should it return early, arrives on the channel.
func serveLoopback(t *testing.T, s *server.Server) (addr string, served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return ln.Addr().String(), errc
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (Linux routes all of 127.0.0.0/8 to lo): another client, as
// far as the server can tell.
func clientFrom(ip string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext,
		MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}}
}

func getStatus(t *testing.T, c *http.Client, u string) (int, http.Header, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestConnectionFlood: a client opening far more connections than it may
// holds only its share: the excess are answered 429 and closed; the server
// goes on answering other clients and Serve never returns. (Before, every
// connection was kept until the process ran out of file descriptors, and
// EMFILE ended Serve and the process.)
func TestConnectionFlood(t *testing.T) {
	s, _ := serverWith(t, tinyContent, server.Config{MaxConnsPerIP: 20, MaxConns: 400})
	addr, served := serveLoopback(t, s)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 2 * time.Second}
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	for range 300 {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("flood dial: %v", err)
		}
		flood = append(flood, c)
	}
	refused := 0
	for _, c := range flood {
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		line, _ := bufio.NewReader(c).ReadString('\n')
		if strings.HasPrefix(line, "HTTP/1.1 429") {
			refused++
		}
	}
	if refused < 300-20-5 {
		t.Errorf("%d of 300 connections from one address refused, want all but its 20", refused)
	}
	status, _, body := getStatus(t, clientFrom("127.0.0.1", 1), "http://"+addr+"/healthz")
	if status != http.StatusOK {
		t.Errorf("another client during the flood: %d %s", status, body)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned during the flood: %v", err)
	default:
	}
}

// TestConnectionCap: past MaxConns the server answers 503 and closes, and
// serves again once connections are gone.
func TestConnectionCap(t *testing.T) {
	s, _ := serverWith(t, tinyContent, server.Config{MaxConns: 20})
	addr, served := serveLoopback(t, s)
	var conns []net.Conn
	for range 30 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	over := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		line, _ := bufio.NewReader(c).ReadString('\n')
		if strings.HasPrefix(line, "HTTP/1.1 503") {
			over++
		}
	}
	if over < 5 {
		t.Errorf("%d of 30 connections over a cap of 20 answered 503", over)
	}
	for _, c := range conns {
		c.Close()
	}
	var status int
	for range 50 { // the server notices the closed connections soon
		if status, _, _ = getStatus(t, clientFrom("127.0.0.1", 1), "http://"+addr+"/healthz"); status == http.StatusOK {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status != http.StatusOK {
		t.Errorf("after the connections closed: %d", status)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned: %v", err)
	default:
	}
}

// misspelt is a long query of made-up words: the most a search can cost.
func misspelt(r *rand.Rand) string {
	words := make([]string, 25)
	for i := range words {
		b := make([]byte, 4+r.IntN(8))
		for j := range b {
			b[j] = "aeioulnrstdcmpbgvfhkwyz"[r.IntN(23)]
		}
		words[i] = string(b)
	}
	return strings.Join(words, " ")
}

// TestSearchFlood: one client sending long misspelt queries as fast as it
// can (so always at its rate limit) neither slows another client's search
// past 100 ms (median of several) nor gets it rate-limited.
func TestSearchFlood(t *testing.T) {
	s, _ := serverWith(t, content.Bundled(), server.Config{SearchRate: server.DefaultSearchRate})
	addr, _ := serveLoopback(t, s)
	ctx, stop := context.WithTimeout(context.Background(), 4*time.Second)
	defer stop()
	flooder := clientFrom("127.0.0.2", 8)
	limited, sent := make(chan int, 8), make(chan int, 8)
	for g := range 8 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			n, all := 0, 0
			for ctx.Err() == nil {
				all++
				req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/api/v1/search?q="+url.QueryEscape(misspelt(r)), nil)
				res, err := flooder.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusTooManyRequests {
					n++
				}
			}
			limited <- n
			sent <- all
		}()
	}
	time.Sleep(time.Second) // the flooder spends its burst
	normal := clientFrom("127.0.0.1", 1)
	var took []time.Duration
	for range 15 {
		start := time.Now()
		status, _, body := getStatus(t, normal, "http://"+addr+"/api/v1/search?q=where+is+my+invoce")
		took = append(took, time.Since(start))
		if status != http.StatusOK {
			t.Fatalf("the normal client got %d during the flood: %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	total, all := 0, 0
	for range 8 {
		total += <-limited
		all += <-sent
	}
	slices.Sort(took)
	if med := took[len(took)/2]; med > 100*time.Millisecond {
		t.Errorf("median search latency during the flood %v, want under 100ms (all: %v)", med, took)
	}
	// A slow machine (or -race) may not let the flooder exceed its budget:
	// a burst of 30 and 5 a second for the ~4 s it ran.
	if budget := 30 + 5*5; all > budget && total == 0 {
		t.Errorf("the flooder was never rate-limited (%d requests)", all)
	}
}

// TestSearchRateLimited: past its budget a client gets 429, a problem
// rate_limited and Retry-After; search and suggest count apart.
func TestSearchRateLimited(t *testing.T) {
	s, _ := serverWith(t, tinyContent, server.Config{SearchRate: 30}) // bursts of 3
	for i := range 3 {
		if r := get(t, s, "/api/v1/search?q=return"); r.status != http.StatusOK {
			t.Fatalf("search %d: %d", i+1, r.status)
		}
	}
	r := get(t, s, "/api/v1/search?q=return")
	if r.status != http.StatusTooManyRequests || r.json(t)["code"] != "rate_limited" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("4th search: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q, want the seconds until the next token", ra)
	}
	if r := get(t, s, "/api/v1/suggest?q=ret"); r.status != http.StatusOK {
		t.Errorf("suggest after search's budget is spent: %d", r.status)
	}
}

// TestSearchTimeout: a search the engine gives up on is 503 search_timeout
// with Retry-After, not 500.
func TestSearchTimeout(t *testing.T) {
	opts := searchOptions()
	opts.Timeout = time.Nanosecond
	s := serverWithOptions(t, tinyContent, server.Config{}, opts)
	r := get(t, s, "/api/v1/search?q=return")
	if r.status != http.StatusServiceUnavailable || r.json(t)["code"] != "search_timeout" || r.header.Get("Retry-After") == "" {
		t.Fatalf("timed-out search: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
}

// TestMetricsAfterKeepAliveTraffic: after mixed traffic over a few
// keep-alive connections (methods, routes, paths no route takes, methods no
// one uses), every scrape succeeds and every label is one we know: a
// route pattern or "unmatched", a standard method or OTHER.
func TestMetricsAfterKeepAliveTraffic(t *testing.T) {
	s, _ := serverWith(t, tinyContent, server.Config{})
	addr, _ := serveLoopback(t, s)
	c := clientFrom("127.0.0.1", 3)
	base := "http://" + addr
	r := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO", "GETT", "PROPFIND"}
	paths := []string{"/healthz", "/readyz", "/api/v1/search?q=return", "/api/v1/suggest?q=re", "/en", "/en/articles/returns/x",
		"/api/v1/articles/returns/feedback", "/sitemap.xml", "/robots.txt", "/search?q=x", "/static/none.css", "/api/v1/nothing"}
	for i := range 600 {
		p := paths[r.IntN(len(paths))]
		if r.IntN(4) == 0 {
			p = fmt.Sprintf("/random-%d/%x", i, r.Uint64())
		}
		req, _ := http.NewRequest(methods[r.IntN(len(methods))], base+p, strings.NewReader("{}"))
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, p, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	known := map[string]bool{"unmatched": true}
	for _, rt := range s.App().GetRoutes(false) {
		known[rt.Path] = true
	}
	knownMethods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "CONNECT": true, "OPTIONS": true, "TRACE": true, "OTHER": true}
	series := regexp.MustCompile(`^helpcentre_http_request_duration_seconds_count\{code="([^"]*)",method="([^"]*)",route="([^"]*)"\}`)
	for i := range 5 {
		status, _, body := getStatus(t, c, base+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("scrape %d: %d %s", i+1, status, body[:min(len(body), 300)])
		}
		n := 0
		for _, line := range strings.Split(body, "\n") {
			m := series.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n++
			if !knownMethods[m[2]] || !known[m[3]] {
				t.Errorf("scrape %d: unknown label: %s", i+1, line)
			}
		}
		if n == 0 {
			t.Fatalf("scrape %d: no request series", i+1)
		}
	}
}

// TestTrustedProxies: behind a trusted proxy each client is known by the
// rightmost X-Forwarded-For hop the proxies did not write, so one client's
// limit is not everyone's, and a client cannot pick its address by
// writing the header itself. Without trusted proxies the header is
// ignored.
func TestTrustedProxies(t *testing.T) {
	proxied, _ := serverWith(t, tinyContent, server.Config{SearchRate: 20, TrustedProxies: mustPrefixes(t, "127.0.0.0/8")}) // bursts of 2
	addr, _ := serveLoopback(t, proxied)
	c := clientFrom("127.0.0.1", 1)
	search := func(xff string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/search?q=return", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	for i, tc := range []struct {
		xff  string
		want int
	}{
		{"198.51.100.1", 200}, {"198.51.100.1", 200}, {"198.51.100.1", 429},
		{"198.51.100.2", 200},               // another client
		{"198.51.100.2, 198.51.100.1", 429}, // .1 forging .2 to the left of what the proxy wrote
		{"198.51.100.1, 198.51.100.3", 200}, // .3, whatever it claims
		{"198.51.100.4, 127.0.0.9", 200},    // two proxies: .4 is the client
		{"198.51.100.4, 127.0.0.5, 127.0.0.9", 200},
		{"198.51.100.4, 127.0.0.9", 429},
	} {
		if got := search(tc.xff); got != tc.want {
			t.Errorf("request %d, X-Forwarded-For %q: %d, want %d", i+1, tc.xff, got, tc.want)
		}
	}

	direct, _ := serverWith(t, tinyContent, server.Config{SearchRate: 20})
	for i, xff := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		r := do(t, direct, "GET", "/api/v1/search?q=return", map[string]string{"X-Forwarded-For": xff})
		if want := map[bool]int{true: 429, false: 200}[i == 2]; r.status != want {
			t.Errorf("no trusted proxy, X-Forwarded-For %q: %d, want %d (the header is ignored)", xff, r.status, want)
		}
	}
}

// TestLoginThrottleBehindProxy: 30 failed sign-ins from one client behind
// the proxy lock that client out, not the others.
func TestLoginThrottleBehindProxy(t *testing.T) {
	w, _, _ := buildWorld(t, worldOptions{domain: newDomainWorldServices, config: func(cfg *server.Config) {
		cfg.TrustedProxies = mustPrefixes(t, "0.0.0.0/32") // app.Test's peer
	}})
	attacker := w.forms()
	for i := range 31 {
		_, _, token := attacker.get(t, "/login")
		attacker.do(t, "POST", "/login", url.Values{"name": {fmt.Sprintf("nobody%d", i)}, "password": {"x"}, "_csrf": {token}},
			"X-Forwarded-For", "203.0.113.66")
	}
	user := w.forms()
	_, _, token := user.get(t, "/login")
	status, h, _ := user.do(t, "POST", "/login", url.Values{"name": {"ana"}, "password": {"demo"}, "_csrf": {token}},
		"X-Forwarded-For", "198.51.100.7")
	if status != http.StatusSeeOther || h.Get("Location") != "/account" {
		t.Fatalf("a real user behind the same proxy: %d %s, want 303 to /account", status, h.Get("Location"))
	}
	_, _, token = attacker.get(t, "/login")
	if status, _, _ := attacker.do(t, "POST", "/login", url.Values{"name": {"ana"}, "password": {"demo"}, "_csrf": {token}},
		"X-Forwarded-For", "203.0.113.66"); status != http.StatusTooManyRequests {
		t.Errorf("the attacker after 31 failures: %d, want 429", status)
	}
}

// TestPublicURL: absolute links come from the public URL, never from a
// forged Host; an https public URL makes cookies Secure and sends HSTS.
func TestPublicURL(t *testing.T) {
	forged := map[string]string{"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
	plain, _ := serverWith(t, content.Bundled(), server.Config{})
	public, _ := serverWith(t, content.Bundled(), server.Config{PublicURL: "https://help.example/"})
	for _, tc := range []struct {
		s    *server.Server
		want string
	}{{plain, web.DefaultPublicURL}, {public, "https://help.example"}} {
		for _, p := range []string{"/sitemap.xml", "/robots.txt", "/en/"} {
			r := do(t, tc.s, "GET", p, forged)
			body := string(r.body)
			if r.status != http.StatusOK || strings.Contains(body, "evil.example") || !strings.Contains(body, tc.want+"/") {
				t.Errorf("%s (public URL %s): %d, Host reflected or links not on the public URL:\n%.600s", p, tc.want, r.status, body)
			}
		}
	}
	art := do(t, public, "GET", "/en/", nil)
	for _, want := range []string{`<link rel="canonical" href="https://help.example/en/">`, `hreflang="es" href="https://help.example/es/"`, `<meta property="og:url" content="https://help.example/en/">`} {
		if !strings.Contains(string(art.body), want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if hsts := art.header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("Strict-Transport-Security %q with an https public URL", hsts)
	}
	if hsts := do(t, plain, "GET", "/en/", nil).header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("Strict-Transport-Security %q without https", hsts)
	}

	w, _, _ := buildWorld(t, worldOptions{domain: newDomainWorldServices, config: func(cfg *server.Config) { cfg.PublicURL = "https://help.example" }})
	b := w.forms()
	req := httptest.NewRequest("GET", "/login", nil)
	res, err := w.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s without Secure behind an https public URL", c.Name)
		}
	}
	_, _, token := b.get(t, "/login")
	_, h, _ := b.do(t, "POST", "/login", url.Values{"name": {"ana"}, "password": {"demo"}, "_csrf": {token}})
	if sc := h.Get("Set-Cookie"); !strings.Contains(sc, "hc_session=") || !strings.Contains(strings.ToLower(sc), "secure") {
		t.Errorf("session cookie %q, want Secure", sc)
	}
}

// TestSignInRedirectStaysOnSite: whatever next says, a sign-in lands on
// this site; anything a browser could read as another host lands on the
// user's home page.
func TestSignInRedirectStaysOnSite(t *testing.T) {
	w := newDomainWorld(t)
	b := w.forms()
	b.login(t, "ana")
	for _, next := range []string{
		"/\t/evil.example", "/\v/evil.example", "/\f/evil.example", "/\r/evil.example", "/\n/evil.example", "/ /evil.example",
		"/\\evil.example", "//evil.example", "/%2F%2Fevil.example", "%09/evil.example", "/%09/evil.example", "/%5Cevil.example",
		"https:evil.example", "https://evil.example", "javascript:alert(1)", "/%252F%252Fevil.example", "/\x00",
	} {
		status, h, _ := b.do(t, "GET", "/login?next="+url.QueryEscape(next), nil)
		if loc := h.Get("Location"); status != http.StatusSeeOther || loc != "/account" {
			t.Errorf("signed in, next %q: %d to %q, want 303 to /account", next, status, loc)
		}
	}
	if _, h, _ := b.do(t, "GET", "/login?next="+url.QueryEscape("/account/messages?status=unread"), nil); h.Get("Location") != "/account/messages?status=unread" {
		t.Errorf("a plain path: to %q", h.Get("Location"))
	}
	// The form post: the report's own example.
	fresh := w.forms()
	_, _, token := fresh.get(t, "/login")
	_, h, _ := fresh.do(t, "POST", "/login", url.Values{"name": {"ana"}, "password": {"demo"}, "_csrf": {token}, "next": {"/\t/evil.example"}})
	if h.Get("Location") != "/account" {
		t.Errorf("posted next with a tab: to %q, want /account", h.Get("Location"))
	}
}

// TestUploadWithContentLengthAndChunked: a request framed both ways is
// refused with 400 and its connection closed on the upload route as on
// every other, so nothing smuggled after it is read as a request.
func TestUploadWithContentLengthAndChunked(t *testing.T) {
	w := newDomainWorld(t)
	addr, _ := serveLoopback(t, w.srv)
	for _, path := range []string{"/api/v1/attachments", "/api/v1/orders/1001/threads"} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nX-Filename: a.pdf\r\nContent-Type: application/pdf\r\n"+
			"Content-Length: 14\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n%%PDF-1.4\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", path, demo.Token("ana"))
		all, _ := io.ReadAll(c) // until the server closes
		c.Close()
		resp := string(all)
		if !strings.HasPrefix(resp, "HTTP/1.1 400") {
			t.Errorf("%s: answered %.80q, want 400", path, resp)
		}
		if n := strings.Count(resp, "HTTP/1.1 "); n != 1 {
			t.Errorf("%s: %d answers on the connection, want 1 and the connection closed", path, n)
		}
	}
	// Chunked alone: JSON routes want a length (411); uploads may stream.
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "POST /api/v1/orders/1001/threads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", demo.Token("ana"))
	all, _ := io.ReadAll(c)
	if resp := string(all); !strings.HasPrefix(resp, "HTTP/1.1 411") || strings.Count(resp, "HTTP/1.1 ") != 1 {
		t.Errorf("chunked JSON: answered %.80q, want 411 and the connection closed", resp)
	}
}

func mustPrefixes(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := web.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newDomainWorldServices are the after-sales services newDomainWorld uses.
func newDomainWorldServices(db *bolt.DB, p domain.Policy) *server.Domain {
	b := bolt.NewServices(db, p)
	return &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Attachments: b.Attachments,
		Incidents: b.Incidents, Refunds: b.Refunds, Claims: b.Claims, Work: b.Work, Outbox: b.Outbox,
		Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p}
}

func searchOptions() search.Options { return search.DefaultOptions() }

// serverWithOptions is serverWith with the engine's options.
func serverWithOptions(tb testing.TB, fsys fs.FS, cfg server.Config, opts search.Options) *server.Server {
	tb.Helper()
	ix, err := index.Open(context.Background(), tb.TempDir(), fsys, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "hc.db"), bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := server.New(cfg, ix, search.New(ix, opts), bolt.NewFeedbackService(db), discard(), prometheus.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
