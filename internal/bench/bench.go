// Package bench measures the help centre as "helpcentre bench" does: search at
// several corpus sizes, the after-sales domain, and machine translation.
package bench

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/internal/loadgen"
	"github.com/marketplace/helpcentre/internal/proc"
	"github.com/marketplace/helpcentre/search"
)

// Options configure the search bench (Run).
type Options struct {
	Sizes       []int         // generated articles beside the bundled ones, one run per size
	Duration    time.Duration // of each load phase
	Concurrency int           // requests in flight in the closed-loop phases
	JSON        bool          // print one JSON object instead of the table
	Seed        int64         // of the generated corpus
	Queries     string        // questions for the query stream (JSON Lines); missing: a warning
	MaxRequests int           // per load phase, whatever the duration
	// DistinctQueries are more question files (JSON Lines) for the
	// never-repeating stream, beside Queries and the bench's own.
	DistinctQueries []string
	// NoAnchor skips the plain Bleve server the bench measures beside the
	// project's (anchor.go).
	NoAnchor bool
	Exe      string // the helpcentre binary started as the server under test; "": this one
	// DomainThreads > 0 adds the after-sales figures: durable message
	// posts at 1 and 64 clients, the inbox over this many threads.
	DomainThreads int
	// Runs repeats the HTTP phases of search (both streams), suggest and
	// deflect this many times against the same server (0 or 1: once); each
	// figure reported is the median over the runs, p99_runs_ms lists every
	// run's p99.
	Runs int
	// ServerNice lowers the scheduling priority of the servers under test
	// (the project's and the anchor) by this much against the load
	// generator (proc.Niced says why); 0 runs them at the bench's own.
	ServerNice int
}

// Run measures the build, reload, query latency and HTTP throughput of the
// search at each corpus size and prints the report on stdout, its progress
// on stderr. The server under test runs as a child process ("serve").
func Run(ctx context.Context, cfg Options, stdout, stderr io.Writer) error {
	var err error
	if cfg.Exe == "" {
		if cfg.Exe, err = os.Executable(); err != nil {
			return fmt.Errorf("bench: find this binary to start the server: %w", err)
		}
	}
	// The figures need the kernel's CPU accounting (Linux's /proc): where
	// there is none, say so before the long set-up.
	if _, err := proc.TakeCPUWindow(nil); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// Above serve's 150, so that the load generator spends less on
		// collection; the in-process figures are taken with it too.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	perRun := 8 // the progress steps of each run after the first
	if !cfg.NoAnchor {
		perRun += 4 // the anchor's two streams, interleaved (anchorBench)
	}
	prog := newProgress(stderr, len(cfg.Sizes)*(phasesPerSize+perRun*(max(cfg.Runs, 1)-1)))
	rep, err := runBenchmarks(ctx, cfg, prog)
	prog.end()
	if err != nil {
		return err
	}
	if cfg.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printBenchTable(stdout, cfg, rep)
	if rep.Domain != nil {
		fmt.Fprintln(stdout)
		printDomainTable(stdout, rep.Domain)
	}
	return nil
}

// benchReport is the JSON the bench prints; its shape is issue 4's.
type benchReport struct {
	Machine proc.Machine `json:"machine"`
	Go      string       `json:"go"`
	Date    string       `json:"date"`
	// ServerNice is the priority the servers ran at below the load
	// generator (Options.ServerNice; 0 where nice(1) is missing).
	ServerNice int          `json:"server_nice"`
	Sizes      []sizeReport `json:"sizes"`
	// Domain holds the after-sales figures (--domain-threads > 0).
	Domain *domainReport `json:"domain,omitempty"`
}

type sizeReport struct {
	Articles int `json:"articles"` // generated, as asked for
	Docs     int `json:"docs"`     // indexed: generated plus bundled, both locales
	// ContentErrors counts files the server rejected (they are not in Docs).
	ContentErrors int                    `json:"content_errors"`
	Index         indexReport            `json:"index"`
	InProcess     map[string]percentiles `json:"inprocess"`
	HTTP          httpReport             `json:"http"`
	// Distinct is the never-repeating stream: every request of a phase a
	// different question (HTTP is the cycled stream).
	Distinct          distinctReport `json:"distinct"`
	DistinctQuestions int            `json:"distinct_questions"` // in the stream, bundled and generated
	// Anchors are plain engines on the same corpus and streams.
	Anchors *anchorsReport `json:"anchors,omitempty"`
	// BackgroundCores is the CPU other processes used, in cores, while
	// the load and in-process phases ran: near zero for a clean run.
	BackgroundCores float64 `json:"background_cores"`

	otherCPU, window time.Duration // summed over the measured phases
	distinct         []benchQuery  // the never-repeating stream, for the anchor
}

type distinctReport struct {
	Search routeReport `json:"/api/v1/search"`
}

type anchorsReport struct {
	Bleve anchorReport `json:"bleve"`
}

// anchorReport is the plain Bleve server's figures on both streams, and
// the project's CPU per search divided by the anchor's on each.
type anchorReport struct {
	Engine   string      `json:"engine"`
	Docs     int         `json:"docs"`
	Segments int         `json:"segments"`
	BuildS   float64     `json:"build_s"` // start to ready, force merge included
	RSSMB    float64     `json:"rss_mb"`  // after the load phases
	Cycled   routeReport `json:"cycled"`
	Distinct routeReport `json:"distinct"`
	// CPURatio is project / anchor CPU per search (under 1, the project
	// is cheaper), the median of the runs' ratios (RatioRuns): each run of
	// the anchor is measured right after the project's (anchorBench).
	CPURatio  streamRatios `json:"cpu_ratio"`
	RatioRuns struct {
		Cycled   []float64 `json:"cycled"`
		Distinct []float64 `json:"distinct"`
	} `json:"cpu_ratio_runs"`
}

