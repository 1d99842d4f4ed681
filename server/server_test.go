package server_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

const adminToken = "test-admin-token-0123456789abcdef"

func newServer(t *testing.T) *server.Server {
	t.Helper()
	s, _ := serverOn(t, content.Bundled())
	return s
}

// serverOn is a server over the articles in fsys, with its index and
// feedback store in temporary folders.
func serverOn(tb testing.TB, fsys fs.FS) (*server.Server, *index.Index) {
	tb.Helper()
	return serverWith(tb, fsys, server.Config{AdminToken: adminToken})
}

// serverWith is serverOn with its own configuration.
func serverWith(tb testing.TB, fsys fs.FS, cfg server.Config) (*server.Server, *index.Index) {
	tb.Helper()
	ix, err := index.Open(context.Background(), tb.TempDir(), fsys, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost}) // behaviour, not durability
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	s, err := server.New(cfg, ix, search.New(ix, search.DefaultOptions()), bolt.NewFeedbackService(db), discard(), prometheus.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return s, ix
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return m
}

func do(t *testing.T, s *server.Server, method, target string, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: body}
}

func get(t *testing.T, s *server.Server, target string) response {
	return do(t, s, http.MethodGet, target, nil)
}

func hitIDs(t *testing.T, m map[string]any) []string {
	var ids []string
	hits, _ := m["hits"].([]any)
	for _, h := range hits {
		ids = append(ids, h.(map[string]any)["id"].(string))
	}
	return ids
}

func TestSearchWithTypo(t *testing.T) {
	s := newServer(t)
	r := get(t, s, "/api/v1/search?q="+url.QueryEscape("where is my invoce"))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	ids := hitIDs(t, m)
	if len(ids) < 3 || !contains(ids[:3], "invoice-find") {
		t.Errorf("top 3 = %v, want invoice-find among them", ids)
	}
	if m["corrected"] != "where is my invoice" {
		t.Errorf("corrected = %v", m["corrected"])
	}
	hit := m["hits"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "title", "url", "locale", "category", "snippet", "score", "why"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("hit lacks %q", k)
		}
	}
	if !strings.Contains(hit["snippet"].(string), "<mark>") {
		t.Errorf("snippet has no highlight: %v", hit["snippet"])
	}
	why := hit["why"].(map[string]any)
	if c, _ := why["corrections"].([]any); len(c) != 1 {
		t.Errorf("why.corrections = %v", why["corrections"])
	}
	if _, ok := m["facets"].([]any); !ok {
		t.Errorf("no facets: %v", m["facets"])
	}
}

func TestSpanishAndCategoryFilter(t *testing.T) {
	s := newServer(t)
	m := get(t, s, "/api/v1/search?locale=es&q="+url.QueryEscape("cómo descargo mi factura")).json(t)
	if ids := hitIDs(t, m); len(ids) == 0 || ids[0] != "invoice-download" || m["locale"] != "es" {
		t.Errorf("es search: locale %v hits %v", m["locale"], ids)
	}
	m = get(t, s, "/api/v1/search?category=refunds&q=refund").json(t)
	for _, h := range m["hits"].([]any) {
		if c := h.(map[string]any)["category"]; c != "refunds" {
			t.Errorf("category filter let through %v", c)
		}
	}
	// A Spanish query about a topic with no Spanish article falls back to English.
	m = get(t, s, "/api/v1/search?locale=es&q=seller+statistics+chargeback+xyzzy+dashboard").json(t)
	if m["total"].(float64) > 0 && m["locale"] == "en" && m["fallback_from"] != "es" {
		t.Errorf("fallback not reported: %v", m)
	}
}

func TestVisibility(t *testing.T) {
	s := newServer(t)
	q := "/api/v1/search?q=" + url.QueryEscape("answer customer messages within 48 hours seller")
	if ids := hitIDs(t, get(t, s, q).json(t)); contains(ids, "seller-answer-messages") {
		t.Errorf("anonymous search shows a sellers-only article: %v", ids)
	}
	if ids := hitIDs(t, do(t, s, "GET", q, map[string]string{"Authorization": "Bearer " + adminToken}).json(t)); !contains(ids, "seller-answer-messages") {
		t.Errorf("staff search misses the sellers article: %v", ids)
	}
	if r := get(t, s, "/api/v1/articles/seller-answer-messages"); r.status != 404 {
		t.Errorf("anonymous article fetch of a sellers article: %d", r.status)
	}
}

func TestArticleAndCategories(t *testing.T) {
	s := newServer(t)
	m := get(t, s, "/api/v1/articles/refund-policy?locale=es").json(t)
	if m["locale"] != "es" || !strings.Contains(m["html"].(string), "<p>") {
		t.Errorf("article: %v", m)
	}
	tr, _ := m["translations"].([]any)
	if len(tr) != 1 || tr[0].(map[string]any)["locale"] != "en" {
		t.Errorf("translations: %v", m["translations"])
	}
	m = get(t, s, "/api/v1/articles/return-status?locale=es").json(t)
	if m["locale"] != "en" || m["fallback_from"] != "es" {
		t.Errorf("untranslated article should fall back to English: %v %v", m["locale"], m["fallback_from"])
	}
	m = get(t, s, "/api/v1/categories?locale=es").json(t)
	cats := m["categories"].([]any)
	if len(cats) < 8 || cats[0].(map[string]any)["id"] != "orders" || cats[0].(map[string]any)["title"] == "orders" {
		t.Errorf("categories: %v", cats)
	}
	sg := get(t, s, "/api/v1/suggest?q=inv").json(t)
	if sug := sg["suggestions"].([]any); len(sug) == 0 || !strings.HasPrefix(sug[0].(map[string]any)["id"].(string), "invoice") {
		t.Errorf("suggest inv: %v", sg)
	}
}

