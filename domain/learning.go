package domain

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Learning: from the search log, which articles answer which questions.
// Evidence is counted per visitor, decayed with age, and only applies past
// a minimum; editors review what was learned (reject it for good, or
// promote it to an alias in the article's front matter).

// Normaliser turns a query into its content words, in the engine's own
// analysis of the locale (stop words dropped, stemmed, folded). The search
// engine supplies it; tests may use strings.Fields of the lower-cased text.
type Normaliser func(locale, q string) []string

// Learned is what the search side reads: per locale, association key (see
// AssociationKey) → article id → weight. A weight is the net, decayed,
// one-per-visitor votes of an association that passed the minimum evidence
// and was not rejected: positive, the article answers queries of that key;
// negative, it disappoints them. It is safe for concurrent use and cheap
// (a map read of the last snapshot); callers must not modify the maps.
type Learned interface {
	// Associations returns the locale's table (nil when nothing applies).
	// Errors: none.
	Associations(locale string) map[string]map[string]float64
}

// LowInformationKey is the key under which Learn also counts the votes of
// low-information queries (one content word, or none: only an order number,
// a date or stop words): what visitors asking such things opened, the
// search side's popularity prior for them. It is never a query's own key.
const LowInformationKey = "*"

// WordKeyPrefix marks a word association: the key "~refund" holds the votes
// of every query with the content word "refund", whatever its other words,
// one per visitor and address as for a query's key. Queries typed by real
// people rarely repeat word for word, so their own keys seldom reach the
// minimum evidence; their words do, and carry what was learned to new
// phrasings (the search side uses them as each word's share of the votes).
// Only word associations with the minimum number of voters are kept.
const WordKeyPrefix = "~"

// AssociationKey is the key of a query's content words: unique, sorted,
// joined by one space, so that "order refund" and "refund my order" (once
// "my" is dropped) share one. Empty when there are no content words.
func AssociationKey(words []string) string {
	uniq := make([]string, 0, len(words))
	seen := map[string]bool{}
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" && !seen[w] {
			seen[w] = true
			uniq = append(uniq, w)
		}
	}
	sort.Strings(uniq)
	return strings.Join(uniq, " ")
}

// ReviewState is an editor's decision about an association.
type ReviewState string

// The states. A rejected association never applies again, whatever the
// evidence; a promoted one keeps applying until the alias is in the content.
const (
	ReviewPending  ReviewState = "pending"
	ReviewRejected ReviewState = "rejected"
	ReviewPromoted ReviewState = "promoted"
)

// Association is what was learned about one (locale, key, article).
type Association struct {
	Locale   string      `json:"locale"`
	Key      string      `json:"key"`
	Article  string      `json:"article"`
	Weight   float64     `json:"weight"`   // net decayed votes
	Voters   int         `json:"voters"`   // distinct visitors (and addresses) who voted
	Positive int         `json:"positive"` // voters whose vote was positive
	Negative int         `json:"negative"`
	Example  string      `json:"example"` // the most frequent query text of the key
	Applies  bool        `json:"applies"` // minimum evidence met and not rejected
	Review   ReviewState `json:"review"`
	Updated  time.Time   `json:"updated"`
}

// ID names an association in the API: locale, key and article.
func (a Association) ID() string { return a.Locale + "|" + a.Key + "|" + a.Article }

// Label says what the association's key stands for, in words an editor
// reads without knowing the key's notation: the query words themselves,
// "any question with “returns”" for a word association, or "one-word
// questions" for the low-information key.
func (a Association) Label() string {
	switch {
	case a.Key == LowInformationKey:
		return "one-word questions (and questions with no content word)"
	case strings.HasPrefix(a.Key, WordKeyPrefix):
		return "any question with \u201c" + strings.TrimPrefix(a.Key, WordKeyPrefix) + "\u201d"
	}
	return a.Key
}

// AliasLine is the front-matter line an editor adds to the article to make
// a promoted association part of the content.
func (a Association) AliasLine() string {
	return "aliases: [" + strconv.Quote(a.Example) + "]"
}

// LearnParams are the settings of learning.
type LearnParams struct {
	HalfLife    time.Duration // a vote's weight halves every HalfLife
	MinVoters   int           // voters an association needs before it applies
	MinWeight   float64       // |weight| it needs too
	QuickReturn time.Duration // a search this soon after a click undoes the click
	BurstGap    time.Duration // as-you-type rule (FinalSearches)
}

// DefaultLearnParams are the defaults of the serve command's flags.
func DefaultLearnParams() LearnParams {
	return LearnParams{HalfLife: 14 * 24 * time.Hour, MinVoters: 3, MinWeight: 1.5,
		QuickReturn: DefaultQuickReturn, BurstGap: DefaultBurstGap}
}

