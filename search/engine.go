// Package search answers customers' questions from the help centre's index:
// analysed, typo-tolerant, synonym-aware queries with bounded cost, snippets and reasons.
package search

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/index/segment"
)

// Options are the engine's ranking weights and cost bounds. The defaults were
// chosen by measurement with `helpcentre eval` (see README).
type Options struct {
	DefaultLocale string
	Boosts        map[string]float64 // per index field
	SynonymWeight float64            // weight of a synonym's terms beside the typed word
	// FamilyTie: in a body or headings, a word and its one-word synonyms
	// score as their best member plus FamilyTie times the others (a
	// dis_max, which Bleve has not); negative: they add up, as Bleve's
	// disjunction (the engine's equivalence test with Bleve uses that).
	FamilyTie     float64
	PrefixBoost   float64 // weight of an as-you-type prefix match
	MaxQueryBytes int     // longer queries are rejected
	MaxWords      int     // words beyond this are ignored (the answer says so)
	MaxGroups     int     // words plus synonym expansions
	MinPrefix     int     // shortest prefix matched as you type
	MaxPerPage    int
	MaxResults    int // deepest result reachable by paging
	Timeout       time.Duration
	// Common-term handling: a body term in more than CommonRatio of the
	// articles is matched in titles and aliases only, once there are at
	// least CommonMinDocs articles.
	CommonRatio   float64
	CommonMinDocs int
	// BodyDriveRatio: in a large corpus, a word in more than this share of
	// the articles matches through titles, aliases, tags and headings; its
	// body matches only add to the score.
	BodyDriveRatio float64

	// StopWordWeight scales the clauses of a stop word (a word the body
	// analyzer drops: "how", "i", "to"), which only titles, aliases and
	// tags match.
	StopWordWeight float64
	// StopOnlyShare: an article matched on stop words alone is no result,
	// unless the rerank scores it at least this share of the best article
	// matched on a word of substance (its title then is the question's
	// frame: "What is COVID-19?" for "what is corona"); 0 turns the rule
	// off. Deflection has its own rule (present).
	StopOnlyShare float64
	// FillerWeight scales the clauses of a word of asking rather than of
	// the topic ("want", "help", "please": see fillerWords).
	FillerWeight float64
	// The first RerankDepth hits (0 or 1: none) are re-scored: Bleve's
	// score, normalised to the best hit, plus these weights times how well
	// the article's own questions match the query (see rerank).
	RerankDepth    int
	QuestionWeight float64 // best share of one title or alias covered by the query
	TitleWeight    float64 // share of the title covered by the query
	CoverageWeight float64 // share of the query's words found in title, aliases or tags
	TagWeight      float64 // best share of one tag covered by the query
	// ExactWeight is added after the rerank to an article whose title or
	// an alias says exactly the query's words of substance ("cancel
	// order": "How do I cancel my order?"). Search only: deflection's
	// confidence model is fitted without it.
	ExactWeight float64

	// What visitors taught (see SetLearned and learnedScores), a signal
	// of its own in the rerank: LearnedWeight times the learned score
	// (in [-1, 1]: the associations of the query's key and of its
	// sub-keys, plus LearnedWordShare times its words' associations);
	// for a low-information query (one content word, or only an order
	// number or a date), plus LowInfoWeight times the share of what
	// visitors opened after such queries. Chosen on the replay of
	// simulated train traffic (see README).
	LearnedWeight    float64
	LearnedWordShare float64
	LowInfoWeight    float64

	// Deflection (contact-form suggestions, see Deflect). The threshold
	// is the lowest at which the out-of-scope train set gets nothing for
	// 90 % of its messages; measured with `helpcentre eval -mode deflect`:
	//
	//	bitext train: answer among those shown 0.871 (hit@3 uncut 0.897), out-of-scope train: nothing shown 0.935
	//	bitext dev:   answer among those shown 0.904 (hit@3 uncut 0.921), out-of-scope dev:   nothing shown 0.887
	DeflectThreshold  float64 // least confidence (0..1) of a suggestion shown
	DeflectBodyWords  int     // words of the body searched after the subject
	DeflectBodyWeight float64 // weight of body words when there is a subject
}

