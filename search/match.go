package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// matchQuery is the whole of a help-centre search as one Bleve query: the
// driving clauses (a document must match one), the score-only clauses of
// common words, the excluded visibilities and the category filter. It scores
// exactly as the Bleve query it stands for (see bleveQuery):
//
//	Boolean{Must: Disjunction(drive), Should: Disjunction(common),
//	        MustNot: Disjunction(not), Filter: category}
//
// BM25 per term, the sum of a disjunction's matching clauses times the share
// of its clauses that match, one query norm over the driving and common
// clauses, but it runs term at a time: each clause's postings are read once,
// straight into per-document sums, instead of through Bleve's searcher tree,
// which steps every clause document by document (a heap or a slice of
// searchers comparing byte-string ids, a pooled match per posting, an
// Advance of every common clause for every candidate). At 10,000 articles
// that tree was three quarters of a search's CPU. The matches are then
// sorted and paged as Bleve's collector does it (hitList.collect: ties the
// lower document first), which segment.Query(q), the Bleve query it stands
// for, checks in the tests.
type matchQuery struct {
	cache  *postingsCache // may be nil
	drive  []clause
	common []clause // terms only
	// clauses is the pooled array drive and common are views of (release)
	clauses *[]clause
	// not are terms of notField whose documents are excluded; a non-empty
	// filter keeps only the documents with that term in filterField.
	notField    string
	not         []string
	filterField string
	filter      string

	// top, when set, is how many of the best matches the collector gets
	// (the page's size plus its offset): the others are only counted,
	// into total and, when set, facets.
	top    int
	facets *index.CategoryCounter
	total  int // set by Match: every match

	// stopRule: a document matched by stop-word clauses alone is no
	// match (not counted in total); with keepStop it still goes to the
	// collector (the rerank decides: see Engine.dropStopOnly), and
	// stopDocs lists those handed over.
	stopRule, keepStop bool
	stopDocs           map[uint32]bool

	// familyTie is what a synonym family's members other than the best
	// add (see addUnit).
	familyTie float64

	// mem is Match's working memory, the matches it returned among it,
	// until release.
	mem *matchMem
}

// matchMem is what Match works in: the leaves and clauses it opens, its
// selections of the best matches and the list it returns. It is pooled
// (some 3 KB a search: a search made it anew, a leaf and a slice at a time)
// and belongs to one query from its Match to its release.
type matchMem struct {
	fs           fieldStats
	opened       []opened
	leafRefs     []*leaf // the one-leaf clauses' leaves, and a prefix's
	terms        []string
	seen         map[string]bool
	done         map[int]bool
	sel, stopSel selection
	merged       []segment.Match
}

var matchMems = sync.Pool{New: func() any {
	return &matchMem{fs: fieldStats{avgLen: map[string]float64{}}, seen: map[string]bool{}, done: map[int]bool{}}
}}

// memory returns q's working memory, taken from the pool on first use.
func (q *matchQuery) memory() *matchMem {
	if q.mem == nil {
		q.mem = matchMems.Get().(*matchMem)
	}
	return q.mem
}

// releaseMem gives q's working memory back: nothing Match returned may be
// used after. What it held (posting lists, readers, the snapshot) is let go.
func (q *matchQuery) releaseMem() {
	m := q.mem
	if m == nil {
		return
	}
	q.mem = nil
	m.fs.drop()
	clear(m.opened[:cap(m.opened)])
	clear(m.leafRefs[:cap(m.leafRefs)])
	clear(m.terms[:cap(m.terms)])
	m.opened, m.leafRefs, m.terms = m.opened[:0], m.leafRefs[:0], m.terms[:0]
	clear(m.seen)
	clear(m.done)
	m.sel.top, m.stopSel.top, m.merged = m.sel.top[:0], m.stopSel.top[:0], m.merged[:0]
	if cap(m.sel.top)+cap(m.stopSel.top)+cap(m.merged) > 4096 || m.fs.leaves.blocks() > 8 {
		return // a rare huge query's memory is not kept
	}
	matchMems.Put(m)
}

