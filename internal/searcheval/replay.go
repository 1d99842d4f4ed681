package searcheval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"sort"
	"time"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// Replay ("helpcentre eval -mode replay -events FILE") learns from the
// earlier part of a search events file and scores the later part's
// searches: the articles their visitors clicked and kept, or voted helpful
// or solved, are the relevant ones.

// Reranker applies learned associations to a search's ranking: the hook
// the ranking side will provide. It returns the article ids in their new
// order.
type Reranker interface {
	Rerank(locale, query string, ranked []string, learned domain.Learned) []string
}

// EngineReranker is the ranking side's Reranker: the search run again on
// an engine that reads the learned table (search.Engine.WithLearned), where
// the learned associations are a signal of the rerank and may add
// candidates; ranked is not needed.
type EngineReranker struct{ Engine *search.Engine }

// Rerank implements Reranker.
func (r EngineReranker) Rerank(locale, query string, ranked []string, learned domain.Learned) []string {
	res, err := r.Engine.WithLearned(learned).Search(context.Background(), search.Request{Query: query, Locale: locale, PerPage: 10, Audience: search.Anonymous})
	if err != nil {
		return ranked
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Article.ID
	}
	return out
}

// ReplayOptions configure Replay.
type ReplayOptions struct {
	Content fs.FS   // the articles; nil: the bundled ones
	Events  string  // the events file (JSON Lines of domain.SearchEvent, time-ordered)
	Split   float64 // share of the searches (by time) to learn from; 0: 0.8
	// Normalise is the query analysis learning keys by; nil: the
	// engine's (search.Engine.QueryKeyWords).
	Normalise domain.Normaliser
	// Rerank applies what was learned; nil: EngineReranker on the
	// replay's engine, unless NoLearning.
	Rerank     Reranker
	NoLearning bool
	// Held are questions never replayed (say bitext dev), scored with and
	// without what was learned; Intents resolves their relevant_intent.
	Held    []search.EvalQuery
	Intents map[string][]string
	Engine  search.Options
	JSON    bool
}

// ReplayReport is what Replay prints.
type ReplayReport struct {
	Events  int          `json:"events"`
	SplitAt time.Time    `json:"split_at"`
	Learned int          `json:"learned_associations"` // applying after the earlier part
	Scored  int          `json:"scored_searches"`      // later searches with a relevant article
	Without ReplayScore  `json:"without"`
	With    *ReplayScore `json:"with,omitempty"` // nil without a Reranker
	// HeldWithout and HeldWith score the held-out questions (hit@3, MRR@10).
	Held        int          `json:"held_queries,omitempty"`
	HeldWithout *ReplayScore `json:"held_without,omitempty"`
	HeldWith    *ReplayScore `json:"held_with,omitempty"`
}

// ReplayScore is hit@3 and MRR@10 over the scored searches.
type ReplayScore struct {
	Hit3  float64 `json:"hit3"`
	MRR10 float64 `json:"mrr10"`
}

// table is a fixed domain.Learned.
type table map[string]map[string]map[string]float64

func (t table) Associations(locale string) map[string]map[string]float64 { return t[locale] }

