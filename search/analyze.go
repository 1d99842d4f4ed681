package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/marketplace/helpcentre/index"
)

// word is one word of the customer's query after analysis.
type word struct {
	typed     string // lower-cased, folded, as typed
	word      string // after typo correction
	corrected bool
	question  string // term under the question analyzer ("" when none)
	body      string // term under the body analyzer ("" for a stop word)
	prefix    bool   // the last word while typing: also matched as a prefix
	pos       int    // index of the query token it comes from
}

// group is a set of terms that stand for one meaning in the query: a word,
// or a synonym phrase added for a matched rule.
type group struct {
	label    string   // what the customer typed (a word or a phrase)
	question []string // terms for title, aliases, tags
	body     []string // terms for headings and body
	weight   float64
	synonym  *SynonymUse // set on groups added by a synonym rule
	prefix   string      // as-you-type prefix on the suggest field
	word     *word
	src      int  // for a synonym group: the group of the first word it stands for, or -1
	rankOnly bool // question terms used by the rerank only, not matched in the index
	stop     bool // a stop word: adds to the score of an article matched otherwise, never matches one alone
}

// plan is the analysed query: what will be searched and why.
type plan struct {
	words       []*word
	groups      []*group
	corrections []Correction
	synonyms    []SynonymUse
	truncated   bool
	// typoWork counts the words the typo corrector looked up, typoSteps
	// the automaton states their look-ups cost (see correct).
	typoWork, typoSteps int

	// Where the words, the groups and their one-term lists are made, and
	// the words' first list: reused when the plan is released.
	wordSlab  slab[word]
	groupSlab slab[group]
	terms     []string
	spare     []*word
	bq        bodyQuery // see newBodyQuery
	rerank    rerankScratch
}

// rerankScratch is rerankSignals' working memory, kept with the plan.
type rerankScratch struct {
	qterm            map[string]bool
	slotOf           []int
	wweight, covered []float64
}

// plans are released plans (see release): a search's plan, its words and
// groups were some 3 KB of its garbage.
var plans = sync.Pool{New: func() any { return new(plan) }}

// release gives the plan back once its search has made its result: nothing
// of it may be used after, but for its corrections and synonyms, which
// results share (Why) and which are let go, not reused.
func (p *plan) release() {
	p.wordSlab.reset()
	p.groupSlab.reset()
	clear(p.terms[:cap(p.terms)])
	clear(p.words[:cap(p.words)])
	clear(p.groups[:cap(p.groups)])
	clear(p.spare[:cap(p.spare)])
	p.bq.reset()
	if p.wordSlab.blocks()+p.groupSlab.blocks() > 16 || cap(p.terms) > 1024 {
		return // a rare huge query's plan is not kept
	}
	clear(p.rerank.qterm)
	rr := rerankScratch{qterm: p.rerank.qterm, slotOf: p.rerank.slotOf[:0], wweight: p.rerank.wweight[:0], covered: p.rerank.covered[:0]}
	*p = plan{wordSlab: p.wordSlab, groupSlab: p.groupSlab, terms: p.terms[:0], words: p.words[:0], groups: p.groups[:0], spare: p.spare[:0], bq: p.bq, rerank: rr}
	plans.Put(p)
}

// oneTerm returns a list of the one term t, made in the plan.
func (p *plan) oneTerm(t string) []string {
	p.terms = append(p.terms, t)
	n := len(p.terms)
	return p.terms[n-1 : n : n] // capped: a later append never writes into it
}

// The typo corrector's bounds. 32 random misspelt words cost ~12 ms at
// 10,000 articles against ~0.35 ms for a normal search, almost all of it
// in building a Levenshtein automaton per word, whose cost grows with the
// word's letters times the square of the edits allowed (measured with
// vellum: ~7 µs a letter for one edit, ~26 µs for two). So only the first
// maxTypoLookups unknown words are looked up, none longer than maxTypoRunes
// letters (no word a customer misspells is that long; random strings are),
// and a query spends at most maxTypoSteps letters × edits² on automata.
const (
	maxTypoLookups = 8
	maxTypoRunes   = 20
	maxTypoSteps   = 128
)

// typoSteps is what correcting w within budget edits costs: its letters
// times the square of the edits.
func typoSteps(w string, budget int) int {
	return utf8.RuneCountInString(w) * budget * budget
}

