package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

const (
	widgetHost        = "https://shop.example"
	deflectTestSecret = "deflect-test-secret-0123456789abcdef"
)

// deflectWorld is a domain world over the bundled articles with the
// deflection service, threads and the widget's allow-list.
type deflectWorld struct {
	*domainWorld
	defl *bolt.DeflectionService
	stop func()
}

type deflectOpts struct {
	rate      int
	incidents domain.IncidentService
	noThreads bool
	origins   []string // default: widgetHost
}

func newDeflectWorld(tb testing.TB, o deflectOpts) *deflectWorld {
	tb.Helper()
	if o.origins == nil {
		o.origins = []string{widgetHost}
	}
	w, defl, stop := buildWorld(tb, worldOptions{
		content: content.Bundled(),
		domain: func(db *bolt.DB, p domain.Policy) *server.Domain {
			d := &server.Domain{Access: bolt.NewAccessService(db), Orders: bolt.NewOrderService(db, p), Incidents: o.incidents}
			if !o.noThreads {
				plugThreads(db, d)
			}
			return d
		},
		config: func(cfg *server.Config) {
			modes, _ := domain.ParseModes("contact=self_service,order=neutral")
			cfg.Secret = []byte(deflectTestSecret)
			cfg.Deflect.Origins, cfg.Deflect.Modes, cfg.Deflect.RatePerMinute = o.origins, modes, o.rate
		},
	})
	return &deflectWorld{domainWorld: w, defl: defl, stop: stop}
}

type deflectAnswer struct {
	Session     string `json:"session"`
	Mode        string `json:"mode"`
	Threshold   float64
	SignedIn    bool `json:"signed_in"`
	Suggestions []struct {
		ID, Title, URL, Snippet, Why string
		Score, Confidence            float64
	}
	Order *struct {
		Order        string
		RefundOpen   bool                 `json:"refund_window_open"`
		OpenIncident *struct{ ID string } `json:"open_incident"`
		Notices      []string
	}
}

func (w *deflectWorld) deflect(tb testing.TB, who string, body map[string]any, header ...string) (response, deflectAnswer) {
	tb.Helper()
	r := w.call(tb, who, "POST", "/api/v1/deflect", body, header...)
	var a deflectAnswer
	if r.status == http.StatusOK {
		r.decode(tb, &a)
	}
	return r, a
}

func TestDeflectSuggestsOnlyConfidentArticles(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	r, a := w.deflect(t, "", map[string]any{"subject": "where is my invoce", "locale": "en"})
	if r.status != http.StatusOK {
		t.Fatalf("deflect: %d %s", r.status, r.body)
	}
	if a.Session == "" || a.Mode != "self_service" || a.SignedIn || a.Order != nil {
		t.Errorf("answer %+v", a)
	}
	if len(a.Suggestions) == 0 || len(a.Suggestions) > 3 || !strings.HasPrefix(a.Suggestions[0].ID, "invoice-") {
		t.Fatalf("suggestions for a typo'd invoice question: %+v", a.Suggestions)
	}
	for _, s := range a.Suggestions {
		if s.Confidence < a.Threshold || s.Why == "" || s.URL == "" {
			t.Errorf("suggestion %+v (threshold %v)", s, a.Threshold)
		}
	}
	if !strings.Contains(a.Suggestions[0].Why, "invoice") {
		t.Errorf("why = %q, want the corrected word named", a.Suggestions[0].Why)
	}
	for _, q := range []string{"I want a pizza", "hello"} {
		if _, a := w.deflect(t, "", map[string]any{"subject": q}); len(a.Suggestions) != 0 {
			t.Errorf("%q got %d suggestions", q, len(a.Suggestions))
		}
	}
	// Modes per entry point; the host page's en-GB is English.
	if _, a := w.deflect(t, "", map[string]any{"subject": "refund", "entry": "order", "locale": "en-GB"}); a.Mode != "neutral" {
		t.Errorf("entry order: mode %q", a.Mode)
	}
	for _, tc := range []struct {
		body map[string]any
		code domain.Code
	}{
		{map[string]any{"subject": "x", "locale": "xx"}, "unknown_locale"},
		{map[string]any{"subject": "x", "entry": "<script>"}, "invalid_entry"},
		{map[string]any{"subject": "x", "session": "01JUNKJUNKJUNKJUNKJUNKJUNK-forged"}, "session_not_found"},
	} {
		if r, _ := w.deflect(t, "", tc.body); r.code() != tc.code {
			t.Errorf("%v: %d %s, want %s", tc.body, r.status, r.body, tc.code)
		}
	}
	if r := w.call(t, "", "POST", "/api/v1/deflect", "{not json"); r.code() != "invalid_json" {
		t.Errorf("bad JSON: %d %s", r.status, r.body)
	}
}

