package search

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/index"
)

// MaxDeflect is the most suggestions a deflection offers.
const MaxDeflect = 3

// DeflectRequest is a question typed into a contact form, before it becomes
// a ticket.
type DeflectRequest struct {
	Subject  string
	Body     string
	Locale   string
	Audience Audience
	Max      int // suggestions at most: 1 to MaxDeflect; 0 means MaxDeflect

	arena *resultArena // where snippets are written, when not nil (Deflect)
}

// Deflection is what the contact form offers before the question is sent:
// the articles confident enough to show, best first, possibly none.
type Deflection struct {
	Query        string              `json:"query"`               // what was searched: the subject, then the start of the body
	Corrected    string              `json:"corrected,omitempty"` // Query with typos fixed, when any were
	Locale       string              `json:"locale"`
	FallbackFrom string              `json:"fallback_from,omitempty"`    // the requested locale, when suggestions are from the default one
	Translated   string              `json:"translated_query,omitempty"` // Query machine-translated into the default locale, when that found the suggestions
	Truncated    bool                `json:"truncated,omitempty"`        // part of the body was not searched
	Threshold    float64             `json:"threshold"`                  // suggestions have at least this confidence
	Suggestions  []DeflectSuggestion `json:"suggestions"`
	Took         time.Duration       `json:"-"`

	arena *resultArena // what the snippets are in (see Release)
}

// Release gives back the arrays d's suggestions and their snippets were
// written in, for another deflection to reuse: d.Suggestions is emptied and
// their snippets must not be used after; their reasons and the articles'
// fields may (a deflection session keeps them). Calling it is optional (the
// API's handler does, once the answer is encoded).
func (d *Deflection) Release() {
	if d == nil || d.arena == nil {
		return
	}
	ar := d.arena
	d.arena = nil
	if cap(d.Suggestions) <= 2*MaxDeflect {
		clear(d.Suggestions[:cap(d.Suggestions)]) // the pool keeps no articles alive
		ar.deflect = d.Suggestions[:0]
	} else {
		clear(d.Suggestions) // (the snippets are in the arena)
	}
	d.Suggestions = nil
	ar.release(nil)
}

// DeflectSuggestion is one article offered as the answer.
type DeflectSuggestion struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	URL      string        `json:"url"`
	Locale   string        `json:"locale"`
	Category string        `json:"category,omitempty"`
	Snippet  template.HTML `json:"snippet"` // HTML-escaped text with <mark> around matched words
	Score    float64       `json:"score"`   // the search's relevance, comparable within one deflection
	// Confidence estimates the probability (0..1) that the article answers
	// the question; comparable across questions, so one threshold holds.
	Confidence float64 `json:"confidence"`
	Why        Why     `json:"why"`
}

// deflectCandidate is one ranked article with what its confidence was
// computed from.
type deflectCandidate struct {
	article    *content.Article
	score      float64
	features   [numDeflectFeatures]float64
	confidence float64
	snippet    template.HTML
	why        Why
}

// candLists are released lists of candidates (see releaseCands): a
// deflection's ten candidates are some 3 KB.
var candLists = sync.Pool{New: func() any { return new([]deflectCandidate) }}

// releaseCands gives a list deflectLocale made back once the deflection is
// presented: nothing of it may be used after.
func releaseCands(cands []deflectCandidate) {
	if cap(cands) == 0 || cap(cands) > 64 {
		return
	}
	clear(cands[:cap(cands)])
	cands = cands[:0]
	candLists.Put(&cands)
}

// deflectMem is what one deflectLocale works in, pooled: the hits'
// signals, and the body tokens (and their terms) of the candidate being
// explained.
type deflectMem struct {
	sig   map[string]signals
	toks  []span
	terms map[string]bool
	words []qword     // queryWords' list
	at    map[int]int // and its index by group
}

var deflectMems = sync.Pool{New: func() any {
	return &deflectMem{sig: map[string]signals{}, terms: map[string]bool{}, at: map[int]int{}}
}}

func (m *deflectMem) release() {
	clear(m.sig)
	clear(m.terms)
	clear(m.at)
	clear(m.toks[:cap(m.toks)])
	m.toks = m.toks[:0]
	clear(m.words[:cap(m.words)]) // (they point into the plan)
	m.words = m.words[:0]
	if cap(m.toks) <= 1024 {
		deflectMems.Put(m)
	}
}