// ReadEvents reads a search events file; entries must be in time order.
func ReadEvents(r io.Reader, name string) ([]domain.SearchEvent, error) {
	var out []domain.SearchEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e domain.SearchEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if n := len(out); n > 0 && e.At.Before(out[n-1].At) {
			return nil, fmt.Errorf("%s:%d: not in time order (%s after %s)", name, line, e.At.Format(time.RFC3339Nano), out[n-1].At.Format(time.RFC3339Nano))
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Replay runs the replay evaluation and prints its report.
func Replay(ctx context.Context, o ReplayOptions, stdout io.Writer) error {
	f, err := os.Open(o.Events)
	if err != nil {
		return err
	}
	log, err := ReadEvents(f, o.Events)
	f.Close()
	if err != nil {
		return err
	}
	fsys := o.Content
	if fsys == nil {
		fsys = content.Bundled()
	}
	tmp, err := os.MkdirTemp("", "helpcentre-replay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ix, err := index.Open(ctx, tmp, fsys, nil)
	if err != nil {
		return err
	}
	defer ix.Close()
	rep, err := ReplayLog(ctx, search.New(ix, o.Engine), log, o)
	if err != nil {
		return err
	}
	if o.JSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	fmt.Fprintf(stdout, "events            %d\nsplit at          %s\nlearned           %d associations\nscored searches   %d\nwithout learning  hit@3 %.4f  MRR@10 %.4f\n",
		rep.Events, rep.SplitAt.Format(time.RFC3339), rep.Learned, rep.Scored, rep.Without.Hit3, rep.Without.MRR10)
	if rep.With != nil {
		fmt.Fprintf(stdout, "with learning     hit@3 %.4f  MRR@10 %.4f\n", rep.With.Hit3, rep.With.MRR10)
	} else {
		fmt.Fprintln(stdout, "with learning     (not scored)")
	}
	if rep.Held > 0 {
		fmt.Fprintf(stdout, "held-out %d questions, never replayed\n  without learning  hit@3 %.4f  MRR@10 %.4f\n  with learning     hit@3 %.4f  MRR@10 %.4f\n",
			rep.Held, rep.HeldWithout.Hit3, rep.HeldWithout.MRR10, rep.HeldWith.Hit3, rep.HeldWith.MRR10)
	}
	return nil
}

// ReplayLog learns from the searches before the split and scores the later
// ones on e.
func ReplayLog(ctx context.Context, e *search.Engine, log []domain.SearchEvent, o ReplayOptions) (*ReplayReport, error) {
	if o.Split <= 0 || o.Split >= 1 {
		o.Split = 0.8
	}
	if o.Normalise == nil {
		o.Normalise = e.QueryKeyWords
	}
	if o.Rerank == nil && !o.NoLearning {
		o.Rerank = EngineReranker{Engine: e}
	}
	var searches []domain.SearchEvent
	for _, ev := range log {
		if ev.Type == domain.SearchQuery {
			searches = append(searches, ev)
		}
	}
	rep := &ReplayReport{Events: len(log)}
	if len(searches) < 2 {
		return nil, fmt.Errorf("replay: %s holds %d searches: too few to split", o.Events, len(searches))
	}
	split := searches[int(float64(len(searches))*o.Split)].At
	rep.SplitAt = split
	i := sort.Search(len(log), func(i int) bool { return !log[i].At.Before(split) })
	p := domain.DefaultLearnParams()
	learned := table(domain.LearnedTable(domain.Learn(log[:i], o.Normalise, p, split)))
	for _, byKey := range learned {
		for _, arts := range byKey {
			rep.Learned += len(arts)
		}
	}
	// The later part: each final search and the articles its visitor kept.
	later := log[i:]
	var laterSearches []domain.SearchEvent
	for _, ev := range later {
		if ev.Type == domain.SearchQuery {
			laterSearches = append(laterSearches, ev)
		}
	}
	final := domain.FinalSearches(laterSearches, p.BurstGap)
	relevant := map[string]map[string]bool{}
	for _, ev := range later {
		switch ev.Type {
		case domain.SearchClick, domain.SearchHelpful, domain.SearchSolved:
			id := final[ev.QueryID]
			if id == "" {
				continue
			}
			if relevant[id] == nil {
				relevant[id] = map[string]bool{}
			}
			relevant[id][ev.Article] = true
		}
	}
	var with ReplayScore
	for _, s := range laterSearches {
		rel := relevant[s.QueryID]
		if final[s.QueryID] != s.QueryID || len(rel) == 0 {
			continue
		}
		res, err := e.Search(ctx, search.Request{Query: s.Query, Locale: s.Locale, PerPage: 10, Audience: search.Anonymous})
		if err != nil {
			return nil, fmt.Errorf("replay: search %q: %w", s.Query, err)
		}
		ranked := make([]string, len(res.Hits))
		for j, h := range res.Hits {
			ranked[j] = h.Article.ID
		}
		rep.Scored++
		score(&rep.Without, ranked, rel)
		if o.Rerank != nil {
			score(&with, o.Rerank.Rerank(s.Locale, s.Query, ranked, learned), rel)
		}
	}
	if n := float64(rep.Scored); n > 0 {
		rep.Without.Hit3, rep.Without.MRR10 = round4(rep.Without.Hit3/n), round4(rep.Without.MRR10/n)
		if o.Rerank != nil {
			with.Hit3, with.MRR10 = round4(with.Hit3/n), round4(with.MRR10/n)
			rep.With = &with
		}
	}
	if len(o.Held) > 0 {
		rep.Held = len(o.Held)
		for _, side := range []struct {
			e   *search.Engine
			out **ReplayScore
		}{{e.WithLearned(nil), &rep.HeldWithout}, {e.WithLearned(learned), &rep.HeldWith}} {
			r, err := search.Evaluate(ctx, side.e, o.Held, o.Intents, "en")
			if err != nil {
				return nil, fmt.Errorf("replay: held-out questions: %w", err)
			}
			*side.out = &ReplayScore{Hit3: round4(r.Hit3), MRR10: round4(r.MRR10)}
		}
	}
	return rep, nil
}

func score(s *ReplayScore, ranked []string, rel map[string]bool) {
	for i, id := range ranked[:min(10, len(ranked))] {
		if rel[id] {
			if i < 3 {
				s.Hit3++
			}
			s.MRR10 += 1 / float64(i+1)
			return
		}
	}
}

func round4(x float64) float64 { return float64(int(x*10000+0.5)) / 10000 }

// SimulateTraffic writes a search events file (time-ordered JSON Lines)
// from labelled queries: visitors search the queries over days from start
// and click the intent's first article (an intent's other articles with
// lower odds), some typing the query as-you-type first, some voting.
// It is for replay tests and demos; the data it makes is not committed.
func SimulateTraffic(w io.Writer, qs []search.EvalQuery, intents map[string][]string, start time.Time, days, visitors int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	span := time.Duration(days) * 24 * time.Hour
	var out []domain.SearchEvent
	for n, q := range qs {
		arts := q.Relevant
		if q.RelevantIntent != "" {
			arts = intents[q.RelevantIntent]
		}
		if len(arts) == 0 {
			continue
		}
		v := rng.IntN(visitors)
		visitor, client := fmt.Sprintf("sim-v%d", v), fmt.Sprintf("sim-c%d", v)
		at := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Millisecond)
		qid := fmt.Sprintf("sim-%06d", n)
		if rng.IntN(4) == 0 && len(q.Query) > 6 { // typed as-you-type: an intermediate search first
			out = append(out, domain.SearchEvent{Type: domain.SearchQuery, At: at.Add(-2 * time.Second), QueryID: qid + "-t", Visitor: visitor, Client: client,
				Locale: "en", Query: q.Query[:len(q.Query)/2], Source: "suggest"})
		}
		out = append(out, domain.SearchEvent{Type: domain.SearchQuery, At: at, QueryID: qid, Visitor: visitor, Client: client, Locale: "en", Query: q.Query, Source: "search"})
		art := arts[0]
		if len(arts) > 1 && rng.IntN(4) == 0 {
			art = arts[1+rng.IntN(len(arts)-1)]
		}
		pos := 1 + rng.IntN(3)
		out = append(out, domain.SearchEvent{Type: domain.SearchClick, At: at.Add(5 * time.Second), QueryID: qid, Visitor: visitor, Client: client, Article: art, Position: &pos})
		switch rng.IntN(5) {
		case 0:
			out = append(out, domain.SearchEvent{Type: domain.SearchHelpful, At: at.Add(time.Minute), QueryID: qid, Visitor: visitor, Client: client, Article: art})
		case 1:
			out = append(out, domain.SearchEvent{Type: domain.SearchSolved, At: at.Add(time.Minute), QueryID: qid, Visitor: visitor, Client: client, Article: art})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	enc := json.NewEncoder(w)
	for i := range out {
		if err := enc.Encode(&out[i]); err != nil {
			return err
		}
	}
	return nil
}