// fakeIncidents has one open incident on order 1001.
type fakeIncidents struct{ domain.IncidentService }

func (fakeIncidents) ListIncidents(ctx context.Context, order, cursor string, limit int) ([]domain.Incident, string, error) {
	if order == "1001" {
		return []domain.Incident{{ID: "inc-1", OrderNumber: order, State: domain.IncidentOpen, Reason: domain.IncidentDamaged, OpenedAt: time.Now()}}, "", nil
	}
	return nil, "", nil
}

func TestDeflectUsesOrderFactsOnlyForItsCustomer(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	q := map[string]any{"subject": "how do I get a refund", "order": "1001", "locale": "en"}
	_, a := w.deflect(t, "ana", q)
	if a.Order == nil || !a.Order.RefundOpen || a.Mode != "self_service" || !a.SignedIn || len(a.Order.Notices) == 0 {
		t.Fatalf("ana on 1001: %+v", a.Order)
	}
	q["order"] = "1002" // shipped 250 days ago
	if _, a := w.deflect(t, "ana", q); a.Order == nil || a.Order.RefundOpen {
		t.Errorf("ana on 1002: %+v", a.Order)
	}
	q["order"] = "1001"
	if _, a := w.deflect(t, "ben", q); a.Order != nil {
		t.Errorf("ben sees ana's order: %+v", a.Order)
	}
	if _, a := w.deflect(t, "", q); a.Order != nil {
		t.Errorf("anonymous sees order facts: %+v", a.Order)
	}
	// A signed customer token stands for ana; forged or long-lived ones do not.
	secret := []byte(deflectTestSecret)
	tok := server.SignCustomerToken(secret, w.world.Users["ana"].ID, time.Now().Add(10*time.Minute))
	if r, a := w.deflect(t, "", q, "Authorization", "Bearer "+tok); r.status != 200 || a.Order == nil {
		t.Errorf("customer token: %d %s", r.status, r.body)
	}
	for name, bad := range map[string]string{
		"forged":   server.SignCustomerToken([]byte("another-secret-another-secret-00"), w.world.Users["ana"].ID, time.Now().Add(time.Minute)),
		"expired":  server.SignCustomerToken(secret, w.world.Users["ana"].ID, time.Now().Add(-time.Minute)),
		"too long": server.SignCustomerToken(secret, w.world.Users["ana"].ID, time.Now().Add(48*time.Hour)),
		"seller":   server.SignCustomerToken(secret, w.world.Users["sam"].ID, time.Now().Add(time.Minute)),
	} {
		if r, _ := w.deflect(t, "", q, "Authorization", "Bearer "+bad); r.status != http.StatusUnauthorized {
			t.Errorf("%s customer token: %d %s", name, r.status, r.body)
		}
	}
	r := w.call(t, "ana", "POST", "/api/v1/deflect/customer-token", nil)
	var minted struct{ Token string }
	r.decode(t, &minted)
	if r.status != http.StatusCreated || !strings.HasPrefix(minted.Token, "hcc1.") {
		t.Errorf("mint: %d %s", r.status, r.body)
	}
}

func TestDeflectAsksFirstWithAnOpenIncident(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{incidents: fakeIncidents{}})
	_, a := w.deflect(t, "ana", map[string]any{"subject": "my parcel arrived damaged", "order": "1001"})
	if a.Mode != "ask_first" || a.Order == nil || a.Order.OpenIncident == nil || a.Order.OpenIncident.ID != "inc-1" {
		t.Fatalf("open incident: mode %q facts %+v", a.Mode, a.Order)
	}
	if _, a := w.deflect(t, "ana", map[string]any{"subject": "refund", "order": "1002"}); a.Mode != "self_service" {
		t.Errorf("no incident on 1002: mode %q", a.Mode)
	}
}

type thread struct {
	ID         string
	Order      string
	Customer   string
	Subject    string
	Transcript *domain.Transcript
	Messages   []struct{ Body string }
}

func (w *deflectWorld) event(tb testing.TB, who, session string, body map[string]any) response {
	tb.Helper()
	return w.call(tb, who, "POST", "/api/v1/deflect/"+session+"/events", body)
}

