package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var searchEventCases = []testCase{
	{"record_scan_purge", testSearchEventsLog},
	{"refusals", testSearchEventsRefusals},
	{"learning_survives_and_reviews", testLearning},
}

// Normalise is the stand-in for the search engine's analysis that stores
// give their learning service in the contract: lower case, split on spaces.
func Normalise(_, q string) []string { return strings.Fields(strings.ToLower(q)) }

func logSearch(id, visitor, q string, at time.Time, hits ...string) domain.SearchEvent {
	return domain.SearchEvent{Type: domain.SearchQuery, QueryID: id, Visitor: visitor, Client: "c-" + visitor, Locale: "en",
		Query: q, Source: "search", Hits: hits, Total: len(hits), At: at}
}

func logEvent(typ domain.SearchEventType, id, visitor, article string, at time.Time) domain.SearchEvent {
	return domain.SearchEvent{Type: typ, QueryID: id, Visitor: visitor, Client: "c-" + visitor, Article: article, At: at}
}

func scanAll(t *testing.T, s domain.SearchEvents, from, to time.Time) []domain.SearchEvent {
	t.Helper()
	var out []domain.SearchEvent
	if err := s.Scan(context.Background(), from, to, func(e domain.SearchEvent) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func testSearchEventsLog(t *testing.T, open Opener) {
	w := newEmpty(t, open, domain.DefaultPolicy())
	s := w.SearchEvents
	now := w.clock.Now()
	pos := 2
	click := logEvent(domain.SearchClick, "q1", "v1", "refund-time", now.Add(time.Second))
	click.Position = &pos
	// Recorded out of order, in two calls: read back in time order.
	if err := s.Record(context.Background(), click, logSearch("q0", "v0", "old", now.Add(-48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(context.Background(), logSearch("q1", "v1", "refund", now, "refund-time", "x")); err != nil {
		t.Fatal(err)
	}
	got := scanAll(t, s, now.Add(-72*time.Hour), now.Add(time.Hour))
	if len(got) != 3 || got[0].QueryID != "q0" || got[1].Type != domain.SearchQuery || got[1].Hits[0] != "refund-time" ||
		got[2].Position == nil || *got[2].Position != 2 || got[2].Visitor != "v1" {
		t.Fatalf("scanned %+v", got)
	}
	if got := scanAll(t, s, now, now.Add(time.Second)); len(got) != 1 || got[0].QueryID != "q1" {
		t.Errorf("[now, now+1s): %+v", got)
	}
	n, err := s.Purge(context.Background(), now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("purge: %d, %v", n, err)
	}
	if got := scanAll(t, s, now.Add(-72*time.Hour), now.Add(time.Hour)); len(got) != 2 {
		t.Errorf("after the purge: %+v", got)
	}
}

func testSearchEventsRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	now := w.clock.Now()
	s := w.SearchEvents
	w.refuseAll(t, []refusal{
		{"an event without query id", domain.CodeInvalidEvent, func() error {
			return s.Record(context.Background(), logEvent(domain.SearchClick, "", "v", "a", now))
		}},
		{"an unknown type", domain.CodeInvalidEvent, func() error {
			return s.Record(context.Background(), logEvent("view", "q", "v", "a", now))
		}},
		{"a click without article", domain.CodeInvalidArticleID, func() error {
			return s.Record(context.Background(), logEvent(domain.SearchClick, "q", "v", "", now))
		}},
		{"an empty range", domain.CodeInvalidRange, func() error {
			return s.Scan(context.Background(), now, now, func(domain.SearchEvent) error { return nil })
		}},
	})
	if got := scanAll(t, s, now.Add(-time.Hour), now.Add(time.Hour)); len(got) != 0 {
		t.Errorf("refused events were stored: %+v", got)
	}
}

func testLearning(t *testing.T, open Opener) {
	w := newWorld(t, open)
	now := w.clock.Now()
	var log []domain.SearchEvent
	for i, v := range []string{"v1", "v2", "v3"} {
		id := "q" + v
		at := now.Add(time.Duration(i-10) * time.Minute)
		log = append(log, logSearch(id, v, "Refund late", at, "refund-time"),
			logEvent(domain.SearchHelpful, id, v, "refund-time", at.Add(time.Second)))
	}
	if err := w.SearchEvents.Record(context.Background(), log...); err != nil {
		t.Fatal(err)
	}
	l := w.Learning
	admin, agent := w.as(t, "adam"), operator(w, t)
	w.refuseAll(t, []refusal{
		{"an anonymous run", domain.CodeUnauthorized, func() error { _, err := l.Apply(context.Background()); return err }},
		{"an agent's run", domain.CodeForbidden, func() error { _, err := l.Apply(agent); return err }},
		{"an agent's review", domain.CodeForbidden, func() error {
			_, err := l.Review(agent, "en|late refund|refund-time", domain.ReviewRejected)
			return err
		}},
		{"an unknown association", domain.CodeAssociationNotFound, func() error {
			_, err := l.Review(admin, "en|nothing|x", domain.ReviewRejected)
			return err
		}},
		{"a bad decision", domain.CodeInvalidReview, func() error {
			_, err := l.Review(admin, "en|late refund|refund-time", "maybe")
			return err
		}},
	})
	change, err := l.Apply(admin)
	if err != nil {
		t.Fatal(err)
	}
	// The query's key and its two words' (domain.WordKeyPrefix).
	if len(change.Added) != 3 || change.Added[0].Key != "late refund" || change.Added[1].Key != "~late" || change.Added[2].Key != "~refund" || change.Applied != 3 {
		t.Fatalf("first run: %+v", change)
	}
	if wt := l.Associations("en")["late refund"]["refund-time"]; wt < 2.9 {
		t.Errorf("learned weight %v", wt)
	}
	list, err := l.List(agent)
	if err != nil || len(list) != 3 || list[0].Voters != 3 || list[0].Example != "refund late" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if again, err := l.Apply(admin); err != nil || len(again.Added)+len(again.Removed) != 0 || again.Applied != 3 {
		t.Errorf("a second run changed things: %+v, %v", again, err)
	}
	a, err := l.Review(admin, list[0].ID(), domain.ReviewRejected)
	if err != nil || a.Applies || a.Review != domain.ReviewRejected {
		t.Fatalf("reject: %+v, %v", a, err)
	}
	if _, ok := l.Associations("en")["late refund"]; ok {
		t.Error("a rejected association still applies")
	}
	if _, err := l.Apply(admin); err != nil {
		t.Fatal(err)
	}
	list, _ = l.List(agent)
	if len(list) != 3 || list[0].Review != domain.ReviewRejected || list[0].Applies {
		t.Errorf("rejection forgotten by a run: %+v", list)
	}
}
