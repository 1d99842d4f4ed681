package search

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

// artTerms is an article analysed the way the index analysed it, kept in a
// cache so that reranking, snippets and reasons do not analyse the same
// article again on every request. The cache holds every article of a
// 10,000-article corpus, and the collector marks it on every cycle, so an
// entry holds its terms packed, a handful of pointers in all: one string of
// every term one after another (buf), where each ends (ends), and where
// each list of terms ends (lists). As strings and slices of strings they
// were some 60 pointers an article (~460,000 at 10,000), the largest part of
// what the collector had to scan in the engine's caches (README Benchmarks).
type artTerms struct {
	buf  string   // the terms, one after another
	ends []uint32 // term i is buf[ends[i-1]:ends[i]] (from 0 for the first)
	// lists[j] is where list j ends, in terms: the question-analyzer terms
	// (distinct) of the title (list 0) and of each alias (nq lists in
	// all), of each tag (nt lists), then the body-analyzer terms (no stop
	// words, distinct) of the title and of each alias (the cores). The
	// terms after the last list are the headings' body-analyzer terms,
	// distinct and sorted.
	lists  []uint32
	nq, nt int

	bodyOnce sync.Once
	body     []span // body tokens with their offsets in the article text

	weights atomic.Pointer[termWeights] // of the index statistics used last
}

// term is the article's i-th term.
func (at *artTerms) term(i int) string {
	from := uint32(0)
	if i > 0 {
		from = at.ends[i-1]
	}
	return at.buf[from:at.ends[i]]
}

// list is the range of terms of list j.
func (at *artTerms) list(j int) (from, to int) {
	if j > 0 {
		from = int(at.lists[j-1])
	}
	return from, int(at.lists[j])
}

// within reports whether t is among the terms from..to-1.
func (at *artTerms) within(from, to int, t string) bool {
	for i := from; i < to; i++ {
		if at.term(i) == t {
			return true
		}
	}
	return false
}

// lists from..to-1, as a range of terms.
func (at *artTerms) listsRange(from, to int) (int, int) {
	if from >= to {
		return 0, 0
	}
	a, _ := at.list(from)
	_, b := at.list(to - 1)
	return a, b
}

// inTitle, inAliases, inTags and inHeadings report whether a field of the
// article has term t (as its analyzer gives it); inShort, whether the
// title, an alias or a tag has.
func (at *artTerms) inTitle(t string) bool { return at.within(0, int(at.lists[0]), t) }

func (at *artTerms) inAliases(t string) bool {
	from, to := at.listsRange(1, at.nq)
	return at.within(from, to, t)
}

func (at *artTerms) inTags(t string) bool {
	from, to := at.listsRange(at.nq, at.nq+at.nt)
	return at.within(from, to, t)
}

func (at *artTerms) inShort(t string) bool {
	from, to := at.listsRange(0, at.nq+at.nt)
	return at.within(from, to, t)
}

func (at *artTerms) inHeadings(t string) bool {
	from, to := int(at.lists[len(at.lists)-1]), len(at.ends)
	i := sort.Search(to-from, func(i int) bool { return at.term(from+i) >= t })
	return from+i < to && at.term(from+i) == t
}

// allIn reports whether every term of list j is in set.
func (at *artTerms) allIn(j int, set map[string]bool) bool {
	from, to := at.list(j)
	for i := from; i < to; i++ {
		if !set[at.term(i)] {
			return false
		}
	}
	return true
}

// has reports whether the text field f of the article has term t (the
// body is not kept here: false).
func (at *artTerms) has(f, t string) bool {
	switch f {
	case index.FieldTitle:
		return at.inTitle(t)
	case index.FieldAliases:
		return at.inAliases(t)
	case index.FieldTags:
		return at.inTags(t)
	case index.FieldHeadings:
		return at.inHeadings(t)
	}
	return false
}

// termWeights are the idf of each term of an article's questions and tags
// under one index's statistics (ws, by term: the terms of the first nq+nt
// lists), and their sums (by list): what the rerank's shares are measured
// in.
type termWeights struct {
	stats *index.Stats
	gen   uint64
	ws    []float64
	tots  []float64
}

// idf is the rerank's weight of a term: BM25's idf.
func idf(st *index.Stats, t string) float64 {
	return bm25IDF(float64(st.Docs), float64(st.DocFreq(t)))
}

