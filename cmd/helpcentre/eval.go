package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/internal/searcheval"
	"github.com/marketplace/helpcentre/search"
)

// runEval parses the flags of helpcentre eval, which scores the production
// search path on a content folder against a queries file.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("eval", flag.ContinueOnError)
	fset.SetOutput(stderr)
	contentDir := fset.String("content", "", "articles root (default: the bundled articles)")
	mode := fset.String("mode", "search", "search: rank quality of Search; deflect: what Deflect shows; replay: learn from the earlier part of -events, score the later part")
	events := fset.String("events", "", "search events file (JSON Lines, time-ordered; see the README) for -mode replay")
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

	o := searcheval.Options{Intents: *intents, Locale: *locale, JSON: *asJSON, Misses: *misses, Deflect: *mode == "deflect"}
	if *contentDir != "" {
		o.Content = os.DirFS(*contentDir)
	}
	if *synthN > 0 {
		if *contentDir != "" {
			return fmt.Errorf("-synth adds generated articles to the bundled content; it does not combine with -content")
		}
		corpus, err := synth.Corpus(*synthN, 1)
		if err != nil {
			return err
		}
		o.Content = corpus
	}
	if *mode == "replay" {
		if *events == "" {
			return fmt.Errorf("-mode replay needs -events FILE")
		}
		return searcheval.Replay(ctx, searcheval.ReplayOptions{Content: o.Content, Events: *events, JSON: *asJSON, Engine: search.DefaultOptions()}, stdout)
	}
	if *mode != "search" && *mode != "deflect" {
		return fmt.Errorf("-mode: %q is neither search, deflect nor replay", *mode)
	}
	for _, list := range []string{*queries, *oos} {
		for _, name := range strings.Split(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				o.Queries = append(o.Queries, name)
			}
		}
	}
	o.Engine = search.DefaultOptions()
	if *boosts != "" {
		for _, kv := range strings.Split(*boosts, ",") {
			k, v, ok := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				return fmt.Errorf("-boosts: %q is not field=number", kv)
			}
			o.Engine.Boosts[k] = x
		}
	}
	if *commonRatio >= 0 {
		o.Engine.CommonRatio = *commonRatio
	}
	if *bodyDrive >= 0 {
		o.Engine.BodyDriveRatio = *bodyDrive
	}
	if *commonMin >= 0 {
		o.Engine.CommonMinDocs = *commonMin
	}
	if *synWeight >= 0 {
		o.Engine.SynonymWeight = *synWeight
	}
	if *threshold >= 0 {
		o.Engine.DeflectThreshold = *threshold
	}
	return searcheval.Run(ctx, o, stdout, stderr)
}
