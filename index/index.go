package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marketplace/helpcentre/content"
)

// Index keeps one Locale index per locale in step with a content tree. The
// Markdown is the source of truth; the indexes under dir are a cache that is
// reused across restarts only when it was built from the same articles with
// the same mapping.
type Index struct {
	dir    string
	log    *slog.Logger
	loader *content.Loader

	reloadMu sync.Mutex // one reload or rebuild at a time
	locales  atomic.Pointer[map[string]*Locale]
	set      atomic.Pointer[content.Set]
	status   atomic.Pointer[Status]
	ready    atomic.Bool

	// Build's progress: articles indexed so far, of total; the time of the
	// last progress log line (Unix ns).
	done, total, lastLog atomic.Int64
}

// Status says how the last reloads went; served at /api/v1/admin/content/status.
type Status struct {
	Ready        bool                `json:"ready"`
	LoadedAt     time.Time           `json:"loaded_at"`
	DurationMS   float64             `json:"duration_ms"`
	Reloads      int64               `json:"reloads"`
	Failures     int64               `json:"failures"`
	LastError    string              `json:"last_error,omitempty"`
	Files        int                 `json:"files"`
	Articles     map[string]int      `json:"articles"` // published, per locale
	Errors       int                 `json:"errors"`
	Warnings     int                 `json:"warnings"`
	Diagnostics  content.Diagnostics `json:"diagnostics"`
	LastChange   *ChangeSummary      `json:"last_change,omitempty"`
	IndexedBytes int64               `json:"indexed_bytes"`
}

// ChangeSummary describes what the last reload applied.
type ChangeSummary struct {
	Upserted  []string `json:"upserted"` // locale/id
	Removed   []string `json:"removed"`
	Synonyms  []string `json:"synonyms,omitempty"`
	AppliedMS float64  `json:"applied_ms"`
}