// termWeights returns the weights of the article's terms under st,
// computing them again when the statistics changed.
func (at *artTerms) termWeights(st *index.Stats) *termWeights {
	if w := at.weights.Load(); w != nil && w.stats == st && w.gen == st.Generation() {
		return w
	}
	k := at.nq + at.nt
	_, n := at.listsRange(0, k)
	// one array for both: a cached article's weights were three objects
	arr := make([]float64, n+k)
	w := &termWeights{stats: st, gen: st.Generation(), ws: arr[:n:n], tots: arr[n:]}
	for j := range k {
		from, to := at.list(j)
		for i := from; i < to; i++ {
			w.ws[i] = idf(st, at.term(i))
			w.tots[j] += w.ws[i]
		}
	}
	at.weights.Store(w)
	return w
}

// span is one body token.
type span struct {
	term       string
	start, end int
}

// appendDistinct appends to out the terms an gives s that are not already
// in out[from:], in order of first appearance; through wm (windowTerms) when
// it is not nil.
func appendDistinct(an analysis.Analyzer, wm *windowMemo, s string, out []string, from int) []string {
	n := len(out)
	if wm != nil {
		out = windowTerms(an, wm, s, out)
	} else {
		for _, t := range an.Analyze([]byte(s)) {
			out = append(out, string(t.Term))
		}
	}
	// a title's few terms: a quadratic look is cheaper than a map
	for i := n; i < len(out); i++ {
		if !slices.Contains(out[from:n], out[i]) {
			out[n] = out[i]
			n++
		}
	}
	return out[:n]
}

// newArtTerms analyses a's title, aliases, tags and headings, through the
// window memos of the question analyzer (qm) and of the body analyzer (bm)
// where they are not nil.
func newArtTerms(an index.Analyzers, qm, bm *windowMemo, a *content.Article) *artTerms {
	lists := 1 + len(a.Aliases) + len(a.Tags) + 1 + len(a.Aliases)
	all := make([]string, 0, 8*lists+32)
	ends := make([]int, 0, lists+1)
	add := func(az analysis.Analyzer, wm *windowMemo, s string) {
		from := 0
		if len(ends) > 0 {
			from = ends[len(ends)-1]
		}
		all = appendDistinct(az, wm, s, all, from)
		ends = append(ends, len(all))
	}
	add(an.Question, qm, a.Title)
	for _, s := range a.Aliases {
		add(an.Question, qm, s)
	}
	for _, s := range a.Tags {
		add(an.Question, qm, s)
	}
	// the words of substance of the title and of each alias
	add(an.Body, bm, a.Title)
	for _, s := range a.Aliases {
		add(an.Body, bm, s)
	}
	h0 := len(all)
	if hs := strings.Join(a.Headings, "\n"); bm != nil {
		all = windowTerms(an.Body, bm, hs, all)
	} else {
		for _, t := range an.Body.Analyze([]byte(hs)) {
			all = append(all, string(t.Term))
		}
	}
	slices.Sort(all[h0:])
	all = all[:h0+len(slices.Compact(all[h0:]))]
	// packed: one string, and one array for the ends and the lists
	size := 0
	for _, t := range all {
		size += len(t)
	}
	var buf strings.Builder
	buf.Grow(size)
	arr := make([]uint32, len(all)+len(ends))
	at := &artTerms{ends: arr[:len(all):len(all)], lists: arr[len(all):], nq: 1 + len(a.Aliases), nt: len(a.Tags)}
	for i, t := range all {
		buf.WriteString(t)
		at.ends[i] = uint32(buf.Len())
	}
	for j, end := range ends {
		at.lists[j] = uint32(end)
	}
	at.buf = buf.String()
	return at
}

// bodySpans returns the article's body tokens, analysing the body once
// (bodyMatches: for analyzers scanBody cannot stand in for).
func (at *artTerms) bodySpans(an index.Analyzers, a *content.Article) []span {
	at.bodyOnce.Do(func() {
		toks := an.Body.Analyze([]byte(a.Text))
		at.body = make([]span, len(toks))
		for i, t := range toks {
			at.body[i] = span{string(t.Term), t.Start, t.End}
		}
	})
	return at.body
}

// artCache keeps the analysed terms of recently returned articles. Articles
// are immutable and replaced on every change, so the pointer is the key; two
// generations bound the size (an entry not used for a generation is dropped).
type artCache struct {
	terms *generations[*content.Article, *artTerms]
	mu    sync.Mutex
	memo  map[string]localeMemo              // by locale: window memos
	first *generations[analysedWord, string] // see firstTerm
}

