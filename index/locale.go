package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index/segment"
)

// ErrClosed is returned by Read on a locale index that was swapped out and
// closed after the caller looked it up; look it up again.
var ErrClosed = errors.New("index: locale index was replaced")

// Locale is one locale's searchable state: the Bleve index, the published
// articles it holds and their term statistics. A search takes all three under
// one read lock; a reload builds their next versions aside and swaps them in
// (see apply), so a search never sees a half-applied change nor waits on one.
type Locale struct {
	name      string
	analyzers Analyzers

	mu       sync.RWMutex
	closed   bool
	bl       bleve.Index
	path     string
	stats    *Stats
	articles map[string]*content.Article // published (non-draft) articles by id
	synonyms synonymSet
	cats     catTables // the category facet's table of the latest snapshot
}

// View is what a reader may use while it holds a Locale's read lock. Nothing
// in it may be kept after the callback returns, except the articles, which are
// immutable.
type View struct {
	Locale    string
	Bleve     bleve.Index
	Stats     *Stats
	Analyzers Analyzers
	Synonyms  []Synonym
	// SynonymStarts lists, by the first question term of a triggering
	// phrase, the rules and phrases that may match there.
	SynonymStarts map[string][]SynonymRef
	// SynonymWords are the folded words that trigger a synonym rule.
	SynonymWords map[string]bool
	articles     map[string]*content.Article
	cats         *catTables
}

// Article returns a published article by id.
func (v *View) Article(id string) (*content.Article, bool) {
	a, ok := v.articles[id]
	return a, ok
}

// ArticleByID returns a published article by id given as bytes (a
// document's id as the index holds it), without copying them.
func (v *View) ArticleByID(id []byte) (*content.Article, bool) {
	a, ok := v.articles[string(id)]
	return a, ok
}

// Articles returns the number of published articles.
func (v *View) Articles() int { return len(v.articles) }

// Each calls fn for every published article, in no particular order.
func (v *View) Each(fn func(*content.Article)) {
	for _, a := range v.articles {
		fn(a)
	}
}

// Name is the locale code.
func (l *Locale) Name() string { return l.name }

// Analyzers are the locale's analyzers.
func (l *Locale) Analyzers() Analyzers { return l.analyzers }

// Read runs fn with a consistent view of the locale.
func (l *Locale) Read(fn func(v *View) error) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	return fn(&View{Locale: l.name, Bleve: l.bl, Stats: l.stats, Analyzers: l.analyzers, Synonyms: l.synonyms.rules, SynonymStarts: l.synonyms.starts, SynonymWords: l.synonyms.words, articles: l.articles, cats: &l.cats})
}

func bleveDoc(a *content.Article) map[string]any {
	texts := fieldTexts(a)
	doc := map[string]any{
		"_type":         DocType,
		FieldSuggest:    texts[0] + "\n" + texts[1], // title and aliases
		FieldID:         a.ID,
		FieldCategory:   a.Category,
		FieldVisibility: string(a.Visibility),
	}
	for i, f := range statsFields {
		doc[f] = texts[i]
	}
	return doc
}

// buildBatch is how many articles go to Bleve in one batch. Until a batch
// is applied its articles' captured statistics wait beside it
// (capturingAnalyzer): at 2,000 a 10,000-article build peaked at 371–386
// MB against 301–309 before the capture; at 1,000 it peaks at 266–287 MB and
// still builds faster than before it (BenchmarkIndexBuild10k, interleaved,
// 2026-12-08: 4.03 / 4.54 / 4.10 s a build against 4.27 / 5.27 / 4.74).
const buildBatch = 1000

// capturedDoc is a's Bleve document as the mapping makes it (bleveDoc),
// its counted fields analysed by a capturingAnalyzer that fills at. It goes
// to Bleve by Batch.IndexAdvanced, which is Batch.Index without the mapping
// and the index-start event (that only feeds scorch's event callbacks, and
// none is registered here).
func capturedDoc(im mapping.IndexMapping, an Analyzers, a *content.Article) (*document.Document, *articleTerms, error) {
	doc := document.NewDocument(a.ID)
	if err := im.MapDocument(doc, bleveDoc(a)); err != nil {
		return nil, nil, err
	}
	at := newArticleTerms()
	for i, f := range doc.Fields {
		tf, ok := f.(*document.TextField)
		if !ok {
			continue
		}
		if n := statsField(tf.Name()); n >= 0 {
			doc.Fields[i] = document.NewTextFieldCustom(tf.Name(), tf.ArrayPositions(), tf.Value(), tf.Options(),
				capturingAnalyzer{an: an.ForField(tf.Name()), field: n, at: at})
		}
	}
	return doc, at, nil
}

// capturingAnalyzer analyses one article's field for Bleve as the field's
// analyzer does and adds the field's statistics from the same tokens, so a
// build segments each field once: the statistics analysing every field
// again were ~30 % of a 10,000-article build's processor
// (BenchmarkIndexBuild10k, 8.5 s of processor a build on 2 cores, 2026-12-08).
// Bleve analyses a document on one of its workers, so at is written by one
// goroutine; it is read once the batch holding it has been applied.
type capturingAnalyzer struct {
	an    analysis.Analyzer
	field int // in statsFields
	at    *articleTerms
}