// DefaultOptions are the tuned defaults. Weights were tuned by coordinate
// ascent on bitext train plus CovidFAQ, with bitext dev held out; measured
// with `helpcentre eval` on the bundled articles of 2026-11-22 (hit@3, before
// → after these weights, the stop-word weight, the rerank and word splitting):
//
//	bitext dev (810)    0.820 → 0.868, typo (Z) 0.831 → 0.866, MRR@10 0.743 → 0.769
//	bitext train (6480) 0.800 → 0.859, typo (Z) 0.761 → 0.816, MRR@10 0.733 → 0.764
//	CovidFAQ (1387)     0.750 → 0.826,                         MRR@10 0.647 → 0.682
//
// Most of the gain is the rerank (without it: dev 0.835, CovidFAQ 0.730);
// StopWordWeight 1 costs ~1 point everywhere, 0 costs CovidFAQ 8 points. Field
// boosts and SynonymWeight moved results by less than half a point either way.
// FillerWeight (2026-12-03), hit@3 at 1 → 0.15: bitext train 0.882 → 0.889,
// dev 0.904 → 0.915 (typo 0.894 → 0.908), CovidFAQ 0.828 → 0.828, Spanish
// dev 0.937 → 0.932 (one question of 221). Summing a word's fields, not
// taking its best field (dis_max, tie 0 to 1), cost 1 to 2 points of dev;
// expanding words no article uses with their WordNet synonyms cost a
// little everywhere; a rerank depth of 15 to 70 changed nothing.
func DefaultOptions() Options {
	return Options{
		DefaultLocale: content.DefaultLocale,
		Boosts: map[string]float64{
			index.FieldTitle:    1.25,
			index.FieldAliases:  1.0,
			index.FieldTags:     0.25,
			index.FieldHeadings: 0.5,
			index.FieldBody:     1.0,
		},
		SynonymWeight:  0.7,
		FamilyTie:      0.5,
		StopWordWeight: 0.3,
		FillerWeight:   0.15,
		StopOnlyShare:  0.5,
		RerankDepth:    10,
		QuestionWeight: 1,
		TitleWeight:    1,
		CoverageWeight: 1.25,
		TagWeight:      1.25,
		ExactWeight:    1,
		PrefixBoost:    1.0,
		MaxQueryBytes:  1024,
		MaxWords:       32,
		MaxGroups:      48,
		MinPrefix:      3,
		MaxPerPage:     50,
		MaxResults:     1000,
		Timeout:        time.Second,
		CommonRatio:    0.3,
		CommonMinDocs:  500,
		BodyDriveRatio: 0.05,

		LearnedWeight:    4,
		LearnedWordShare: 1,
		LowInfoWeight:    0.5,

		DeflectThreshold:  0.5,
		DeflectBodyWords:  24,
		DeflectBodyWeight: 0.7,
	}
}

// Engine runs searches against an index.Index. It is safe for concurrent use.
type Engine struct {
	ix         *index.Index
	opts       Options
	cache      *artCache
	postings   *postingsCache
	wordLists  map[string]*wordList  // by locale: words spelled right
	chat       map[string]*chatSpeak // by locale: chat-speak written out
	translator QueryTranslator       // may be nil
	learned    *learnedState
}

// New returns an engine over ix. Call ConfigureBleve once at program start
// first: New changes no process-wide setting.
func New(ix *index.Index, opts Options) *Engine {
	return &Engine{ix: ix, opts: opts, cache: newArtCache(artCacheSize), postings: newPostingsCache(postingsPerGeneration), wordLists: wordLists(), chat: chatSpeaks(),
		learned: &learnedState{derived: &sync.Map{}}}
}

// MaxClauses is the most clauses a Bleve disjunction (a prefix's terms
// among them) may expand to once ConfigureBleve has run.
const MaxClauses = 1024

// ConfigureBleve sets what Bleve keeps process-wide and the engine relies
// on; call it once at program start, before any search (tests: in TestMain).
// It bounds the clauses any Bleve disjunction may expand to (MaxClauses):
// measured on 30,000 articles with v2.6.1, `*a*` took 2.7 s, `body:/.*/`
// 10 s and a 200-word fuzziness-2 query 16 s without the bound; with it
// each was rejected in under 5 ms.
func ConfigureBleve() {
	segment.SetMaxClauses(MaxClauses)
}