func TestDeflectEventsAndHandoffCarryTheTranscript(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	script := `<script>alert("x")</script>`
	_, a := w.deflect(t, "", map[string]any{"subject": "where is my invoce", "body": script + " I need it"})
	_, a2 := w.deflect(t, "", map[string]any{"session": a.Session, "subject": "where is my invoce", "body": script + " I need it for my company"})
	if a2.Session != a.Session {
		t.Fatalf("session changed: %s → %s", a.Session, a2.Session)
	}
	art := a.Suggestions[0].ID
	for _, ev := range []map[string]any{{"type": "shown"}, {"type": "opened", "article": art}, {"type": "not_helpful", "article": art, "reason": "didnt_apply"}} {
		if r := w.event(t, "", a.Session, ev); r.status != http.StatusAccepted {
			t.Fatalf("event %v: %d %s", ev, r.status, r.body)
		}
	}
	for _, tc := range []struct {
		body map[string]any
		code domain.Code
	}{
		{map[string]any{"type": "pizza"}, domain.CodeInvalidEvent},
		{map[string]any{"type": "opened"}, domain.CodeInvalidEvent},
		{map[string]any{"type": "handoff", "subject": "help"}, domain.CodeEmailRequired},
		{map[string]any{"type": "handoff", "subject": "help", "email": "not an email"}, domain.CodeInvalidEmail},
	} {
		if r := w.event(t, "", a.Session, tc.body); r.code() != tc.code {
			t.Errorf("%v: %d %s, want %s", tc.body, r.status, r.body, tc.code)
		}
	}
	if r := w.event(t, "", "01JUNKJUNKJUNKJUNKJUNKJUNK-forged", map[string]any{"type": "shown"}); r.code() != domain.CodeSessionNotFound {
		t.Errorf("forged session: %d %s", r.status, r.body)
	}
	r := w.event(t, "", a.Session, map[string]any{"type": "handoff", "subject": "where is my invoce", "body": script + " I need it for my company", "email": "client@shop.example"})
	if r.status != http.StatusCreated {
		t.Fatalf("handoff: %d %s", r.status, r.body)
	}
	if bytes.Contains(r.body, []byte("<script>")) {
		t.Errorf("a raw script tag in JSON: %s", r.body)
	}
	var h struct{ Thread string }
	r.decode(t, &h)
	if again := w.event(t, "", a.Session, map[string]any{"type": "handoff", "subject": "x", "email": "client@shop.example"}); again.status != 200 || !bytes.Contains(again.body, []byte(h.Thread)) {
		t.Errorf("second hand-off: %d %s", again.status, again.body)
	}
	// The thread exists for customer care, with the transcript.
	tr := w.call(t, "olga", "GET", "/api/v1/threads/"+h.Thread, nil)
	if tr.status != 200 {
		t.Fatalf("thread: %d %s", tr.status, tr.body)
	}
	if bytes.Contains(tr.body, []byte("<script>")) {
		t.Errorf("the thread's JSON carries a raw script tag")
	}
	var th thread
	tr.decode(t, &th)
	x := th.Transcript
	if x == nil || x.Session != a.Session || len(x.Typed) != 1 || x.Typed[0].Body != script+" I need it for my company" ||
		len(x.Shown) == 0 || x.Shown[0].Rank != 1 || x.Shown[0].Why == "" || len(x.Opened) != 1 || len(x.Votes) != 1 || x.Votes[0].Helpful || x.Locale != "en" {
		t.Fatalf("transcript %+v", x)
	}
	// Stored in the session too, with the hand-off mark, and counted.
	sess, err := w.defl.Session(domain.WithActor(context.Background(), domain.Actor{UserID: "op", Role: domain.RoleAgent}), a.Session)
	if err != nil || sess.Handoff == nil || sess.Handoff.Thread != h.Thread || sess.Handoff.Email != "client@shop.example" || sess.IPHash == "" || strings.Contains(sess.IPHash, ".") {
		t.Errorf("session %+v, %v", sess, err)
	}
	rep := w.call(t, "olga", "GET", "/api/v1/reports/deflection", nil)
	var report domain.DeflectionReport
	rep.decode(t, &report)
	if report.Totals.Sessions != 1 || report.Totals.Handoffs != 1 || report.Totals.Opened != 1 || report.Totals.Strict != 0 {
		t.Errorf("report totals %+v", report.Totals)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/reports/deflection", nil); r.status != http.StatusForbidden {
		t.Errorf("customer reads the report: %d", r.status)
	}
	if r := w.call(t, "olga", "GET", "/api/v1/reports/deflection?from=2025-02-01&to=2025-01-01", nil); r.code() != domain.CodeInvalidRange {
		t.Errorf("bad range: %d %s", r.status, r.body)
	}

	// Signed in, on her order: the thread is ana's, about 1001.
	_, b := w.deflect(t, "ana", map[string]any{"subject": "refund for a broken lamp", "order": "1001"})
	r = w.event(t, "ana", b.Session, map[string]any{"type": "handoff", "subject": "refund for a broken lamp", "body": "It arrived broken."})
	r.decode(t, &h)
	if r.status != http.StatusCreated {
		t.Fatalf("ana's handoff: %d %s", r.status, r.body)
	}
	tr = w.call(t, "ana", "GET", "/api/v1/threads/"+h.Thread, nil)
	tr.decode(t, &th)
	if tr.status != 200 || th.Order != "1001" || th.Transcript == nil || th.Transcript.Order != "1001" {
		t.Errorf("ana's thread: %d %s", tr.status, tr.body)
	}
	// Ben cannot hand off ana's session into his own thread.
	if r := w.event(t, "ben", b.Session, map[string]any{"type": "handoff", "subject": "mine now"}); r.code() != domain.CodeSessionNotFound {
		t.Errorf("ben hands off ana's session: %d %s", r.status, r.body)
	}
}

