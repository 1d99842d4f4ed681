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
	// OutOfScope is set for a line with "relevant": []: a question the
	// help centre does not answer, where the best outcome is no suggestion.
	OutOfScope bool `json:"-"`
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
		// "relevant": [] decodes to an empty, non-nil slice.
		q.OutOfScope = q.Relevant != nil && len(q.Relevant) == 0 && q.RelevantIntent == ""
		if q.Query == "" || (len(q.Relevant) == 0 && q.RelevantIntent == "" && !q.OutOfScope) {
			return nil, fmt.Errorf("%s:%d: a query needs \"query\" and \"relevant\" (empty when out of scope) or \"relevant_intent\"", name, line)
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
// Out-of-scope queries have no ranking to score and are left out.
func Evaluate(ctx context.Context, e *Engine, qs []EvalQuery, intents map[string][]string, locale string) (*EvalReport, error) {
	var answerable []EvalQuery
	for _, q := range qs {
		if !q.OutOfScope {
			answerable = append(answerable, q)
		}
	}
	qs = answerable
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

// DeflectReport is the outcome of a deflection evaluation at one threshold.
type DeflectReport struct {
	Threshold float64 `json:"threshold"`
	// Queries with an answer: the share whose answer is among the
	// suggestions shown, the share with anything shown, the mean number
	// shown, and the share whose answer is in the top 3 with no threshold.
	Answerable int     `json:"answerable"`
	ShownHit   float64 `json:"shown_hit"`
	AnyShown   float64 `json:"any_shown"`
	MeanShown  float64 `json:"mean_shown"`
	Hit3       float64 `json:"hit3_unthresholded"`
	TypoN      int     `json:"typo_queries,omitempty"`
	TypoHit    float64 `json:"typo_shown_hit,omitempty"`
	// Out-of-scope queries ("relevant": []): the share with nothing shown.
	OutOfScope   int     `json:"out_of_scope"`
	NothingShown float64 `json:"nothing_shown"`
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	// The same two rates at other thresholds, for tuning.
	Sweep  []DeflectPoint `json:"sweep"`
	Misses []DeflectMiss  `json:"-"` // answer not shown, or out-of-scope with something shown
}

// DeflectPoint is the outcome at one threshold.
type DeflectPoint struct {
	Threshold    float64 `json:"threshold"`
	ShownHit     float64 `json:"shown_hit"`
	NothingShown float64 `json:"nothing_shown"`
}

// DeflectMiss is a query answered wrongly: its answer was not shown, or it
// was out of scope and something was.
type DeflectMiss struct {
	Query    EvalQuery
	Relevant []string
	Shown    []string  // ids shown
	Top      []string  // the top 3 whatever their confidence
	Conf     []float64 // their confidence
}

// EvaluateDeflect runs every query through Deflect as a contact-form subject
// (anonymous audience) and reports at the engine's threshold and at others.
func EvaluateDeflect(ctx context.Context, e *Engine, qs []EvalQuery, intents map[string][]string, locale string) (*DeflectReport, error) {
	if len(qs) == 0 {
		return nil, fmt.Errorf("eval: no queries")
	}
	type outcome struct {
		q    EvalQuery
		rel  map[string]bool
		ids  []string
		conf []float64
	}
	var outs []outcome
	var lat []float64
	for _, q := range qs {
		o := outcome{q: q, rel: map[string]bool{}}
		if !q.OutOfScope {
			rel := q.Relevant
			if q.RelevantIntent != "" {
				ids, ok := intents[q.RelevantIntent]
				if !ok || len(ids) == 0 {
					return nil, fmt.Errorf("eval: query %s: intent %q maps to no article", q.ID, q.RelevantIntent)
				}
				rel = ids
			}
			for _, id := range rel {
				o.rel[id] = true
			}
		}
		loc := locale
		if q.Locale != "" {
			loc = q.Locale
		}
		start := time.Now()
		d, cands, err := e.deflectCandidates(ctx, DeflectRequest{Subject: q.Query, Locale: loc})
		if err == nil {
			err = e.present(d, cands, MaxDeflect)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			return nil, fmt.Errorf("eval: query %s: %w", q.ID, err)
		}
		for _, c := range cands[:min(len(cands), MaxDeflect)] {
			o.ids = append(o.ids, c.article.ID)
			o.conf = append(o.conf, c.confidence)
		}
		outs = append(outs, o)
	}
	at := func(th float64, rep *DeflectReport, keepMisses bool) {
		var hit, any, shown, hit3, oos, silent, typo, typoHit float64
		for _, o := range outs {
			var ids []string
			for i, id := range o.ids {
				if o.conf[i] >= th {
					ids = append(ids, id)
				}
			}
			found := false
			for _, id := range ids {
				found = found || o.rel[id]
			}
			if o.q.OutOfScope {
				oos++
				if len(ids) == 0 {
					silent++
				} else if keepMisses {
					rep.Misses = append(rep.Misses, DeflectMiss{Query: o.q, Shown: ids, Top: o.ids, Conf: o.conf})
				}
				continue
			}
			if found {
				hit++
			}
			if len(ids) > 0 {
				any++
			}
			shown += float64(len(ids))
			for _, id := range o.ids {
				if o.rel[id] {
					hit3++
					break
				}
			}
			if strings.Contains(o.q.Tags, "Z") {
				typo++
				if found {
					typoHit++
				}
			}
			if !found && keepMisses {
				var rel []string
				for id := range o.rel {
					rel = append(rel, id)
				}
				sort.Strings(rel)
				rep.Misses = append(rep.Misses, DeflectMiss{Query: o.q, Relevant: rel, Shown: ids, Top: o.ids, Conf: o.conf})
			}
		}
		div := func(a, b float64) float64 {
			if b == 0 {
				return 0
			}
			return a / b
		}
		n := float64(len(outs)) - oos
		rep.Threshold, rep.Answerable, rep.OutOfScope = th, int(n), int(oos)
		rep.ShownHit, rep.AnyShown, rep.MeanShown, rep.Hit3 = div(hit, n), div(any, n), div(shown, n), div(hit3, n)
		rep.NothingShown = div(silent, oos)
		rep.TypoN, rep.TypoHit = int(typo), div(typoHit, typo)
	}
	rep := &DeflectReport{}
	at(e.opts.DeflectThreshold, rep, true)
	for i := 1; i < 20; i++ {
		var r DeflectReport
		th := float64(i) / 20
		at(th, &r, false)
		rep.Sweep = append(rep.Sweep, DeflectPoint{Threshold: th, ShownHit: r.ShownHit, NothingShown: r.NothingShown})
	}
	sort.Float64s(lat)
	rep.P50ms = Percentile(lat, 0.50)
	rep.P99ms = Percentile(lat, 0.99)
	return rep, nil
}
