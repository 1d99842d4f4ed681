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
	queries := fset.String("queries", "search/testdata/bitext/queries_dev.jsonl", "queries file (JSON Lines)")
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
	f, err := os.Open(*queries)
	if err != nil {
		return err
	}
	qs, err := search.ReadQueries(f, *queries)
	f.Close()
	if err != nil {
		return err
	}
	var im map[string][]string
	if *intents == "" {
		if p := filepath.Join(filepath.Dir(*queries), "intents.json"); fileExists(p) {
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

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