// clauses counts cs as the coordination does: a unit once.
func clauses(cs []clause) int {
	n := len(cs)
	seen := map[int]bool{}
	for _, c := range cs {
		if c.unit != 0 {
			if seen[c.unit] {
				n--
			}
			seen[c.unit] = true
		}
	}
	return n
}

// unitLeaves returns the leaves of the clauses of cs[i]'s unit.
func unitLeaves(cs []clause, os []opened, i int) []*leaf {
	var out []*leaf
	for j := i; j < len(cs); j++ {
		if cs[j].unit == cs[i].unit {
			out = append(out, os[j].leaves[0])
		}
	}
	return out
}

// clause is a term (or, with prefix set, every term starting with it) in one
// field, with its boost.
type clause struct {
	field  string
	term   string
	prefix bool
	boost  float64
	// stop: a stop word's clause (see matchQuery.Match).
	stop bool
	// unit, when not 0, is the clause's multi-word synonym phrase in
	// its field (a document matches it when it has every one of its
	// terms there), or with dismax its synonym family (the best member
	// counts most); a unit counts as one clause (addUnit).
	unit   int
	dismax bool
}

// tooManyTerms is Bleve's limit on the terms a prefix expands to (its
// message word for word).
func tooManyTerms(field string, n int) error {
	return &tooManyTermsError{field: field, n: n, max: segment.MaxClauses()}
}

// tooManyTermsError is tooManyTerms' error: a property of the prefix and
// the snapshot, so the prefix cache keeps it like an expansion.
type tooManyTermsError struct {
	field  string
	n, max int
}

func (e *tooManyTermsError) Error() string {
	return fmt.Sprintf("TooManyClauses over field: `%s` [%d > maxClauseCount, which is set to %d]", e.field, e.n, e.max)
}

// leaf is one term's posting list with its query weight: cached, or read
// from the index.
type leaf struct {
	pl     *postingList
	r      *segment.Postings
	idf    float64
	avgLen float64 // 0: tf-idf scoring
	weight float64 // boost × idf × query norm, once the norm is known
	boost  float64
}

// bm25 is a posting's score, as scorer.TermQueryScorer computes it.
func (l *leaf) score(freq uint64, norm float64) float64 {
	s := segment.TermScore(freq, norm, l.idf, l.avgLen)
	if l.weight != 1.0 {
		s *= l.weight
	}
	return s
}

// fieldStats are what Bleve's term searcher reads for BM25: the number of
// documents and each field's average length (0 for tf-idf scoring).
type fieldStats struct {
	snap   *snapPostings // the snapshot's cached lists; nil: read every list
	ctx    context.Context
	s      *segment.Snapshot
	count  uint64
	avgLen map[string]float64
	leaves slab[leaf] // where open's leaves are made
}

// drop lets go of what fs held (the snapshot, the context, its leaves:
// the blocks are cleared, as they point to posting lists and readers) for
// the pool to keep it.
func (fs *fieldStats) drop() {
	fs.leaves.reset()
	clear(fs.avgLen)
	fs.snap, fs.ctx, fs.s, fs.count = nil, nil, nil, 0
}

// reset readies fs for a search of s, keeping its blocks.
func (fs *fieldStats) reset(ctx context.Context, s *segment.Snapshot) {
	fs.drop()
	fs.ctx, fs.s, fs.count = ctx, s, s.DocCount()
}

func (fs *fieldStats) avg(field string) (float64, error) {
	if a, ok := fs.avgLen[field]; ok {
		return a, nil
	}
	a, err := fs.s.AvgFieldLength(field)
	if err != nil {
		return 0, err
	}
	fs.avgLen[field] = a
	return a, nil
}

// bm25IDF is BM25's idf of a term in df of n documents, as Bleve computes it.
func bm25IDF(n, df float64) float64 { return math.Log(1 + (n-df+0.5)/(df+0.5)) }

// idf is the idf Bleve's term scorer uses: BM25's when avg (the field's
// average length) is set, else tf-idf's.
func (fs *fieldStats) idf(df uint64, avg float64) float64 {
	if avg > 0 {
		return bm25IDF(float64(fs.count), float64(df))
	}
	return 1.0 + math.Log(float64(fs.count)/float64(df+1.0))
}

