package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
	"github.com/marketplace/helpcentre/server/web"
)

var eventsSecret = []byte("events-test-secret-0123456789abcdef")

// eventsWorld is a domain world whose server logs searches and learns.
func eventsWorld(t *testing.T) (*domainWorld, *bolt.SearchEvents, *bolt.LearningService) {
	t.Helper()
	var events *bolt.SearchEvents
	var learning *bolt.LearningService
	w, _, _ := buildWorld(t, worldOptions{domain: func(db *bolt.DB, p domain.Policy) *server.Domain {
		b := bolt.NewServices(db, p)
		events = bolt.NewSearchEvents(db)
		var err error
		learning, err = bolt.NewLearningService(context.Background(), db, events, domain.PlainWords, domain.DefaultLearnParams())
		if err != nil {
			t.Fatal(err)
		}
		return &server.Domain{Access: b.Access, Orders: b.Orders, Threads: b.Threads, Incidents: b.Incidents, Refunds: b.Refunds,
			Claims: b.Claims, Work: b.Work, Outbox: b.Outbox, Audit: b.Audit, Canned: b.Canned, Mail: b.Mail, Policy: p}
	}, config: func(cfg *server.Config) {
		cfg.Events, cfg.Learning, cfg.Secret = events, learning, eventsSecret
	}})
	return w, events, learning
}

type eventsAnswer struct {
	Accepted, Rejected int
	Results            []struct {
		Index, Status int
		Problem       *struct{ Code string }
	}
}

