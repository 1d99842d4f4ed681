package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/internal/loadgen"
)

// The events phase of helpcentre bench: POST /api/v1/events at saturation
// (each post carries eventsPerPost clicks and votes naming real query ids
// that searches handed out), and the store's batch write rate in process.

const (
	eventsRoute   = "/api/v1/events"
	eventsPerPost = 20
	// storeEvents are written by the in-process store phase, in batches
	// of bolt.DefaultEventsBatch as Run writes them.
	storeEvents = 200_000
)

// eventsReport is the events phase's figures.
type eventsReport struct {
	routeReport
	PerPost      int     `json:"events_per_post"`
	EventsPerSec float64 `json:"events_per_s"`       // accepted through HTTP at saturation
	StorePerSec  float64 `json:"store_events_per_s"` // written by the store, in process
}

// eventTargets searches the server for some of the stream's questions and
// builds event posts naming the query ids and articles it answered with.
func eventTargets(ctl *loadgen.Client, stream []benchQuery) ([]string, error) {
	type pair struct{ qid, article string }
	var pairs []pair
	for i := 0; i < len(stream) && len(pairs) < 200; i++ {
		q := stream[i]
		status, body, err := ctl.Fetch("/api/v1/search?locale="+q.locale+"&q="+url.QueryEscape(q.q), 10*time.Second)
		if err != nil || status != 200 {
			return nil, fmt.Errorf("bench: events: searching %q: %d %v", q.q, status, err)
		}
		var res struct {
			QueryID string `json:"query_id"`
			Hits    []struct{ ID string }
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			pairs = append(pairs, pair{res.QueryID, h.ID})
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("bench: events: no search answered with an article")
	}
	types := []string{"click", "click", "click", "helpful", "not_helpful", "solved", "handoff"}
	var out []string
	for p := 0; p < 100; p++ {
		evs := make([]map[string]any, eventsPerPost)
		for i := range evs {
			x := pairs[(p*eventsPerPost+i)%len(pairs)]
			evs[i] = map[string]any{"type": types[(p+i)%len(types)], "query_id": x.qid, "article": x.article, "position": 1 + i%10}
		}
		body, _ := json.Marshal(map[string]any{"events": evs})
		out = append(out, loadgen.PostTarget(eventsRoute, body))
	}
	return out, nil
}

// storeWriteRate writes storeEvents search events to a fresh bbolt file in
// dir through the store's queue, flushed in the background writer's batches,
// with syncs on, and returns events a second.
func storeWriteRate(ctx context.Context, dir string) (float64, error) {
	db, err := bolt.Open(filepath.Join(dir, "events-bench.db"), bolt.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	s := bolt.NewSearchEvents(db)
	s.BatchSize = 0 // the loop below flushes each batch itself
	now := time.Now()
	pos := 1
	batch := make([]domain.SearchEvent, bolt.DefaultEventsBatch)
	start := time.Now()
	for n := 0; n < storeEvents; n += len(batch) {
		for i := range batch {
			batch[i] = domain.SearchEvent{Type: domain.SearchClick, At: now.Add(time.Duration(n+i) * time.Microsecond),
				QueryID: "01JBENCH000000000000000000-0123456789abcdef", Visitor: "5f1d3c0a9b7e2d4c6a8f0e1b", Client: "a1b2c3d4e5f60718293a4b5c",
				Article: "refund-time", Position: &pos}
		}
		if err := s.Record(ctx, batch...); err != nil {
			return 0, err
		}
		if err := s.Flush(ctx); err != nil {
			return 0, err
		}
	}
	return float64(storeEvents) / time.Since(start).Seconds(), nil
}