// Options returns the engine's options.
func (e *Engine) Options() Options { return e.opts }

// Audience is who is asking; it decides which articles they may see.
type Audience int

// Audiences.
const (
	Anonymous Audience = iota
	Customer
	Seller
	Staff
)

// Allows reports whether the audience may read an article of visibility v.
func (a Audience) Allows(v content.Visibility) bool {
	switch v {
	case content.Public:
		return true
	case content.Customers:
		return a == Customer || a == Staff
	case content.Sellers:
		return a == Seller || a == Staff
	}
	return a == Staff
}

func (a Audience) hidden() []string {
	var out []string
	for _, v := range []content.Visibility{content.Customers, content.Sellers, content.Internal} {
		if !a.Allows(v) {
			out = append(out, string(v))
		}
	}
	return out
}

// Request is one search.
type Request struct {
	Query     string
	Locale    string
	Category  string
	Page      int // from 1
	PerPage   int
	Audience  Audience
	AsYouType bool // match the last word as a prefix too
	Facets    bool
	// NoFallback stops a search that finds nothing in Locale from trying
	// the default locale.
	NoFallback bool
	// NoSnippets leaves out snippets and reasons: titles and scores only,
	// for callers that show their own excerpt (and to measure search
	// without highlighting).
	NoSnippets bool

	fields []string // text fields searched; all when empty
	lite   bool     // no snippets or reasons (suggestions)
	// arena, when not nil, is where the first locale's page of hits is
	// made (the fallbacks' pages get their own) and the hits' snippets and
	// reasons are written.
	arena *resultArena
}

// Result is a page of hits.
type Result struct {
	Query        string        `json:"query"`
	Corrected    string        `json:"corrected,omitempty"` // the query with typos fixed, when any were
	Locale       string        `json:"locale"`
	FallbackFrom string        `json:"fallback_from,omitempty"`    // the requested locale, when results are from the default one
	Translated   string        `json:"translated_query,omitempty"` // the query machine-translated into the default locale, when that found the results
	Total        int           `json:"total"`
	Page         int           `json:"page"`
	PerPage      int           `json:"per_page"`
	Hits         []Hit         `json:"hits"`
	Facets       []Facet       `json:"facets,omitempty"`
	Truncated    bool          `json:"truncated,omitempty"` // words beyond the limit were ignored
	Took         time.Duration `json:"-"`

	arena       *resultArena // what the hits' text is in (see Release)
	hitsInArena bool         // Hits is the arena's array
}

// Hit is one matching article.
type Hit struct {
	Article *content.Article
	Score   float64       // relevance; comparable within a result page
	Snippet template.HTML // HTML-escaped text with <mark> around matched words
	Why     Why
}

// Facet counts the hits in one category.
type Facet struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Count    int    `json:"count"`
}

// Why explains a hit: which words matched where, which typos were fixed,
// which synonyms helped.
type Why struct {
	Matched     []Match      `json:"matched"`
	Corrections []Correction `json:"corrections,omitempty"`
	Synonyms    []SynonymUse `json:"synonyms,omitempty"`
	Summary     string       `json:"summary"`
}

// Match says in which fields a query word was found.
type Match struct {
	Word   string   `json:"word"`
	Fields []string `json:"fields"`
}