// artCacheSize is the articles in one generation of the article cache: with
// two, every article of a 10,000-article corpus stays (each some 1.5 KB).
// At 2,048 most hits of the never-repeating stream missed it, and analysing
// an article's short fields was a sixth of a search's CPU.
const artCacheSize = 8192

func newArtCache(size int) *artCache {
	one := func(*artTerms) int { return 1 }
	return &artCache{terms: newGenerations[*content.Article](size, one), memo: map[string]localeMemo{},
		first: newGenerations[analysedWord](firstTermsSize, func(string) int { return 1 })}
}

// analysedWord is a query's word and the analyzer it goes through.
type analysedWord struct {
	an   analysis.Analyzer
	word string
}

// firstTermsSize is the words in one generation of firstTerm's memo.
const firstTermsSize = 1 << 14

// firstTerm is the first term an makes of a query's word (its question or
// body term: "" for a stop word), remembered: a query's words repeat from
// one question to the next, and Bleve's analysis of one word alone made
// some 300 bytes of token arrays (with two analyzers per word, a tenth of a
// search's garbage). Bleve's analysis depends on the text only, so the
// remembered term is the analysis.
func (c *artCache) firstTerm(an analysis.Analyzer, w string) string {
	if len(w) > windowMemoLen {
		return first(analyseTerms(an, w))
	}
	t, _ := c.first.get(analysedWord{an, w}, func() (string, error) {
		return first(analyseTerms(an, w)), nil
	})
	return t
}

// windows returns the window memo of v's locale when its body analyzer is
// one scanBody can stand in for (scannable), else nil.
func (c *artCache) windows(v *index.View) *windowMemo {
	return c.memos(v.Locale, v.Analyzers).wm
}

// memos returns a locale's window memos. A locale whose index was rebuilt
// with other analyzers gets new ones.
func (c *artCache) memos(locale string, an index.Analyzers) localeMemo {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.memo[locale]
	if !ok || m.an != an.Body || m.qan != an.Question {
		m = localeMemo{an: an.Body, qan: an.Question}
		if scannable(an.Body) {
			m.wm = newWindowMemo()
		}
		if perToken(an.Question) {
			m.qm = newWindowMemo()
		}
		c.memo[locale] = m
	}
	return m
}

// localeMemo is a locale's window memos and the analyzers they are for: of
// the body analyzer when it is scannable (wm: scanBody's, also the
// headings' and the cores' in newArtTerms), of the question analyzer when
// it analyses token by token (qm: titles, aliases and tags), else nil.
type localeMemo struct {
	an, qan analysis.Analyzer
	wm, qm  *windowMemo
}

func (c *artCache) get(an index.Analyzers, a *content.Article) *artTerms {
	at, _ := c.terms.get(a, func() (*artTerms, error) {
		m := c.memos(a.Locale, an)
		return newArtTerms(an, m.qm, m.wm, a), nil
	})
	return at
}

// signals are what the rerank measured about one hit.
type signals struct {
	bleve    float64 // Bleve's score divided by the best hit's
	question float64 // best share of one title or alias covered
	title    float64 // share of the title covered
	cover    float64 // share of the query's words found in title, aliases or tags
	tag      float64 // best share of one tag covered
}

// rerank re-scores the first hits by how well the article's own questions
// (title, aliases, tags: the editors' phrasings of what it answers) match the
// query, added to Bleve's score normalised to the best hit:
//
//   - question: the best share of one title or alias that the query covers
//     (each term weighted by its idf), so "Refund policy" fully covered
//     beats a long alias that shares one word;
//   - title: the same for the title alone;
//   - coverage: the share of the query's words found anywhere in the title,
//     aliases and tags (a synonym counts at the synonym weight);
//   - tag: the best share of one tag that the query covers.
func (e *Engine) rerank(v *index.View, p *plan, all []*docHit, depth int) {
	e.rerankSignals(v, p, all, depth, nil)
}