// Deflect suggests at most req.Max articles that answer a contact-form
// question, only those whose confidence reaches Options.DeflectThreshold: an
// off-topic message ("hello", "I want a pizza") gets none rather than
// whatever shares a word with it.
//
// The subject and the first Options.DeflectBodyWords words of the body are
// searched, body words weighing Options.DeflectBodyWeight when there is a
// subject; a long body is cut, not rejected.
func (e *Engine) Deflect(ctx context.Context, req DeflectRequest) (*Deflection, error) {
	req.arena = getArena()
	d, cands, err := e.deflectCandidates(ctx, req)
	if err != nil {
		req.arena.release(nil)
		return nil, err
	}
	d.arena = req.arena
	if len(d.Suggestions) == 0 && d.arena.deflect != nil {
		d.Suggestions, d.arena.deflect = d.arena.deflect[:0], nil // non-nil: "suggestions": [] when none
	}
	max := req.Max
	if max <= 0 || max > MaxDeflect {
		max = MaxDeflect
	}
	err = e.present(d, cands, max)
	releaseCands(cands)
	return d, err
}

// deflectCandidates ranks the candidates and computes their confidence,
// without cutting at the threshold.
func (e *Engine) deflectCandidates(ctx context.Context, req DeflectRequest) (*Deflection, []deflectCandidate, error) {
	start := time.Now()
	if req.Locale == "" {
		req.Locale = e.opts.DefaultLocale
	}
	if !content.KnownLocale(req.Locale) {
		return nil, nil, errorf(ErrUnknownLocale, "%q", req.Locale)
	}
	subject, q, truncated := e.deflectQuery(req.Subject, req.Body)
	d := &Deflection{Query: q, Locale: req.Locale, Truncated: truncated, Threshold: e.opts.DeflectThreshold, Suggestions: []DeflectSuggestion{}}
	if q == "" {
		return d, nil, nil
	}
	dctx := withDeadline(ctx, start.Add(e.opts.Timeout))
	defer dctx.cancel()
	ctx = dctx
	cands, err := e.deflectLocale(ctx, d, req, subject, req.Locale)
	if err != nil {
		return nil, nil, err
	}
	if req.Locale != e.opts.DefaultLocale && !confident(cands, d.Threshold) {
		// No good article in the customer's language: ask the default
		// locale's articles the question translated.
		if tq := e.translateQuery(ctx, q, req.Locale); tq != "" {
			td := *d
			td.Query = tq
			if fb, err := e.deflectLocale(ctx, &td, req, "", e.opts.DefaultLocale); err == nil && confident(fb, d.Threshold) {
				d.FallbackFrom, d.Locale, d.Translated, d.Corrected, cands = req.Locale, e.opts.DefaultLocale, tq, td.Corrected, fb
			}
		}
	}
	if len(cands) == 0 && req.Locale != e.opts.DefaultLocale {
		if fb, err := e.deflectLocale(ctx, d, req, subject, e.opts.DefaultLocale); err == nil && len(fb) > 0 {
			d.FallbackFrom, d.Locale, cands = req.Locale, e.opts.DefaultLocale, fb
		}
	}
	d.Took = time.Since(start)
	return d, cands, nil
}

// deflectQuery puts the searched text together: the subject, then as many
// words of the body as the bounds allow. It reports the subject as it
// appears in the query and whether anything was left out.
func (e *Engine) deflectQuery(subject, body string) (string, string, bool) {
	subject, body = normalise(subject), normalise(body)
	truncated := false
	if words := strings.Fields(body); len(words) > e.opts.DeflectBodyWords {
		body, truncated = strings.Join(words[:e.opts.DeflectBodyWords], " "), true
	}
	q := strings.TrimSpace(subject + " " + body)
	if len(q) > e.opts.MaxQueryBytes {
		q, truncated = cutWords(q, e.opts.MaxQueryBytes), true
	}
	return subject[:min(len(subject), len(q))], q, truncated
}