// TestHostileInput: nothing a client sends gets a 500 or is parsed as query syntax.
func TestHostileInput(t *testing.T) {
	s := newServer(t)
	cases := []struct {
		target string
		status int
		code   string
	}{
		{"/api/v1/search?q=" + url.QueryEscape("title:x AND /.*/"), 200, ""},
		{"/api/v1/search?q=" + url.QueryEscape("*a*"), 200, ""},
		{"/api/v1/search?q=" + url.QueryEscape("visibility:internal"), 200, ""},
		{"/api/v1/search?q=%ff%fe%c3%28abc", 200, ""},
		{"/api/v1/search?q=" + strings.Repeat("refund+", 400), 400, "query_too_long"},
		{"/api/v1/search?q=refund&page=-1", 400, "bad_pagination"},
		{"/api/v1/search?q=refund&per_page=1000000000", 400, "invalid_parameter"},
		{"/api/v1/search?q=refund&per_page=51", 400, "bad_pagination"},
		{"/api/v1/search?q=refund&page=2000", 400, "bad_pagination"},
		{"/api/v1/search?q=refund&page=x", 400, "invalid_parameter"},
		{"/api/v1/search?q=refund&locale=klingon", 400, "unknown_locale"},
		{"/api/v1/search?q=", 200, ""},
		{"/api/v1/articles/..%2f..%2fetc%2fpasswd", 404, "not_found"},
		{"/no/such/page", 404, "not_found"},
	}
	for _, c := range cases {
		r := get(t, s, c.target)
		if r.status != c.status {
			t.Errorf("%.80s: status %d, want %d: %.200s", c.target, r.status, c.status, r.body)
			continue
		}
		if c.code != "" {
			m := r.json(t)
			if m["code"] != c.code || m["status"].(float64) != float64(c.status) || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%.80s: problem %v (%s)", c.target, m, r.header.Get("Content-Type"))
			}
		}
	}
	// (A 100 KB request line is answered 431 by the listener: see cmd/helpcentre e2e test.)
	// Query syntax is never interpreted: an internal-only field query finds nothing special.
	m := get(t, s, "/api/v1/search?q="+url.QueryEscape("visibility:sellers")).json(t)
	for _, id := range hitIDs(t, m) {
		if strings.HasPrefix(id, "seller-") {
			t.Errorf("field syntax leaked a sellers article: %s", id)
		}
	}
}

func TestErrorsAreFriendlyForBrowsers(t *testing.T) {
	s := newServer(t)
	r := do(t, s, "GET", "/no/such/page", map[string]string{"Accept": "text/html"})
	if r.status != 404 || !strings.Contains(string(r.body), "<html") {
		t.Errorf("browser 404: %d %.200s", r.status, r.body)
	}
}

func TestAdmin(t *testing.T) {
	s := newServer(t)
	r := do(t, s, "POST", "/api/v1/admin/reload", nil)
	if r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("reload without token: %d %v", r.status, r.header)
	}
	r = do(t, s, "POST", "/api/v1/admin/reload", map[string]string{"Authorization": "Bearer wrong"})
	if r.status != 401 {
		t.Errorf("reload with a wrong token: %d", r.status)
	}
	r = do(t, s, "POST", "/api/v1/admin/reload", map[string]string{"Authorization": "Bearer " + adminToken})
	if r.status != 200 {
		t.Errorf("reload: %d %s", r.status, r.body)
	}
	m := do(t, s, "GET", "/api/v1/admin/content/status", map[string]string{"Authorization": "Bearer " + adminToken}).json(t)
	if m["ready"] != true || m["errors"].(float64) != 0 {
		t.Errorf("status: %v", m)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	s := newServer(t)
	if r := get(t, s, "/healthz"); r.status != 200 {
		t.Errorf("healthz %d", r.status)
	}
	if r := get(t, s, "/readyz"); r.status != 200 {
		t.Errorf("readyz %d", r.status)
	}
	get(t, s, "/api/v1/search?q=refund")
	r := get(t, s, "/metrics")
	for _, want := range []string{
		`helpcentre_http_request_duration_seconds_bucket{code="200",method="GET",route="/api/v1/search"`,
		`helpcentre_index_articles{locale="en"} `,
		"helpcentre_content_reloads_total",
		"helpcentre_content_reload_failures_total",
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if r := get(t, s, "/"); r.status != 302 || r.header.Get("Location") != "/en/" {
		t.Errorf("root: %d → %s", r.status, r.header.Get("Location"))
	}
	home := get(t, s, "/en/")
	if home.status != 200 || !strings.Contains(string(home.body), `role="search"`) {
		t.Errorf("home: %d", home.status)
	}
	page := get(t, s, "/search?q=refund")
	if page.status != 200 || !strings.Contains(string(page.body), "<mark>") {
		t.Errorf("search page: %d", page.status)
	}
	art := get(t, s, "/en/articles/refund-policy")
	if art.status != 301 || !strings.HasPrefix(art.header.Get("Location"), "/en/articles/refund-policy/") {
		t.Errorf("article without slug: %d → %s", art.status, art.header.Get("Location"))
	}
	art = get(t, s, art.header.Get("Location"))
	if art.status != 200 || !strings.Contains(string(art.body), "200 days") {
		t.Errorf("article page: %d", art.status)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