func TestDeflectHandoffWithoutThreadsIsUnavailable(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{noThreads: true})
	_, a := w.deflect(t, "", map[string]any{"subject": "invoice"})
	r := w.event(t, "", a.Session, map[string]any{"type": "handoff", "subject": "x", "email": "a@b.example"})
	if r.status != http.StatusServiceUnavailable || r.code() != domain.CodeHandoffUnavailable {
		t.Errorf("no threads: %d %s", r.status, r.body)
	}
}

func TestDeflectHostileInput(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	// A 1 MB body, over a real connection (app.Test refuses it itself). The
	// server answers as soon as it sees the length, so the client sends the
	// headers and the start of the body, then reads.
	base := serve(t, w.srv)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/deflect HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"subject\":\"%s",
		strings.TrimPrefix(base, "http://"), 1<<20, strings.Repeat("a", 16<<10))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	r := response{status: res.StatusCode, header: res.Header, body: data}
	if r.status != http.StatusRequestEntityTooLarge || r.code() != "body_too_large" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("1 MB body: %d %s %.200s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Origins: the allow-listed one gets CORS headers, others a 403 problem.
	r = w.call(t, "", "OPTIONS", "/api/v1/deflect", nil, "Origin", widgetHost, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,authorization")
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != widgetHost ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	r, _ = w.deflect(t, "", map[string]any{"subject": "invoice"}, "Origin", widgetHost)
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != widgetHost || r.header.Get("Set-Cookie") != "" {
		t.Errorf("allowed origin: %d %v", r.status, r.header)
	}
	// Another origin's preflight passes and its request is refused with a
	// problem the page may read (the widget says why it cannot help), and
	// nothing else: no session.
	r = w.call(t, "", "OPTIONS", "/api/v1/deflect", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "https://evil.example" {
		t.Errorf("preflight of a disallowed origin: %d %v", r.status, r.header)
	}
	r, _ = w.deflect(t, "", map[string]any{"subject": "invoice"}, "Origin", "https://evil.example")
	if r.status != http.StatusForbidden || r.code() != "origin_not_allowed" || r.header.Get("Access-Control-Allow-Origin") != "https://evil.example" ||
		strings.Contains(string(r.body), `"session"`) || !strings.Contains(string(r.body), "--widget-origins") {
		t.Errorf("disallowed origin: %d %v %s", r.status, r.header, r.body)
	}
	if r := w.call(t, "", "GET", "/api/v1/articles/invoice-find", nil, "Origin", widgetHost); r.header.Get("Access-Control-Allow-Origin") != widgetHost {
		t.Errorf("article for the widget: %d %v", r.status, r.header)
	}
	if r := w.call(t, "", "POST", "/api/v1/deflect", map[string]any{"subject": "invoice"}, "Origin", "http://example.com"); r.status != http.StatusOK {
		t.Errorf("same origin: %d %s", r.status, r.body)
	}
}

// TestDeflectRateLimitLosesNothing sends 1,000 questions in about a second
// from one client: the limit answers 429 problems, and every question
// answered 200 is stored.
func TestDeflectRateLimitLosesNothing(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{rate: 150})
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	start := time.Now()
	tick := time.NewTicker(time.Millisecond) // 1,000 a second
	defer tick.Stop()
	for i := range 1000 {
		<-tick.C
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body := fmt.Sprintf(`{"subject":"invoice question %d"}`, i)
			req := httptest.NewRequest("POST", "/api/v1/deflect", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res, err := w.srv.App().Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusTooManyRequests && !bytes.Contains(data, []byte(`"code":"rate_limited"`)) {
				t.Errorf("429 without its problem: %s", data)
			}
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	t.Logf("1,000 requests in %v: %v", time.Since(start).Round(time.Millisecond), statuses)
	if statuses[200] != 150 || statuses[429] != 850 {
		t.Errorf("statuses %v, want 150 × 200 and 850 × 429", statuses)
	}
	time.Sleep(time.Second) // within a second of the answer, the sessions are stored
	rep := w.call(t, "olga", "GET", "/api/v1/reports/deflection", nil)
	var report domain.DeflectionReport
	rep.decode(t, &report)
	if report.Totals.Sessions != statuses[200] {
		t.Errorf("%d sessions stored for %d answered questions", report.Totals.Sessions, statuses[200])
	}
}

// serve runs s on a loopback port until the test ends and returns its base URL.
func serve(t *testing.T, s *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-served
	})
	return "http://" + ln.Addr().String()
}

func TestWidgetScriptCaching(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	r := w.call(t, "", "GET", "/widget.js", nil)
	etag := r.header.Get("ETag")
	if r.status != 200 || etag == "" || r.header.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("widget.js: %d %v", r.status, r.header)
	}
	versioned := w.srv.WidgetPath()
	r = w.call(t, "", "GET", versioned, nil)
	if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || r.header.Get("ETag") != etag {
		t.Errorf("%s: %d %v", versioned, r.status, r.header)
	}
	if r := w.call(t, "", "GET", "/widget.js", nil, "If-None-Match", etag); r.status != http.StatusNotModified {
		t.Errorf("revalidation: %d", r.status)
	}
	if r := w.call(t, "", "GET", "/widget.0123456789abcdef.js", nil); r.status != http.StatusFound {
		t.Errorf("an old version: %d", r.status)
	}
	r = w.call(t, "", "GET", "/widget.js", nil, "Accept-Encoding", "gzip")
	plain, gz := w.srv.WidgetSizes()
	if r.header.Get("Content-Encoding") != "gzip" || len(r.body) != gz {
		t.Errorf("gzip: %v, %d bytes", r.header, len(r.body))
	}
	t.Logf("widget.js: %d bytes, %d gzipped", plain, gz)
	if gz > 8<<10 {
		t.Errorf("the widget is %d bytes gzipped; keep it under 8 KiB", gz)
	}
}

