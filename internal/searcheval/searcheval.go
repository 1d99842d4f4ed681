// Package searcheval scores the search engine on a content folder against
// files of labelled queries and prints the report "helpcentre eval" shows.
package searcheval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// Options configure an evaluation (Run).
type Options struct {
	Content fs.FS    // the articles; nil: the bundled ones
	Deflect bool     // score what Deflect shows instead of the ranking of Search
	Queries []string // queries files (JSON Lines), read in order
	// Intents is the intent → article ids mapping (JSON) for queries with
	// relevant_intent; "": intents.json beside the first queries file, if any.
	Intents string
	Locale  string
	JSON    bool           // print one JSON object
	Misses  int            // print up to this many queries whose answer was not in the top 3 (not shown)
	Engine  search.Options // the engine's options, e.g. search.DefaultOptions with tuning overrides
}

// Run indexes the content into a temporary directory, scores the production
// search path against the queries and prints the report on stdout.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	fsys := o.Content
	if fsys == nil {
		fsys = content.Bundled()
	}
	var qs []search.EvalQuery
	for _, name := range o.Queries {
		more, err := ReadQueriesFile(name)
		if err != nil {
			return err
		}
		qs = append(qs, more...)
	}
	var im map[string][]string
	if o.Intents == "" && len(o.Queries) > 0 {
		if p := filepath.Join(filepath.Dir(o.Queries[0]), "intents.json"); fileExists(p) {
			o.Intents = p
		}
	}
	if o.Intents != "" {
		var err error
		if im, err = ReadIntents(o.Intents); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "helpcentre-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ix, err := index.Open(ctx, tmp, fsys, nil)
	if err != nil {
		return err
	}
	defer ix.Close()
	if n := ix.Content().Diagnostics.Errors(); n > 0 {
		fmt.Fprintf(stderr, "warning: the content has %d errors (run helpcentre check)\n", n)
	}
	if o.Deflect {
		return printDeflect(ctx, stdout, search.New(ix, o.Engine), qs, im, o.Locale, o.JSON, o.Misses)
	}
	rep, err := search.Evaluate(ctx, search.New(ix, o.Engine), qs, im, o.Locale)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "queries   %d\nMRR@10    %.4f\nnDCG@10   %.4f\nhit@1     %.4f\nhit@3     %.4f\nhit@5     %.4f\nzero      %.4f\np50       %.3f ms\np99       %.3f ms\n",
		rep.Queries, rep.MRR10, rep.NDCG10, rep.Hit1, rep.Hit3, rep.Hit5, rep.Zero, rep.P50ms, rep.P99ms)
	if rep.TypoHit3 != nil {
		fmt.Fprintf(stdout, "typo hit@3 %.4f (%d queries tagged Z)\n", *rep.TypoHit3, rep.TypoN)
	}
	if o.Misses > 0 {
		if len(rep.ByIntent) > 0 {
			keys := make([]string, 0, len(rep.ByIntent))
			for k := range rep.ByIntent {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return rep.ByIntent[keys[i]] < rep.ByIntent[keys[j]] })
			fmt.Fprintln(stdout, "\nhit@3 by intent (worst first):")
			for _, k := range keys[:min(10, len(keys))] {
				fmt.Fprintf(stdout, "  %-26s %.3f\n", k, rep.ByIntent[k])
			}
		}
		fmt.Fprintln(stdout, "\nmisses:")
		for _, m := range rep.Misses[:min(o.Misses, len(rep.Misses))] {
			fmt.Fprintf(stdout, "  [%d] %q want %v got %v\n", m.Rank, m.Query.Query, m.Relevant, m.Top[:min(3, len(m.Top))])
		}
	}
	return nil
}

// printDeflect evaluates Deflect and prints the report.
func printDeflect(ctx context.Context, stdout io.Writer, e *search.Engine, qs []search.EvalQuery, im map[string][]string, locale string, asJSON bool, misses int) error {
	rep, err := search.EvaluateDeflect(ctx, e, qs, im, locale)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	fmt.Fprintf(stdout, "threshold          %.2f\n", rep.Threshold)
	if rep.Answerable > 0 {
		fmt.Fprintf(stdout, "answerable         %d\nanswer shown       %.4f\nanything shown     %.4f\nmean shown         %.2f\nhit@3, no cut      %.4f\n",
			rep.Answerable, rep.ShownHit, rep.AnyShown, rep.MeanShown, rep.Hit3)
		if rep.TypoN > 0 {
			fmt.Fprintf(stdout, "typo answer shown  %.4f (%d queries tagged Z)\n", rep.TypoHit, rep.TypoN)
		}
	}
	if rep.OutOfScope > 0 {
		fmt.Fprintf(stdout, "out of scope       %d\nnothing shown      %.4f\n", rep.OutOfScope, rep.NothingShown)
	}
	fmt.Fprintf(stdout, "p50                %.3f ms\np99                %.3f ms\n\nthreshold  answer shown  nothing shown (out of scope)\n", rep.P50ms, rep.P99ms)
	for _, p := range rep.Sweep {
		fmt.Fprintf(stdout, "  %.2f     %.4f        %.4f\n", p.Threshold, p.ShownHit, p.NothingShown)
	}
	if misses > 0 {
		fmt.Fprintln(stdout, "\nmisses (answer not shown, or out of scope and something shown):")
		for _, m := range rep.Misses[:min(misses, len(rep.Misses))] {
			var top []string
			for i, id := range m.Top {
				top = append(top, fmt.Sprintf("%s %.2f", id, m.Conf[i]))
			}
			fmt.Fprintf(stdout, "  %q want %v shown %v top %v\n", m.Query.Query, m.Relevant, m.Shown, top)
		}
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ReadQueriesFile reads a queries file (JSON Lines, search.ReadQueries).
func ReadQueriesFile(path string) ([]search.EvalQuery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return search.ReadQueries(f, path)
}

// ReadIntents reads an intent → article ids map (intents.json).
func ReadIntents(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var im map[string][]string
	if err := json.Unmarshal(data, &im); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}
