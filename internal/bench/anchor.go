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

// benchAnchor starts the anchor on the corpus ("helpcentre bench-anchor"
// in a child process) and measures it on the cycled stream and on the
// never-repeating one the project's server was given (sr.distinct), as
// the project's server was measured. The child is stopped on every return.
func benchAnchor(ctx context.Context, cfg Options, sr *sizeReport, name, contentDir, indexDir string, cycled []benchQuery, prog *progress) error {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return err
	}
	ctl, err := loadgen.NewClient(addr, 2)
	if err != nil {
		return err
	}
	defer ctl.CloseIdle()
	name += ", anchor (plain Bleve)"
	prog.phase(name+": build and merge (start to ready)", time.Second+time.Duration(sr.Docs)*time.Second/2500)
	start := time.Now()
	exe, args, _ := proc.Niced(cfg.ServerNice, cfg.Exe, []string{"bench-anchor", "--content", contentDir, "--index", indexDir, "--addr", addr})
	c, err := proc.Start(ctx, nil, exe, args...)
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := waitReady(ctx, c, ctl, "the anchor's ", time.Hour); err != nil {
		return err
	}
	ar := anchorReport{Engine: anchorEngine, BuildS: round(time.Since(start).Seconds(), 2)}
	status, body, err := ctl.Fetch("/stats", 5*time.Second)
	var st struct {
		Docs     int `json:"docs"`
		Segments int `json:"segments"`
	}
	if err != nil || status != 200 || json.Unmarshal(body, &st) != nil {
		return c.Failure(fmt.Sprintf("GET /stats: %d %v", status, err))
	}
	ar.Docs, ar.Segments = st.Docs, st.Segments

	lc, err := loadgen.NewClient(addr, max(cfg.Concurrency, openWorkers(cfg)))
	if err != nil {
		return err
	}
	defer lc.CloseIdle()
	ld := &loader{ctx: ctx, cfg: cfg, c: c, lc: lc, prog: prog, name: name}
	stopWatch, err := sr.watchOthers(c)
	if err != nil {
		return err
	}
	ctg := targets("/search", cycled)
	if ar.Cycled, err = ld.route("/search", ctg, ctg, cfg.MaxRequests); err != nil {
		return err
	}
	dtg := targets("/search", sr.distinct)
	ld.exhausted = false
	if ar.Distinct, err = ld.route("/search, never-repeating", ctg, dtg, len(dtg)); err != nil {
		return err
	}
	if ld.exhausted && len(dtg) < cfg.MaxRequests {
		prog.warn(fmt.Sprintf("%s: the never-repeating stream's %d questions ran out before a phase's end: that phase was shorter", name, len(dtg)))
	}
	if err := stopWatch(); err != nil {
		return err
	}
	if ar.RSSMB, err = rssMB(c); err != nil {
		return err
	}
	c.Stop()
	if ar.Cycled.CPUms > 0 {
		ar.CPURatio.Cycled = round(sr.HTTP.Search.CPUms/ar.Cycled.CPUms, 2)
	}
	if ar.Distinct.CPUms > 0 {
		ar.CPURatio.Distinct = round(sr.Distinct.Search.CPUms/ar.Distinct.CPUms, 2)
	}
	sr.Anchors = &anchorsReport{Bleve: ar}
	return nil
}
