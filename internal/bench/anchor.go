package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en" // the "en" analyzer
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es" // the "es" analyzer
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	"gopkg.in/yaml.v3"

	"github.com/marketplace/helpcentre/internal/loadgen"
	"github.com/marketplace/helpcentre/internal/proc"
)

// The anchor is a plain Bleve server on the bench's corpus: what a search
// box built the obvious way costs on the same machine. It is the bench's
// own measuring stick, run as "helpcentre bench-anchor" in a child process
// so that /proc accounts its CPU to it alone; it is not a product.

// anchorEngine describes the anchor in the report.
const anchorEngine = "bleve v2.6.1, scorch on disk merged to one segment, BM25, match title^2 + body per locale (en/es analyzers), top 10, id + title"

// anchorLocales are the corpus' locales, one pair of fields each.
var anchorLocales = []string{"en", "es"}

// anchorMapping indexes title_<locale> (stored, for the answer) and
// body_<locale> with the locale's Bleve analyzer, and scores with BM25.
func anchorMapping() *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	for _, l := range anchorLocales {
		title := mapping.NewTextFieldMapping()
		title.Analyzer = l
		title.IncludeInAll = false
		title.IncludeTermVectors = false
		title.DocValues = false
		body := mapping.NewTextFieldMapping()
		body.Analyzer = l
		body.Store = false
		body.IncludeInAll = false
		body.IncludeTermVectors = false
		body.DocValues = false
		doc.AddFieldMappingsAt("title_"+l, title)
		doc.AddFieldMappingsAt("body_"+l, body)
	}
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.ScoringModel = index.BM25Scoring
	return m
}

// anchorDocs reads the content folder's articles (LOCALE/…/ID.md with a
// YAML front matter holding title and, optionally, id) as Bleve documents.
func anchorDocs(contentDir string) (map[string]map[string]any, error) {
	docs := map[string]map[string]any{}
	err := filepath.WalkDir(contentDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		rel, err := filepath.Rel(contentDir, p)
		if err != nil {
			return err
		}
		locale, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if locale != "en" && locale != "es" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		if !ok {
			return nil
		}
		front, body, ok := bytes.Cut(rest, []byte("\n---\n"))
		if !ok {
			return nil
		}
		var fm struct {
			ID    string `yaml:"id"`
			Title string `yaml:"title"`
		}
		if err := yaml.Unmarshal(front, &fm); err != nil || fm.Title == "" {
			return nil // not an article: the project's server rejects it too
		}
		if fm.ID == "" {
			fm.ID = strings.TrimSuffix(d.Name(), ".md")
		}
		docs[locale+"/"+fm.ID] = map[string]any{"title_" + locale: fm.Title, "body_" + locale: string(body)}
		return nil
	})
	return docs, err
}

// buildAnchor indexes the content folder into a new scorch index at dir,
// merges it to one segment and returns the reopened index with its number
// of segments.
func buildAnchor(ctx context.Context, contentDir, dir string) (bleve.Index, uint64, int, error) {
	docs, err := anchorDocs(contentDir)
	if err != nil {
		return nil, 0, 0, err
	}
	ix, err := bleve.NewUsing(dir, anchorMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, 0, 0, err
	}
	b := ix.NewBatch()
	for id, doc := range docs {
		if err := b.Index(id, doc); err != nil {
			ix.Close()
			return nil, 0, 0, err
		}
		if b.Size() >= 1000 {
			// Without unsafe_batch, a batch returns once persisted.
			if err := ix.Batch(b); err != nil {
				ix.Close()
				return nil, 0, 0, err
			}
			b.Reset()
		}
	}
	if err := ix.Batch(b); err != nil {
		ix.Close()
		return nil, 0, 0, err
	}
	adv, err := ix.Advanced()
	if err != nil {
		ix.Close()
		return nil, 0, 0, err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		ix.Close()
		return nil, 0, 0, fmt.Errorf("bench-anchor: index is %T, not scorch", adv)
	}
	if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		ix.Close()
		return nil, 0, 0, err
	}
	if err := ix.Close(); err != nil {
		return nil, 0, 0, err
	}
	// Reopened, it serves the merged segment from disk as it would after
	// a restart.
	if ix, err = bleve.Open(dir); err != nil {
		return nil, 0, 0, err
	}
	segs := uint64(0)
	if adv, err := ix.Advanced(); err == nil {
		if s, ok := adv.(*scorch.Scorch); ok {
			segs, _ = s.StatsMap()["TotFileSegmentsAtRoot"].(uint64)
		}
	}
	return ix, segs, len(docs), nil
}

