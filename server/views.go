package server

import (
	"context"
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

// RunBackground flushes view counts every interval until ctx is done, then
// once more.
func (s *Server) RunBackground(ctx context.Context, interval time.Duration) {
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

func (s *Server) flushViews(ctx context.Context) {
	views := s.views.take()
	if len(views) == 0 {
		return
	}
	if err := s.feedback.AddViews(ctx, views); err != nil {
		s.log.Error("saving article views failed; they are dropped", "err", err, "articles", len(views))
	}
}