// Correction is a typo fixed in the query.
type Correction struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// SynonymUse is a synonym rule that added words to the query.
type SynonymUse struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Search runs a request.
func (e *Engine) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	q := normalise(req.Query)
	if len(q) > e.opts.MaxQueryBytes {
		return nil, errorf(ErrQueryTooLong, "%d bytes, at most %d", len(q), e.opts.MaxQueryBytes)
	}
	if req.Page == 0 {
		req.Page = 1
	}
	if req.PerPage == 0 {
		req.PerPage = 10
	}
	if req.Page < 1 || req.PerPage < 1 || req.PerPage > e.opts.MaxPerPage || req.Page*req.PerPage > e.opts.MaxResults {
		return nil, errorf(ErrBadPagination, "page %d of %d per page (at most %d per page and %d results)", req.Page, req.PerPage, e.opts.MaxPerPage, e.opts.MaxResults)
	}
	if req.Locale == "" {
		req.Locale = e.opts.DefaultLocale
	}
	if !content.KnownLocale(req.Locale) {
		return nil, errorf(ErrUnknownLocale, "%q", req.Locale)
	}
	dctx := withDeadline(ctx, start.Add(e.opts.Timeout))
	defer dctx.cancel()
	ctx = dctx

	if !req.NoSnippets {
		req.arena = getArena()
	}
	res, err := e.search(ctx, req, q)
	if err != nil {
		if req.arena != nil {
			req.arena.release(nil)
		}
		return nil, err
	}
	res.arena = req.arena
	res.Took = time.Since(start)
	return res, nil
}

// search is Search's work after the checks: the request's locale, then
// the fallbacks.
func (e *Engine) search(ctx context.Context, req Request, q string) (*Result, error) {
	res, err := e.searchLocale(ctx, req, q, req.Locale)
	if err != nil {
		return nil, err
	}
	if res.Total == 0 && !req.NoFallback && req.Locale != e.opts.DefaultLocale && q != "" {
		// The question translated, else as typed (names, product codes and
		// English words work in any locale).
		if tq := e.translateQuery(ctx, q, req.Locale); tq != "" {
			if fb, err := e.searchLocale(ctx, req, tq, e.opts.DefaultLocale); err == nil && fb.Total > 0 {
				fb.FallbackFrom, fb.Translated = req.Locale, tq
				res = fb
			}
		}
		if res.Total == 0 {
			fb, err := e.searchLocale(ctx, req, q, e.opts.DefaultLocale)
			if err == nil && fb.Total > 0 {
				fb.FallbackFrom = req.Locale
				res = fb
			}
		}
	}
	return res, nil
}

// withLocale runs fn on a consistent view of a locale, looking the locale up
// again if it was swapped out in between.
func (e *Engine) withLocale(name string, fn func(v *index.View) error) (bool, error) {
	for range 3 {
		l, ok := e.ix.Locale(name)
		if !ok {
			return false, nil
		}
		err := l.Read(fn)
		if errors.Is(err, index.ErrClosed) {
			continue
		}
		return true, err
	}
	return true, index.ErrClosed
}