type streamRatios struct {
	Cycled   float64 `json:"cycled"`
	Distinct float64 `json:"distinct"`
}

type indexReport struct {
	BuildS   float64 `json:"build_s"`
	DocsPerS float64 `json:"docs_per_s"`
	ReloadMS float64 `json:"reload_ms"`
	DiskMB   float64 `json:"disk_mb"`
	RSSMB    float64 `json:"rss_mb"`  // after build
	HeapMB   float64 `json:"heap_mb"` // after build, garbage included
	// RSSLoadedMB is the RSS after the HTTP phases; of it, anonymous
	// memory (the Go heap, stacks) and mapped files' pages (the database's
	// and the index's), where the system reports them (Linux).
	RSSLoadedMB     float64 `json:"rss_after_load_mb"`
	RSSAnonLoadedMB float64 `json:"rss_anon_after_load_mb,omitempty"`
	RSSFileLoadedMB float64 `json:"rss_file_after_load_mb,omitempty"`
	// HeapLoadedMB is the Go heap after the HTTP phases, garbage included.
	HeapLoadedMB float64 `json:"heap_after_load_mb,omitempty"`
	// LiveLoadedMB is the live heap after the HTTP phases (as the last
	// collection found it), ScanLoadedMB the part of it a collection
	// scans (objects with pointers): the mark work every cycle repeats.
	LiveLoadedMB float64 `json:"live_heap_after_load_mb,omitempty"`
	ScanLoadedMB float64 `json:"scan_heap_after_load_mb,omitempty"`
}

type percentiles struct {
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
}

type httpReport struct {
	Search   routeReport    `json:"/api/v1/search"`
	Suggest  routeReport    `json:"/api/v1/suggest"`
	Deflect  routeReport    `json:"/api/v1/deflect"` // deflect.go
	Events   eventsReport   `json:"/api/v1/events"`  // events.go
	Baseline baselineReport `json:"baseline"`
}