// cutWords cuts s to at most n bytes, at a space when there is one.
func cutWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n+1], ' '); i > 0 {
		return s[:i]
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// deflectLocale searches one locale and returns the candidates in the
// search's order (the reranked one), with their confidence; it fills in the
// query's corrections on d.
func (e *Engine) deflectLocale(ctx context.Context, d *Deflection, req DeflectRequest, subject, locale string) ([]deflectCandidate, error) {
	cands := (*candLists.Get().(*[]deflectCandidate))[:0]
	_, err := e.withLocale(locale, func(v *index.View) error {
		p := e.analyse(v, d.Query, false, req.Audience)
		defer p.release() // once the candidates' reasons are made
		d.Truncated = d.Truncated || p.truncated
		d.Corrected = correctedQuery(p)
		var nSubject int
		analyze(v.Analyzers.Suggest, []byte(subject), func(toks analysis.TokenStream) { nSubject = len(toks) })
		if nSubject > 0 {
			for _, g := range p.groups {
				w := g.word
				if g.synonym != nil && g.src >= 0 {
					w = p.groups[g.src].word
				}
				if w != nil && w.pos >= nSubject {
					g.weight *= e.opts.DeflectBodyWeight
				}
			}
		}
		mq := e.buildQuery(v, p, index.TextFields)
		if mq == nil {
			return nil
		}
		defer mq.release()
		depth := max(e.opts.RerankDepth, 1)
		mq = e.filtered(mq, Request{Audience: req.Audience})
		mq.top = depth
		hl := takeHits()
		defer hl.release()
		if err := hl.collect(ctx, v, mq, depth, 0); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		hits := hl.hits
		m := deflectMems.Get().(*deflectMem)
		defer m.release()
		sig := m.sig
		e.rerankSignals(v, p, hits, depth, sig)
		qw := e.queryWords(v, p, m)
		m.words = qw
		bq, wm := newBodyQuery(p), e.cache.windows(v)
		cands = slices.Grow(cands, len(hits)) // large values: one array, not seven as it grows
		for i, h := range hits {
			a, ok := v.Article(h.ID)
			if !ok {
				continue
			}
			c := deflectCandidate{article: a, score: h.Score}
			if len(cands) == 0 {
				// (its body tokens stay in m until it is explained)
				at := e.cache.get(v.Analyzers, a)
				m.toks = bodyMatches(v.Analyzers, wm, a, at, bq, m.toks[:0])
				m.terms = spanTermsInto(m.terms, m.toks)
				c.features = e.deflectFeatures(at, m.terms, qw, sig[h.ID], h.Score/hits[0].Score, i)
			} else {
				// Only the best candidate's features go into the model;
				// the others need their relative score alone, and the
				// rest (which analyses each article's body) is not computed.
				c.features[fRankScore] = h.Score / hits[0].Score
			}
			cands = append(cands, c)
		}
		// Whether the articles answer the question at all is judged on
		// the best candidate; the others get that confidence, lowered
		// by at most a fifth as their score falls behind the best.
		// (Scaling by the relative score itself cost 3 points of
		// answers shown on bitext dev for nothing gained off topic.)
		if len(cands) > 0 {
			inScope := deflectModel.confidence(cands[0].features)
			for i := range cands {
				cands[i].confidence = inScope * (0.8 + 0.2*cands[i].features[fRankScore])
			}
		}
		// Snippets and reasons need the plan: computed here, kept on
		// the candidates that will be shown. The body tokens of each are
		// made in m (the best's already are).
		for i := range cands[:min(len(cands), MaxDeflect)] {
			c := &cands[i]
			at := e.cache.get(v.Analyzers, c.article)
			if i > 0 {
				m.toks = bodyMatches(v.Analyzers, wm, c.article, at, bq, m.toks[:0])
				m.terms = spanTermsInto(m.terms, m.toks)
			}
			// the reasons' matches in the arena, their summary not: the
			// session keeps it
			c.snippet, c.why = snippetIn(req.arena, c.article, m.toks, bq), explainIn(req.arena, c.article, at, m.terms, p)
			c.why.Summary = strings.Clone(c.why.Summary)
		}
		return nil
	})
	return cands, err
}

// present keeps the candidates above the threshold, at most max.
func (e *Engine) present(d *Deflection, cands []deflectCandidate, max int) error {
	for i := range cands {
		c := &cands[i]
		if len(d.Suggestions) >= max || c.confidence < d.Threshold {
			break
		}
		if len(c.why.Matched) == 0 {
			// matched on stop words only ("I can't sign in" for "what is
			// the weather in Paris": "in", "the", "is")
			continue
		}
		if len(d.Suggestions) == cap(d.Suggestions) {
			// room for all that could still be shown: one array
			d.Suggestions = slices.Grow(d.Suggestions, min(max-len(d.Suggestions), len(cands)-i))
		}
		a := c.article
		d.Suggestions = append(d.Suggestions, DeflectSuggestion{
			ID: a.ID, Title: a.Title, URL: a.URL(), Locale: a.Locale, Category: a.Category,
			Snippet: c.snippet, Score: c.score, Confidence: c.confidence, Why: c.why,
		})
	}
	return nil
}

// qword is one informative word of the query (not a stop word, not a
// number) and the synonym groups that stand for it.
type qword struct {
	g         *group
	weight    float64 // idf times the word's weight in the query
	known     bool    // some article contains it
	corrected bool
	synonyms  []*group
}

// queryWords lists the informative words of the query with their weights;
// a word no article contains weighs as much as the rarest word.
func (e *Engine) queryWords(v *index.View, p *plan, m *deflectMem) []qword {
	n := float64(v.Stats.Docs)
	out := m.words[:0]
	at := m.at // group → its entry in out
	clear(at)
	for gi, g := range p.groups {
		w := g.word
		if g.synonym != nil || w == nil || w.body == "" || isNumber(w.typed) {
			continue
		}
		df := max(v.Stats.DocFreq(w.body), v.Stats.DocFreq(w.question))
		at[gi] = len(out)
		out = append(out, qword{g: g, weight: bm25IDF(n, float64(df)) * g.weight, known: df > 0, corrected: w.corrected})
	}
	for _, g := range p.groups {
		if g.synonym == nil || g.src < 0 {
			continue
		}
		if k, ok := at[g.src]; ok {
			out[k].synonyms = append(out[k].synonyms, g)
			// A word no article uses that a synonym rule maps onto
			// words they do ("Toronto" → delivering abroad) is known.
			known := func(t string) bool { return v.Stats.DocFreq(t) > 0 }
			if slices.ContainsFunc(g.question, known) || slices.ContainsFunc(g.body, known) {
				out[k].known = true
			}
		}
	}
	return out
}

// The features a confidence is computed from.
const (
	fBleve      = iota // Bleve's score divided by the best hit's
	fQuestion          // best share of one title or alias the query covers
	fTitle             // share of the title the query covers
	fCover             // share of the query's words in title, aliases or tags
	fTag               // best share of one tag the query covers
	fCoverAll          // share of the informative query words found anywhere in the article, unknown words included
	fCoverKnown        // the same over the words some article contains
	fUnknown           // share of the informative query weight that no article contains
	fCorrected         // share of the informative query weight that is a typo correction
	fRankScore         // the reranked score divided by the best
	fFirst             // 1 for the best reranked hit
	fWords             // log(1 + number of informative words)
	// The article's side times the query's: a title, alias or tag
	// covered by a query whose other words the article lacks ("write my
	// essay on climate change" covers most of "Can I change my order?")
	// is weak evidence; covered by a query the article explains, strong.
	fQuestionCover // fQuestion × fCoverAll
	fTitleCover    // fTitle × fCoverAll
	fTagCover      // fTag × fCoverAll
	numDeflectFeatures
)

// deflectFeatures measures how well the article of at answers the query;
// body holds the terms of a's body tokens that the query looks for.
func (e *Engine) deflectFeatures(at *artTerms, body map[string]bool, qw []qword, s signals, rankScore float64, rank int) [numDeflectFeatures]float64 {
	var x [numDeflectFeatures]float64
	x[fBleve], x[fQuestion], x[fTitle], x[fCover], x[fTag] = s.bleve, s.question, s.title, s.cover, s.tag
	x[fRankScore] = rankScore
	if rank == 0 {
		x[fFirst] = 1
	}
	short := func(t string) bool {
		return at.inShort(t)
	}
	long := func(t string) bool {
		return at.inHeadings(t) || body[t]
	}
	found := func(g *group) bool {
		for _, t := range g.question {
			if short(t) {
				return true
			}
		}
		for _, t := range g.body {
			if long(t) {
				return true
			}
		}
		return g.word != nil && g.word.body != "" && long(g.word.body)
	}
	var total, known, hit, unknown, corrected float64
	for _, w := range qw {
		total += w.weight
		if !w.known {
			unknown += w.weight
			continue
		}
		known += w.weight
		if w.corrected {
			corrected += w.weight
		}
		c := 0.0
		if found(w.g) {
			c = 1
		} else {
			for _, g := range w.synonyms {
				if found(g) {
					c = e.opts.SynonymWeight
					break
				}
			}
		}
		hit += c * w.weight
	}
	if total > 0 {
		x[fCoverAll] = hit / total
		x[fUnknown] = unknown / total
		x[fCorrected] = corrected / total
	}
	if known > 0 {
		x[fCoverKnown] = hit / known
	}
	x[fWords] = math.Log1p(float64(len(qw)))
	x[fQuestionCover] = x[fQuestion] * x[fCoverAll]
	x[fTitleCover] = x[fTitle] * x[fCoverAll]
	x[fTagCover] = x[fTag] * x[fCoverAll]
	return x
}

// logistic is a logistic regression over the deflection features; the
// fitted one, deflectModel, is in deflect_weights.go (generated).
type logistic struct {
	bias    float64
	weights [numDeflectFeatures]float64
}

func (m logistic) confidence(x [numDeflectFeatures]float64) float64 {
	z := m.bias
	for i, w := range m.weights {
		z += w * x[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// confident reports whether any candidate clears the threshold.
func confident(cands []deflectCandidate, threshold float64) bool {
	for _, c := range cands {
		if c.confidence >= threshold {
			return true
		}
	}
	return false
}