func TestEventsAPI(t *testing.T) {
	w, events, _ := eventsWorld(t)
	r := w.call(t, "", "GET", "/api/v1/search?q=returns&locale=en", nil)
	var res struct {
		QueryID string `json:"query_id"`
		Hits    []struct{ ID string }
	}
	r.decode(t, &res)
	if r.status != 200 || res.QueryID == "" || len(res.Hits) == 0 {
		t.Fatalf("search: %d %s", r.status, r.body)
	}
	if !strings.Contains(r.header.Get("Set-Cookie"), web.VisitorCookie+"=") {
		t.Errorf("no visitor cookie: %q", r.header.Get("Set-Cookie"))
	}
	var sg struct {
		QueryID     string `json:"query_id"`
		Suggestions []struct {
			QueryID  string `json:"query_id"`
			Position int
		}
	}
	w.call(t, "", "GET", "/api/v1/suggest?q=retur&locale=en", nil).decode(t, &sg)
	if sg.QueryID == "" || len(sg.Suggestions) == 0 || sg.Suggestions[0].QueryID != sg.QueryID || sg.Suggestions[0].Position != 1 {
		t.Errorf("suggest: %+v", sg)
	}

	signer, _ := web.NewSigner(eventsSecret)
	old := web.NewInsights(nil, signer).NewQueryID(time.Now().Add(-25 * time.Hour))
	article := res.Hits[0].ID
	r = w.call(t, "", "POST", "/api/v1/events", map[string]any{"events": []map[string]any{
		{"type": "click", "query_id": res.QueryID, "article": article, "position": 1},
		{"type": "helpful", "query_id": res.QueryID, "article": "no-such-article", "position": nil},
		{"type": "click", "query_id": "01J00000000000000000000000-0000000000000000", "article": article},
		{"type": "click", "query_id": old, "article": article},
		{"type": "view", "query_id": res.QueryID, "article": article},
		{"type": "solved", "query_id": sg.QueryID, "article": article},
	}})
	var ans eventsAnswer
	r.decode(t, &ans)
	if r.status != 202 || ans.Accepted != 2 || ans.Rejected != 4 || len(ans.Results) != 6 {
		t.Fatalf("events: %d %s", r.status, r.body)
	}
	for i, want := range []string{"", "invalid_article_id", "query_not_found", "query_not_found", "invalid_event", ""} {
		got := ans.Results[i]
		if want == "" && got.Status != 202 || want != "" && (got.Status != 400 || got.Problem == nil || got.Problem.Code != want) {
			t.Errorf("event %d: %+v, want %q", i, got, want)
		}
	}
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = map[string]any{"type": "click", "query_id": res.QueryID, "article": article}
	}
	if r := w.call(t, "", "POST", "/api/v1/events", map[string]any{"events": many}); r.status != 400 || r.code() != domain.CodeInvalidBody {
		t.Errorf("101 events: %d %s", r.status, r.body)
	}
	// sendBeacon's text/plain body is read as JSON too.
	body := fmt.Sprintf(`{"events":[{"type":"not_helpful","query_id":%q,"article":%q}]}`, res.QueryID, article)
	if r := w.call(t, "", "POST", "/api/v1/events", body, "Content-Type", "text/plain;charset=UTF-8"); r.status != 202 {
		t.Errorf("text/plain: %d %s", r.status, r.body)
	}

	var log []domain.SearchEvent
	now := time.Now()
	if err := events.Scan(context.Background(), now.Add(-time.Hour), now.Add(time.Hour), func(e domain.SearchEvent) error {
		log = append(log, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	types := []string{}
	for _, e := range log {
		types = append(types, string(e.Type))
	}
	if got := strings.Join(types, " "); got != "search search click solved not_helpful" {
		t.Errorf("logged %q", got)
	}
	if log[0].Query != "returns" || log[0].Hits[0] != article || log[2].Position == nil || *log[2].Position != 1 || log[2].Visitor == "" {
		t.Errorf("logged entries %+v", log)
	}
}

// seedTraffic logs, as five visitors from five addresses, searches for
// "how returns" answered with article and a helpful vote on it, and one
// search nobody found anything for.
func seedTraffic(t testing.TB, events *bolt.SearchEvents, article string, at time.Time) {
	t.Helper()
	var log []domain.SearchEvent
	day := at.Format("20060102")
	for i := range 5 {
		v := fmt.Sprintf("v%d", i)
		id := "q" + v + day
		at := at.Add(time.Duration(i) * time.Minute)
		pos := 1
		log = append(log,
			domain.SearchEvent{Type: domain.SearchQuery, QueryID: id, At: at, Visitor: v, Client: "c" + v, Locale: "en", Query: "how returns", Source: "search", Hits: []string{article}, Total: 1},
			domain.SearchEvent{Type: domain.SearchClick, QueryID: id, At: at.Add(time.Second), Visitor: v, Client: "c" + v, Article: article, Position: &pos},
			domain.SearchEvent{Type: domain.SearchHelpful, QueryID: id, At: at.Add(time.Minute), Visitor: v, Client: "c" + v, Article: article})
	}
	log = append(log, domain.SearchEvent{Type: domain.SearchQuery, QueryID: "zero" + day, At: at.Add(5 * time.Minute), Visitor: "v9", Client: "c9", Locale: "en", Query: "=pizza", Source: "search"},
		domain.SearchEvent{Type: domain.SearchNotHelpful, QueryID: "qv0" + day, At: at.Add(6 * time.Minute), Visitor: "v8", Client: "c8", Article: article},
		domain.SearchEvent{Type: domain.SearchHandoff, QueryID: "qv0" + day, At: at.Add(7 * time.Minute), Visitor: "v7", Client: "c7", Article: article})
	if err := events.Record(context.Background(), log...); err != nil {
		t.Fatal(err)
	}
}

func TestLearningAndAnalyticsAPI(t *testing.T) {
	w, events, learning := eventsWorld(t)
	seedTraffic(t, events, "returns", time.Now().Add(-time.Hour))

	if r := w.call(t, "olga", "POST", "/api/v1/admin/learning/apply", nil); r.status != 403 {
		t.Errorf("an agent applies learning: %d %s", r.status, r.body)
	}
	var change domain.LearnChange
	r := w.call(t, "adam", "POST", "/api/v1/admin/learning/apply", nil)
	r.decode(t, &change)
	// The query's own key, and a word association for each of its words.
	var keys []string
	for _, a := range change.Added {
		if a.Article != "returns" {
			t.Errorf("learned %+v", a)
		}
		keys = append(keys, a.Key)
	}
	if r.status != 200 || strings.Join(keys, ",") != "how returns,~how,~returns" {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	if got := learning.Associations("en")["how returns"]["returns"]; got <= 0 {
		t.Errorf("the learned table has weight %v", got)
	}
	var list struct {
		Associations []struct {
			ID        string
			Voters    int
			AliasLine string `json:"alias_line"`
		}
	}
	w.call(t, "olga", "GET", "/api/v1/admin/learning", nil).decode(t, &list)
	if len(list.Associations) != 3 || list.Associations[0].ID != "en|how returns|returns" || list.Associations[0].Voters != 7 {
		t.Fatalf("list: %+v", list)
	}
	id := list.Associations[0].ID

	// The analytics, before any review: the association awaits one.
	var a domain.SearchAnalytics
	r = w.call(t, "olga", "GET", "/api/v1/admin/analytics?locale=en", nil)
	r.decode(t, &a)
	if r.status != 200 || a.Totals.Searches != 6 || a.Totals.ZeroResults != 1 || a.Totals.WithClick != 5 || a.Totals.MeanPosition != 1 ||
		len(a.TopZero) != 1 || len(a.NotHelpful) != 1 || len(a.Handoffs) != 1 || len(a.ToReview) != 3 || len(a.ByDay) == 0 {
		t.Errorf("analytics: %d %s", r.status, r.body)
	}
	r = w.call(t, "olga", "GET", "/api/v1/admin/analytics?format=csv", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(string(r.body), "'=pizza") ||
		!strings.HasPrefix(string(r.body), "day,searches,") {
		t.Errorf("csv: %d %s", r.status, r.body)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/admin/analytics", nil); r.status != 403 {
		t.Errorf("a customer reads the analytics: %d", r.status)
	}

	r = w.call(t, "adam", "POST", "/api/v1/admin/learning/review", map[string]string{"id": id, "decision": "promote"})
	var promoted struct {
		AliasLine string `json:"alias_line"`
	}
	r.decode(t, &promoted)
	if r.status != 200 || promoted.AliasLine != `aliases: ["how returns"]` {
		t.Errorf("promote: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/learning/review", map[string]string{"id": id, "decision": "reject"}); r.status != 200 {
		t.Errorf("reject: %d %s", r.status, r.body)
	}
	if _, ok := learning.Associations("en")["how returns"]; ok {
		t.Error("a rejected association applies")
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/learning/review", map[string]string{"id": "en|x|y", "decision": "reject"}); r.code() != domain.CodeAssociationNotFound {
		t.Errorf("unknown association: %d %s", r.status, r.body)
	}
}
