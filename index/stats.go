package index

import (
	"bytes"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/vellum"

	"github.com/marketplace/helpcentre/content"
)

// Stats are a locale's term statistics, kept beside the Bleve index so that
// queries can tell known words from typos and common terms from rare ones
// without touching the index. A reload changes a copy (clone) and swaps it in with the index's articles.
type Stats struct {
	Docs  int
	terms map[string]int // analysed term (question or body analyzer) → documents containing it
	words map[string]int // lower-cased, accent-folded word → documents containing it
	// surface maps a folded word to a spelling the articles use when the two
	// differ ("contrasena" → "contraseña"): queries are folded for typo
	// lookups, but analysed with their accents, as the articles were.
	surface map[string]string
	// restricted counts the words of articles not everyone may read, by
	// visibility: the speller corrects into a word only when an article
	// the asker may read contains it (VisibleFreq).
	restricted map[content.Visibility]map[string]int
	// questions counts, per category, the articles whose title, aliases
	// or tags have each question-analyzer term: what the category's
	// articles answer, in the editors' words (see CategoryHasQuestionTerm).
	questions map[string]map[string]int
	fst       *vellum.FST               // words, for typo correction; rebuilt after each change
	nearC     *lookupCache[[]Candidate] // Near's answers for this vocabulary
	prefixC   *lookupCache[bool]        // HasPrefix's
	gen       uint64                    // changes applied so far (see Generation)
}

// Generation counts the changes applied to the statistics: values derived
// from them (weights kept beside an article) hold while it is the same.
func (s *Stats) Generation() uint64 { return s.gen }

func newStats() *Stats {
	return &Stats{terms: map[string]int{}, words: map[string]int{}, surface: map[string]string{},
		restricted: map[content.Visibility]map[string]int{}, questions: map[string]map[string]int{}}
}

// VisibleFreq is the number of articles that contain the lower-cased word
// among those of a visibility allowed reports readable.
func (s *Stats) VisibleFreq(word string, allowed func(content.Visibility) bool) int {
	n := s.words[word]
	for v, words := range s.restricted {
		if n > 0 && !allowed(v) {
			n -= words[word]
		}
	}
	return n
}

// DocFreq is the number of articles that contain the analysed term in any text field.
func (s *Stats) DocFreq(term string) int { return s.terms[term] }

// WordFreq is the number of articles that contain the lower-cased word.
func (s *Stats) WordFreq(word string) int { return s.words[word] }

// Surface returns the accented spelling of a folded word, or "" when the
// articles spell it as it is.
func (s *Stats) Surface(folded string) string { return s.surface[folded] }