func (e *Engine) searchLocale(ctx context.Context, req Request, q, locale string) (*Result, error) {
	res := &Result{Query: q, Locale: locale, Page: req.Page, PerPage: req.PerPage, Hits: []Hit{}}
	if ar := req.arena; ar != nil && !ar.hitsTaken {
		res.Hits, res.hitsInArena, ar.hitsTaken = ar.hits[:0], true, true
	}
	if q == "" {
		return res, nil
	}
	_, err := e.withLocale(locale, func(v *index.View) error {
		p := e.analyse(v, q, req.AsYouType, req.Audience)
		defer p.release() // once the hits' reasons are made
		res.Truncated = p.truncated
		res.Corrected = correctedQuery(p)
		fields := req.fields
		if len(fields) == 0 {
			fields = index.TextFields
		}
		mq := e.buildQuery(v, p, fields)
		if mq == nil {
			return nil
		}
		defer mq.release()
		// Pages that reach into the reranked hits are cut from the top
		// hits after the rerank; later pages come straight from the query.
		size, from := req.PerPage, (req.Page-1)*req.PerPage
		depth := e.opts.RerankDepth
		if req.lite {
			depth = min(depth, req.PerPage) // suggestions: only what is shown
		}
		rerank := depth > 1 && from < depth
		if rerank {
			size, from = max(from+req.PerPage, depth), 0
		}
		// Sorted by score, ties by index order: a tie-break on _id would
		// load the id of every candidate.
		mq = e.filtered(mq, req)
		mq.top = size + from
		// Suggestions (lite) list titles that match what is typed: never one
		// matched on stop words alone.
		mq.stopRule, mq.keepStop = e.opts.StopOnlyShare > 0, rerank && !req.lite
		var cats *index.CategoryCounter
		if req.Facets {
			// Counted as the query matches, not with Bleve's doc-value
			// facet (see index.CategoryCounter).
			cats = v.CategoryCounter()
			mq.facets = cats
		}
		collect := size
		if mq.stopRule && mq.keepStop {
			collect *= 2 // the best stop-only matches besides (see Match)
		}
		hl := takeHits()
		defer hl.release()
		if err := hl.collect(ctx, v, mq, collect, from); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		res.Total = mq.total
		hits := hl.hits
		if rerank {
			e.rerank(v, p, hits, depth)
			e.boostExact(v, p, hits, depth, e.opts.ExactWeight)
			if mq.stopRule {
				var kept int
				hits, kept = e.dropStopOnly(v, p, hits, mq.stopDocs)
				res.Total += kept
			}
			if !req.lite {
				var added int
				hits, added = e.applyLearned(v, p, req, hits)
				res.Total += added
			}
			hits = hits[min(len(hits), (req.Page-1)*req.PerPage):]
			hits = hits[:min(len(hits), req.PerPage)]
		}
		var bq *bodyQuery
		var wm *windowMemo
		toks := hl.toks[:0] // a hit's body tokens, the space reused
		body := hl.body     // and their terms
		// one array for the hits, not five as it grows
		res.Hits = slices.Grow(res.Hits, len(hits))
		for _, h := range hits {
			a, ok := v.Article(h.ID)
			if !ok {
				continue
			}
			hit := Hit{Article: a, Score: h.Score}
			if !req.lite && !req.NoSnippets {
				if bq == nil {
					bq, wm = newBodyQuery(p), e.cache.windows(v)
					if body == nil {
						body = map[string]bool{}
					}
				}
				at := e.cache.get(v.Analyzers, a)
				toks = bodyMatches(v.Analyzers, wm, a, at, bq, toks[:0])
				body = spanTermsInto(body, toks)
				hit.Snippet, hit.Why = snippetIn(req.arena, a, toks, bq), explainIn(req.arena, a, at, body, p)
			}
			res.Hits = append(res.Hits, hit)
		}
		hl.toks, hl.body = toks, body // kept with the list, for the next search
		if req.Facets {
			res.Facets = e.facets(cats.Counts().Top(maxFacets), locale)
		}
		return nil
	})
	return res, err
}

// dropStopOnly drops the reranked hits matched on stop words alone (the
// documents in stop), unless the rerank scored one at least share of the
// best hit matched on a word of substance: the article's own question
// then matches the query's frame ("What is COVID-19?" for "what is
// corona"). Without a hit of substance none is kept. It returns the hits
// kept and how many of them matched on stop words alone.
func (e *Engine) dropStopOnly(v *index.View, p *plan, hits []*docHit, stop map[uint32]bool) ([]*docHit, int) {
	if len(stop) == 0 {
		return hits, 0
	}
	isStop := func(h *docHit) bool { return stop[h.Doc] }
	best := 0.0
	for _, h := range hits {
		if !isStop(h) {
			best = max(best, h.Score)
		}
	}
	out, kept := hits[:0], 0
	for _, h := range hits {
		if isStop(h) {
			if best <= 0 || h.Score < e.opts.StopOnlyShare*best {
				continue
			}
			kept++
		}
		out = append(out, h)
	}
	return out, kept
}

// filtered puts the query together: documents must match a driving clause;
// clauses of common terms only add to the score of those; the category and
// the audience's hidden visibilities are filters, which neither score nor
// drive.
func (e *Engine) filtered(q *matchQuery, req Request) *matchQuery {
	q.filterField, q.filter = index.FieldCategory, req.Category
	q.notField, q.not = index.FieldVisibility, req.Audience.hidden()
	return q
}

