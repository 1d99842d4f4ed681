package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/internal/bench"
)

// runBench parses the flags of helpcentre bench and runs the search bench,
// or with --domain or --translate the after-sales or translation bench.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var err error
	switch benchMode(args) {
	case "domain":
		var opts bench.DomainOptions
		if opts, err = parseBenchDomain(args, stderr); err == nil {
			err = bench.RunDomain(ctx, opts, stdout, stderr)
		}
	case "translate":
		// Its engine is not a server under test: its errors go out as they are.
		opts, err := parseBenchTranslate(args, stderr)
		if err != nil {
			return err
		}
		return bench.RunTranslate(ctx, opts, stdout, stderr)
	default:
		var opts bench.Options
		if opts, err = parseBench(args, stderr); err == nil {
			err = bench.Run(ctx, opts, stdout, stderr)
		}
	}
	if err != nil && ctx.Err() != nil {
		return exitError{130, "helpcentre bench: interrupted; the server under test was stopped"}
	}
	return err
}

// runBenchAnchor is "helpcentre bench-anchor", the plain Bleve server the
// search bench starts beside the project's as its anchor (not a product).
func runBenchAnchor(ctx context.Context, args []string, stderr io.Writer) error {
	fset := flag.NewFlagSet("bench-anchor", flag.ContinueOnError)
	fset.SetOutput(stderr)
	contentDir := fset.String("content", "", "content folder (LOCALE/…/ID.md)")
	indexDir := fset.String("index", "", "new folder for the Bleve index")
	addr := fset.String("addr", "", "loopback address to serve on")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *contentDir == "" || *indexDir == "" || *addr == "" || fset.NArg() > 0 {
		return exitError{2, "helpcentre bench-anchor: --content, --index and --addr are required"}
	}
	return bench.ServeAnchor(ctx, *contentDir, *indexDir, *addr)
}

// benchMode picks the bench's mode from its flags: the search bench (the
// default), --domain or --translate.
func benchMode(args []string) string {
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "domain":
			return "domain"
		case "translate":
			return "translate"
		}
	}
	return ""
}

func parseBench(args []string, stderr io.Writer) (bench.Options, error) {
	cfg := bench.Options{}
	fset := flag.NewFlagSet("bench", flag.ContinueOnError)
	fset.SetOutput(stderr)
	sizes := fset.String("articles", "1000,10000,100000", "corpus sizes to measure: generated articles beside the bundled ones, comma-separated (10k is 10000)")
	fset.DurationVar(&cfg.Duration, "duration", 10*time.Second, "length of each load phase (five per size) and scale of the in-process runs")
	fset.IntVar(&cfg.Concurrency, "concurrency", 16, "requests in flight in the closed-loop (saturation) phases")
	fset.BoolVar(&cfg.JSON, "json", false, "print one JSON object instead of the table")
	fset.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated corpus")
	fset.StringVar(&cfg.Queries, "queries", "search/testdata/bitext/queries_dev.jsonl", "questions for the query stream (JSON Lines, as for eval); the bench adds its own")
	fset.IntVar(&cfg.MaxRequests, "max-requests", 1_000_000, "at most this many requests per load phase")
	distinct := fset.String("distinct-queries", "search/testdata/bitext/queries_train.jsonl,search/testdata/es/queries_dev.jsonl",
		"more question files (JSON Lines) for the never-repeating stream, comma-separated; the bench adds --queries, its own and generated ones")
	fset.BoolVar(&cfg.NoAnchor, "no-anchor", false, "skip the plain Bleve server measured beside the project's")
	fset.StringVar(&cfg.Exe, "server", "", "the helpcentre binary to run as the server under test (default: this one): two builds measured with one load generator")
	fset.IntVar(&cfg.Runs, "runs", 1, "repeat the HTTP phases of search (both streams), suggest and deflect this many times on the same server; the figures are the medians, with each run's p99 listed (five runs of the tail: --runs 5)")
	fset.IntVar(&cfg.ServerNice, "server-nice", 10, "run the servers under test this much below the load generator's priority (nice), as a client on another machine would see them: on few cores a Go server's collector otherwise takes the processor the generator needs; 0: same priority")
	fset.IntVar(&cfg.DomainThreads, "domain-threads", 0, "also measure the after-sales domain (as bench --domain) over this many threads, e.g. 100000; 0: skip")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "Usage: helpcentre bench [--articles 1000,10000,100000] [--duration 10s] [--concurrency 16] [--json]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return cfg, err
	}
	if fset.NArg() > 0 {
		return cfg, exitError{2, fmt.Sprintf("helpcentre bench: unexpected argument %q", fset.Arg(0))}
	}
	for _, p := range strings.Split(*distinct, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.DistinctQueries = append(cfg.DistinctQueries, p)
		}
	}
	var err error
	if cfg.Sizes, err = parseSizes(*sizes); err != nil {
		return cfg, exitError{2, "helpcentre bench: --articles: " + err.Error()}
	}
	if cfg.Duration <= 0 || cfg.Concurrency < 1 || cfg.MaxRequests < 1 || cfg.Runs < 1 {
		return cfg, exitError{2, "helpcentre bench: --duration, --concurrency, --max-requests and --runs must be positive"}
	}
	if cfg.ServerNice < 0 || cfg.ServerNice > 19 {
		return cfg, exitError{2, "helpcentre bench: --server-nice must be between 0 and 19 (a priority below the bench's own)"}
	}
	return cfg, nil
}