func (c capturingAnalyzer) Analyze(input []byte) analysis.TokenStream {
	toks, lower := analyseAndLower(c.an, input)
	c.at.addField(c.field, toks, lower)
	return toks
}

// buildLocale creates a fresh on-disk index for one locale's articles in dir,
// merged down to one segment.
// progress, when not nil, is told of every batch of articles indexed.
func buildLocale(ctx context.Context, name, dir string, articles []*content.Article, rules []content.SynonymRule, progress func(n int)) (*Locale, error) {
	if progress == nil {
		progress = func(int) {}
	}
	im, err := NewMapping(name)
	if err != nil {
		return nil, err
	}
	an, err := analyzersOf(im, name)
	if err != nil {
		return nil, err
	}
	// Batches stay safe (each waits until persisted): a reused index must hold
	// every acknowledged update, and the cost is a few fsyncs per build.
	bl, err := segment.New(dir, im, map[string]any{"bolt_timeout": "2s"})
	if err != nil {
		return nil, fmt.Errorf("index: create %s: %w", dir, err)
	}
	l := &Locale{name: name, analyzers: an, bl: bl, path: dir, stats: newStats(), articles: map[string]*content.Article{}}
	// The statistics are counted beside Bleve's batches, in article order,
	// by one goroutine, from the terms Bleve's own analysis of the batch
	// captured (capturingAnalyzer): each field is segmented once.
	type counted struct {
		a  *content.Article
		at *articleTerms
	}
	feed := make(chan []counted, 2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range feed {
			for _, c := range batch {
				l.stats.addTerms(c.a, c.at, +1)
			}
		}
	}()
	fail := func(err error) (*Locale, error) {
		close(feed)
		<-done
		_ = bl.Close()
		return nil, err
	}
	b := bl.NewBatch()
	var pending []counted
	flush := func() error {
		if err := bl.Batch(b); err != nil {
			return fmt.Errorf("index: batch: %w", err)
		}
		progress(b.Size())
		b.Reset()
		feed <- pending // analysed: the captured terms are complete
		pending = nil
		return nil
	}
	for _, a := range articles {
		if a.Draft {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		doc, at, err := capturedDoc(im, an, a)
		if err == nil {
			err = b.IndexAdvanced(doc)
		}
		if err != nil {
			return fail(fmt.Errorf("index: %s: %w", a.Path, err))
		}
		l.articles[a.ID] = a
		pending = append(pending, counted{a, at})
		if b.Size() >= buildBatch {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if b.Size() > 0 {
		if err := flush(); err != nil {
			return fail(err)
		}
	}
	if err := segment.ForceMerge(ctx, bl); err != nil {
		return fail(err)
	}
	close(feed)
	<-done
	if err := l.stats.rebuildFST(); err != nil {
		_ = bl.Close()
		return nil, fmt.Errorf("index: vocabulary: %w", err)
	}
	l.synonyms = compileSynonyms(an, rules)
	return l, nil
}

// openLocale reopens an index built earlier from exactly these articles and
// reads it once through. The index is a cache: damaged files make Bleve,
// zap or bbolt panic as often as fail (random bytes in a segment:
// "makeslice: len out of range"; a truncated root.bolt: "invalid freelist
// page"), so a panic here is an error like any other, and the caller
// rebuilds.
//
// bbolt and zap read their files through mmap, and a file cut short faults
// rather than fails: bbolt reads a truncated root.bolt's freelist page past
// the end of the file (SIGSEGV, "unexpected fault address", which kills the
// process: one start in ~25 of the corruption test did). SetPanicOnFault
// turns such a fault on this goroutine into a panic that the recover below
// catches. What bbolt opened before it faulted (one descriptor, one mapping)
// stays open until exit; the folder is moved aside and rebuilt all the same.
func openLocale(name, dir string, articles []*content.Article, rules []content.SynonymRule) (l *Locale, err error) {
	var bl bleve.Index
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if bl != nil {
				func() { defer func() { _ = recover() }(); _ = bl.Close() }()
			}
			l, err = nil, fmt.Errorf("index: open %s: panic: %v", dir, r)
		}
	}()
	if err := segment.VerifyFiles(dir); err != nil {
		return nil, fmt.Errorf("index: open %s: %w", dir, err)
	}
	l, err = openLocaleUnsafe(name, dir, articles, rules, &bl)
	if err == nil {
		err = validate(l.bl)
		if err != nil {
			_ = l.bl.Close()
			l = nil
		}
	}
	return l, err
}

// validate reads every stored document and runs a query over every
// indexed field, so that damage shows here rather than in a request.
func validate(bl bleve.Index) error {
	n, err := bl.DocCount()
	if err != nil {
		return fmt.Errorf("index: validate: %w", err)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(min(n, 10000)), 0, false)
	req.Fields = []string{"*"}
	res, err := bl.Search(req)
	if err != nil {
		return fmt.Errorf("index: validate: %w", err)
	}
	if res.Total != n {
		return fmt.Errorf("index: validate: match-all finds %d of %d documents", res.Total, n)
	}
	for _, f := range []string{FieldTitle, FieldBody, FieldSuggest} {
		q := bleve.NewMatchQuery("the order refund")
		q.SetField(f)
		if _, err := bl.Search(bleve.NewSearchRequest(q)); err != nil {
			return fmt.Errorf("index: validate %s: %w", f, err)
		}
	}
	for _, id := range res.Hits {
		if _, err := bl.Document(id.ID); err != nil {
			return fmt.Errorf("index: validate: document %s: %w", id.ID, err)
		}
	}
	return nil
}

func openLocaleUnsafe(name, dir string, articles []*content.Article, rules []content.SynonymRule, opened *bleve.Index) (*Locale, error) {
	if err := registerStemmer(); err != nil {
		return nil, fmt.Errorf("index: register %s: %w", EnglishStemmerName, err)
	}
	bl, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": "2s"})
	if err != nil {
		return nil, err
	}
	*opened = bl
	im, ok := bl.Mapping().(*mapping.IndexMappingImpl)
	if !ok {
		_ = bl.Close()
		return nil, fmt.Errorf("index: %s has an unexpected mapping type", dir)
	}
	an, err := analyzersOf(im, name)
	if err != nil {
		_ = bl.Close()
		return nil, err
	}
	l := &Locale{name: name, analyzers: an, bl: bl, path: dir, stats: newStats(), articles: map[string]*content.Article{}}
	for _, a := range articles {
		if a.Draft {
			continue
		}
		l.articles[a.ID] = a
		l.stats.add(an, a, +1)
	}
	n, err := bl.DocCount()
	if err != nil || int(n) != len(l.articles) {
		_ = bl.Close()
		return nil, fmt.Errorf("index: %s holds %d documents, want %d", dir, n, len(l.articles))
	}
	if err := l.stats.rebuildFST(); err != nil {
		_ = bl.Close()
		return nil, err
	}
	l.synonyms = compileSynonyms(an, rules)
	return l, nil
}

// apply updates the live index with upserted and removed articles in one
// Bleve batch, with the statistics. Searches never wait on it: the new
// articles, statistics and vocabulary are built aside, Bleve indexes the
// batch while searches go on reading its current snapshot, and the write
// lock is held only to swap the three in. For the moment between Bleve
// taking the batch and the swap, a search may see the new documents with
// the old articles: a hit on an article not yet in the map is skipped, as a
// draft's would be. Only the reload (under Index.reloadMu) writes a Locale,
// so reading its fields here without the lock is safe.
func (l *Locale) apply(upserts []*content.Article, removes []string, rules []content.SynonymRule, rulesChanged bool) error {
	b := l.bl.NewBatch()
	type change struct{ old, new *content.Article }
	var changes []change
	for _, a := range upserts {
		old := l.articles[a.ID]
		if a.Draft {
			if old != nil {
				b.Delete(a.ID)
				changes = append(changes, change{old, nil})
			}
			continue
		}
		if err := b.Index(a.ID, bleveDoc(a)); err != nil {
			return fmt.Errorf("index: %s: %w", a.Path, err)
		}
		changes = append(changes, change{old, a})
	}
	for _, id := range removes {
		if old := l.articles[id]; old != nil {
			b.Delete(id)
			changes = append(changes, change{old, nil})
		}
	}
	articles, stats, synonyms := l.articles, l.stats, l.synonyms
	if len(changes) > 0 {
		articles, stats = maps.Clone(l.articles), l.stats.clone()
		for _, c := range changes {
			if c.old != nil {
				stats.add(l.analyzers, c.old, -1)
				delete(articles, c.old.ID)
			}
			if c.new != nil {
				stats.add(l.analyzers, c.new, +1)
				articles[c.new.ID] = c.new
			}
		}
		if err := stats.rebuildFST(); err != nil {
			return fmt.Errorf("index: vocabulary: %w", err)
		}
	}
	if rulesChanged {
		synonyms = compileSynonyms(l.analyzers, rules)
	}
	if b.Size() > 0 {
		if err := l.bl.Batch(b); err != nil {
			return fmt.Errorf("index: batch: %w", err)
		}
	}
	l.mu.Lock()
	l.articles, l.stats, l.synonyms = articles, stats, synonyms
	l.mu.Unlock()
	return nil
}

// close waits for readers, closes the Bleve index and, when remove is set,
// deletes its directory.
func (l *Locale) close(remove bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	err := l.bl.Close()
	if remove {
		if rerr := os.RemoveAll(l.path); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// DocCount is the number of published articles.
func (l *Locale) DocCount() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.articles)
}

// DiskBytes is the size of the index directory.
func (l *Locale) DiskBytes() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return 0
	}
	st, _ := l.bl.StatsMap()["index"].(map[string]any)
	n, _ := st["num_bytes_used_disk"].(uint64)
	return int64(n)
}