// buildQuery turns a plan into clauses, each a term on a fixed field with its
// boost: user text never reaches a query parser. In a large corpus the
// clauses of common words ("order" in most articles) do not drive the match,
// they only add to the score of documents that match a rarer word: search
// cost grows with the number of matching documents (at 10,000 articles,
// ~1.5 ms of CPU for common words against ~0.16 ms for rare ones), and an
// article matching nothing but common words is no answer anyway. It returns
// nil when there is nothing to search.
func (e *Engine) buildQuery(v *index.View, p *plan, fields []string) *matchQuery {
	// One array for both lists, rare clauses from the front and common
	// ones from the back, sized by the most the groups can make.
	n := 0
	for _, g := range p.groups {
		n += len(fields)*max(len(g.body), len(g.question)) + 1
	}
	pooled := getClauses(n)
	buf := *pooled
	nr, nc := 0, n
	addRare := func(c clause) { buf[nr] = c; nr++ }
	addCommon := func(c clause) { nc--; buf[nc] = c }
	large := e.large(v)
	bodyDrive := e.opts.BodyDriveRatio * float64(v.Stats.Docs)
	// A word and the one-word synonyms a rule gave it are a family (see
	// the dis_max below).
	var famBuf, membersBuf [48]int // MaxGroups' default: on the stack
	famOf, members := famBuf[:], membersBuf[:]
	if len(p.groups) > len(famBuf) {
		famOf, members = make([]int, len(p.groups)), make([]int, len(p.groups))
	}
	famOf, members = famOf[:len(p.groups)], members[:len(p.groups)]
	for gi, g := range p.groups {
		famOf[gi] = gi
		if g.synonym != nil && g.src >= 0 {
			famOf[gi] = famOf[g.src]
		}
		members[famOf[gi]]++
	}
	for gi, g := range p.groups {
		for fi, f := range fields {
			terms := g.body
			short := f == index.FieldTitle || f == index.FieldAliases || f == index.FieldTags
			if short {
				if g.rankOnly {
					continue
				}
				terms = g.question
			}
			boost := e.opts.Boosts[f] * g.weight
			if boost <= 0 {
				continue
			}
			// A synonym phrase matches a body or headings as a whole
			// ("cash on delivery", not "delivery"), in the list of its
			// rarest term (see matchQuery.addUnit). In titles, aliases
			// and tags its words still match one by one: as a whole there
			// too, bitext train and dev each lost a question.
			unit, rare := 0, false
			if g.synonym != nil && len(terms) > 1 && !short {
				unit = 1 + gi*len(fields) + fi
				for _, t := range terms {
					rare = rare || !(e.common(v, t) || large && !short && float64(v.Stats.DocFreq(t)) > bodyDrive)
				}
			}
			// A family matches a body or headings as one clause, its
			// best member plus FamilyTie times the others (a dis_max):
			// "order" and "purchase" in one body are one meaning, not
			// two. In titles, aliases and tags they still add up: there
			// too, bitext train lost three questions.
			dismax := false
			if unit == 0 && len(terms) == 1 && members[famOf[gi]] > 1 && !short && g.prefix == "" && e.opts.FamilyTie >= 0 {
				unit, dismax = 1000000+famOf[gi]*len(fields)+fi, true
			}
			// Each term is judged by its own frequency: a synonym phrase
			// ("place order") must not let its common word drive.
			for _, t := range terms {
				c := clause{field: f, term: t, boost: boost, stop: g.stop, unit: unit, dismax: dismax}
				switch {
				case dismax && (e.common(v, t) || large && !short && float64(v.Stats.DocFreq(t)) > bodyDrive):
					// a common member adds up, as before: scoring
					// families over long posting lists cost a tenth
					// more CPU per search at 10,000 articles
					c.unit, c.dismax = 0, false
					addCommon(c)
				case dismax:
					addRare(c)
				case unit != 0 && rare:
					addRare(c)
				case unit != 0:
					addCommon(c)
				case g.prefix == "" && e.common(v, t):
					addCommon(c)
				case large && !short && float64(v.Stats.DocFreq(t)) > bodyDrive:
					// A word frequent in bodies drives through the short
					// fields only; its body matches add to the score.
					addCommon(c)
				default:
					addRare(c)
				}
			}
		}
		if g.prefix != "" {
			addRare(clause{field: index.FieldSuggest, term: g.prefix, prefix: true, boost: e.opts.PrefixBoost * g.weight})
		}
	}
	rare, common := buf[:nr:nr], buf[nc:]
	slices.Reverse(common) // in the order they were made
	if !slices.ContainsFunc(rare, func(c clause) bool { return !c.stop }) {
		// nothing but stop words drives: the common words do
		rare, common = append(rare, common...), nil
	}
	if len(rare) == 0 {
		putClauses(pooled)
		return nil
	}
	return &matchQuery{cache: e.postings, drive: rare, common: common, familyTie: e.opts.FamilyTie, clauses: pooled}
}