// normalise cleans user text: invalid UTF-8 and control characters become
// spaces, compatibility characters their NFKC form (mathematical letters
// "𝐢𝐧𝐯𝐨𝐢𝐜𝐞", full-width "ｉｎｖｏｉｃｅ", ligatures: see nfkcTable) and
// white space is collapsed. It never interprets query syntax.
func normalise(q string) string {
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, " ")
	}
	var b strings.Builder
	b.Grow(len(q))
	for _, r := range q {
		switch {
		case r == utf8.RuneError || unicode.IsControl(r):
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteRune(r)
		default:
			if k, ok := nfkcTable[r]; ok {
				b.WriteString(k)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// numberWord is, per locale, the word "no." stands for before a number.
var numberWord = map[string]string{"en": "number", "es": "numero"}

// expandNumberSign writes "no." before a number ("order no. 1234",
// "no.1234", "No. #1234") as the locale's word for number: the tokenizer
// drops the full stop, and "no" alone is a stop word (or, in Spanish, a
// negation).
func expandNumberSign(q, locale string) string {
	word := numberWord[locale]
	if word == "" {
		return q
	}
	var b strings.Builder
	last := 0
	for i := 0; i+3 <= len(q); i++ {
		if (q[i] != 'n' && q[i] != 'N') || (q[i+1] != 'o' && q[i+1] != 'O') || q[i+2] != '.' {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(q[:i]); unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		j := i + 3
		for j < len(q) && (q[j] == ' ' || q[j] == '#') {
			j++
		}
		if j == len(q) || q[j] < '0' || q[j] > '9' {
			continue
		}
		b.WriteString(q[last:i])
		b.WriteString(word)
		b.WriteByte(' ')
		last = i + 3
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// typoBudget is Algolia's rule: one typo from 4 letters, two from 8.
func typoBudget(w string) int {
	n := utf8.RuneCountInString(w)
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// analyse turns normalised query text into a plan against one locale's view.
func (e *Engine) analyse(v *index.View, q string, asYouType bool, aud Audience) *plan {
	p := plans.Get().(*plan)
	endsInWord := q != "" && !unicode.IsSpace(rune(q[len(q)-1])) && !unicode.IsPunct(rune(q[len(q)-1]))
	chat := e.chat[v.Locale]
	analyze(v.Analyzers.Suggest, []byte(expandNumberSign(q, v.Locale)), func(toks analysis.TokenStream) {
		for i, t := range toks {
			if len(p.words) >= e.opts.MaxWords {
				p.truncated = true
				break
			}
			typed := string(t.Term)
			prefix := asYouType && endsInWord && i == len(toks)-1
			// Chat-speak ("u", "pls", "dont") is written out before typo
			// correction; not a word still being typed ("u" may become "under").
			if ws := chat.expand(typed); ws != nil && !prefix {
				for _, cw := range ws {
					p.words = append(p.words, p.wordSlab.alloc(word{typed: cw, word: cw, pos: i}))
				}
				continue
			}
			w := p.wordSlab.alloc(word{typed: typed, word: typed, pos: i})
			w.prefix = prefix
			p.words = append(p.words, w)
		}
	})
	words := p.words
	p.words, p.spare = p.spare[:0], words
	for _, w := range words {
		rest := e.correct(v, p, w, aud)
		p.words = append(p.words, w)
		switch {
		case rest != nil && len(p.words) < e.opts.MaxWords:
			p.words = append(p.words, rest)
			p.corrections = append(p.corrections, Correction{From: w.typed, To: w.word + " " + rest.word})
		case w.corrected:
			p.corrections = append(p.corrections, Correction{From: w.typed, To: w.word})
		}
	}
	for _, w := range p.words {
		// Queries are folded ("contrasena"); articles are analysed with
		// their accents ("contraseña"): use the articles' spelling.
		if sf := v.Stats.Surface(w.word); sf != "" {
			w.word = sf
		}
		w.question = e.cache.firstTerm(v.Analyzers.Question, w.word)
		w.body = e.cache.firstTerm(v.Analyzers.Body, w.word)
		g := p.groupSlab.alloc(group{label: w.typed, weight: 1, word: w, src: -1})
		if w.body == "" {
			// A stop word ("how", "i", "to"): bodies drop it, titles and
			// aliases keep it, where it carries some intent but much
			// less than the words around it.
			g.weight = e.opts.StopWordWeight
			g.stop = true
		} else if fillerWords[v.Locale][w.word] {
			g.weight = e.opts.FillerWeight
		}
		if w.question != "" {
			g.question = p.oneTerm(w.question)
			// A stop word that most titles and aliases contain costs
			// more to match than it tells: only the rerank uses it.
			g.rankOnly = w.body == "" && e.common(v, w.question)
		}
		if w.body != "" && !e.common(v, w.body) {
			g.body = p.oneTerm(w.body)
		}
		if w.prefix && utf8.RuneCountInString(w.typed) >= e.opts.MinPrefix {
			g.prefix = w.typed
		}
		if len(g.question)+len(g.body) > 0 || g.prefix != "" {
			p.groups = append(p.groups, g)
		}
	}
	e.expandSynonyms(v, p)
	return p
}

// large reports whether the corpus is large enough for common-term handling.
func (e *Engine) large(v *index.View) bool { return v.Stats.Docs >= e.opts.CommonMinDocs }

// common reports whether a body term occurs in so many articles that
// matching it in bodies costs more than it tells (a search's cost grows with
// the number of matching documents: at 10,000 articles ~1.5 ms of CPU for
// common words against ~0.16 ms for rare ones). Titles and aliases still
// match it.
func (e *Engine) common(v *index.View, term string) bool {
	n := v.Stats.Docs
	return n >= e.opts.CommonMinDocs && float64(v.Stats.DocFreq(term)) > e.opts.CommonRatio*float64(n)
}

// correct replaces a word the index does not know, and that is no word of
// the language, by the nearest known word within the typo budget,
// preferring the most frequent; failing that, it
// splits a word typed without its space ("paymentoptions", "checkthe") into
// two known words and returns the second. Numbers (order numbers) and known
// words are left alone, and so is a word still being typed. Known means
// known to an article the audience may read: a correction never names a
// word of an article hidden from the asker.
//
// The work is bounded per query (p.typoWork, maxTypoLookups) and per word
// (maxTypoRunes): past the bound a word is left as typed.
func (e *Engine) correct(v *index.View, p *plan, w *word, aud Audience) (rest *word) {
	known := func(s string) bool { return v.Stats.VisibleFreq(s, aud.Allows) > 0 }
	if isNumber(w.typed) || known(w.typed) || v.SynonymWords[w.typed] {
		return nil // known to the articles, or to a synonym rule that will fire
	}
	if q := e.cache.firstTerm(v.Analyzers.Question, w.typed); q != "" && v.Stats.DocFreq(q) > 0 {
		return nil // an inflection the stemmer maps onto a known term
	}
	if w.prefix && v.Stats.HasPrefix(w.typed) {
		return nil
	}
	if e.wordLists[v.Locale].has(w.typed) {
		return nil // spelled right: a word the articles do not use, not a typo
	}
	if p.typoWork >= maxTypoLookups || utf8.RuneCountInString(w.typed) > maxTypoRunes {
		return nil
	}
	p.typoWork++
	if budget := typoBudget(w.typed); budget > 0 && p.typoSteps+typoSteps(w.typed, budget) <= maxTypoSteps {
		p.typoSteps += typoSteps(w.typed, budget)
		for _, c := range v.Stats.Near(w.typed, budget, nearCandidates) {
			if known(c.Word) {
				w.word = c.Word
				w.corrected = true
				return nil
			}
		}
	}
	if a, b := splitJoined(v, w.typed); a != "" && known(a) && known(b) {
		w.word, w.corrected = a, true
		return p.wordSlab.alloc(word{typed: w.typed, word: b, corrected: true, pos: w.pos})
	}
	return nil
}

// nearCandidates is how many of the nearest known words the speller weighs:
// the first one an article the asker may read contains wins.
const nearCandidates = 8

// splitJoined finds the two known words that an unknown word joins,
// preferring the split whose rarer half is the most frequent.
func splitJoined(v *index.View, s string) (string, string) {
	best, at := 0, -1
	for i := 1; i < len(s); i++ {
		if !utf8.RuneStart(s[i]) {
			continue
		}
		if n := min(v.Stats.WordFreq(s[:i]), v.Stats.WordFreq(s[i:])); n > best {
			best, at = n, i
		}
	}
	if at < 0 {
		return "", ""
	}
	return s[:at], s[at:]
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

// expandSynonyms adds a group for each phrase a matched rule brings in.
func (e *Engine) expandSynonyms(v *index.View, p *plan) {
	if len(v.Synonyms) == 0 || len(p.words) == 0 {
		return
	}
	var seqBuf [32]string
	seq := seqBuf[:0]
	for _, w := range p.words {
		seq = append(seq, w.question)
	}
	// The phrases that match the query, each at its first position, in the
	// order of the rules (the file's order decides which rule wins when
	// MaxGroups is reached).
	// Lists searched in turn rather than maps: a question has a few words
	// and matches a few rules, and the maps were most of this function's
	// ~1.4 KB of garbage per search that matched a rule.
	type refAt struct {
		ref index.SynonymRef
		pos int
	}
	var atBuf [16]refAt
	at := atBuf[:0]
	for i, t := range seq {
		for _, ref := range v.SynonymStarts[t] {
			if slices.ContainsFunc(at, func(x refAt) bool { return x.ref == ref }) {
				continue
			}
			from := v.Synonyms[ref.Rule].From[ref.From].Question
			if i+len(from) <= len(seq) && slices.Equal(seq[i:i+len(from)], from) {
				at = append(at, refAt{ref, i})
			}
		}
	}
	if len(at) == 0 {
		return // no rule matches (most questions): nothing more to make
	}
	var groupOfBuf [32]int
	groupOf := groupOfBuf[:0] // word → its group (the last of that word), or -1
	for _, w := range p.words {
		gi := -1
		for j, g := range p.groups {
			if g.word == w {
				gi = j
			}
		}
		groupOf = append(groupOf, gi)
	}
	// The phrases the query has, as their question terms: a phrase is
	// added once (compared as the terms joined by spaces).
	var addedBuf [48][]string
	added := addedBuf[:0]
	for _, g := range p.groups {
		added = append(added, g.question)
	}
	slices.SortFunc(at, func(a, b refAt) int {
		if a.ref.Rule != b.ref.Rule {
			return a.ref.Rule - b.ref.Rule
		}
		return a.ref.From - b.ref.From
	})
	for _, x := range at {
		ref := x.ref
		rule, from, pos := v.Synonyms[ref.Rule], v.Synonyms[ref.Rule].From[ref.From], x.pos
		if rule.Class != "" && !e.onTopic(v, p, ref.Rule, pos, pos+len(from.Question)) {
			continue
		}
		src := -1
		for j := pos; j < pos+len(from.Question) && src < 0; j++ {
			src = groupOf[j]
		}
		for _, to := range rule.To {
			if slices.ContainsFunc(added, func(q []string) bool { return joinedEqual(q, to.Question) }) || slices.Equal(to.Question, from.Question) {
				continue
			}
			if len(p.groups) >= e.opts.MaxGroups {
				return
			}
			added = append(added, to.Question)
			use := SynonymUse{From: from.Text, To: to.Text}
			var kept []string
			for _, t := range to.Body {
				if !e.common(v, t) {
					kept = append(kept, t)
				}
			}
			p.groups = append(p.groups, p.groupSlab.alloc(group{label: to.Text, question: to.Question, body: kept, weight: e.opts.SynonymWeight, synonym: &use, src: src}))
			p.synonyms = append(p.synonyms, use)
		}
	}
}

// joinedEqual reports whether strings.Join(a, " ") == strings.Join(b, " "),
// without joining them.
func joinedEqual(a, b []string) bool {
	ca, cb := joinCursor{ss: a}, joinCursor{ss: b}
	for {
		x, okx := ca.next()
		y, oky := cb.next()
		if okx != oky || x != y {
			return false
		}
		if !okx {
			return true
		}
	}
}

// joinCursor reads the bytes of its strings joined by spaces.
type joinCursor struct {
	ss   []string
	i, o int
}

func (c *joinCursor) next() (byte, bool) {
	for c.i < len(c.ss) {
		if s := c.ss[c.i]; c.o < len(s) {
			c.o++
			return s[c.o-1], true
		}
		c.i, c.o = c.i+1, 0
		if c.i < len(c.ss) {
			return ' ', true
		}
	}
	return 0, false
}

// onTopic reports whether a conditional rule (one written with a word list,
// "@places => delivery countries"), matched on the query's words [from, to),
// fires: when the question's other words of substance (not stop words, words
// of asking or numbers), or a synonym another rule gave one of them, are of
// the rule's topic, or when it has none ("Toronto?"). The topic is what the
// titles, aliases and tags of the categories that have one of the rule's
// right-hand phrases there speak of: "can I order from Liverpool" and
// "shipments to Japan" ask about delivering there, "what is the weather in
// Paris tomorrow" does not.
func (e *Engine) onTopic(v *index.View, p *plan, rule, from, to int) bool {
	var cats []string
	topical := func(term string) bool {
		if cats == nil {
			cats = ruleCategories(v, v.Synonyms[rule])
		}
		for _, c := range cats {
			if v.Stats.CategoryHasQuestionTerm(c, term) {
				return true
			}
		}
		return false
	}
	any := false
	for i, w := range p.words {
		if i >= from && i < to {
			continue
		}
		if w.body == "" || isNumber(w.typed) || fillerWords[v.Locale][w.word] {
			continue
		}
		any = true
		if topical(w.question) {
			return true
		}
	}
	for _, g := range p.groups {
		if g.synonym == nil || g.src < 0 || p.groups[g.src].stop {
			continue
		}
		for _, t := range g.question {
			if topical(t) {
				return true
			}
		}
	}
	return !any
}

// ruleCategories lists the categories whose articles' titles, aliases and
// tags have every term of one of the rule's right-hand phrases.
func ruleCategories(v *index.View, r index.Synonym) []string {
	out := []string{}
	for _, c := range v.Stats.Categories() {
		for _, to := range r.To {
			all := true
			for _, t := range to.Question {
				all = all && v.Stats.CategoryHasQuestionTerm(c, t)
			}
			if all {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
