package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/internal/searcheval"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

func readBitext(t *testing.T, name string) ([]search.EvalQuery, map[string][]string) {
	t.Helper()
	dir := filepath.Join("..", "search", "testdata", "bitext")
	qs, err := searcheval.ReadQueriesFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	intents, err := searcheval.ReadIntents(filepath.Join(dir, "intents.json"))
	if err != nil {
		t.Fatal(err)
	}
	return qs, intents
}

// TestLearningFromVisitorsOverHTTP replays a stream of visitors over HTTP,
// as a reverse proxy on the loopback forwards them (one visitor and one
// address per question: search, then click and "helpful" on the intent's
// article), applies learning through the admin API, and checks that
// bitext train questions that were never replayed are answered better,
// that the same holds after a restart (the table is stored), and that
// bitext dev's hit@3 is not lower than before.
func TestLearningFromVisitorsOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 1,500 visitors over HTTP")
	}
	train, intents := readBitext(t, "queries_train.jsonl")
	dev, _ := readBitext(t, "queries_dev.jsonl")
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	replayed, held := train[:1500], train[1500:2100]

	var ix *index.Index
	var engine *search.Engine
	var events *bolt.SearchEvents
	w, _, _ := buildWorld(t, worldOptions{content: content.Bundled(),
		domain: func(db *bolt.DB, p domain.Policy) *server.Domain {
			b := bolt.NewServices(db, p)
			return &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Incidents: b.Incidents, Refunds: b.Refunds,
				Claims: b.Claims, Work: b.Work, Outbox: b.Outbox, Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p}
		},
		config: func(cfg *server.Config) {
			cfg.Secret = eventsSecret
			cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		},
		engine: func(i *index.Index, db *bolt.DB, cfg *server.Config) *search.Engine {
			ix = i
			e := search.New(i, search.DefaultOptions())
			events = bolt.NewSearchEvents(db)
			l, err := bolt.NewLearningService(context.Background(), db, events, e.QueryKeyWords, domain.DefaultLearnParams())
			if err != nil {
				t.Fatal(err)
			}
			e.SetLearned(l)
			cfg.Events, cfg.Learning = events, l
			engine = e
			return e
		}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- w.srv.Serve(ln) }()
	t.Cleanup(func() { ln.Close(); <-served })
	base := "http://" + ln.Addr().String()

	ctx := context.Background()
	plain := search.New(ix, search.DefaultOptions())
	hit3 := func(e *search.Engine, qs []search.EvalQuery) float64 {
		t.Helper()
		r, err := search.Evaluate(ctx, e, qs, intents, "en")
		if err != nil {
			t.Fatal(err)
		}
		return r.Hit3
	}
	heldBefore, devBefore := hit3(plain, held), hit3(plain, dev)

	do := func(method, target, addr, body string, header ...string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, base+target, strings.NewReader(body))
		req.Header.Set("X-Forwarded-For", addr)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, target, res.StatusCode, data)
		}
		return data
	}
	for i, q := range replayed {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		var res struct {
			QueryID string `json:"query_id"`
			Hits    []struct{ ID string }
		}
		if err := json.Unmarshal(do("GET", "/api/v1/search?locale=en&q="+url.QueryEscape(q.Query), addr, ""), &res); err != nil || res.QueryID == "" {
			t.Fatalf("search %q: %v %+v", q.Query, err, res)
		}
		art := intents[q.RelevantIntent][0]
		var pos any
		for j, h := range res.Hits {
			if h.ID == art {
				pos = j + 1
			}
		}
		body, _ := json.Marshal(map[string]any{"events": []map[string]any{
			{"type": "click", "query_id": res.QueryID, "article": art, "position": pos},
			{"type": "helpful", "query_id": res.QueryID, "article": art, "position": nil}}})
		var ans eventsAnswer
		if err := json.Unmarshal(do("POST", "/api/v1/events", addr, string(body)), &ans); err != nil || ans.Accepted != 2 {
			t.Fatalf("events for %q: %v %+v", q.Query, err, ans)
		}
	}
	var change domain.LearnChange
	if err := json.Unmarshal(do("POST", "/api/v1/admin/learning/apply", "10.255.0.1", "", "Authorization", "Bearer "+demo.Token("adam")), &change); err != nil {
		t.Fatal(err)
	}
	if change.Applied == 0 {
		t.Fatalf("nothing learned: %+v", change)
	}
	heldAfter, devAfter := hit3(engine, held), hit3(engine, dev)

	// A restart: the learning service reads its stored table, a new engine reads it.
	restarted := search.New(ix, search.DefaultOptions())
	l2, err := bolt.NewLearningService(ctx, w.db, events, restarted.QueryKeyWords, domain.DefaultLearnParams())
	if err != nil {
		t.Fatal(err)
	}
	restarted.SetLearned(l2)
	heldRestart := hit3(restarted, held)
	t.Logf("%d visitors replayed, %d associations apply; held-out train (%d, never replayed) hit@3 %.4f → %.4f (after a restart %.4f); dev hit@3 %.4f → %.4f",
		len(replayed), change.Applied, len(held), heldBefore, heldAfter, heldRestart, devBefore, devAfter)
	if heldAfter <= heldBefore {
		t.Errorf("held-out train hit@3 %.4f, before learning %.4f", heldAfter, heldBefore)
	}
	if heldRestart != heldAfter {
		t.Errorf("after a restart held-out hit@3 %.4f, before it %.4f", heldRestart, heldAfter)
	}
	if devAfter < devBefore {
		t.Errorf("dev hit@3 %.4f, before the replay %.4f", devAfter, devBefore)
	}
}