// clauseBufs recycles buildQuery's arrays of clauses (some 5 KB a search,
// sized for the most the groups can make): a query's clauses are needed
// only until its search has run (matchQuery.release).
var clauseBufs = sync.Pool{New: func() any { return new([]clause) }}

func getClauses(n int) *[]clause {
	b := clauseBufs.Get().(*[]clause)
	if cap(*b) < n {
		*b = make([]clause, n)
	}
	*b = (*b)[:n]
	return b
}

func putClauses(b *[]clause) {
	clear(*b)
	clauseBufs.Put(b)
}

// release gives q's clauses back to buildQuery, and its working memory to
// Match, once its search has run and its hits are made: q must not be
// searched again.
func (q *matchQuery) release() {
	if q.clauses != nil {
		putClauses(q.clauses)
		q.clauses, q.drive, q.common = nil, nil, nil
	}
	q.releaseMem()
}

// maxFacets is the most categories a result counts.
const maxFacets = 50

func (e *Engine) facets(counts []index.CategoryCount, locale string) []Facet {
	set := e.ix.Content()
	var facets []Facet
	if len(counts) > 0 {
		facets = make([]Facet, 0, len(counts))
	}
	for _, t := range counts {
		title := t.Category
		if set != nil {
			if c, ok := set.Categories[content.Key{ID: t.Category, Locale: locale}]; ok {
				title = c.Title
			}
		}
		facets = append(facets, Facet{Category: t.Category, Title: title, Count: t.Count})
	}
	return facets
}

func correctedQuery(p *plan) string {
	if len(p.corrections) == 0 {
		return ""
	}
	words := make([]string, len(p.words))
	for i, w := range p.words {
		words[i] = w.word
	}
	return strings.Join(words, " ")
}

func analyseTerms(an analysis.Analyzer, s string) []string {
	var out []string
	analyze(an, []byte(s), func(toks analysis.TokenStream) {
		for _, t := range toks {
			out = append(out, string(t.Term))
		}
	})
	return out
}

// Suggestion is an article title offered while the customer types.
type Suggestion struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	Locale   string `json:"locale"`
	Category string `json:"category,omitempty"`
}

// Suggest returns up to n article titles for a query being typed: earlier
// words match titles and aliases, the last one also as a prefix.
func (e *Engine) Suggest(ctx context.Context, q, locale string, aud Audience, n int) ([]Suggestion, error) {
	return e.AppendSuggestions(ctx, nil, q, locale, aud, n)
}

// AppendSuggestions is Suggest appending to dst (a caller's pooled array:
// suggestions are asked at every keystroke).
func (e *Engine) AppendSuggestions(ctx context.Context, dst []Suggestion, q, locale string, aud Audience, n int) ([]Suggestion, error) {
	if n <= 0 || n > 10 {
		n = 5
	}
	res, err := e.Search(ctx, Request{
		Query: q, Locale: locale, PerPage: n, Audience: aud, AsYouType: true,
		fields: suggestFields, lite: true,
	})
	if err != nil {
		return nil, err
	}
	defer res.Release() // the hits die with the call: copied out below
	out := slices.Grow(dst, len(res.Hits))
	if out == nil {
		out = []Suggestion{} // none: empty, not nil
	}
	for _, h := range res.Hits {
		a := h.Article
		out = append(out, Suggestion{ID: a.ID, Title: a.Title, URL: a.URL(), Locale: a.Locale, Category: a.Category})
	}
	return out, nil
}

// suggestFields are the fields a suggestion matches: what is typed is
// looked for in titles, aliases and tags.
var suggestFields = []string{index.FieldTitle, index.FieldAliases, index.FieldTags}
