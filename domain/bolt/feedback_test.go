package bolt_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func mustVote(t *testing.T, s *bolt.FeedbackService, v domain.Vote) domain.Vote {
	t.Helper()
	if err := s.RecordVote(context.Background(), &v); err != nil {
		t.Fatalf("RecordVote(%+v): %v", v, err)
	}
	return v
}

func mustSummary(t *testing.T, s *bolt.FeedbackService, articleID string) *domain.FeedbackSummary {
	t.Helper()
	sum, err := s.FeedbackSummary(context.Background(), articleID)
	if err != nil {
		t.Fatalf("FeedbackSummary(%q): %v", articleID, err)
	}
	return sum
}

func TestReopenKeepsData(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "data", "domain.db")
	ctx := context.Background()
	db, err := bolt.Open(path, bolt.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := bolt.NewFeedbackService(db)
	v := mustVote(t, s, domain.Vote{ArticleID: "faq", Locale: "es", Reason: "unclear", Comment: "¿qué?"})
	if err := s.AddViews(ctx, []domain.ArticleViews{{ArticleID: "faq", Locale: "es", Views: 7}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = bolt.Open(path, bolt.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = bolt.NewFeedbackService(db)
	sum := mustSummary(t, s, "faq")
	if sum.NotHelpful != 1 || sum.Reasons["unclear"] != 1 || len(sum.Recent) != 1 {
		t.Fatalf("after reopen: %+v", sum)
	}
	got := sum.Recent[0]
	if got.ID != v.ID || got.Comment != "¿qué?" || !got.CreatedAt.Equal(v.CreatedAt) {
		t.Errorf("after reopen: %+v, want %+v", got, v)
	}
	pop, err := s.PopularArticles(ctx, "es", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []domain.ArticleViews{{ArticleID: "faq", Locale: "es", Views: 7}}; !slices.Equal(pop, want) {
		t.Errorf("after reopen: %v, want %v", pop, want)
	}
}
