package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// runEval indexes a content folder into a temporary directory and scores the
// production search path against a queries file.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("eval", flag.ContinueOnError)
	fset.SetOutput(stderr)
	contentDir := fset.String("content", "", "articles root (default: the bundled articles)")
	mode := fset.String("mode", "search", "search: rank quality of Search; deflect: what Deflect shows")
	queries := fset.String("queries", "search/testdata/bitext/queries_dev.jsonl", "queries files (JSON Lines), comma-separated")
	oos := fset.String("oos", "", "more queries files, comma-separated, typically out-of-scope ones (\"relevant\": [])")
	threshold := fset.Float64("threshold", -1, "override the deflection confidence threshold (for tuning)")
	intents := fset.String("intents", "", "intent → article ids mapping (JSON), for queries with relevant_intent")
	locale := fset.String("locale", "en", "locale to search")
	asJSON := fset.Bool("json", false, "print one JSON object")
	misses := fset.Int("misses", 0, "print up to N queries whose answer was not in the top 3")
	boosts := fset.String("boosts", "", "override field boosts, e.g. title=1.5,body=0.8 (for tuning)")
	synWeight := fset.Float64("synonym-weight", -1, "override the synonym weight (for tuning)")
	commonRatio := fset.Float64("common-ratio", -1, "override the common-term ratio (for tuning)")
	commonMin := fset.Int("common-min-docs", -1, "override the corpus size from which common terms stop driving (for tuning)")
	bodyDrive := fset.Float64("body-drive-ratio", -1, "override the body drive ratio (for tuning)")
	synthN := fset.Int("synth", 0, "add N generated articles to the content (relevance and latency at scale)")
	if err := fset.Parse(args); err != nil {
		return err
	}

	var fsys fs.FS = content.Bundled()
	if *contentDir != "" {
		fsys = os.DirFS(*contentDir)
	}
	if *synthN > 0 {
		if *contentDir != "" {
			return fmt.Errorf("-synth adds generated articles to the bundled content; it does not combine with -content")
		}
		corpus, err := synth.Corpus(*synthN, 1)
		if err != nil {
			return err
		}
		fsys = corpus
	}
	if *mode != "search" && *mode != "deflect" {
		return fmt.Errorf("-mode: %q is neither search nor deflect", *mode)
	}
	var files []string
	for _, list := range []string{*queries, *oos} {
		for _, name := range strings.Split(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				files = append(files, name)
			}
		}
	}
	var qs []search.EvalQuery
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		more, err := search.ReadQueries(f, name)
		f.Close()
		if err != nil {
			return err
		}
		qs = append(qs, more...)
	}
	var im map[string][]string
	if *intents == "" && len(files) > 0 {
		if p := filepath.Join(filepath.Dir(files[0]), "intents.json"); fileExists(p) {
			*intents = p
		}
	}
	if *intents != "" {
		data, err := os.ReadFile(*intents)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &im); err != nil {
			return fmt.Errorf("%s: %w", *intents, err)
		}
	}
	opts := search.DefaultOptions()
	if *boosts != "" {
		for _, kv := range strings.Split(*boosts, ",") {
			k, v, ok := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				return fmt.Errorf("-boosts: %q is not field=number", kv)
			}
			opts.Boosts[k] = x
		}
	}
	if *commonRatio >= 0 {
		opts.CommonRatio = *commonRatio
	}
	if *bodyDrive >= 0 {
		opts.BodyDriveRatio = *bodyDrive
	}
	if *commonMin >= 0 {
		opts.CommonMinDocs = *commonMin
	}
	if *synWeight >= 0 {
		opts.SynonymWeight = *synWeight
	}
	if *threshold >= 0 {
		opts.DeflectThreshold = *threshold
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
	if *mode == "deflect" {
		return printDeflect(ctx, stdout, search.New(ix, opts), qs, im, *locale, *asJSON, *misses)
	}
	rep, err := search.Evaluate(ctx, search.New(ix, opts), qs, im, *locale)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "queries   %d\nMRR@10    %.4f\nnDCG@10   %.4f\nhit@1     %.4f\nhit@3     %.4f\nhit@5     %.4f\nzero      %.4f\np50       %.3f ms\np99       %.3f ms\n",
		rep.Queries, rep.MRR10, rep.NDCG10, rep.Hit1, rep.Hit3, rep.Hit5, rep.Zero, rep.P50ms, rep.P99ms)
	if rep.TypoHit3 != nil {
		fmt.Fprintf(stdout, "typo hit@3 %.4f (%d queries tagged Z)\n", *rep.TypoHit3, rep.TypoN)
	}
	if *misses > 0 {
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
		for _, m := range rep.Misses[:min(*misses, len(rep.Misses))] {
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