// Categories lists the categories that have articles.
func (s *Stats) Categories() []string {
	out := make([]string, 0, len(s.questions))
	for c := range s.questions {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// CategoryHasQuestionTerm reports whether the title, aliases or tags of an
// article of the category have the question-analyzer term.
func (s *Stats) CategoryHasQuestionTerm(category, term string) bool {
	return s.questions[category][term] > 0
}

// articleTerms is what one article adds to the statistics: its distinct
// analysed terms and folded words, the terms of its title, aliases and tags,
// and the accented spellings of folded words met, per field (accented says
// which one counts).
type articleTerms struct {
	terms, words, questions map[string]struct{}
	byField                 [len(statsFields)][]accent
}

// accent is a lower-cased word whose folded form differs.
type accent struct{ folded, orig string }

// statsFields are the fields the statistics count (fieldTexts holds their
// texts); the first shortFields are the short ones, whose terms are also
// question terms.
var statsFields = [...]string{FieldTitle, FieldAliases, FieldTags, FieldHeadings, FieldBody}

const shortFields = 3 // title, aliases, tags

// statsField is field's place in statsFields, -1 when not counted.
func statsField(field string) int {
	for i, f := range statsFields {
		if f == field {
			return i
		}
	}
	return -1
}

func newArticleTerms() *articleTerms {
	return &articleTerms{terms: map[string]struct{}{}, words: map[string]struct{}{}, questions: map[string]struct{}{}}
}

// addField adds the analysed terms (toks) and lower-cased words (lower) of
// statsFields[field], as analyseAndLower makes them. Fields may come in any
// order (Bleve analyses a document's fields in its mapping's order).
func (at *articleTerms) addField(field int, toks, lower analysis.TokenStream) {
	short := field < shortFields
	for _, t := range toks {
		at.terms[string(t.Term)] = struct{}{}
		if short {
			at.questions[string(t.Term)] = struct{}{}
		}
	}
	for _, t := range lower {
		orig := string(t.Term)
		w := orig
		if w = content.Fold(orig); w != orig {
			at.byField[field] = append(at.byField[field], accent{w, orig})
		}
		at.words[w] = struct{}{}
	}
}

// accented maps each folded word met with an accent to its spelling: the
// last met in statsFields's order, whatever order the fields came in.
func (at *articleTerms) accented() map[string]string {
	m := map[string]string{}
	for _, pairs := range at.byField {
		for _, p := range pairs {
			m[p.folded] = p.orig
		}
	}
	return m
}

// termsOf returns what an article adds to the statistics, analysing its
// fields (an index build takes them from Bleve's own analysis instead:
// capturingAnalyzer).
func termsOf(an Analyzers, a *content.Article) *articleTerms {
	at := newArticleTerms()
	for i, text := range fieldTexts(a) {
		if text == "" {
			continue
		}
		toks, lower := analyseAndLower(an.ForField(statsFields[i]), []byte(text))
		at.addField(i, toks, lower)
	}
	return at
}

// clone copies the statistics for a reload to change aside while searches
// read the original; the vocabulary FST and its cache are left for
// rebuildFST to make anew.
func (s *Stats) clone() *Stats {
	c := &Stats{Docs: s.Docs, terms: maps.Clone(s.terms), words: maps.Clone(s.words), surface: maps.Clone(s.surface),
		restricted: make(map[content.Visibility]map[string]int, len(s.restricted)),
		questions:  make(map[string]map[string]int, len(s.questions)),
		fst:        s.fst, nearC: s.nearC, prefixC: s.prefixC, gen: s.gen}
	for v, m := range s.restricted {
		c.restricted[v] = maps.Clone(m)
	}
	for cat, m := range s.questions {
		c.questions[cat] = maps.Clone(m)
	}
	return c
}

// lowerWords splits text into lower-cased words, keeping accents; folding
// (content.Fold) then gives the same words as the suggest analyzer, which
// folds first.
var lowerWords = &analysis.DefaultAnalyzer{Tokenizer: unicode.NewUnicodeTokenizer(), TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter()}}

// analyseAndLower returns what an and lowerWords give text. When an is the
// Unicode word tokenizer and token filters, as every analyzer of the text
// fields is, the text is segmented once for both (the segmenter was most of
// a build's time): lowerWords is the same tokenizer and the lower-case
// filter, here run on the same tokens over a copy of the text before an's
// filters change them.
func analyseAndLower(an analysis.Analyzer, input []byte) (terms, lower analysis.TokenStream) {
	da, ok := an.(*analysis.DefaultAnalyzer)
	if ok && len(da.CharFilters) == 0 {
		_, ok = da.Tokenizer.(*unicode.UnicodeTokenizer)
	}
	if !ok {
		cp := bytes.Clone(input) // the analyzer's filters change input in place
		return an.Analyze(input), lowerWords.Analyze(cp)
	}
	toks := da.Tokenizer.Tokenize(input)
	own := bytes.Clone(input) // lower-cased in place, token by token
	lower = make(analysis.TokenStream, len(toks))
	arr := make([]analysis.Token, len(toks))
	for i, t := range toks {
		arr[i] = *t
		arr[i].Term = own[t.Start:t.End:t.End]
		lower[i] = &arr[i]
	}
	for _, f := range lowerWords.TokenFilters {
		lower = f.Filter(lower)
	}
	for _, f := range da.TokenFilters {
		toks = f.Filter(toks)
	}
	return toks, lower
}

func (s *Stats) add(an Analyzers, a *content.Article, sign int) {
	s.addTerms(a, termsOf(an, a), sign)
}

// addTerms counts (sign +1) or uncounts (-1) what article a adds to the
// statistics, at.
func (s *Stats) addTerms(a *content.Article, at *articleTerms, sign int) {
	terms, words, accented, questions := at.terms, at.words, at.accented(), at.questions
	cq := s.questions[a.Category]
	if cq == nil {
		cq = map[string]int{}
		s.questions[a.Category] = cq
	}
	for t := range questions {
		cq[t] += sign
		if cq[t] <= 0 {
			delete(cq, t)
		}
	}
	if len(cq) == 0 {
		delete(s.questions, a.Category)
	}
	if sign > 0 {
		for w, orig := range accented {
			s.surface[w] = orig
		}
	}
	for t := range terms {
		s.terms[t] += sign
		if s.terms[t] <= 0 {
			delete(s.terms, t)
		}
	}
	for w := range words {
		s.words[w] += sign
		if s.words[w] <= 0 {
			delete(s.words, w)
			delete(s.surface, w)
		}
	}
	if v := a.Visibility; v != "" && v != content.Public {
		r := s.restricted[v]
		if r == nil {
			r = map[string]int{}
			s.restricted[v] = r
		}
		for w := range words {
			if r[w] += sign; r[w] <= 0 {
				delete(r, w)
			}
		}
	}
	s.Docs += sign
}

// rebuildFST compiles the vocabulary into an FST for Levenshtein lookups.
func (s *Stats) rebuildFST() error {
	s.gen++
	keys := make([]string, 0, len(s.words))
	for w := range s.words {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.Insert([]byte(k), uint64(s.words[k])); err != nil {
			return err
		}
	}
	if err := b.Close(); err != nil {
		return err
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		return err
	}
	s.fst = fst
	s.nearC = newLookupCache[[]Candidate]()
	s.prefixC = newLookupCache[bool]()
	return nil
}

// Candidate is a known word close to an unknown one.
type Candidate struct {
	Word     string
	Distance int
	Freq     int // documents containing Word
}

// Near lists the known words within maxDist edits of word (at most limit,
// nearest and most frequent first).
func (s *Stats) Near(word string, maxDist, limit int) []Candidate {
	if s.fst == nil || maxDist < 1 || maxDist > 2 || len(word) > 40 {
		return nil
	}
	key := string(rune('0'+maxDist)) + string(rune('0'+min(limit, 9))) + word
	if c, ok := s.nearC.get(key); ok {
		return c
	}
	out := s.near1(word, maxDist, limit)
	s.nearC.put(key, out)
	return out
}

// lookupCache remembers look-ups in the vocabulary FST: customers repeat
// the same misspellings (a typo look-up walks the FST's near words: ~70 µs)
// and type the same beginnings (an FST iterator is ~900 bytes, a quarter
// of a suggestion's garbage, BenchmarkAPI/suggest).
type lookupCache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func newLookupCache[V any]() *lookupCache[V] { return &lookupCache[V]{m: map[string]V{}} }

func (c *lookupCache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *lookupCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 20000 {
		c.m = map[string]V{} // bounded: start again rather than grow
	}
	c.m[k] = v
}

func (s *Stats) near1(word string, maxDist, limit int) []Candidate {
	aut := newLevAutomaton(word, maxDist)
	defer aut.release()
	it, err := s.fst.Search(aut, nil, nil)
	var out []Candidate
	for err == nil {
		k, v := it.Current()
		if string(k) != word {
			out = append(out, Candidate{Word: string(k), Distance: int(it.EditDistance()), Freq: int(v)})
		}
		if len(out) > 256 {
			break
		}
		err = it.Next()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		if out[i].Freq != out[j].Freq {
			return out[i].Freq > out[j].Freq
		}
		return out[i].Word < out[j].Word
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func joinLines(ss []string) string { return strings.Join(ss, "\n") }

// fieldTexts is what each counted text field of the index holds for an
// article, in statsFields's order: the Bleve document (bleveDoc) and the
// statistics (termsOf) take these texts from here.
func fieldTexts(a *content.Article) [len(statsFields)]string {
	return [...]string{a.Title, joinLines(a.Aliases), joinLines(a.Tags), joinLines(a.Headings), a.Text}
}

// HasPrefix reports whether any known word starts with prefix.
func (s *Stats) HasPrefix(prefix string) bool {
	if s.fst == nil || prefix == "" {
		return false
	}
	if len(prefix) > 40 { // as Near: not worth remembering
		return s.hasPrefix(prefix)
	}
	if has, ok := s.prefixC.get(prefix); ok {
		return has
	}
	has := s.hasPrefix(prefix)
	s.prefixC.put(strings.Clone(prefix), has)
	return has
}

func (s *Stats) hasPrefix(prefix string) bool {
	end := []byte(prefix)
	// the smallest key greater than every key with the prefix
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			end = end[:i+1]
			break
		}
	}
	it, err := s.fst.Iterator([]byte(prefix), end)
	if err != nil {
		return false
	}
	k, _ := it.Current()
	return len(k) > 0
}