// anchorHit is one answer of the anchor's /search.
type anchorHit struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// anchorHandler serves GET /search?q=&locale= (top 10, id and title) and
// /readyz, /stats.
func anchorHandler(ix bleve.Index, stats map[string]any) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(stats)
	})
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		q, locale := r.URL.Query().Get("q"), r.URL.Query().Get("locale")
		if locale != "en" && locale != "es" {
			http.Error(w, "locale: en or es", http.StatusBadRequest)
			return
		}
		title := bleve.NewMatchQuery(q)
		title.SetField("title_" + locale)
		title.SetBoost(2)
		body := bleve.NewMatchQuery(q)
		body.SetField("body_" + locale)
		req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(title, body), 10, 0, false)
		req.Fields = []string{"title_" + locale}
		res, err := ix.SearchInContext(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := struct {
			Total uint64      `json:"total"`
			Hits  []anchorHit `json:"hits"`
		}{Total: res.Total, Hits: make([]anchorHit, 0, len(res.Hits))}
		for _, h := range res.Hits {
			t, _ := h.Fields["title_"+locale].(string)
			_, id, _ := strings.Cut(h.ID, "/")
			out.Hits = append(out.Hits, anchorHit{ID: id, Title: t})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	return mux
}

// ServeAnchor builds the anchor's index of contentDir in indexDir (a new
// folder) and serves it on addr (loopback) until ctx is done:
// "helpcentre bench-anchor", started by the bench.
func ServeAnchor(ctx context.Context, contentDir, indexDir, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bench-anchor: --addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench-anchor: --addr %q is not a loopback address", addr)
	}
	ix, segs, docs, err := buildAnchor(ctx, contentDir, indexDir)
	if err != nil {
		return fmt.Errorf("bench-anchor: %w", err)
	}
	defer ix.Close()
	srv := &http.Server{Addr: addr, Handler: anchorHandler(ix, map[string]any{"segments": segs, "docs": docs}),
		ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// anchorBench is the anchor's server for one corpus size, measured between
// the project's own phases: each run of the project's cycled search is
// followed by one of the anchor's on the same stream, and each run of the
// never-repeating one by the anchor's on the same questions. Run one after
// the other, the two servers saw different machines: this VM's speed drifts
// by up to ~40 % over minutes with no other process to show for it (two
// runs of 2026-12-07 at noise 0.00 had every in-process figure that much
// apart), and the ratio moved with it (2.4–3.8× in one day). Interleaved,
// each run's ratio compares two phases seconds apart, and the report's ratio
// is the median of the runs' ratios.
type anchorBench struct {
	c        *proc.Child
	ctl, lc  *loadgen.Client
	ld       *loader
	ar       anchorReport
	ctg      []string
	cycled   []routeReport
	distinct []routeReport
}

// startAnchor starts the anchor on the corpus of docs documents
// ("helpcentre bench-anchor" in a child process) and waits until its index
// is built; cycled is the project's cycled stream. close stops it.
func startAnchor(ctx context.Context, cfg Options, docs int, name, contentDir, indexDir string, cycled []benchQuery, prog *progress) (*anchorBench, error) {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	a := &anchorBench{ctg: targets("/search", cycled)}
	if a.ctl, err = loadgen.NewClient(addr, 2); err != nil {
		return nil, err
	}
	if a.lc, err = loadgen.NewClient(addr, max(cfg.Concurrency, openWorkers(cfg))); err != nil {
		a.ctl.CloseIdle()
		return nil, err
	}
	name += ", anchor (plain Bleve)"
	prog.phase(name+": build and merge (start to ready)", time.Second+time.Duration(docs)*time.Second/2500)
	start := time.Now()
	exe, args, _ := proc.Niced(cfg.ServerNice, cfg.Exe, []string{"bench-anchor", "--content", contentDir, "--index", indexDir, "--addr", addr})
	if a.c, err = proc.Start(ctx, nil, exe, args...); err != nil {
		a.close()
		return nil, err
	}
	if err := waitReady(ctx, a.c, a.ctl, "the anchor's ", time.Hour); err != nil {
		a.close()
		return nil, err
	}
	a.ar = anchorReport{Engine: anchorEngine, BuildS: round(time.Since(start).Seconds(), 2)}
	status, body, err := a.ctl.Fetch("/stats", 5*time.Second)
	var st struct {
		Docs     int `json:"docs"`
		Segments int `json:"segments"`
	}
	if err != nil || status != 200 || json.Unmarshal(body, &st) != nil {
		err = a.c.Failure(fmt.Sprintf("GET /stats: %d %v", status, err))
		a.close()
		return nil, err
	}
	a.ar.Docs, a.ar.Segments = st.Docs, st.Segments
	a.ld = &loader{ctx: ctx, cfg: cfg, c: a.c, lc: a.lc, prog: prog, name: name}
	return a, nil
}

// close stops the anchor's server.
func (a *anchorBench) close() {
	if a.c != nil {
		a.c.Stop()
	}
	a.ctl.CloseIdle()
	a.lc.CloseIdle()
}

// runCycled measures one run of the cycled stream, with the CPU other
// processes used meanwhile counted in sr's noise figure.
func (a *anchorBench) runCycled(sr *sizeReport, run string) error {
	return a.measure(sr, run, func() error {
		rr, err := a.ld.route("/search", a.ctg, a.ctg, a.ld.cfg.MaxRequests)
		a.cycled = append(a.cycled, rr)
		return err
	})
}

// runDistinct measures one run of the never-repeating stream on dtg, the
// questions the project's server was sent in the same run.
func (a *anchorBench) runDistinct(sr *sizeReport, run string, dtg []string) error {
	return a.measure(sr, run, func() error {
		a.ld.exhausted = false
		rr, err := a.ld.route("/search, never-repeating", a.ctg, dtg, len(dtg))
		a.distinct = append(a.distinct, rr)
		if err == nil {
			a.ld.warnExhausted(len(dtg))
		}
		return err
	})
}

func (a *anchorBench) measure(sr *sizeReport, run string, phase func() error) error {
	stopWatch, err := sr.watchOthers(a.c)
	if err != nil {
		return err
	}
	a.ld.run = run
	if err := phase(); err != nil {
		return err
	}
	return stopWatch()
}

// finish folds the runs into sr.Anchors: each figure the median over the
// runs, the ratio the median of each run's project / anchor CPU per search
// (search and distinct are the project's runs, in the same order).
func (a *anchorBench) finish(sr *sizeReport, search, distinct []routeReport) error {
	var err error
	if a.ar.RSSMB, err = rssMB(a.c); err != nil {
		return err
	}
	a.ar.Cycled, a.ar.Distinct = medianRuns(a.cycled), medianRuns(a.distinct)
	a.ar.CPURatio.Cycled, a.ar.RatioRuns.Cycled = runRatios(search, a.cycled)
	a.ar.CPURatio.Distinct, a.ar.RatioRuns.Distinct = runRatios(distinct, a.distinct)
	sr.Anchors = &anchorsReport{Bleve: a.ar}
	return nil
}

// runRatios is each run's project / anchor CPU per request, and their median.
func runRatios(ours, anchor []routeReport) (float64, []float64) {
	var v []float64
	for i := range min(len(ours), len(anchor)) {
		if anchor[i].CPUms > 0 {
			v = append(v, round(ours[i].CPUms/anchor[i].CPUms, 2))
		}
	}
	if len(v) == 0 {
		return 0, nil
	}
	return round(median(slices.Clone(v)), 2), v
}