// open opens one term's postings (with frequencies and norms): the cached
// list when there is one, else a reader.
func (fs *fieldStats) open(term, field string, boost float64) (*leaf, error) {
	avg, err := fs.avg(field)
	if err != nil {
		return nil, err
	}
	l := fs.leaves.alloc(leaf{avgLen: avg, weight: 1, boost: boost})
	if fs.snap != nil {
		l.pl, l.r, err = fs.snap.get(fs.ctx, fs.s, field, term, func(df uint64) float64 { return fs.idf(df, avg) }, avg)
	} else {
		l.r, err = fs.s.Postings(fs.ctx, field, term, true)
	}
	if err != nil {
		return nil, err
	}
	if l.pl != nil {
		l.idf = fs.idf(l.pl.df, avg)
	} else {
		l.idf = fs.idf(l.r.Count(), avg)
	}
	return l, nil
}

// opened is one clause with its leaves: one for a term, one per expanded
// term for a prefix.
type opened struct {
	leaves []*leaf
	prefix bool
}

// open opens the clauses cs into out (which has room for them), their
// leaves listed in m.leafRefs.
func (q *matchQuery) open(m *matchMem, cs []clause, out []opened, sumSq *float64) ([]opened, error) {
	fs := &m.fs
	for _, c := range cs {
		o := opened{prefix: c.prefix}
		from := len(m.leafRefs)
		if c.prefix {
			terms, err := fs.snap.prefixTerms(fs.s, c.field, c.term, m.terms[:0], m.seen)
			m.terms = terms
			if err != nil {
				return out, err
			}
			if len(terms) == 0 || (len(terms) == 1 && terms[0] == c.term) {
				// as Bleve: the prefix alone, as a term
				terms, o.prefix = append(terms[:0], c.term), false
			}
			for _, t := range terms {
				l, err := fs.open(t, c.field, c.boost)
				if err != nil {
					o.leaves = m.leafRefs[from:len(m.leafRefs):len(m.leafRefs)]
					return append(out, o), err
				}
				m.leafRefs = append(m.leafRefs, l)
			}
		} else {
			l, err := fs.open(c.term, c.field, c.boost)
			if err != nil {
				return out, err
			}
			m.leafRefs = append(m.leafRefs, l)
		}
		// (a view capped at its end: appends after it never write into it)
		o.leaves = m.leafRefs[from:len(m.leafRefs):len(m.leafRefs)]
		for _, l := range o.leaves {
			w := l.boost * l.idf
			*sumSq += w * w
		}
		out = append(out, o)
	}
	return out, nil
}

// prefixTerms lists the field's terms that start with prefix, as Bleve's
// prefix searcher does (and with its limit), appended to terms; seen is
// cleared and used.
func prefixTerms(s *segment.Snapshot, field, prefix string, terms []string, seen map[string]bool) ([]string, error) {
	clear(seen)
	err := s.Terms(field, prefix, func(t string) error {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
			if segment.MaxClauses() != 0 && len(terms) > segment.MaxClauses() {
				return tooManyTerms(field, len(terms))
			}
		}
		return nil
	})
	if err != nil {
		return terms, err
	}
	return terms, nil
}

func closeAll(os []opened) {
	for _, o := range os {
		for _, l := range o.leaves {
			if l.r != nil {
				_ = l.r.Close()
			}
		}
	}
}

