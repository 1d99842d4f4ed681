package search

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/marketplace/helpcentre/index"
)

// Learned is what visitors taught the help centre: per locale, association
// key (a query's content words as QueryKeyWords gives them, unique, sorted,
// space-joined) → article id → weight (net decayed votes; negative: the
// article disappoints those queries). domain.Learned satisfies it. The
// maps are a snapshot the engine only reads; a new snapshot is a new map.
type Learned interface {
	Associations(locale string) map[string]map[string]float64
}

// LowInformationKey is the association key under which the learning side
// counts what visitors opened after a low-information query (one content
// word, or only an order number or a date): the popularity prior of such
// queries. It must equal domain.LowInformationKey.
const LowInformationKey = "*"

// WordKeyPrefix starts the key of a word association (the votes of every
// query holding the word). It must equal domain.WordKeyPrefix.
const WordKeyPrefix = "~"

// learnedScale is the net vote weight at which an association's signal is
// half its most: x / (|x| + learnedScale).
const learnedScale = 5.0

// learnedCandidates is the most articles the learned signal adds to a
// search's candidates.
const learnedCandidates = 3

// learnedState is the engine's source of learned associations and what it
// derives from each snapshot (per-word and low-information shares), shared
// by engines made with WithLearned.
type learnedState struct {
	src     atomic.Pointer[learnedSource]
	derived *sync.Map // locale → *learnedDerived
}

type learnedSource struct{ l Learned }

// learnedDerived is what one locale's snapshot says per content word: the
// share of the votes of the keys holding the word that each article got
// (P(article | word), signed), and the low-information prior.
type learnedDerived struct {
	table map[string]map[string]float64 // the snapshot it was derived from (kept alive: its address is the identity)
	words map[string]map[string]float64
	low   map[string]float64
}

// SetLearned makes the engine read learned associations from l (nil:
// none). Safe to call while searches run.
func (e *Engine) SetLearned(l Learned) {
	if l == nil {
		e.learned.src.Store(nil)
		return
	}
	e.learned.src.Store(&learnedSource{l})
}

// WithLearned returns an engine that shares e's index and caches but reads
// learned associations from l: the replay evaluation scores a ranking with
// and without what was learned side by side.
func (e *Engine) WithLearned(l Learned) *Engine {
	c := *e
	c.learned = &learnedState{derived: e.learned.derived}
	c.SetLearned(l)
	return &c
}

// QueryKeyWords returns a query's content words exactly as the engine
// analyses them for an anonymous visitor in locale: NFKC, chat-speak
// written out, typos corrected against the visible vocabulary, stemmed by
// the body analyzer, without stop words, words of asking, numbers (order
// numbers) and dates. It is the learning side's domain.Normaliser; nil for
// an unknown locale.
func (e *Engine) QueryKeyWords(locale, q string) []string {
	var out []string
	q = normalise(q)
	if len(q) > e.opts.MaxQueryBytes || q == "" {
		return nil
	}
	_, _ = e.withLocale(locale, func(v *index.View) error {
		out = keyWords(v, e.analyse(v, q, false, Anonymous))
		return nil
	})
	return out
}

// keyWords are the content words of an analysed query (see QueryKeyWords).
func keyWords(v *index.View, p *plan) []string {
	var out []string
	for _, w := range p.words {
		if w.body == "" || hasDigit(w.word) || fillerWords[v.Locale][w.word] || monthWords[v.Locale][w.word] {
			continue
		}
		out = append(out, w.body)
	}
	return out
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}