// rerankSignals is rerank; when sig is not nil, it also receives each
// reranked hit's signals by id (deflection turns them into a confidence).
func (e *Engine) rerankSignals(v *index.View, p *plan, all []*docHit, depth int, sig map[string]signals) {
	o := e.opts
	if len(all) == 0 {
		return
	}
	// Every score is divided by the best: the hits below the depth keep
	// their order and stay below the reranked ones.
	maxScore := all[0].Score
	for _, h := range all {
		maxScore = max(maxScore, h.Score)
	}
	if maxScore <= 0 {
		return
	}
	for _, h := range all {
		h.Score /= maxScore
	}
	hits := all[:min(len(all), depth)]
	if len(hits) < 2 && sig == nil {
		return
	}
	// The query: each word's weight, and which terms (its own or a
	// synonym's) stand for it.
	rr := &p.rerank // the plan's scratch: these were half a deflection's rerank garbage
	if rr.qterm == nil {
		rr.qterm = map[string]bool{}
	}
	clear(rr.qterm)
	qterm := rr.qterm
	slotOf := append(rr.slotOf[:0], make([]int, len(p.groups))...)
	wweight := rr.wweight[:0]
	defer func() { rr.slotOf, rr.wweight = slotOf, wweight }()
	for gi, g := range p.groups {
		for _, t := range g.question {
			qterm[t] = true
		}
		if g.synonym != nil {
			slotOf[gi] = -1
			if g.src >= 0 {
				slotOf[gi] = slotOf[g.src]
			}
			continue
		}
		// A word no article contains (an order number, a typo that
		// could not be corrected) cannot be covered by any: it counts
		// for none.
		var w float64
		for _, t := range g.question {
			if v.Stats.DocFreq(t) > 0 {
				w += idf(v.Stats, t)
			}
		}
		slotOf[gi] = len(wweight)
		wweight = append(wweight, w*g.weight)
	}
	var qtotal float64
	for _, w := range wweight {
		qtotal += w
	}
	if qtotal == 0 {
		return
	}
	// share of a question (title, alias or tag: list j of at) that the
	// query covers, given its terms' weights and their sum
	share := func(at *artTerms, tw *termWeights, j int) float64 {
		var hit float64
		from, to := at.list(j)
		for i := from; i < to; i++ {
			if qterm[at.term(i)] {
				hit += tw.ws[i]
			}
		}
		if tw.tots[j] == 0 {
			return 0
		}
		return hit / tw.tots[j]
	}
	covered := append(rr.covered[:0], make([]float64, len(wweight))...)
	defer func() { rr.covered = covered }()
	for _, h := range hits {
		a, ok := v.Article(h.ID)
		if !ok {
			continue
		}
		at := e.cache.get(v.Analyzers, a)
		tw := at.termWeights(v.Stats)
		var best, title, tag float64
		for j := range at.nq {
			s := share(at, tw, j)
			best = max(best, s)
			if j == 0 {
				title = s
			}
		}
		for j := at.nq; j < at.nq+at.nt; j++ {
			tag = max(tag, share(at, tw, j))
		}
		clear(covered)
		for gi, g := range p.groups {
			k := slotOf[gi]
			if k < 0 || len(g.question) == 0 {
				continue
			}
			found := true
			for _, t := range g.question {
				if !at.inShort(t) {
					found = false
					break
				}
			}
			if found {
				c := 1.0
				if g.synonym != nil {
					c = o.SynonymWeight
				}
				covered[k] = max(covered[k], c)
			}
		}
		var cov float64
		for k, c := range covered {
			cov += c * wweight[k]
		}
		cov /= qtotal
		if sig != nil {
			sig[h.ID] = signals{bleve: h.Score, question: best, title: title, cover: cov, tag: tag}
		}
		h.Score += o.QuestionWeight*best + o.TitleWeight*title + o.CoverageWeight*cov + o.TagWeight*tag
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
}

// boostExact adds weight to the score of each of the first depth hits
// whose title or an alias says exactly what the query says, stop words
// and words of asking aside ("cancel order" for "How do I cancel my
// order?"), and sorts them again.
func (e *Engine) boostExact(v *index.View, p *plan, hits []*docHit, depth int, weight float64) {
	if weight == 0 {
		return
	}
	core := map[string]bool{}
	for _, g := range p.groups {
		if g.synonym != nil || g.stop || g.word == nil || g.word.body == "" || fillerWords[v.Locale][g.word.word] {
			continue
		}
		core[g.word.body] = true
	}
	if len(core) == 0 {
		return
	}
	hits = hits[:min(len(hits), depth)]
	boosted := false
	for _, h := range hits {
		a, ok := v.Article(h.ID)
		if !ok {
			continue
		}
		at := e.cache.get(v.Analyzers, a)
		for j := at.nq + at.nt; j < len(at.lists); j++ {
			if from, to := at.list(j); to-from == len(core) && at.allIn(j, core) {
				h.Score += weight
				boosted = true
				break
			}
		}
	}
	if boosted {
		sort.SliceStable(hits, func(i, j int) bool {
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].ID < hits[j].ID
		})
	}
}