// Match runs the whole query over snapshot s and returns its matches in
// document order (segment.Matcher).
func (q *matchQuery) Match(ctx context.Context, s *segment.Snapshot) ([]segment.Match, error) {
	m := q.memory()
	fs := &m.fs
	fs.reset(ctx, s)
	m.leafRefs = m.leafRefs[:0]
	if !s.PreSearched() {
		// (statistics from a pre-search over several indexes are not
		// the snapshot's own: its cached scores would not hold)
		fs.snap = q.cache.forSnapshot(s)
	}
	var sumSq float64
	nDrive := len(q.drive)
	m.opened = slices.Grow(m.opened[:0], nDrive+len(q.common))
	drive, err := q.open(m, q.drive, m.opened[:0:nDrive], &sumSq)
	defer func() { closeAll(drive) }()
	if err != nil {
		return nil, err
	}
	common, err := q.open(m, q.common, m.opened[nDrive:nDrive:nDrive+len(q.common)], &sumSq)
	defer func() { closeAll(common) }()
	if err != nil {
		return nil, err
	}
	norm := 1 / math.Sqrt(sumSq)
	for _, os := range [][]opened{drive, common} {
		for _, o := range os {
			for _, l := range o.leaves {
				l.weight = l.boost * l.idf * norm
			}
		}
	}

	sc, err := takeScratch(ctx)
	if err != nil {
		return nil, err
	}
	defer sc.release()
	// The driving clauses: every posting counts.
	done := m.done // units added
	clear(done)
	for i, o := range drive {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sc.stop = q.drive[i].stop
		if u := q.drive[i].unit; u != 0 {
			if !done[u] {
				done[u] = true
				if err := sc.addUnit(unitLeaves(q.drive, drive, i), addDrive, q.drive[i].dismax, q.familyTie); err != nil {
					return nil, err
				}
			}
			continue
		}
		if !o.prefix {
			if err := sc.addTerm(o.leaves[0], addDrive); err != nil {
				return nil, err
			}
			continue
		}
		// A prefix is a disjunction of its terms inside the driving one.
		for _, l := range o.leaves {
			if err := sc.addTerm(l, addInner); err != nil {
				return nil, err
			}
		}
		sc.foldInner(len(o.leaves))
	}
	// The common clauses only add to documents matched already.
	for i, o := range common {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sc.stop = q.common[i].stop
		if u := q.common[i].unit; u != 0 {
			if !done[u] {
				done[u] = true
				if err := sc.addUnit(unitLeaves(q.common, common, i), addCommon, q.common[i].dismax, q.familyTie); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := sc.addTerm(o.leaves[0], addCommon); err != nil {
			return nil, err
		}
	}
	if err := sc.mark(ctx, fs, q.notField, q.not, flagExcluded); err != nil {
		return nil, err
	}
	if q.filter != "" {
		if err := sc.mark(ctx, fs, q.filterField, []string{q.filter}, flagKept); err != nil {
			return nil, err
		}
	}

	// Every match is counted (and its category); when only the best are
	// wanted, only they are kept.
	var docs []segment.Match
	var sel, stopSel *selection
	if q.top > 0 {
		sel = m.sel.reset(q.top)
		if q.stopRule && q.keepStop {
			// the best stop-only matches are kept apart, so that they
			// never push out a match of substance
			stopSel = m.stopSel.reset(q.top)
		}
	}
	if q.facets != nil {
		if err := q.facets.Start(ctx, s); err != nil {
			return nil, err
		}
	}
	nd, nc := float64(clauses(q.drive)), float64(clauses(q.common))
	sc.inOrder()
	q.total = 0
	for _, n := range sc.touched {
		var f uint8
		if int(n) < len(sc.flags) {
			f = sc.flags[n]
		}
		if f&flagExcluded != 0 || (q.filter != "" && f&flagKept == 0) {
			continue
		}
		stopOnly := q.stopRule && !sc.hasSub(n)
		if stopOnly && !q.keepStop {
			continue
		}
		d := sc.drive.at(n)
		score := d.sum * (float64(d.n) / nd)
		if c := sc.common.at(n); c.n > 0 {
			score += c.sum * (float64(c.n) / nc)
		}
		if !stopOnly {
			q.total++
		}
		if q.facets != nil && !stopOnly {
			q.facets.Add(n)
		}
		if stopOnly && stopSel != nil {
			stopSel.offer(segment.Match{Doc: n, Score: score})
		} else if sel != nil {
			sel.offer(segment.Match{Doc: n, Score: score})
		} else {
			docs = append(docs, segment.Match{Doc: n, Score: score})
		}
	}
	if sel != nil {
		docs = sel.inOrder()
		if stopSel != nil && len(stopSel.top) > 0 {
			// Only a stop-only match among the best q.top of all can
			// reach the rerank (whose depth is at most q.top): the
			// others would be dropped (see Engine.dropStopOnly).
			if len(sel.top) == sel.k {
				worst := sel.top[0]
				for _, d := range sel.top[1:] {
					if better(worst, d) {
						worst = d
					}
				}
				stopSel.top = slices.DeleteFunc(stopSel.top, func(d segment.Match) bool { return !better(d, worst) })
			}
			m.merged = mergeInOrder(m.merged[:0], docs, stopSel.inOrder())
			docs = m.merged
		}
	}
	if q.stopRule && q.keepStop {
		for _, d := range docs {
			if !sc.hasSub(d.Doc) {
				if q.stopDocs == nil {
					q.stopDocs = map[uint32]bool{}
				}
				q.stopDocs[d.Doc] = true
			}
		}
	}
	return docs, nil
}

// selection keeps the k best of the documents offered (in document order)
// as Bleve's collector ranks them: by score, ties by the lower document
// number (the earlier collected).
type selection struct {
	k   int
	top []segment.Match // best first
}

// reset empties s to keep the k best, and returns it.
func (s *selection) reset(k int) *selection {
	s.k, s.top = k, s.top[:0]
	if s.top == nil {
		s.top = make([]segment.Match, 0, min(k, 64)+1)
	}
	return s
}

func better(a, b segment.Match) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Doc < b.Doc
}

func (s *selection) offer(d segment.Match) {
	if len(s.top) == s.k && !better(d, s.top[s.k-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(s.top, d, func(x, y segment.Match) int {
		if better(x, y) {
			return -1
		}
		return 1
	})
	s.top = slices.Insert(s.top, i, d)
	if len(s.top) > s.k {
		s.top = s.top[:s.k]
	}
}

// inOrder returns the kept documents in document order.
func (s *selection) inOrder() []segment.Match {
	slices.SortFunc(s.top, func(a, b segment.Match) int { return cmp.Compare(a.Doc, b.Doc) })
	return s.top
}

// mergeInOrder merges two lists in document order, appended to out.
func mergeInOrder(out, a, b []segment.Match) []segment.Match {
	out = slices.Grow(out, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].Doc < b[0].Doc {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// inOrder sorts the touched documents: by a pass over the sums when they
// are many, else by sorting.
func (sc *scratch) inOrder() {
	if len(sc.touched) < 2 {
		return
	}
	if len(sc.touched)*8 < len(sc.drive) {
		slices.Sort(sc.touched)
		return
	}
	sc.touched = sc.touched[:0]
	for n, e := range sc.drive {
		if e.n > 0 {
			sc.touched = append(sc.touched, uint32(n))
		}
	}
}

// Document flags.
const (
	flagExcluded uint8 = 1 << iota
	flagKept
)

// acc is a per-document sum of clause scores and the number of clauses in it.
type acc struct {
	sum float64
	n   uint16
}

// accs are sums by document number.
type accs []acc

func (a accs) at(n uint32) acc {
	if int(n) < len(a) {
		return a[n]
	}
	return acc{}
}

func (a *accs) grow(n uint32) {
	if int(n) >= len(*a) {
		g := make(accs, max(int(n)+1, 2*len(*a), 1024))
		copy(g, *a)
		*a = g
	}
}

// scratch holds one search's per-document sums; it is pooled, and only the
// entries a search touched are cleared after it.
type scratch struct {
	stop                 bool   // the clause being added is a stop word's
	sub                  []bool // by document: matched by a clause of a word of substance
	drive, common, inner accs
	phrase               accs // a unit's sums (see addUnit)
	phraseTouched        []uint32
	phraseMax            []float64
	flags                []uint8
	touched              []uint32 // documents with a driving match
	innerTouched         []uint32
}

// scratches are the scratch spaces, a fixed few: summing is CPU-bound, so
// more searches summing at once than twice the cores would only hold more
// memory (at 100,000 articles a scratch is ~5 MB; with one per request in
// flight, 64 in flight held 300 MB). A search waits for a free one.
var scratches = func() chan *scratch {
	n := max(2, 2*runtime.GOMAXPROCS(0))
	c := make(chan *scratch, n)
	for range n {
		c <- &scratch{}
	}
	return c
}()

func takeScratch(ctx context.Context) (*scratch, error) {
	select {
	case sc := <-scratches:
		return sc, nil // without asking for Done: withDeadline makes a timer for that
	default:
	}
	select {
	case sc := <-scratches:
		return sc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (sc *scratch) release() {
	for _, n := range sc.touched {
		sc.drive[n] = acc{}
		if int(n) < len(sc.sub) {
			sc.sub[n] = false
		}
		if int(n) < len(sc.common) {
			sc.common[n] = acc{}
		}
		if int(n) < len(sc.flags) {
			sc.flags[n] = 0
		}
	}
	for _, n := range sc.innerTouched { // a prefix left half-added by an error
		sc.inner[n] = acc{}
	}
	for _, n := range sc.phraseTouched { // likewise a phrase
		sc.phrase[n] = acc{}
		if int(n) < len(sc.phraseMax) {
			sc.phraseMax[n] = 0
		}
	}
	sc.phraseTouched = sc.phraseTouched[:0]
	sc.touched, sc.innerTouched = sc.touched[:0], sc.innerTouched[:0]
	// a scratch grown for a huge index is not kept
	if len(sc.drive) > 1<<21 {
		sc = &scratch{}
	}
	scratches <- sc
}

// How addTerm adds a term's postings.
type addMode int

const (
	addDrive  addMode = iota // into the driving sums, recording newly matched documents
	addInner                 // into a prefix's own sums (see foldInner)
	addCommon                // into the common sums of documents matched already
)

func (sc *scratch) addTerm(l *leaf, mode addMode) error {
	a := &sc.drive
	switch mode {
	case addInner:
		a = &sc.inner
	case addCommon:
		a = &sc.common
	}
	if l.pl != nil {
		for i, n := range l.pl.docs {
			if mode == addCommon && sc.drive.at(n).n == 0 {
				continue
			}
			s := l.pl.base[i]
			if l.weight != 1.0 {
				s *= l.weight
			}
			sc.add(a, n, s, mode)
		}
		return nil
	}
	for {
		p, ok, err := l.r.Next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if mode == addCommon && sc.drive.at(p.Doc).n == 0 {
			continue
		}
		sc.add(a, p.Doc, l.score(p.Freq, p.Norm), mode)
	}
}

func (sc *scratch) add(a *accs, n uint32, s float64, mode addMode) {
	a.grow(n)
	e := &(*a)[n]
	if e.n == 0 {
		switch mode {
		case addDrive:
			sc.touched = append(sc.touched, n)
		case addInner:
			sc.innerTouched = append(sc.innerTouched, n)
		}
	}
	e.sum += s
	if e.n < math.MaxUint16 {
		e.n++
	}
	if !sc.stop {
		sc.noteSub(n)
	}
}

func (sc *scratch) hasSub(n uint32) bool { return int(n) < len(sc.sub) && sc.sub[n] }

// noteSub records that a clause of a word of substance matched document n.
func (sc *scratch) noteSub(n uint32) {
	if int(n) >= len(sc.sub) {
		g := make([]bool, max(int(n)+1, 2*len(sc.sub), 1024))
		copy(g, sc.sub)
		sc.sub = g
	}
	sc.sub[n] = true
}

// addUnit adds a unit's clauses in one field as one clause. A multi-word
// synonym phrase ("cash on delivery") is a conjunction: only documents
// with every term of the phrase in the field match it, with the sum of
// the terms' scores ("delivery" alone is no "cash on delivery"; the index
// keeps no positions, so the terms' order is not checked). A synonym
// family (dismax: a word and the one-word synonyms a rule gave it) is a
// disjunction scored as its best member plus tie times the others
// (Lucene's dis_max), so that "order" and "purchase" in one body count
// as one meaning. mode is addDrive or addCommon.
func (sc *scratch) addUnit(ls []*leaf, mode addMode, dismax bool, tie float64) error {
	for _, l := range ls {
		err := eachPosting(l, func(n uint32, s float64) {
			if mode == addCommon && sc.drive.at(n).n == 0 {
				return
			}
			sc.phrase.grow(n)
			e := &sc.phrase[n]
			if e.n == 0 {
				sc.phraseTouched = append(sc.phraseTouched, n)
			}
			e.sum += s
			e.n++
			if dismax {
				if len(sc.phraseMax) < len(sc.phrase) {
					g := make([]float64, len(sc.phrase))
					copy(g, sc.phraseMax)
					sc.phraseMax = g
				}
				sc.phraseMax[n] = max(sc.phraseMax[n], s)
			}
		})
		if err != nil {
			return err
		}
	}
	a := &sc.drive
	if mode == addCommon {
		a = &sc.common
	}
	for _, n := range sc.phraseTouched {
		e := sc.phrase[n]
		sc.phrase[n] = acc{}
		if dismax {
			best := sc.phraseMax[n]
			sc.phraseMax[n] = 0
			sc.add(a, n, best+tie*(e.sum-best), mode)
		} else if int(e.n) == len(ls) {
			sc.add(a, n, e.sum, mode)
		}
	}
	sc.phraseTouched = sc.phraseTouched[:0]
	return nil
}

// eachPosting calls fn with each posting's document and score.
func eachPosting(l *leaf, fn func(n uint32, s float64)) error {
	if l.pl != nil {
		for i, n := range l.pl.docs {
			s := l.pl.base[i]
			if l.weight != 1.0 {
				s *= l.weight
			}
			fn(n, s)
		}
		return nil
	}
	for {
		p, ok, err := l.r.Next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		fn(p.Doc, l.score(p.Freq, p.Norm))
	}
}

// foldInner adds a prefix's disjunction (its terms' sums times the share of
// its terms matched) to the driving sums as one clause, and clears it.
func (sc *scratch) foldInner(terms int) {
	for _, n := range sc.innerTouched {
		in := sc.inner[n]
		sc.inner[n] = acc{}
		sc.drive.grow(n)
		e := &sc.drive[n]
		if e.n == 0 {
			sc.touched = append(sc.touched, n)
		}
		e.sum += in.sum * (float64(in.n) / float64(terms))
		e.n++
		sc.noteSub(n)
	}
	sc.innerTouched = sc.innerTouched[:0]
}

// mark sets flag on the matched documents that have one of terms in field.
func (sc *scratch) mark(ctx context.Context, fs *fieldStats, field string, terms []string, flag uint8) error {
	for _, t := range terms {
		var tfr *segment.Postings
		var err error
		if fs.snap != nil {
			// From the cache: the same few visibilities and categories
			// filter every search.
			var pl *postingList
			pl, tfr, err = fs.snap.get(ctx, fs.s, field, t, func(uint64) float64 { return 0 }, 0)
			if err != nil {
				return err
			}
			if pl != nil {
				sc.markDocs(pl.docs, flag)
				continue
			}
		} else if tfr, err = fs.s.Postings(ctx, field, t, false); err != nil {
			return err
		}
		for {
			p, ok, err := tfr.Next()
			if err != nil {
				_ = tfr.Close()
				return err
			}
			if !ok {
				break
			}
			if int(p.Doc) < len(sc.drive) {
				sc.markDoc(int(p.Doc), flag)
			}
		}
		if err := tfr.Close(); err != nil {
			return err
		}
	}
	return nil
}

// markDocs sets flag on the matched documents among docs.
func (sc *scratch) markDocs(docs []uint32, flag uint8) {
	for _, d := range docs {
		if int(d) < len(sc.drive) {
			sc.markDoc(int(d), flag)
		}
	}
}

// markDoc sets flag on document n (below len(sc.drive)) when it matched.
func (sc *scratch) markDoc(n int, flag uint8) {
	if sc.drive[n].n == 0 {
		return
	}
	if n >= len(sc.flags) {
		g := make([]uint8, len(sc.drive))
		copy(g, sc.flags)
		sc.flags = g
	}
	sc.flags[n] |= flag
}