// parseSizes reads "1000,10k,100000".
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(strings.ReplaceAll(f, "_", ""))
		mult := 1
		if v, ok := strings.CutSuffix(strings.ToLower(f), "k"); ok {
			f, mult = v, 1000
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 10_000_000/mult {
			return nil, fmt.Errorf("%q is not a number of articles", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func parseBenchDomain(args []string, stderr io.Writer) (bench.DomainOptions, error) {
	var cfg bench.DomainOptions
	def := bench.DefaultDomainOptions()
	fset := flag.NewFlagSet("bench --domain", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Bool("domain", true, "measure the after-sales domain (this mode)")
	fset.DurationVar(&cfg.Duration, "duration", def.Duration, "length of the message-posting phase")
	fset.DurationVar(&cfg.InboxDuration, "inbox-duration", def.InboxDuration, "length of each inbox filter's phase")
	fset.IntVar(&cfg.Clients, "clients", def.Clients, "concurrent clients posting messages")
	fset.IntVar(&cfg.InboxClients, "inbox-clients", def.InboxClients, "concurrent clients reading the inbox")
	fset.IntVar(&cfg.Threads, "threads", def.Threads, "threads seeded before the inbox is measured")
	fset.IntVar(&cfg.Orders, "orders", def.Orders, "orders the seeded threads are about")
	fset.IntVar(&cfg.Customers, "customers", def.Customers, "customers the seeded orders belong to")
	fset.BoolVar(&cfg.JSON, "json", def.JSON, "print one JSON object instead of the table")
	fset.StringVar(&cfg.Store, "store", "", "also measure PostgreSQL in the same run: a throwaway database's URL, postgres://…; the seeded store is copied into it, replacing what it held")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "Usage: helpcentre bench --domain [--duration 10s] [--clients 64] [--threads 100000] [--store postgres://…] [--json]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return cfg, err
	}
	if fset.NArg() > 0 {
		return cfg, exitError{2, fmt.Sprintf("helpcentre bench --domain: unexpected argument %q", fset.Arg(0))}
	}
	if cfg.Duration <= 0 || cfg.InboxDuration <= 0 || cfg.Clients < 1 || cfg.InboxClients < 1 || cfg.Threads < 0 || cfg.Orders < 1 || cfg.Customers < 1 {
		return cfg, exitError{2, "helpcentre bench --domain: durations, clients, orders and customers must be positive"}
	}
	if cfg.Store != "" && !strings.HasPrefix(cfg.Store, "postgres://") && !strings.HasPrefix(cfg.Store, "postgresql://") {
		return cfg, exitError{2, "helpcentre bench --domain: --store must be a PostgreSQL URL (postgres://…)"}
	}
	return cfg, nil
}

func parseBenchTranslate(args []string, stderr io.Writer) (bench.TranslateOptions, error) {
	var cfg bench.TranslateOptions
	fset := flag.NewFlagSet("bench --translate", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Bool("translate", true, "measure machine translation (this mode)")
	fset.StringVar(&cfg.Translator, "translator", os.Getenv("HELPCENTRE_TRANSLATOR"), "APY URL; empty: start Debian's apertium-apy for the run")
	fset.IntVar(&cfg.Messages, "messages", 400, "messages per engine run")
	fset.BoolVar(&cfg.JSON, "json", false, "print one JSON object")
	err := fset.Parse(args)
	return cfg, err
}
