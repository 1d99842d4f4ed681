package site

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// viewCounter counts article page views in memory; a background loop adds
// them to the store in one write every few seconds, so a page view never
// waits for a disk sync.
type viewCounter struct {
	mu     sync.Mutex
	counts map[[2]string]int64
}

func newViewCounter() *viewCounter { return &viewCounter{counts: map[[2]string]int64{}} }

func (v *viewCounter) add(id, locale string) {
	v.mu.Lock()
	v.counts[[2]string{id, locale}]++
	v.mu.Unlock()
}

func (v *viewCounter) take() []domain.ArticleViews {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.counts) == 0 {
		return nil
	}
	out := make([]domain.ArticleViews, 0, len(v.counts))
	for k, n := range v.counts {
		out = append(out, domain.ArticleViews{ArticleID: k[0], Locale: k[1], Views: n})
	}
	v.counts = map[[2]string]int64{}
	return out
}

// popularCache keeps each locale's most viewed articles between view
// flushes: the home, zero-result and error pages would otherwise read the
// store on every request, and the counts only change every flush anyway.
type popularCache struct {
	mu      sync.Mutex
	entries map[string]popularEntry // locale and n
}

type popularEntry struct {
	at    time.Time
	views []domain.ArticleViews
}

// mostViewed is PopularArticles, cached for a view-flush interval.
func (s *Handler) mostViewed(ctx context.Context, locale string, n int) ([]domain.ArticleViews, error) {
	key := locale + "/" + strconv.Itoa(n)
	s.viewed.mu.Lock()
	e, ok := s.viewed.entries[key]
	s.viewed.mu.Unlock()
	if ok && time.Since(e.at) < viewFlushInterval {
		return e.views, nil
	}
	views, err := s.feedback.PopularArticles(ctx, locale, n)
	if err != nil {
		return nil, err
	}
	s.viewed.mu.Lock()
	if s.viewed.entries == nil {
		s.viewed.entries = map[string]popularEntry{}
	}
	s.viewed.entries[key] = popularEntry{at: time.Now(), views: views}
	s.viewed.mu.Unlock()
	return views, nil
}

// viewFlushInterval is how often view counts reach the store.
const viewFlushInterval = 5 * time.Second

// RunBackground flushes view counts every viewFlushInterval until ctx is done, then
// once more.
func (s *Handler) RunBackground(ctx context.Context) {
	interval := viewFlushInterval
	if s.feedback == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flushViews(context.Background())
			return
		case <-t.C:
			s.flushViews(ctx)
		}
	}
}

func (s *Handler) flushViews(ctx context.Context) {
	views := s.views.take()
	if len(views) == 0 {
		return
	}
	if err := s.feedback.AddViews(ctx, views); err != nil {
		s.log.Error("saving article views failed; they are dropped", "err", err, "articles", len(views))
	}
}