// vote values: one per visitor per (query key, article); the last decisive
// event (a vote, "solved" or a hand-off) wins over clicks.
func voteValue(t SearchEventType) (v float64, decisive bool) {
	switch t {
	case SearchHelpful, SearchSolved:
		return 1, true
	case SearchNotHelpful, SearchHandoff:
		return -1, true
	case SearchClick:
		return 1, false
	}
	return 0, false
}

// Learn computes the associations of the search log (time-ordered) at now.
// Positive evidence: a click with no quick return (no new search by the
// same visitor within p.QuickReturn), "helpful", "solved"; negative: "not
// helpful", a hand-off after reading. Each visitor has one vote per
// (locale, key, article), worth ±0.5^(age/HalfLife) at the time of its
// deciding event; a second visitor from an address that already voted on
// the pair is not counted (a flood from one address counts once). A
// low-information query (at most one content word) also votes under
// LowInformationKey.
func Learn(log []SearchEvent, normalise Normaliser, p LearnParams, now time.Time) []Association {
	var searches []SearchEvent
	byVisitor := map[string][]time.Time{}
	for _, e := range log {
		if e.Type == SearchQuery {
			searches = append(searches, e)
			byVisitor[e.Visitor] = append(byVisitor[e.Visitor], e.At)
		}
	}
	final := FinalSearches(searches, p.BurstGap)
	bySearch := map[string]*SearchEvent{}
	for i := range searches {
		bySearch[searches[i].QueryID] = &searches[i]
	}
	keys := map[string][]string{} // final query id → its keys
	type pairKey struct{ locale, key, article string }
	type vote struct {
		value    float64
		at       time.Time
		decisive bool
		client   string
	}
	votes := map[pairKey]map[string]*vote{} // → visitor → vote
	examples := map[pairKey]map[string]int{}
	for _, e := range log {
		if e.Type == SearchQuery {
			continue
		}
		fid, ok := final[e.QueryID]
		if !ok {
			continue
		}
		s := bySearch[fid]
		ks, ok := keys[fid]
		if !ok {
			key := AssociationKey(normalise(s.Locale, s.Query))
			if key != "" {
				ks = append(ks, key)
			}
			if !strings.Contains(key, " ") {
				ks = append(ks, LowInformationKey)
			}
			for _, w := range strings.Fields(key) {
				ks = append(ks, WordKeyPrefix+w)
			}
			keys[fid] = ks
		}
		v, decisive := voteValue(e.Type)
		if v == 0 {
			continue
		}
		if e.Type == SearchClick && quickReturn(byVisitor[e.Visitor], e.At, p.QuickReturn) {
			continue
		}
		for _, key := range ks {
			pk := pairKey{s.Locale, key, e.Article}
			vs := votes[pk]
			if vs == nil {
				vs = map[string]*vote{}
				votes[pk] = vs
				examples[pk] = map[string]int{}
			}
			examples[pk][FoldQuery(s.Query)]++
			old := vs[e.Visitor]
			if old != nil && old.decisive && !decisive {
				continue // a click after a vote does not undo the vote
			}
			if old == nil {
				vs[e.Visitor] = &vote{value: v, at: e.At, decisive: decisive, client: e.Client}
			} else {
				old.value, old.at, old.decisive = v, e.At, decisive
			}
		}
	}
	out := make([]Association, 0, len(votes))
	for pk, vs := range votes {
		a := Association{Locale: pk.locale, Key: pk.key, Article: pk.article, Review: ReviewPending, Updated: now}
		visitors := make([]string, 0, len(vs))
		for v := range vs {
			visitors = append(visitors, v)
		}
		sort.Strings(visitors)
		clients := map[string]bool{}
		for _, name := range visitors {
			v := vs[name]
			if v.client != "" && clients[v.client] {
				continue
			}
			clients[v.client] = true
			a.Voters++
			if v.value > 0 {
				a.Positive++
			} else {
				a.Negative++
			}
			a.Weight += v.value * decay(now.Sub(v.at), p.HalfLife)
		}
		a.Weight = math.Round(a.Weight*1000) / 1000
		a.Example = mostFrequent(examples[pk])
		a.Applies = a.Voters >= p.MinVoters && math.Abs(a.Weight) >= p.MinWeight
		if strings.HasPrefix(a.Key, WordKeyPrefix) && a.Voters < p.MinVoters {
			continue // word pairs are many: keep those with the evidence
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}

func quickReturn(searches []time.Time, click time.Time, within time.Duration) bool {
	i := sort.Search(len(searches), func(i int) bool { return searches[i].After(click) })
	return i < len(searches) && searches[i].Sub(click) <= within
}

func decay(age, halfLife time.Duration) float64 {
	if halfLife <= 0 || age <= 0 {
		return 1
	}
	return math.Pow(0.5, float64(age)/float64(halfLife))
}

func mostFrequent(m map[string]int) string {
	best, n := "", 0
	for q, c := range m {
		if c > n || c == n && q < best {
			best, n = q, c
		}
	}
	return best
}

// MergeReviews carries editors' decisions from the stored associations to
// freshly learned ones: a rejected association stays rejected (and does not
// apply); a reviewed one that no longer has evidence is kept, so that its
// decision is not forgotten.
func MergeReviews(learned, stored []Association) []Association {
	reviews := map[string]Association{}
	for _, a := range stored {
		if a.Review != ReviewPending && a.Review != "" {
			reviews[a.ID()] = a
		}
	}
	out := make([]Association, 0, len(learned))
	for _, a := range learned {
		if r, ok := reviews[a.ID()]; ok {
			a.Review = r.Review
			delete(reviews, a.ID())
		}
		if a.Review == ReviewRejected {
			a.Applies = false
		}
		out = append(out, a)
	}
	for _, r := range reviews {
		r.Applies = false
		r.Weight, r.Voters, r.Positive, r.Negative = 0, 0, 0, 0
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}

// LearnChange is what one learning run changed in the applying table.
type LearnChange struct {
	At      time.Time     `json:"at"`
	Added   []Association `json:"added"`   // apply now, did not before
	Removed []Association `json:"removed"` // applied before, do not now
	Changed []Association `json:"changed"` // apply still, with another weight
	Applied int           `json:"applied"` // associations applying after the run
	Total   int           `json:"total"`   // associations known, applying or not
}

// DiffLearned compares the applying associations before and after a run.
func DiffLearned(before, after []Association, at time.Time) LearnChange {
	c := LearnChange{At: at, Added: []Association{}, Removed: []Association{}, Changed: []Association{}, Total: len(after)}
	old := map[string]Association{}
	for _, a := range before {
		if a.Applies {
			old[a.ID()] = a
		}
	}
	for _, a := range after {
		if !a.Applies {
			continue
		}
		c.Applied++
		o, ok := old[a.ID()]
		switch {
		case !ok:
			c.Added = append(c.Added, a)
		case o.Weight != a.Weight:
			c.Changed = append(c.Changed, a)
		}
		delete(old, a.ID())
	}
	for _, a := range before {
		if _, ok := old[a.ID()]; ok {
			c.Removed = append(c.Removed, a)
		}
	}
	return c
}

// LearnedTable builds the Learned view of associations: those that apply.
func LearnedTable(as []Association) map[string]map[string]map[string]float64 {
	t := map[string]map[string]map[string]float64{}
	for _, a := range as {
		if !a.Applies {
			continue
		}
		byKey := t[a.Locale]
		if byKey == nil {
			byKey = map[string]map[string]float64{}
			t[a.Locale] = byKey
		}
		if byKey[a.Key] == nil {
			byKey[a.Key] = map[string]float64{}
		}
		byKey[a.Key][a.Article] = a.Weight
	}
	return t
}

// ParseAssociationID splits an id made by Association.ID.
func ParseAssociationID(id string) (locale, key, article string, err error) {
	parts := strings.Split(id, "|")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", Errorf(CodeAssociationNotFound, "An association id is locale|key|article.")
	}
	return parts[0], parts[1], parts[2], nil
}

// LearningService learns associations from the search log and keeps them
// (and editors' reviews) across restarts.
type LearningService interface {
	Learned
	// Apply learns from the log now, stores the result and answers with
	// what changed (admins only). Errors: unauthorized, forbidden.
	Apply(ctx context.Context) (*LearnChange, error)
	// List returns every stored association with its evidence (operators).
	// Errors: unauthorized, forbidden.
	List(ctx context.Context) ([]Association, error)
	// Review rejects or promotes an association (admins only).
	// Errors: unauthorized, forbidden, association_not_found, invalid_review.
	Review(ctx context.Context, id string, state ReviewState) (*Association, error)
}

// ValidReview checks an editor's decision.
func ValidReview(s ReviewState) error {
	if s != ReviewRejected && s != ReviewPromoted && s != ReviewPending {
		return Errorf(CodeInvalidReview, "decision must be reject, promote or pending.")
	}
	return nil
}

// ErrAssociationNotFound is the answer for an unknown association.
func ErrAssociationNotFound(id string) *Error {
	return Errorf(CodeAssociationNotFound, "There is no learned association %q.", id)
}

// String is the association in a log line.
func (a Association) String() string {
	return fmt.Sprintf("%s %q → %s (%.2f, %d voters)", a.Locale, a.Key, a.Article, a.Weight, a.Voters)
}

// PlainWords is a Normaliser for when the engine's is not wired: lower-case
// words of letters and digits, at least two characters long. It knows no
// stop words nor stems, so it generalises less than the engine's analysis.
func PlainWords(_, q string) []string {
	f := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := f[:0]
	for _, w := range f {
		if utf8.RuneCountInString(w) >= 2 {
			out = append(out, w)
		}
	}
	return out
}