func TestContactAndReportPages(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	if r := w.call(t, "", "GET", "/contact", nil, "Accept-Language", "es"); r.status != http.StatusFound || r.header.Get("Location") != "/es/contact" {
		t.Errorf("/contact: %d %v", r.status, r.header)
	}
	r := w.call(t, "", "GET", "/en/contact", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`data-mount="contact-flow"`)) || !bytes.Contains(r.body, []byte(w.srv.WidgetPath())) {
		t.Errorf("/en/contact: %d %.300s", r.status, r.body)
	}
	// The report page is the back office's: operators signed in.
	if r := w.call(t, "", "GET", "/reports/deflection?from=2025-01-01", nil); r.status != http.StatusFound || r.header.Get("Location") != "/operator/deflection?from=2025-01-01" {
		t.Errorf("/reports/deflection: %d %v", r.status, r.header)
	}
	_, a := w.deflect(t, "", map[string]any{"subject": "where is my invoice <script>alert(1)</script>"})
	w.event(t, "", a.Session, map[string]any{"type": "opened", "article": a.Suggestions[0].ID})
	f := w.forms()
	if status, _, _ := f.do(t, "GET", "/operator/deflection", nil); status != http.StatusSeeOther {
		t.Errorf("anonymous report page: %d", status)
	}
	f.login(t, "olga")
	status, body, _ := f.get(t, "/operator/deflection")
	if status != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, "Strict deflection") || strings.Contains(body, "<script>alert") {
		t.Errorf("report page: %d %.500s", status, body)
	}
	b := w.forms()
	b.login(t, "ana")
	if status, _, _ := b.get(t, "/operator/deflection"); status != http.StatusForbidden {
		t.Errorf("ana on the report page: %d", status)
	}
}