// monthWords are the names of the months: with a number they make a date,
// which says no more about the question than an order number does.
var monthWords = map[string]map[string]bool{
	"en": set("january", "february", "march", "april", "may", "june", "july", "august", "september",
		"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
	"es": set("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
		"setiembre", "octubre", "noviembre", "diciembre"),
}

// derive returns what e's current snapshot for locale says per word and
// for low-information queries, computing it once per snapshot.
func (ls *learnedState) derive(locale string, t map[string]map[string]float64) *learnedDerived {
	if d, ok := ls.derived.Load(locale); ok {
		if d := d.(*learnedDerived); reflect.ValueOf(d.table).UnsafePointer() == reflect.ValueOf(t).UnsafePointer() {
			return d
		}
	}
	d := &learnedDerived{table: t, words: map[string]map[string]float64{}}
	total := map[string]float64{}
	for key, arts := range t {
		if key == LowInformationKey {
			continue
		}
		if w, ok := strings.CutPrefix(key, WordKeyPrefix); ok {
			// A word association: the votes of every query with the word.
			m := d.words[w]
			if m == nil {
				m = map[string]float64{}
				d.words[w] = m
			}
			for a, x := range arts {
				m[a] += x
				total[w] += math.Abs(x)
			}
			continue
		}
		ws := strings.Fields(key)
		for _, w := range ws {
			m := d.words[w]
			if m == nil {
				m = map[string]float64{}
				d.words[w] = m
			}
			for a, x := range arts {
				m[a] += x / float64(len(ws))
				total[w] += math.Abs(x) / float64(len(ws))
			}
		}
	}
	for w, m := range d.words {
		for a := range m {
			m[a] /= total[w]
		}
	}
	if low := t[LowInformationKey]; len(low) > 0 {
		var tot float64
		for _, x := range low {
			tot += math.Abs(x)
		}
		d.low = make(map[string]float64, len(low))
		for a, x := range low {
			d.low[a] = x / tot
		}
	}
	ls.derived.Store(locale, d)
	return d
}

// learnedScores is the learned signal of each article for a query of the
// content words ws, in [-1, 1] before the weights: the associations of
// every key whose words are all in the query (the query's own key and its
// sub-keys), each counted by the share of the query's words it holds; plus
// LearnedWordShare times the mean over the query's words of each word's
// association (the share of its keys' votes the article got); plus, for a
// low-information query, LowInfoWeight over LearnedWeight times the
// prior. cand lists the articles a key association lifts, best first.
func (e *Engine) learnedScores(locale string, ws []string) (scores map[string]float64, cand []string) {
	src := e.learned.src.Load()
	if src == nil {
		return nil, nil
	}
	t := src.l.Associations(locale)
	if len(t) == 0 {
		return nil, nil
	}
	uniq := uniqueSorted(ws)
	n := len(uniq)
	scores = map[string]float64{}
	keyScore := map[string]float64{}
	if n > 0 {
		// Every sub-key of the query's words (all of them up to 8 words;
		// beyond, single words and pairs and the whole key).
		add := func(sub []string) {
			arts := t[strings.Join(sub, " ")]
			for a, x := range arts {
				keyScore[a] += float64(len(sub)) / float64(n) * x / (math.Abs(x) + learnedScale)
			}
		}
		if n <= 8 {
			sub := make([]string, 0, n)
			for mask := 1; mask < 1<<n; mask++ {
				sub = sub[:0]
				for i := range n {
					if mask&(1<<i) != 0 {
						sub = append(sub, uniq[i])
					}
				}
				add(sub)
			}
		} else {
			for i := range n {
				add(uniq[i : i+1])
				for j := i + 1; j < n; j++ {
					add([]string{uniq[i], uniq[j]})
				}
			}
			add(uniq)
		}
	}
	d := e.learned.derive(locale, t)
	for a, x := range keyScore {
		scores[a] = max(-1, min(1, x))
		if x > 0 {
			cand = append(cand, a)
		}
	}
	if n > 0 && e.opts.LearnedWordShare > 0 {
		share := map[string]float64{}
		for _, w := range uniq {
			for a, x := range d.words[w] {
				share[a] += x / float64(n)
			}
		}
		for a, x := range share {
			scores[a] += e.opts.LearnedWordShare * x
			if x >= wordCandidateShare && keyScore[a] <= 0 {
				cand = append(cand, a)
			}
		}
	}
	if n <= 1 && len(d.low) > 0 && e.opts.LearnedWeight > 0 {
		var low []string
		for a, x := range d.low {
			scores[a] += e.opts.LowInfoWeight / e.opts.LearnedWeight * x
			if x > 0 {
				low = append(low, a)
			}
		}
		sort.Slice(low, func(i, j int) bool {
			if d.low[low[i]] != d.low[low[j]] {
				return d.low[low[i]] > d.low[low[j]]
			}
			return low[i] < low[j]
		})
		cand = append(cand, low[:min(len(low), learnedCandidates)]...)
	}
	sort.SliceStable(cand, func(i, j int) bool {
		if scores[cand[i]] != scores[cand[j]] {
			return scores[cand[i]] > scores[cand[j]]
		}
		return cand[i] < cand[j]
	})
	return scores, cand
}

// wordCandidateShare is the share of a query's word votes (over its
// words) an article needs for the search to list it when it did not
// find it itself.
const wordCandidateShare = 0.3

func uniqueSorted(ws []string) []string {
	out := make([]string, 0, len(ws))
	seen := map[string]bool{}
	for _, w := range ws {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

// applyLearned adds the learned signal, times Options.LearnedWeight, to the
// reranked hits, adds the articles a learned association lifts that are not
// among them (visible to the asker, in the requested category), and sorts
// again. It returns the hits and how many were added. A query with no
// association leaves hits exactly as they were.
func (e *Engine) applyLearned(v *index.View, p *plan, req Request, hits []*docHit) ([]*docHit, int) {
	if e.learned.src.Load() == nil || e.opts.LearnedWeight <= 0 {
		return hits, 0
	}
	scores, cand := e.learnedScores(v.Locale, keyWords(v, p))
	if len(scores) == 0 {
		return hits, 0
	}
	in := make(map[string]bool, len(hits))
	changed := false
	for _, h := range hits {
		in[h.ID] = true
		if s := scores[h.ID]; s != 0 {
			h.Score += e.opts.LearnedWeight * s
			changed = true
		}
	}
	added := 0
	for _, id := range cand {
		if added == learnedCandidates {
			break
		}
		if in[id] {
			continue
		}
		a, ok := v.Article(id)
		if !ok || !req.Audience.Allows(a.Visibility) || (req.Category != "" && a.Category != req.Category) {
			continue
		}
		in[id] = true
		hits = append(hits, &docHit{ID: id, Score: e.opts.LearnedWeight * scores[id]})
		added++
		changed = true
	}
	if changed {
		sort.SliceStable(hits, func(i, j int) bool {
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].ID < hits[j].ID
		})
	}
	return hits, added
}