// Open loads the content tree at fsys, reuses or builds the locale indexes
// under dir and returns a ready Index.
func Open(ctx context.Context, dir string, fsys fs.FS, log *slog.Logger) (*Index, error) {
	ix, err := New(dir, fsys, log)
	if err != nil {
		return nil, err
	}
	if err := ix.Build(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

// New returns an Index over the content tree at fsys that is not ready yet:
// it holds no articles until Build. A server can answer health checks (and
// say it is not ready) while Build runs.
func New(dir string, fsys fs.FS, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	ix := &Index{dir: dir, log: log, loader: content.NewLoader(fsys)}
	empty := map[string]*Locale{}
	ix.locales.Store(&empty)
	ix.set.Store(&content.Set{}) // readers before Build see no articles, never nil
	ix.status.Store(&Status{Articles: map[string]int{}})
	return ix, nil
}

// Progress says how many of the articles to index the running Build has
// indexed (or found in a reused index); total is 0 until the content is read.
func (ix *Index) Progress() (done, total int) {
	return int(ix.done.Load()), int(ix.total.Load())
}

// Build loads the content tree and reuses or builds the locale indexes; the
// Index is ready when it returns nil. Call it once.
func (ix *Index) Build(ctx context.Context) error {
	start := time.Now()
	set, _, err := ix.loader.Load()
	if err != nil {
		return err
	}
	byLocale := groupByLocale(set)
	total := 0
	for _, as := range byLocale {
		for _, a := range as {
			if !a.Draft {
				total++
			}
		}
	}
	ix.total.Store(int64(total))
	ix.log.Info("building the index", "articles", total, "locales", len(byLocale))
	locales := map[string]*Locale{}
	for _, name := range sortedKeys(byLocale) {
		l, err := ix.openOrBuild(ctx, name, byLocale[name], set.Synonyms[name])
		if err != nil {
			for _, l := range locales {
				_ = l.close(false)
			}
			return err
		}
		locales[name] = l
	}
	ix.locales.Store(&locales)
	ix.set.Store(set)
	ix.ready.Store(true)
	ix.recordStatus(set, time.Since(start), nil, nil)
	ix.log.Info("index ready", "articles", len(set.Articles), "locales", len(locales),
		"errors", set.Diagnostics.Errors(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// indexed counts n more articles as indexed and logs the progress at most
// every few seconds.
func (ix *Index) indexed(n int) {
	done := ix.done.Add(int64(n))
	now := time.Now().UnixNano()
	if last := ix.lastLog.Load(); now-last >= int64(progressLogEvery) && ix.lastLog.CompareAndSwap(last, now) {
		ix.log.Info("building the index", "done", done, "total", ix.total.Load())
	}
}

// progressLogEvery is how often a build logs its progress.
const progressLogEvery = 5 * time.Second

func groupByLocale(set *content.Set) map[string][]*content.Article {
	out := map[string][]*content.Article{}
	for _, a := range set.Sorted() {
		if Supported(a.Locale) {
			out[a.Locale] = append(out[a.Locale], a)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type manifest struct {
	Dir            string    `json:"dir"`
	MappingVersion int       `json:"mapping_version"`
	Fingerprint    string    `json:"fingerprint"`
	BuiltAt        time.Time `json:"built_at"`
}

func fingerprint(articles []*content.Article) string {
	lines := make([]string, 0, len(articles))
	for _, a := range articles {
		if !a.Draft {
			lines = append(lines, a.ID+"\x00"+a.Digest+"\x00"+a.Path)
		}
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (ix *Index) localeDir(name string) string { return filepath.Join(ix.dir, name) }

func (ix *Index) readManifest(name string) (manifest, bool) {
	var m manifest
	data, err := os.ReadFile(filepath.Join(ix.localeDir(name), "manifest.json"))
	if err != nil || json.Unmarshal(data, &m) != nil || m.Dir == "" || filepath.Base(m.Dir) != m.Dir {
		return manifest{}, false
	}
	return m, true
}

// writeManifest replaces the manifest atomically (write, fsync, rename).
func (ix *Index) writeManifest(name string, m manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(ix.localeDir(name), "manifest.json")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// openOrBuild reuses the locale's index on disk when its manifest says it was
// built from these articles with this mapping; an index that will not open
// is moved aside and rebuilt.
func (ix *Index) openOrBuild(ctx context.Context, name string, articles []*content.Article, rules []content.SynonymRule) (*Locale, error) {
	if err := os.MkdirAll(ix.localeDir(name), 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	fp := fingerprint(articles)
	if m, ok := ix.readManifest(name); ok && m.MappingVersion == MappingVersion && m.Fingerprint == fp {
		path := filepath.Join(ix.localeDir(name), m.Dir)
		l, err := openLocale(name, path, articles, rules)
		if err == nil {
			ix.log.Info("index reused", "locale", name, "dir", path, "articles", len(l.articles))
			ix.indexed(len(l.articles))
			ix.removeStale(name, m.Dir)
			return l, nil
		}
		aside := path + brokenMark + strconv.FormatInt(time.Now().UnixNano(), 10)
		ix.log.Warn("index will not open; moved aside and rebuilt", "locale", name, "dir", path, "moved_to", aside, "err", err)
		_ = os.Rename(path, aside)
	}
	ix.removeBroken(name)
	return ix.build(ctx, name, articles, rules)
}

// build creates a fresh index directory for a locale and records it in the manifest.
func (ix *Index) build(ctx context.Context, name string, articles []*content.Article, rules []content.SynonymRule) (*Locale, error) {
	if err := os.MkdirAll(ix.localeDir(name), 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	start := time.Now()
	sub := strconv.FormatInt(time.Now().UnixNano(), 36)
	path := filepath.Join(ix.localeDir(name), sub)
	var progress func(int)
	if !ix.ready.Load() {
		progress = ix.indexed
	}
	l, err := buildLocale(ctx, name, path, articles, rules, progress)
	if err != nil {
		_ = os.RemoveAll(path)
		return nil, err
	}
	if err := ix.writeManifest(name, manifest{Dir: sub, MappingVersion: MappingVersion, Fingerprint: fingerprint(articles), BuiltAt: time.Now().UTC()}); err != nil {
		_ = l.close(true)
		return nil, fmt.Errorf("index: manifest: %w", err)
	}
	ix.removeStale(name, sub)
	ix.log.Info("index built", "locale", name, "articles", len(l.articles), "took", time.Since(start).Round(time.Millisecond))
	return l, nil
}

// brokenMark joins the name of an index directory that would not open and
// the time (Unix ns) it was moved aside.
const brokenMark = ".broken-"

// keepBroken is how many broken index directories a locale keeps for
// inspection, the newest; older ones are deleted. The index is a cache
// rebuilt from the Markdown, so they only serve to diagnose what broke it.
const keepBroken = 2

// removeBroken deletes a locale's broken index directories but the newest
// keepBroken.
func (ix *Index) removeBroken(name string) {
	entries, err := os.ReadDir(ix.localeDir(name))
	if err != nil {
		return
	}
	type aside struct {
		name string
		at   int64
	}
	var broken []aside
	for _, e := range entries {
		_, at, ok := strings.Cut(e.Name(), brokenMark)
		if !ok || !e.IsDir() {
			continue
		}
		t, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			continue
		}
		broken = append(broken, aside{e.Name(), t})
	}
	sort.Slice(broken, func(i, j int) bool { return broken[i].at > broken[j].at })
	for _, b := range broken[min(len(broken), keepBroken):] {
		if err := os.RemoveAll(filepath.Join(ix.localeDir(name), b.name)); err != nil {
			ix.log.Warn("removing an old broken index", "dir", b.name, "err", err)
		}
	}
}

// removeStale deletes index directories of a locale other than keep. Those
// moved aside as broken ("<dir>.broken-<time>") have an extension and are
// left for inspection.
func (ix *Index) removeStale(name, keep string) {
	entries, err := os.ReadDir(ix.localeDir(name))
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || n == keep || filepath.Ext(n) != "" {
			continue
		}
		if l := ix.liveLocale(name); l != nil && filepath.Base(l.path) == n {
			continue
		}
		_ = os.RemoveAll(filepath.Join(ix.localeDir(name), n))
	}
}

func (ix *Index) liveLocale(name string) *Locale {
	if m := ix.locales.Load(); m != nil {
		return (*m)[name]
	}
	return nil
}

// Locale returns the current index of a locale.
func (ix *Index) Locale(name string) (*Locale, bool) {
	l := ix.liveLocale(name)
	return l, l != nil
}

// Locales lists the locales that have an index.
func (ix *Index) Locales() []string { return sortedKeys(*ix.locales.Load()) }

// Content is the content set the index currently reflects.
func (ix *Index) Content() *content.Set { return ix.set.Load() }

// Ready reports whether the index has been built.
func (ix *Index) Ready() bool { return ix.ready.Load() }

// Status is a copy of the current status.
func (ix *Index) Status() Status {
	st := *ix.status.Load()
	var bytes int64
	for _, l := range *ix.locales.Load() {
		bytes += l.DiskBytes()
	}
	st.IndexedBytes = bytes
	return st
}

func (ix *Index) recordStatus(set *content.Set, took time.Duration, reloadErr error, ch *ChangeSummary) {
	prev := ix.status.Load()
	st := &Status{Ready: ix.ready.Load(), Reloads: prev.Reloads, Failures: prev.Failures, Articles: map[string]int{}, LastChange: prev.LastChange}
	if reloadErr != nil {
		st.Failures++
		st.LastError = reloadErr.Error()
	}
	if ch != nil {
		st.Reloads++
		st.LastChange = ch
	}
	if set == nil {
		set = ix.set.Load()
	}
	st.LoadedAt, st.DurationMS = set.LoadedAt, float64(took.Microseconds())/1000
	st.Files = set.Files
	st.Diagnostics = set.Diagnostics
	st.Errors = set.Diagnostics.Errors()
	st.Warnings = len(set.Diagnostics) - st.Errors
	for name, l := range *ix.locales.Load() {
		st.Articles[name] = l.DocCount()
	}
	ix.status.Store(st)
}

// Reload reads the content tree again and applies what changed to the live
// indexes as incremental updates. A file that turned bad keeps its last good
// version; an unreadable tree leaves everything as it was and is recorded as
// a failure.
func (ix *Index) Reload(ctx context.Context) (*ChangeSummary, error) {
	ix.reloadMu.Lock()
	defer ix.reloadMu.Unlock()
	start := time.Now()
	set, ch, err := ix.loader.Load()
	if err != nil {
		ix.recordStatus(nil, time.Since(start), err, nil)
		ix.log.Error("content reload failed; the last good index keeps serving", "err", err)
		return nil, err
	}
	ix.logNewDiagnostics(ix.set.Load().Diagnostics, set.Diagnostics)
	sum := &ChangeSummary{Upserted: []string{}, Removed: []string{}, Synonyms: ch.SynonymsChanged}
	if ch.Empty() {
		ix.set.Store(set)
		ix.recordStatus(set, time.Since(start), nil, nil)
		return sum, nil
	}
	if err := ix.applyChanges(ctx, set, ch, sum); err != nil {
		ix.recordStatus(set, time.Since(start), err, nil)
		ix.log.Error("applying content changes failed", "err", err)
		return nil, err
	}
	ix.set.Store(set)
	sum.AppliedMS = float64(time.Since(start).Microseconds()) / 1000
	ix.recordStatus(set, time.Since(start), nil, sum)
	ix.log.Info("content reloaded", "upserted", len(sum.Upserted), "removed", len(sum.Removed),
		"synonyms", sum.Synonyms, "errors", set.Diagnostics.Errors(), "took", time.Since(start).Round(time.Microsecond))
	return sum, nil
}

// logNewDiagnostics logs each problem of the reloaded content that the
// previous content did not have, once, with its file and line: an editor
// who saves a broken front matter sees it in the log, not only in
// /api/v1/admin/content/status, and one left broken is not logged again at
// every reload. (The start logs all of them; see serve.)
func (ix *Index) logNewDiagnostics(before, after content.Diagnostics) {
	seen := make(map[content.Diagnostic]bool, len(before))
	for _, d := range before {
		seen[d] = true
	}
	for _, d := range after {
		if seen[d] {
			continue
		}
		seen[d] = true // a duplicate in the same reload is logged once too
		level := slog.LevelWarn
		if d.Severity == content.Error {
			level = slog.LevelError
		}
		ix.log.Log(context.Background(), level, "content problem", "file", d.Path, "line", d.Line, "severity", d.Severity.String(), "problem", d.Message)
	}
}

func (ix *Index) applyChanges(ctx context.Context, set *content.Set, ch content.Changes, sum *ChangeSummary) error {
	type work struct {
		upserts []*content.Article
		removes []string
		rules   bool
	}
	byLocale := map[string]*work{}
	get := func(l string) *work {
		if byLocale[l] == nil {
			byLocale[l] = &work{}
		}
		return byLocale[l]
	}
	for _, a := range ch.Upserted {
		if Supported(a.Locale) {
			w := get(a.Locale)
			w.upserts = append(w.upserts, a)
			sum.Upserted = append(sum.Upserted, a.Locale+"/"+a.ID)
		}
	}
	for _, k := range ch.Removed {
		if Supported(k.Locale) {
			w := get(k.Locale)
			w.removes = append(w.removes, k.ID)
			sum.Removed = append(sum.Removed, k.Locale+"/"+k.ID)
		}
	}
	for _, l := range ch.SynonymsChanged {
		if Supported(l) {
			get(l).rules = true
		}
	}
	all := groupByLocale(set)
	current := *ix.locales.Load()
	next := make(map[string]*Locale, len(current))
	for k, v := range current {
		next[k] = v
	}
	var retired []*Locale
	var errs []error
	for _, name := range sortedKeys(byLocale) {
		w := byLocale[name]
		l := current[name]
		switch {
		case l == nil && len(all[name]) > 0:
			nl, err := ix.build(ctx, name, all[name], set.Synonyms[name])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			next[name] = nl
		case l != nil && len(all[name]) == 0:
			delete(next, name)
			retired = append(retired, l)
			_ = os.Remove(filepath.Join(ix.localeDir(name), "manifest.json"))
		case l != nil:
			// The manifest says "dirty" until a clean Close: a crash between
			// the batch and that moment means a rebuild at the next start.
			if err := ix.writeManifest(name, manifest{Dir: filepath.Base(l.path), MappingVersion: MappingVersion, Fingerprint: "dirty", BuiltAt: time.Now().UTC()}); err != nil {
				errs = append(errs, err)
				continue
			}
			if err := l.apply(w.upserts, w.removes, set.Synonyms[name], w.rules); err != nil {
				errs = append(errs, err)
			}
		}
	}
	ix.locales.Store(&next)
	for _, l := range retired {
		_ = l.close(true)
	}
	return errors.Join(errs...)
}

// Rebuild builds every locale's index from scratch into fresh directories
// and swaps them in; searches keep using the old ones until the swap.
func (ix *Index) Rebuild(ctx context.Context) error {
	ix.reloadMu.Lock()
	defer ix.reloadMu.Unlock()
	start := time.Now()
	set, _, err := ix.loader.Load()
	if err != nil {
		return err
	}
	byLocale := groupByLocale(set)
	next := map[string]*Locale{}
	for _, name := range sortedKeys(byLocale) {
		l, err := ix.build(ctx, name, byLocale[name], set.Synonyms[name])
		if err != nil {
			for _, l := range next {
				_ = l.close(true)
			}
			return err
		}
		next[name] = l
	}
	old := *ix.locales.Load()
	ix.locales.Store(&next)
	ix.set.Store(set)
	for _, l := range old {
		_ = l.close(true)
	}
	ix.recordStatus(set, time.Since(start), nil, &ChangeSummary{Upserted: []string{"*"}, Removed: []string{}, AppliedMS: float64(time.Since(start).Microseconds()) / 1000})
	return nil
}

// Close closes every locale index, keeping them on disk for the next start.
func (ix *Index) Close() error {
	ix.reloadMu.Lock()
	defer ix.reloadMu.Unlock()
	var errs []error
	for name, l := range *ix.locales.Load() {
		var articles []*content.Article
		for _, a := range l.articles {
			articles = append(articles, a)
		}
		if err := l.close(false); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, ix.writeManifest(name, manifest{Dir: filepath.Base(l.path), MappingVersion: MappingVersion, Fingerprint: fingerprint(articles), BuiltAt: time.Now().UTC()}))
	}
	empty := map[string]*Locale{}
	ix.locales.Store(&empty)
	return errors.Join(errs...)
}
