package search

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// EvalQuery is one line of a queries file (JSON Lines): the question and
// either the relevant article ids or an intent resolved through an intent map.
type EvalQuery struct {
	ID             string   `json:"id"`
	Query          string   `json:"query"`
	Relevant       []string `json:"relevant,omitempty"`
	RelevantIntent string   `json:"relevant_intent,omitempty"`
	Tags           string   `json:"tags,omitempty"`
	Locale         string   `json:"locale,omitempty"`
}

// ReadQueries parses a JSON Lines queries file; errors name the line.
func ReadQueries(r io.Reader, name string) ([]EvalQuery, error) {
	var out []EvalQuery
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		var q EvalQuery
		if err := json.Unmarshal([]byte(l), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if q.Query == "" || (len(q.Relevant) == 0 && q.RelevantIntent == "") {
			return nil, fmt.Errorf("%s:%d: a query needs \"query\" and \"relevant\" or \"relevant_intent\"", name, line)
		}
		if q.ID == "" {
			q.ID = fmt.Sprintf("%s:%d", name, line)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// EvalReport is the outcome of an evaluation run.
type EvalReport struct {
	Queries  int                `json:"queries"`
	MRR10    float64            `json:"mrr10"`
	NDCG10   float64            `json:"ndcg10"`
	Hit1     float64            `json:"hit1"`
	Hit3     float64            `json:"hit3"`
	Hit5     float64            `json:"hit5"`
	Zero     float64            `json:"zero"`
	P50ms    float64            `json:"p50_ms"`
	P99ms    float64            `json:"p99_ms"`
	TypoN    int                `json:"typo_queries,omitempty"`
	TypoHit3 *float64           `json:"typo_hit3,omitempty"`
	Misses   []EvalMiss         `json:"-"`
	ByIntent map[string]float64 `json:"-"` // hit@3 per intent
}

// EvalMiss is a query whose relevant article was not in the top 3.
type EvalMiss struct {
	Query    EvalQuery
	Rank     int // 0: not in the top 10
	Top      []string
	Relevant []string
}

// Evaluate runs every query through the engine's production search path
// (anonymous audience, first page of 10) and scores the rankings.
func Evaluate(ctx context.Context, e *Engine, qs []EvalQuery, intents map[string][]string, locale string) (*EvalReport, error) {
	rep := &EvalReport{Queries: len(qs), ByIntent: map[string]float64{}}
	if len(qs) == 0 {
		return nil, fmt.Errorf("eval: no queries")
	}
	var lat []float64
	var typoHits int
	intentN := map[string]int{}
	for _, q := range qs {
		rel := q.Relevant
		if q.RelevantIntent != "" {
			ids, ok := intents[q.RelevantIntent]
			if !ok || len(ids) == 0 {
				return nil, fmt.Errorf("eval: query %s: intent %q maps to no article", q.ID, q.RelevantIntent)
			}
			rel = ids
		}
		loc := locale
		if q.Locale != "" {
			loc = q.Locale
		}
		start := time.Now()
		res, err := e.Search(ctx, Request{Query: q.Query, Locale: loc, PerPage: 10})
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			return nil, fmt.Errorf("eval: query %s: %w", q.ID, err)
		}
		relSet := map[string]bool{}
		for _, id := range rel {
			relSet[id] = true
		}
		rank := 0
		var dcg float64
		var top []string
		for i, h := range res.Hits {
			top = append(top, h.Article.ID)
			if relSet[h.Article.ID] {
				if rank == 0 {
					rank = i + 1
				}
				dcg += 1 / math.Log2(float64(i+2))
			}
		}
		var idcg float64
		for i := 0; i < min(len(relSet), 10); i++ {
			idcg += 1 / math.Log2(float64(i+2))
		}
		if len(res.Hits) == 0 {
			rep.Zero++
		}
		if rank > 0 {
			rep.MRR10 += 1 / float64(rank)
		}
		rep.NDCG10 += dcg / idcg
		hit3 := rank > 0 && rank <= 3
		for _, x := range []struct {
			n   int
			dst *float64
		}{{1, &rep.Hit1}, {3, &rep.Hit3}, {5, &rep.Hit5}} {
			if rank > 0 && rank <= x.n {
				*x.dst++
			}
		}
		if strings.Contains(q.Tags, "Z") {
			rep.TypoN++
			if hit3 {
				typoHits++
			}
		}
		if q.RelevantIntent != "" {
			intentN[q.RelevantIntent]++
			if hit3 {
				rep.ByIntent[q.RelevantIntent]++
			}
		}
		if !hit3 {
			rep.Misses = append(rep.Misses, EvalMiss{Query: q, Rank: rank, Top: top, Relevant: rel})
		}
	}
	n := float64(len(qs))
	rep.MRR10 /= n
	rep.NDCG10 /= n
	rep.Hit1 /= n
	rep.Hit3 /= n
	rep.Hit5 /= n
	rep.Zero /= n
	for k, c := range intentN {
		rep.ByIntent[k] /= float64(c)
	}
	if rep.TypoN > 0 {
		t := float64(typoHits) / float64(rep.TypoN)
		rep.TypoHit3 = &t
	}
	sort.Float64s(lat)
	rep.P50ms = Percentile(lat, 0.50)
	rep.P99ms = Percentile(lat, 0.99)
	return rep, nil
}

// Percentile returns the p-th percentile (0..1) of sorted values (nearest rank).
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