// routeReport: qps is the closed-loop saturation rate, cpu_ms the server's
// CPU per request in that phase, p50/p99 the latencies of an open loop at
// rate (half of qps).
type routeReport struct {
	QPS   float64 `json:"qps"`
	CPUms float64 `json:"cpu_ms"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	// Cores is the server's CPU use at saturation, in cores: well under
	// the machine's count means something other than CPU limits it.
	Cores  float64 `json:"cores"`
	Rate   float64 `json:"rate"` // of the open loop, per second
	Errors int     `json:"errors"`
	// P99Runs is each run's p99 with --runs above 1; the other figures
	// are then the medians over the runs (errors: the sum).
	P99Runs []float64 `json:"p99_runs_ms,omitempty"`
	// GCPer1k is the server's collections per 1,000 requests of the open
	// loop (go_gc_cycles_total_gc_cycles_total before and after it): how
	// often the collector's cycles come at that rate, whatever the noise.
	GCPer1k float64 `json:"gc_per_1k,omitempty"`
}

// medianRuns folds the reports of repeated runs of one route into one: each
// figure the median over the runs, errors summed, every run's p99 kept.
func medianRuns(runs []routeReport) routeReport {
	if len(runs) == 1 {
		return runs[0]
	}
	med := func(f func(r routeReport) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		return median(v)
	}
	out := routeReport{
		QPS:   med(func(r routeReport) float64 { return r.QPS }),
		CPUms: med(func(r routeReport) float64 { return r.CPUms }),
		P50:   med(func(r routeReport) float64 { return r.P50 }),
		P99:   med(func(r routeReport) float64 { return r.P99 }),
		Cores: med(func(r routeReport) float64 { return r.Cores }),
		Rate:  med(func(r routeReport) float64 { return r.Rate }),
		// the anchor's server has no /metrics: none
		GCPer1k: med(func(r routeReport) float64 { return r.GCPer1k }),
	}
	for _, r := range runs {
		out.Errors += r.Errors
		out.P99Runs = append(out.P99Runs, r.P99)
	}
	return out
}

// median is the middle of v (sorted in place), the mean of the middle two
// for an even count, rounded to 0.001.
func median(v []float64) float64 {
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return round((v[len(v)/2-1]+v[len(v)/2])/2, 3)
}

type baselineReport struct {
	Route string  `json:"route"`
	QPS   float64 `json:"qps"`
	CPUms float64 `json:"cpu_ms"`
	Cores float64 `json:"cores"`
}

// The in-process query classes, in table order.
var inprocClasses = []struct{ key, label string }{
	{"match", "1–5 word match"},
	{"match_plain", "1–5 word match, no highlighting"},
	{"typo", "typo"},
	{"prefix", "as-you-type prefix"},
	{"no_hit", "no hit"},
	{"long", "long pasted question"},
}

// phasesPerSize is the number of progress steps per corpus size.
const phasesPerSize = 13 + 6 + 2 + 5

func runBenchmarks(ctx context.Context, cfg Options, prog *progress) (*benchReport, error) {
	dev, err := loadQueries(cfg.Queries, prog.warn)
	if err != nil {
		return nil, err
	}
	extra, err := loadExtraQueries(cfg.DistinctQueries, prog.warn)
	if err != nil {
		return nil, err
	}
	bundled := append(searchStream(dev), extra...)
	rep := &benchReport{Machine: proc.ThisMachine(), Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339)}
	if _, _, ok := proc.Niced(cfg.ServerNice, cfg.Exe, nil); ok {
		rep.ServerNice = cfg.ServerNice
	} else if cfg.ServerNice > 0 {
		prog.warn("nice(1) is not available: the servers run at the load generator's priority, and their collector's idle workers may delay it (proc.Niced)")
	}
	for _, n := range cfg.Sizes {
		sr, err := benchSize(ctx, cfg, n, dev, bundled, prog)
		if err != nil {
			return nil, fmt.Errorf("%d articles: %w", n, err)
		}
		rep.Sizes = append(rep.Sizes, sr)
	}
	if cfg.DomainThreads > 0 {
		prog.phase("after-sales domain", 0)
		dc := DefaultDomainOptions()
		dc.Threads, dc.Exe, dc.Duration = cfg.DomainThreads, cfg.Exe, cfg.Duration
		dc.InboxDuration = min(dc.InboxDuration, cfg.Duration)
		dc.Orders, dc.Customers = min(dc.Orders, max(cfg.DomainThreads/10, 1)), min(dc.Customers, max(cfg.DomainThreads/100, 1))
		d, err := benchDomain(ctx, dc, prog.w)
		if err != nil {
			return nil, fmt.Errorf("domain: %w", err)
		}
		rep.Domain = d
	}
	return rep, nil
}

// benchSize measures one corpus size: the server as a child process first,
// then the engine in this process, each alone on the machine.
func benchSize(ctx context.Context, cfg Options, n int, dev []string, bundled []benchQuery, prog *progress) (sizeReport, error) {
	sr := sizeReport{Articles: n}
	tmp, err := os.MkdirTemp("", "helpcentre-bench-")
	if err != nil {
		return sr, err
	}
	defer os.RemoveAll(tmp)
	name := fmt.Sprintf("%s articles", thousands(float64(n)))

	prog.phase(name+": generating the corpus", 0)
	fsys, err := synth.Corpus(n, cfg.Seed)
	if err != nil {
		return sr, err
	}
	contentDir := filepath.Join(tmp, "content")
	if err := synth.WriteDir(fsys, contentDir); err != nil {
		return sr, err
	}
	for p := range fsys {
		if strings.HasSuffix(p, ".md") {
			sr.Docs++
		}
	}

	anchorDir := "" // no anchor
	if !cfg.NoAnchor {
		anchorDir = filepath.Join(tmp, "anchor")
	}
	if err := benchServer(ctx, cfg, &sr, name, contentDir, filepath.Join(tmp, "data"), anchorDir, dev, bundled, prog); err != nil {
		return sr, err
	}
	sr.InProcess, err = benchInProcess(ctx, cfg, &sr, name, fsys, filepath.Join(tmp, "inprocess"), dev, prog)
	if sr.window > 0 {
		sr.BackgroundCores = round(sr.otherCPU.Seconds()/sr.window.Seconds(), 2)
	}
	if sr.BackgroundCores >= 0.1 {
		prog.warn(fmt.Sprintf("%s: other processes used %.2f cores while this size was measured; its figures are disturbed", name, sr.BackgroundCores))
	}
	return sr, err
}

// watchOthers accounts the CPU other processes use from now until the
// returned function is called.
func (sr *sizeReport) watchOthers(c *proc.Child) (func() error, error) {
	w0, err := proc.TakeCPUWindow(c)
	if err != nil {
		return nil, err
	}
	return func() error {
		w1, err := proc.TakeCPUWindow(c)
		if err != nil {
			return err
		}
		sr.otherCPU += proc.Others(w0, w1)
		sr.window += w1.Wall.Sub(w0.Wall)
		return nil
	}, nil
}

// benchServer starts the server under test on the corpus and measures its
// build, HTTP and reload figures, and with anchorDir (the anchor's index
// folder, "" for none) the anchor's search phases between its own
// (anchorBench). The servers are stopped on every return.
func benchServer(ctx context.Context, cfg Options, sr *sizeReport, name, contentDir, dataDir, anchorDir string, dev []string, bundled []benchQuery, prog *progress) error {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return err
	}
	ctl, err := loadgen.NewClient(addr, 2)
	if err != nil {
		return err
	}
	defer ctl.CloseIdle()
	// The admin token lets the bench read the content status (what was
	// indexed, what was rejected); it goes by environment, never a flag.
	token := crand.Text() + crand.Text() // the admin token policy wants 32 characters or more

	// A disk scorch index builds ~2,500-4,300 docs/s on 2 cores: the progress
	// bar's estimate.
	prog.phase(name+": full build (server start to /readyz)", time.Second+time.Duration(sr.Docs)*time.Second/2500)
	start := time.Now()
	// The bench is one client sending far more than any person: the
	// server's per-client limits (search and suggest rates, connections
	// per address) are lifted for the run.
	exe, args, _ := proc.Niced(cfg.ServerNice, cfg.Exe, []string{"serve",
		"--addr", addr, "--content", contentDir, "--data", dataDir,
		"--poll", "0", "--log-level", "error", "--shutdown-timeout", "2s", "--deflect-rate", benchDeflectRate,
		"--events-rate", benchDeflectRate, "--search-rate", "0", "--max-conns-per-ip", "0"})
	c, err := proc.Start(ctx, []string{"HELPCENTRE_ADMIN_TOKEN=" + token}, exe, args...)
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := waitReady(ctx, c, ctl, "", time.Hour); err != nil {
		return err
	}
	build := time.Since(start)
	ix := &sr.Index
	ix.BuildS = round(build.Seconds(), 2)
	if ix.RSSMB, err = rssMB(c); err != nil {
		return err
	}
	status, metrics, err := ctl.Fetch("/metrics", 10*time.Second)
	if err != nil || status != 200 {
		return c.Failure(fmt.Sprintf("GET /metrics: %d %v", status, err))
	}
	heap, err := metricValue(metrics, "go_memstats_heap_alloc_bytes")
	if err != nil {
		return err
	}
	ix.HeapMB = round(heap/(1<<20), 1)
	// serve keeps the index under DATA/index, beside the domain's database.
	disk, err := proc.DiskUsage(filepath.Join(dataDir, "index"))
	if err != nil {
		return err
	}
	ix.DiskMB = round(float64(disk)/(1<<20), 1)
	status, body, err := ctl.Fetch("/api/v1/admin/content/status", 10*time.Second, "Authorization", "Bearer "+token)
	var st struct {
		Articles map[string]int `json:"articles"`
		Errors   int            `json:"errors"`
	}
	if err != nil || status != 200 || json.Unmarshal(body, &st) != nil {
		return c.Failure(fmt.Sprintf("GET /api/v1/admin/content/status: %d %v", status, err))
	}
	sr.Docs, sr.ContentErrors = 0, st.Errors
	for _, n := range st.Articles {
		sr.Docs += n
	}
	ix.DocsPerS = round(float64(sr.Docs)/build.Seconds(), 0)
	if st.Errors > 0 {
		prog.warn(fmt.Sprintf("%s: the server rejected %d of the generated files as broken (content errors); %s articles indexed", name, st.Errors, thousands(float64(sr.Docs))))
	}

	lc, err := loadgen.NewClient(addr, max(cfg.Concurrency, openWorkers(cfg)))
	if err != nil {
		return err
	}
	defer lc.CloseIdle()
	ld := &loader{ctx: ctx, cfg: cfg, c: c, lc: lc, ctl: ctl, prog: prog, name: name, started: start}
	closed := func(label string, tg []string) (loadgen.Result, time.Duration, error) {
		return ld.closed(label, tg, tg, cfg.MaxRequests)
	}
	route := func(path string, stream []benchQuery) (routeReport, error) {
		tg := targets(path, stream)
		return ld.route(path, tg, tg, cfg.MaxRequests)
	}

	stream := searchStream(dev)
	var anchor *anchorBench
	if anchorDir != "" {
		// Started before the load, so that its build does not run beside
		// a measured phase; idle meanwhile.
		if anchor, err = startAnchor(ctx, cfg, sr.Docs, name, contentDir, anchorDir, stream, prog); err != nil {
			return fmt.Errorf("anchor: %w", err)
		}
		defer anchor.close()
	}

	stopWatch, err := sr.watchOthers(c)
	if err != nil {
		return err
	}
	// besideAnchor runs one of the anchor's phases, with the CPU of
	// others counted for it and not for the project's server.
	besideAnchor := func(phase func() error) error {
		if err := stopWatch(); err != nil {
			return err
		}
		if err := phase(); err != nil {
			return fmt.Errorf("anchor: %w", err)
		}
		var err error
		stopWatch, err = sr.watchOthers(c)
		return err
	}
	res, cpu, err := closed("/healthz (baseline), closed loop", []string{"/healthz"})
	if err != nil {
		return err
	}
	sr.HTTP.Baseline = baselineReport{Route: "/healthz", QPS: round(res.QPS(), 0), CPUms: round(perRequest(cpu, res), 4), Cores: cores(cpu, res)}
	runs := max(cfg.Runs, 1)
	var search, distinct, suggest, deflect []routeReport
	var dparts [][]benchQuery // the never-repeating stream, a part for each run
	for run := range runs {
		ld.run = ""
		if runs > 1 {
			ld.run = fmt.Sprintf(" (run %d of %d)", run+1, runs)
		}
		rr, err := route("/api/v1/search", stream)
		if err != nil {
			return err
		}
		search = append(search, rr)
		if anchor != nil {
			if err := besideAnchor(func() error { return anchor.runCycled(sr, ld.run) }); err != nil {
				return err
			}
		}
		if run == 0 {
			// The never-repeating stream: as many distinct questions as
			// the closed loop could send at 1.5 times the cycled stream's
			// rate, and at least every bundled one, for each run; no
			// phase sends more than there are.
			need := min(int(1.5*rr.QPS*cfg.Duration.Seconds())+100, cfg.MaxRequests)
			if sr.distinct, err = distinctStream(bundled, need*runs, cfg.Seed); err != nil {
				return err
			}
			sr.DistinctQuestions = len(sr.distinct)
			for k := range runs {
				dparts = append(dparts, sr.distinct[k*len(sr.distinct)/runs:(k+1)*len(sr.distinct)/runs])
			}
		}
		dtg := targets("/api/v1/search", dparts[run])
		ld.exhausted = false
		if rr, err = ld.route("/api/v1/search, never-repeating", targets("/api/v1/search", stream), dtg, len(dtg)); err != nil {
			return err
		}
		distinct = append(distinct, rr)
		ld.warnExhausted(len(dtg))
		if anchor != nil {
			if err := besideAnchor(func() error { return anchor.runDistinct(sr, ld.run, targets("/search", dparts[run])) }); err != nil {
				return err
			}
		}
		if rr, err = route("/api/v1/suggest", suggestStream(stream)); err != nil {
			return err
		}
		suggest = append(suggest, rr)
		if rr, err = route(deflectRoute, stream); err != nil {
			return err
		}
		deflect = append(deflect, rr)
	}
	ld.run = ""
	sr.HTTP.Search, sr.Distinct.Search = medianRuns(search), medianRuns(distinct)
	if anchor != nil {
		if err := anchor.finish(sr, search, distinct); err != nil {
			return fmt.Errorf("anchor: %w", err)
		}
		anchor.close() // the events phase and the memory figures are the project's alone
	}
	sr.HTTP.Suggest, sr.HTTP.Deflect = medianRuns(suggest), medianRuns(deflect)
	evTargets, err := eventTargets(ctl, stream)
	if err != nil {
		return err
	}
	res, cpu, err = closed(eventsRoute+", closed loop (saturation)", evTargets)
	if err != nil {
		return err
	}
	sr.HTTP.Events = eventsReport{routeReport: routeReport{QPS: round(res.QPS(), 0), CPUms: round(perRequest(cpu, res), 3), Cores: cores(cpu, res), Errors: res.Errors},
		PerPost: eventsPerPost, EventsPerSec: round(res.QPS()*eventsPerPost, 0)}
	prog.phase(name+": search events store, in process", 0)
	if sr.HTTP.Events.StorePerSec, err = storeWriteRate(ctx, dataDir); err != nil {
		return err
	}
	sr.HTTP.Events.StorePerSec = round(sr.HTTP.Events.StorePerSec, 0)
	if err := stopWatch(); err != nil {
		return err
	}
	if ix.RSSLoadedMB, err = rssMB(c); err != nil {
		return err
	}
	ix.RSSAnonLoadedMB, ix.RSSFileLoadedMB = rssSplit(c.Pid())
	if status, metrics, err := ctl.Fetch("/metrics", 10*time.Second); err == nil && status == 200 {
		if heap, err := metricValue(metrics, "go_memstats_heap_alloc_bytes"); err == nil {
			ix.HeapLoadedMB = round(heap/(1<<20), 1)
		}
		if live, err := metricValue(metrics, "go_gc_heap_live_bytes"); err == nil {
			ix.LiveLoadedMB = round(live/(1<<20), 1)
		}
		if scan, err := metricValue(metrics, "go_gc_scan_heap_bytes"); err == nil {
			ix.ScanLoadedMB = round(scan/(1<<20), 1)
		}
	}

	// Last, when the server's file watcher has long been running: a change
	// made while it starts up is only seen by the next poll, and the
	// child runs with --poll 0 so that this times file events alone.
	prog.phase(name+": changed file to searchable", 0)
	reload, err := measureReload(ctx, ctl, contentDir)
	if err != nil {
		return c.Failure(err.Error())
	}
	ix.ReloadMS = round(float64(reload)/1e6, 1)
	c.Stop()
	return nil
}

// loader sends the load phases to one child server and reads its CPU time.
type loader struct {
	ctx  context.Context
	cfg  Options
	c    *proc.Child
	lc   *loadgen.Client
	ctl  *loadgen.Client // control requests (/metrics), beside the load
	prog *progress
	name string
	// started is when the server process was started: its collector's
	// trace (GODEBUG=gctrace=1) counts from about then.
	started time.Time
	// run names the run in progress with --runs, for the progress and
	// the traces.
	run string
	// exhausted is set when a phase sent all of its maxReq requests
	// before its duration was up.
	exhausted bool
}

// closed runs a warm-up (on warm) and a closed-loop phase (on tg, at most
// maxReq requests) and returns it with the server's CPU time over it.
func (ld *loader) closed(label string, warm, tg []string, maxReq int) (loadgen.Result, time.Duration, error) {
	cfg, c := ld.cfg, ld.c
	warmFor := min(cfg.Duration/5, time.Second)
	ld.prog.phase(ld.name+": "+label+ld.run, warmFor+cfg.Duration)
	if _, err := loadgen.Closed(ld.ctx, ld.lc, warm, loadgen.Phase{Concurrency: cfg.Concurrency, Duration: warmFor, MaxRequests: cfg.MaxRequests}); err != nil {
		return loadgen.Result{}, 0, err
	}
	cpu0, err := c.CPU()
	if err != nil {
		return loadgen.Result{}, 0, err
	}
	res, err := loadgen.Closed(ld.ctx, ld.lc, tg, loadgen.Phase{Concurrency: cfg.Concurrency, Duration: cfg.Duration, MaxRequests: maxReq})
	if err != nil {
		return res, 0, err
	}
	cpu1, err := c.CPU()
	if err != nil {
		return res, 0, err
	}
	if c.Exited() {
		return res, 0, c.Failure(label)
	}
	ld.exhausted = ld.exhausted || res.Requests >= maxReq
	if res.Requests == res.Errors {
		return res, 0, c.Failure(fmt.Sprintf("%s: all %d requests failed", label, res.Requests))
	}
	return res, cpu1 - cpu0, nil
}

// warnExhausted warns when the last phases sent all n of their
// never-repeating questions before their end (and there were fewer than a
// phase may send): they were shorter.
func (ld *loader) warnExhausted(n int) {
	if ld.exhausted && n < ld.cfg.MaxRequests {
		ld.prog.warn(fmt.Sprintf("%s: the never-repeating stream's %d questions ran out before a phase's end: that phase was shorter", ld.name, n))
	}
}

// route measures one route: the saturation rate and CPU per request in a
// closed loop, then p50/p99 in an open loop at half that rate; each phase
// sends at most maxReq requests of tg, warm is the warm-up's.
func (ld *loader) route(label string, warm, tg []string, maxReq int) (routeReport, error) {
	res, cpu, err := ld.closed(label+", closed loop (saturation)", warm, tg, maxReq)
	if err != nil {
		return routeReport{}, err
	}
	rr := routeReport{QPS: round(res.QPS(), 0), CPUms: round(perRequest(cpu, res), 3), Cores: cores(cpu, res),
		Rate: round(res.QPS()/2, 0), Errors: res.Errors}
	ld.prog.phase(fmt.Sprintf("%s: %s, open loop at %.0f/s%s", ld.name, label, rr.Rate, ld.run), ld.cfg.Duration)
	gc0 := ld.gcCycles()
	traceDir := os.Getenv("HELPCENTRE_BENCH_TRACE")
	open, err := loadgen.Open(ld.ctx, ld.lc, tg, loadgen.Phase{Rate: res.QPS() / 2, Duration: ld.cfg.Duration, MaxRequests: maxReq, Workers: openWorkers(ld.cfg), Trace: traceDir != ""})
	if err != nil {
		return rr, err
	}
	if traceDir != "" {
		if err := writeTrace(traceDir, ld.name+" "+label+ld.run, ld.started, open.Sent); err != nil {
			return rr, err
		}
	}
	ld.exhausted = ld.exhausted || open.Requests >= maxReq
	if gc1 := ld.gcCycles(); gc0 >= 0 && gc1 >= gc0 && open.Requests > 0 {
		rr.GCPer1k = round((gc1-gc0)*1000/float64(open.Requests), 2)
	}
	rr.P50 = round(search.Percentile(open.Lat, 0.50), 3)
	rr.P99 = round(search.Percentile(open.Lat, 0.99), 3)
	rr.Errors += open.Errors
	return rr, nil
}

// gcCycles is the server's collections so far (from /metrics), -1 when
// it does not say.
func (ld *loader) gcCycles() float64 {
	if ld.ctl == nil {
		return -1
	}
	status, metrics, err := ld.ctl.Fetch("/metrics", 10*time.Second)
	if err != nil || status != 200 {
		return -1
	}
	n, err := metricValue(metrics, "go_gc_cycles_total_gc_cycles_total")
	if err != nil {
		return -1
	}
	return n
}

func perRequest(cpu time.Duration, res loadgen.Result) float64 {
	return float64(cpu) / 1e6 / float64(res.Requests)
}

func cores(cpu time.Duration, res loadgen.Result) float64 {
	return round(cpu.Seconds()/res.Elapsed.Seconds(), 2)
}

// openWorkers is how many requests the open loop may have in flight: enough
// that a slow answer does not delay the schedule (and if it does, the wait
// is counted in the latency).
func openWorkers(cfg Options) int { return max(64, 4*cfg.Concurrency) }

// rssMB is the child's resident set size in MB, rounded to 0.1.
func rssMB(c *proc.Child) (float64, error) {
	n, err := c.RSS()
	return round(float64(n)/(1<<20), 1), err
}

// measureReload writes a new article holding a word found nowhere else and
// returns how long until a search for that word finds it.
func measureReload(ctx context.Context, ctl *loadgen.Client, contentDir string) (time.Duration, error) {
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	letters := make([]byte, 10)
	for i := range letters {
		letters[i] = byte('a' + r.Intn(26))
	}
	word := "zq" + string(letters)
	id := "bench-" + word
	body := fmt.Sprintf("---\ntitle: How do I use a %s voucher?\n---\n\nA %s voucher is an article written by helpcentre bench to time a reload.\n", word, word)
	path := filepath.Join(contentDir, "en", "orders", id+".md")
	want := []byte(`"id":"` + id + `"`)
	start := time.Now()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return 0, err
	}
	for {
		status, res, err := ctl.Fetch("/api/v1/search?q="+word+"&locale=en", 5*time.Second)
		if err == nil && status == 200 && bytes.Contains(res, want) {
			took := time.Since(start)
			return took, os.Remove(path)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if time.Since(start) > time.Minute {
			return 0, fmt.Errorf("a new article was not searchable within a minute (last answer %d %v)", status, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// benchInProcess builds its own index of the corpus and times each query
// class straight against the engine, without HTTP.
func benchInProcess(ctx context.Context, cfg Options, sr *sizeReport, name string, fsys fstest.MapFS, dir string, dev []string, prog *progress) (map[string]percentiles, error) {
	prog.phase(name+": in-process index build", 0)
	ix, err := index.Open(ctx, dir, fsys, nil)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	// The serving engine gives up on a search after a second; here a slow
	// one (a loaded machine, the race detector in tests) is measured, not
	// failed: the figures are CPU per search.
	opts := search.DefaultOptions()
	opts.Timeout = time.Minute
	e := search.New(ix, opts)

	var match []string
	for i, q := range dev {
		match = append(match, truncWords(q, 1+i%5))
	}
	for i, q := range ownQuestions {
		if q.locale == "en" {
			match = append(match, truncWords(q.q, 1+i%5))
		}
	}
	typing := suggestStream(searchStream(dev))
	// Every class but prefix goes through Search as the API does: top 10
	// with snippets, reasons and facets.
	searchOf := func(qs []string) func(i int) error {
		return func(i int) error {
			_, err := e.Search(ctx, search.Request{Query: qs[i%len(qs)], Locale: "en", PerPage: 10, Facets: true})
			return err
		}
	}
	runs := map[string]func(i int) error{
		"match": searchOf(match),
		"match_plain": func(i int) error {
			_, err := e.Search(ctx, search.Request{Query: match[i%len(match)], Locale: "en", PerPage: 10, Facets: true, NoSnippets: true})
			return err
		},
		"typo":   searchOf(typoQuestions),
		"no_hit": searchOf(noHitQuestions),
		"long":   searchOf(longQuestions),
		"prefix": func(i int) error {
			q := typing[i%len(typing)]
			_, err := e.Suggest(ctx, q.q, q.locale, search.Anonymous, 5)
			return err
		},
	}
	budget := min(max(cfg.Duration/2, 100*time.Millisecond), 5*time.Second)
	out := map[string]percentiles{}
	stopWatch, err := sr.watchOthers(nil)
	if err != nil {
		return nil, err
	}
	defer stopWatch()
	for _, c := range inprocClasses {
		prog.phase(name+": in-process, "+c.label, budget)
		lat, err := timeRuns(ctx, runs[c.key], budget, 100_000)
		if err != nil {
			return nil, fmt.Errorf("in-process %s: %w", c.label, err)
		}
		out[c.key] = percentiles{
			P50: round(search.Percentile(lat, 0.50), 3),
			P90: round(search.Percentile(lat, 0.90), 3),
			P99: round(search.Percentile(lat, 0.99), 3),
		}
	}
	return out, nil
}

// timeRuns calls run(0), run(1)… for budget or maxN calls, after a short
// warm-up, and returns the sorted latencies in milliseconds.
func timeRuns(ctx context.Context, run func(i int) error, budget time.Duration, maxN int) ([]float64, error) {
	for i := range 20 {
		if err := run(i); err != nil {
			return nil, err
		}
	}
	lat := make([]float64, 0, 4096)
	start := time.Now()
	for i := 0; i < maxN && time.Since(start) < budget; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := run(i); err != nil {
			return nil, err
		}
		lat = append(lat, float64(time.Since(t0))/1e6)
	}
	sort.Float64s(lat)
	return lat, nil
}

// printBenchTable prints the report with one column per size, so growth
// reads across a row.
func printBenchTable(w io.Writer, cfg Options, rep *benchReport) {
	m := rep.Machine
	fmt.Fprintf(w, "helpcentre bench: %d cores (%s), %.1f GB, %s, %s, %s\n", m.Cores, m.CPU, m.MemoryGB, m.OS, rep.Go, rep.Date)
	fmt.Fprintf(w, "load phases of %v, closed loop at concurrency %d, open loop at half the closed-loop rate; server in its own process", cfg.Duration, cfg.Concurrency)
	if rep.ServerNice > 0 {
		fmt.Fprintf(w, " at nice +%d below the load generator", rep.ServerNice)
	}
	fmt.Fprint(w, "\n\n")

	rows := [][]string{{""}}
	for _, s := range rep.Sizes {
		rows[0] = append(rows[0], thousands(float64(s.Articles))+" articles")
	}
	row := func(label string, f func(s sizeReport) string) {
		r := []string{label}
		for _, s := range rep.Sizes {
			r = append(r, f(s))
		}
		rows = append(rows, r)
	}
	head := func(label string) { rows = append(rows, []string{label}) }
	num := func(x float64, prec int) string {
		if prec == 0 {
			return thousands(x)
		}
		return strconv.FormatFloat(x, 'f', prec, 64)
	}
	pct := func(p percentiles) string {
		return fmt.Sprintf("%s / %s / %s", num(p.P50, 2), num(p.P90, 2), num(p.P99, 2))
	}

	head("index (server process)")
	row("  articles indexed (incl. bundled, en+es)", func(s sizeReport) string { return thousands(float64(s.Docs)) })
	row("  files rejected as broken", func(s sizeReport) string { return strconv.Itoa(s.ContentErrors) })
	row("  full build, start to ready (s)", func(s sizeReport) string { return num(s.Index.BuildS, 2) })
	row("  docs/s", func(s sizeReport) string { return num(s.Index.DocsPerS, 0) })
	row("  changed file to searchable (ms)", func(s sizeReport) string { return num(s.Index.ReloadMS, 0) })
	row("  index on disk (MB)", func(s sizeReport) string { return num(s.Index.DiskMB, 1) })
	row("  RSS after build (MB)", func(s sizeReport) string { return num(s.Index.RSSMB, 1) })
	row("  Go heap after build (MB)", func(s sizeReport) string { return num(s.Index.HeapMB, 1) })
	row("  RSS after the HTTP phases (MB)", func(s sizeReport) string { return num(s.Index.RSSLoadedMB, 1) })
	row("  … of it anonymous / mapped files (MB)", func(s sizeReport) string {
		return num(s.Index.RSSAnonLoadedMB, 1) + " / " + num(s.Index.RSSFileLoadedMB, 1)
	})
	row("  Go heap after the HTTP phases (MB)", func(s sizeReport) string { return num(s.Index.HeapLoadedMB, 1) })
	head("in-process, ms p50 / p90 / p99")
	for _, c := range inprocClasses {
		label := "  " + c.label
		switch c.key {
		case "prefix":
			label += " (suggest)"
		case "match_plain":
		default:
			label += " (snippets)"
		}
		row(label, func(s sizeReport) string { return pct(s.InProcess[c.key]) })
	}
	for _, r := range []struct {
		path string
		get  func(s sizeReport) routeReport
	}{
		{"/api/v1/search", func(s sizeReport) routeReport { return s.HTTP.Search }},
		{"/api/v1/suggest", func(s sizeReport) routeReport { return s.HTTP.Suggest }},
		{"POST " + deflectRoute, func(s sizeReport) routeReport { return s.HTTP.Deflect }},
	} {
		head("HTTP " + r.path)
		row("  saturation (QPS)", func(s sizeReport) string { return num(r.get(s).QPS, 0) })
		row("  server CPU per request (ms)", func(s sizeReport) string { return num(r.get(s).CPUms, 3) })
		row("  server cores busy at saturation", func(s sizeReport) string { return num(r.get(s).Cores, 2) })
		row("  p50 / p99 at half saturation (ms)", func(s sizeReport) string {
			rr := r.get(s)
			return fmt.Sprintf("%s / %s @ %s/s", num(rr.P50, 2), num(rr.P99, 2), num(rr.Rate, 0))
		})
		row("  failed requests", func(s sizeReport) string { return strconv.Itoa(r.get(s).Errors) })
	}
	head("HTTP /api/v1/search, never-repeating stream (each question once a phase)")
	row("  distinct questions (bundled and generated)", func(s sizeReport) string { return num(float64(s.DistinctQuestions), 0) })
	row("  saturation (QPS)", func(s sizeReport) string { return num(s.Distinct.Search.QPS, 0) })
	row("  server CPU per request (ms)", func(s sizeReport) string { return num(s.Distinct.Search.CPUms, 3) })
	row("  p50 / p99 at half saturation (ms)", func(s sizeReport) string {
		rr := s.Distinct.Search
		return fmt.Sprintf("%s / %s @ %s/s", num(rr.P50, 2), num(rr.P99, 2), num(rr.Rate, 0))
	})
	row("  failed requests", func(s sizeReport) string { return strconv.Itoa(s.Distinct.Search.Errors) })
	if len(rep.Sizes) > 0 && rep.Sizes[0].Anchors != nil {
		anchor := func(f func(a anchorReport) string) func(s sizeReport) string {
			return func(s sizeReport) string {
				if s.Anchors == nil {
					return "–"
				}
				return f(s.Anchors.Bleve)
			}
		}
		head("anchor: plain Bleve, same corpus and streams, own process (below)")
		row("  start to ready, build and merge (s)", anchor(func(a anchorReport) string { return num(a.BuildS, 2) }))
		row("  segments / RSS after load (MB)", anchor(func(a anchorReport) string { return fmt.Sprintf("%d / %s", a.Segments, num(a.RSSMB, 1)) }))
		for _, st := range []struct {
			label string
			get   func(a anchorReport) routeReport
			ratio func(a anchorReport) float64
			runs  func(a anchorReport) []float64
		}{
			{"cycled", func(a anchorReport) routeReport { return a.Cycled }, func(a anchorReport) float64 { return a.CPURatio.Cycled },
				func(a anchorReport) []float64 { return a.RatioRuns.Cycled }},
			{"never-repeating", func(a anchorReport) routeReport { return a.Distinct }, func(a anchorReport) float64 { return a.CPURatio.Distinct },
				func(a anchorReport) []float64 { return a.RatioRuns.Distinct }},
		} {
			row("  "+st.label+": saturation (QPS)", anchor(func(a anchorReport) string { return num(st.get(a).QPS, 0) }))
			row("  "+st.label+": server CPU per search (ms)", anchor(func(a anchorReport) string { return num(st.get(a).CPUms, 3) }))
			row("  "+st.label+": p50 / p99 at half saturation (ms)", anchor(func(a anchorReport) string {
				rr := st.get(a)
				return fmt.Sprintf("%s / %s @ %s/s", num(rr.P50, 2), num(rr.P99, 2), num(rr.Rate, 0))
			}))
			row("  "+st.label+": failed requests", anchor(func(a anchorReport) string { return strconv.Itoa(st.get(a).Errors) }))
			row("  "+st.label+": project / anchor CPU per search", anchor(func(a anchorReport) string { return "×" + num(st.ratio(a), 2) }))
			if cfg.Runs > 1 {
				row("  "+st.label+": the ratio in each run", anchor(func(a anchorReport) string {
					var v []string
					for _, r := range st.runs(a) {
						v = append(v, num(r, 2))
					}
					return strings.Join(v, " ")
				}))
			}
		}
	}
	head("HTTP POST " + eventsRoute + " (search events)")
	row("  saturation (posts/s)", func(s sizeReport) string { return num(s.HTTP.Events.QPS, 0) })
	row("  events/s accepted", func(s sizeReport) string {
		return fmt.Sprintf("%s (%d a post)", num(s.HTTP.Events.EventsPerSec, 0), s.HTTP.Events.PerPost)
	})
	row("  server CPU per post (ms)", func(s sizeReport) string { return num(s.HTTP.Events.CPUms, 3) })
	row("  store batch writes, in process (events/s)", func(s sizeReport) string { return num(s.HTTP.Events.StorePerSec, 0) })
	row("  failed requests", func(s sizeReport) string { return strconv.Itoa(s.HTTP.Events.Errors) })
	head("HTTP /healthz (baseline, same server)")
	row("  saturation (QPS)", func(s sizeReport) string { return num(s.HTTP.Baseline.QPS, 0) })
	row("  server CPU per request (ms)", func(s sizeReport) string { return num(s.HTTP.Baseline.CPUms, 4) })
	row("  server cores busy at saturation", func(s sizeReport) string { return num(s.HTTP.Baseline.Cores, 2) })
	head("noise")
	row("  other processes' CPU meanwhile (cores)", func(s sizeReport) string { return num(s.BackgroundCores, 2) })

	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("   " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(w, "\nSearch classes go through search.Engine.Search as the API does (top 10 with snippets, reasons and")
	fmt.Fprintln(w, "facets); \"no highlighting\" is the same search with Request.NoSnippets (titles and scores only).")
	if len(rep.Sizes) > 0 && rep.Sizes[0].Anchors != nil {
		fmt.Fprintln(w, "The anchor is "+anchorEngine+";")
		fmt.Fprintln(w, "a ratio under 1 means the project spends less CPU per search than it. Each run of the anchor follows")
		fmt.Fprintln(w, "the project's run of the same stream (the same questions), and the ratio is the median of the runs'.")
	}
}

// metricValue returns a sample without labels from a Prometheus text exposition.
func metricValue(text []byte, name string) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil {
			return 0, fmt.Errorf("bench: metric %s %q: %w", name, rest, err)
		}
		return v, nil
	}
	return 0, fmt.Errorf("bench: metric %s not found", name)
}

// thousands formats a whole number with thousands separators.
func thousands(x float64) string {
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

func round(x float64, prec int) float64 {
	p := math.Pow10(prec)
	return math.Round(x*p) / p
}

// progress draws a progress bar on a terminal, or one line per phase
// elsewhere, so a long run shows where it is.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	n     int
	stop  chan struct{}
	wg    sync.WaitGroup
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: max(total, 1)}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// phase starts the next step; expect (0: unknown) moves the bar within it.
func (p *progress) phase(label string, expect time.Duration) {
	p.end()
	p.n++
	n := p.n
	if !p.tty {
		fmt.Fprintf(p.w, "[%d/%d] %s\n", n, p.total, label)
		return
	}
	p.stop = make(chan struct{})
	stop := p.stop
	start := time.Now()
	p.wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			frac := float64(n-1) / float64(p.total)
			if expect > 0 {
				frac += min(float64(time.Since(start))/float64(expect), 0.99) / float64(p.total)
			}
			const width = 30
			done := int(frac * width)
			fmt.Fprintf(p.w, "\r\033[K[%s%s] %3.0f%% %s (%.0fs)", strings.Repeat("#", done), strings.Repeat(".", width-done),
				frac*100, label, time.Since(start).Seconds())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
}

// end finishes the current step's line.
func (p *progress) end() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.stop = nil
	fmt.Fprint(p.w, "\r\033[K")
}

// warn prints a message without tangling it with the bar.
func (p *progress) warn(msg string) {
	if p.tty && p.stop != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, "helpcentre bench: warning:", msg)
}
