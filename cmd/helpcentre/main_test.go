package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/internal/pgtest"
	"github.com/marketplace/helpcentre/search"
)

// copyBundled writes the bundled articles into dir, as a deployed checkout would be.
func copyBundled(t *testing.T, dir string) {
	t.Helper()
	corpus, err := synth.Corpus(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteDir(corpus, dir); err != nil {
		t.Fatal(err)
	}
}

type running struct {
	base string
	stop func() error
}

func start(t *testing.T, cfg Config) *running {
	t.Helper()
	return startLogged(t, cfg, slog.New(slog.DiscardHandler))
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// startLogged is start with the server's log going to log.
func startLogged(t *testing.T, cfg Config, log *slog.Logger) *running {
	t.Helper()
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, ln, log) }()
	r := &running{base: "http://" + ln.Addr().String(), stop: func() error { cancel(); return <-done }}
	// Seeding the demo and building the index take a few seconds, and a
	// minute under the race detector on a busy 2-core machine.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		res, err := http.Get(r.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready in 3 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

func getJSON(t *testing.T, u string, header ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return res.StatusCode, m
}

func searchIDs(t *testing.T, base, q string) []string {
	_, m := getJSON(t, base+"/api/v1/search?q="+url.QueryEscape(q))
	var ids []string
	hits, _ := m["hits"].([]any)
	for _, h := range hits {
		ids = append(ids, h.(map[string]any)["id"].(string))
	}
	return ids
}

// waitFor polls until cond holds, and returns how long it took.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 15*time.Second {
			t.Fatalf("%s: not within 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestLiveContent: an editor's new file goes live without a restart, a broken
// file is reported with file:line while its last good version keeps serving,
// and shutdown drains and closes cleanly.
func TestLiveContent(t *testing.T) {
	contentDir, dataDir := t.TempDir(), t.TempDir()
	copyBundled(t, contentDir)
	r := start(t, Config{Content: contentDir, Data: dataDir, AdminToken: testAdminToken, Poll: time.Minute, Shutdown: 5 * time.Second})

	if ids := searchIDs(t, r.base, "where is my invoce"); len(ids) == 0 || ids[0] != "invoice-find" {
		t.Fatalf("bundled content not served: %v", ids)
	}

	// A new article becomes searchable.
	newFile := filepath.Join(contentDir, "en", "orders", "gift-wrap.md")
	if err := os.WriteFile(newFile, []byte("---\ntitle: Can I have my order gift wrapped?\n---\n\nSome shops offer giftwrapping at checkout.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "new article searchable", func() bool {
		ids := searchIDs(t, r.base, "giftwrapping")
		return len(ids) == 1 && ids[0] == "gift-wrap"
	})
	t.Logf("new file searchable after %v", took)

	// Break an existing article: the error is reported at its line and the
	// previous version keeps answering.
	policy := filepath.Join(contentDir, "en", "refunds", "refund-policy.md")
	if err := os.WriteFile(policy, []byte("---\ntitle: Refund policy\nupdated: not-a-date\n---\nbody\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var status map[string]any
	waitFor(t, "broken file reported", func() bool {
		_, status = getJSON(t, r.base+"/api/v1/admin/content/status", "Authorization", "Bearer "+testAdminToken)
		return status["errors"] == float64(1)
	})
	diags := fmt.Sprint(status["diagnostics"])
	if !strings.Contains(diags, "en/refunds/refund-policy.md") || !strings.Contains(diags, "line:3") {
		t.Errorf("diagnostics do not name the file and line: %s", diags)
	}
	if ids := searchIDs(t, r.base, "refund policy 200 days"); len(ids) < 3 || !strings.Contains(strings.Join(ids[:3], " "), "refund-policy") {
		t.Errorf("last good version of refund-policy not searchable: %v", ids)
	}
	if _, a := getJSON(t, r.base+"/api/v1/articles/refund-policy"); a["title"] == "Refund policy" || !strings.Contains(fmt.Sprint(a["html"]), "200") {
		t.Errorf("refund-policy serves the broken version: %v", a["title"])
	}

	// Deleting the new file removes it.
	if err := os.Remove(newFile); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "removed article gone", func() bool { return len(searchIDs(t, r.base, "giftwrapping")) == 0 })

	// A 100 KB query is refused at the door.
	// The server answers 431 and closes after the first buffer of the
	// request; a client still writing the rest may see the connection
	// reset instead of the answer, which is the same refusal.
	res, err := http.Get(r.base + "/api/v1/search?q=" + strings.Repeat("a", 100<<10))
	switch {
	case err != nil && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)):
	case err != nil:
		t.Fatal(err)
	default:
		res.Body.Close()
		if res.StatusCode != 431 {
			t.Errorf("100 KB query: %d, want 431", res.StatusCode)
		}
	}

	if err := r.stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	// A clean shutdown leaves a reusable index behind.
	data, err := os.ReadFile(filepath.Join(dataDir, "index", "en", "manifest.json"))
	if err != nil || bytes.Contains(data, []byte(`"dirty"`)) {
		t.Errorf("manifest after shutdown: %s (%v)", data, err)
	}
}

func TestCheckCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"check", "../../content/testdata/bad"}, &out, &errb)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "../../content/testdata/bad/en/orders/bad-yaml.md:3: error:") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if code := Run(context.Background(), []string{"check", "../../content/articles"}, &out, &errb); code != 0 {
		t.Errorf("bundled content: exit %d:\n%s", code, out.String())
	}
	if code := Run(context.Background(), []string{"check", "/no/such/dir"}, &out, &errb); code != 2 {
		t.Errorf("missing dir: exit %d", code)
	}
}

func TestEvalCommandJSON(t *testing.T) {
	dir := t.TempDir()
	queries := filepath.Join(dir, "q.jsonl")
	os.WriteFile(queries, []byte(`{"id":"a","query":"how does covid spread","relevant":["cov-002"],"tags":"Z"}
{"id":"b","query":"what is covid","relevant":["cov-001"]}
`), 0o644)
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"eval", "-content", "../../content/testdata/flat", "-queries", queries, "-json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("not JSON: %s", out.String())
	}
	for _, k := range []string{"mrr10", "ndcg10", "hit1", "hit3", "hit5", "zero", "p50_ms", "p99_ms", "queries", "typo_hit3"} {
		if _, ok := m[k]; !ok {
			t.Errorf("eval JSON lacks %q: %s", k, out.String())
		}
	}
	if m["hit1"] != 1.0 {
		t.Errorf("hit1 = %v on a trivial set", m["hit1"])
	}
}

// TestMain sets Bleve up as main does before the tests run the command in
// process.
func TestMain(m *testing.M) {
	search.ConfigureBleve()
	pgtest.Main(m) // stops the PostgreSQL cluster the replica tests start, if one did
}
