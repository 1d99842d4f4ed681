package domain

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Search events: what visitors searched for and what they did with the
// answers (Algolia Insights' model). Every search answered is logged with
// an opaque query id; the browser reports clicks and votes against it.
// The log is the input of the search analytics and of learning.

// SearchEventType is one kind of entry in the search log.
type SearchEventType string

// The entries. SearchQuery is written by the server when it answers; the
// others come from browsers and name the query id they follow.
const (
	SearchQuery      SearchEventType = "search"
	SearchClick      SearchEventType = "click"       // a result was opened
	SearchHelpful    SearchEventType = "helpful"     // the article answered ("yes")
	SearchNotHelpful SearchEventType = "not_helpful" // the article did not
	SearchSolved     SearchEventType = "solved"      // "this solved it" in the contact flow
	SearchHandoff    SearchEventType = "handoff"     // handed to a person after reading the article
)

// Limits and defaults of search events.
const (
	MaxEventsPerPost     = 100
	QueryIDMaxAge        = 24 * time.Hour      // events name a search at most this old
	DefaultEventsRetain  = 90 * 24 * time.Hour // --events-retention
	MaxLoggedHits        = 10                  // the first page's articles kept per search
	MaxLoggedQuery       = 256                 // bytes of query text kept
	DefaultBurstGap      = 5 * time.Second     // as-you-type searches closer than this are one search
	DefaultQuickReturn   = 20 * time.Second    // a new search this soon after a click undoes it
	DefaultLowCTR        = 0.2                 // "low click-through" in the analytics
	MaxAnalyticsTopItems = 20
)

// SearchEvent is one entry of the search log, as stored and as exported
// (one JSON object per line, see the README's "Search events file").
type SearchEvent struct {
	Type    SearchEventType `json:"type"`
	At      time.Time       `json:"at"`
	QueryID string          `json:"query_id"`
	// Visitor is the salted hash of the anonymous visitor id (cookie
	// hc_vid), or of the client address when there is none; Client is the
	// salted hash of the address. Neither identifies a person.
	Visitor string `json:"visitor"`
	Client  string `json:"client"`
	// A search's own fields.
	Locale string   `json:"locale,omitempty"`
	Query  string   `json:"query,omitempty"`
	Source string   `json:"source,omitempty"` // search, suggest or deflect
	Hits   []string `json:"hits,omitempty"`   // article ids shown, in order (first page)
	Total  int      `json:"total,omitempty"`
	// A browser event's own fields.
	Article  string `json:"article,omitempty"`
	Position *int   `json:"position,omitempty"` // 1-based rank of a clicked result
}

// Valid reports whether t is a type browsers may send.
func (t SearchEventType) Valid() bool {
	switch t {
	case SearchClick, SearchHelpful, SearchNotHelpful, SearchSolved, SearchHandoff:
		return true
	}
	return false
}

// Validate checks an entry before it is recorded: a browser event names its
// type, query and article; a search its locale.
func (e *SearchEvent) Validate() error {
	if e.QueryID == "" || e.At.IsZero() {
		return Errorf(CodeInvalidEvent, "An event needs its query_id and time.")
	}
	if e.Type == SearchQuery {
		if e.Locale == "" {
			return Errorf(CodeInvalidEvent, "A search names its locale.")
		}
		return nil
	}
	if !e.Type.Valid() {
		return Errorf(CodeInvalidEvent, "type must be one of click, helpful, not_helpful, solved, handoff.")
	}
	if e.Article == "" || len(e.Article) > 200 {
		return Errorf(CodeInvalidArticleID, "A %s event names the article (its id).", e.Type)
	}
	if e.Position != nil && (*e.Position < 1 || *e.Position > 1000) {
		return Errorf(CodeInvalidEvent, "position is the result's rank, from 1.")
	}
	return nil
}

// CheckQueryAge refuses an event whose search was answered at issued, more
// than QueryIDMaxAge before now (or in the future).
func CheckQueryAge(issued, now time.Time) error {
	if now.Sub(issued) > QueryIDMaxAge || issued.Sub(now) > time.Minute {
		return Errorf(CodeQueryNotFound, "That query_id is unknown or older than a day.")
	}
	return nil
}

// SearchEvents stores the search log. Entries are queued and written in
// batches off the request path.
type SearchEvents interface {
	// Record queues entries for writing; they are stored within about a
	// second. Errors: invalid_event, invalid_article_id.
	Record(ctx context.Context, events ...SearchEvent) error
	// Scan calls fn with every entry at or after from and before to, in
	// time order (queued entries are written first). fn's error stops it.
	// Errors: invalid_range.
	Scan(ctx context.Context, from, to time.Time, fn func(SearchEvent) error) error
	// Purge deletes the entries before before, returning how many.
	// Errors: none.
	Purge(ctx context.Context, before time.Time) (int, error)
}

// FoldQuery is the form in which as-you-type queries are compared: trimmed,
// lower-case, inner spaces collapsed.
func FoldQuery(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}

// FinalSearches applies the as-you-type rule (Algolia's "prefix search"
// aggregation): a search followed, by the same visitor within gap, by a
// search whose folded query extends or shortens it (one is a prefix of the
// other) is intermediate; only the last of such a burst counts. It returns
// each search's final query id (itself when final); searches must be in
// time order.
func FinalSearches(searches []SearchEvent, gap time.Duration) map[string]string {
	final := make(map[string]string, len(searches))
	last := map[string]int{} // visitor → index of their latest search
	folded := make([]string, len(searches))
	next := make([]int, len(searches)) // index of the search that continues i's burst, or -1
	for i := range searches {
		s := &searches[i]
		folded[i] = FoldQuery(s.Query)
		next[i] = -1
		if j, ok := last[s.Visitor]; ok && s.At.Sub(searches[j].At) <= gap && searches[j].Locale == s.Locale &&
			(strings.HasPrefix(folded[i], folded[j]) || strings.HasPrefix(folded[j], folded[i])) {
			next[j] = i
		}
		last[s.Visitor] = i
	}
	for i := len(searches) - 1; i >= 0; i-- {
		id := searches[i].QueryID
		if n := next[i]; n >= 0 {
			final[id] = final[searches[n].QueryID]
		} else {
			final[id] = id
		}
	}
	return final
}

// SearchCounts are the figures of a set of (final) searches.
type SearchCounts struct {
	Searches      int     `json:"searches"`
	ZeroResults   int     `json:"zero_results"`
	WithClick     int     `json:"with_click"`
	Clicks        int     `json:"clicks"`
	ZeroRate      float64 `json:"zero_result_rate"`
	NoClickRate   float64 `json:"no_click_rate"` // of searches with results
	ClickThrough  float64 `json:"click_through"` // searches with a click / searches with results
	MeanPosition  float64 `json:"mean_click_position"`
	positionTotal int
	positions     int
}

// QueryCount is one query's figures in the analytics.
type QueryCount struct {
	Query        string  `json:"query"`
	Searches     int     `json:"searches"`
	ZeroResults  int     `json:"zero_results"`
	WithClick    int     `json:"with_click"`
	ClickThrough float64 `json:"click_through"`
}

// ArticleVotes is one article's negative evidence in the analytics.
type ArticleVotes struct {
	Article    string `json:"article"`
	NotHelpful int    `json:"not_helpful"`
	Helpful    int    `json:"helpful"`
	Handoffs   int    `json:"handoffs"` // hand-offs after reading it
}

// SearchDay is one day's figures (UTC).
type SearchDay struct {
	Day string `json:"day"`
	SearchCounts
}

// SearchAnalytics is the editors' view of the search log over [From, To).
type SearchAnalytics struct {
	From         time.Time      `json:"from"`
	To           time.Time      `json:"to"`
	Locale       string         `json:"locale,omitempty"`
	Totals       SearchCounts   `json:"totals"`
	TopQueries   []QueryCount   `json:"top_queries"`
	TopZero      []QueryCount   `json:"top_zero_result_queries"`
	LowCTR       []QueryCount   `json:"low_click_through_queries"`
	NotHelpful   []ArticleVotes `json:"most_not_helpful"`
	Handoffs     []ArticleVotes `json:"most_handoffs"`
	ByDay        []SearchDay    `json:"by_day"`
	ByEntry      []EntryCounts  `json:"deflection_by_entry"`    // from the deflection sessions
	ToReview     []Association  `json:"associations_to_review"` // learned, awaiting review
	Intermediate int            `json:"intermediate_searches"`  // as-you-type searches folded into a later one
}

// TallySearches computes the analytics of the searches of locale ("" for
// all) answered in [from, to) from log (time-ordered; it may hold entries
// outside the range: a day before from is enough to place late clicks).
func TallySearches(log []SearchEvent, from, to time.Time, locale string, gap time.Duration) *SearchAnalytics {
	var searches []SearchEvent
	for _, e := range log {
		if e.Type == SearchQuery {
			searches = append(searches, e)
		}
	}
	final := FinalSearches(searches, gap)
	a := &SearchAnalytics{From: from, To: to, Locale: locale}
	type searchState struct {
		e       *SearchEvent
		clicked bool
	}
	in := map[string]*searchState{} // final query id → state, for searches in range
	for i := range searches {
		s := &searches[i]
		if s.At.Before(from) || !s.At.Before(to) || locale != "" && s.Locale != locale {
			continue
		}
		if final[s.QueryID] != s.QueryID {
			a.Intermediate++
			continue
		}
		in[s.QueryID] = &searchState{e: s}
	}
	days := map[string]*SearchCounts{}
	queries := map[string]*QueryCount{}
	arts := map[string]*ArticleVotes{}
	art := func(id string) *ArticleVotes {
		v := arts[id]
		if v == nil {
			v = &ArticleVotes{Article: id}
			arts[id] = v
		}
		return v
	}
	for _, e := range log {
		if e.Type == SearchQuery {
			continue
		}
		st := in[final[e.QueryID]]
		if st == nil {
			continue
		}
		day := dayCounts(days, st.e.At)
		switch e.Type {
		case SearchClick:
			for _, c := range []*SearchCounts{&a.Totals, day} {
				c.Clicks++
				if e.Position != nil {
					c.positionTotal += *e.Position
					c.positions++
				}
			}
			st.clicked = true
		case SearchNotHelpful:
			art(e.Article).NotHelpful++
		case SearchHelpful, SearchSolved:
			art(e.Article).Helpful++
		case SearchHandoff:
			art(e.Article).Handoffs++
		}
	}
	ids := make([]string, 0, len(in))
	for id := range in {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		st := in[id]
		q := FoldQuery(st.e.Query)
		qc := queries[q]
		if qc == nil {
			qc = &QueryCount{Query: q}
			queries[q] = qc
		}
		qc.Searches++
		zero := st.e.Total == 0 && len(st.e.Hits) == 0
		if zero {
			qc.ZeroResults++
		}
		if st.clicked {
			qc.WithClick++
		}
		for _, c := range []*SearchCounts{&a.Totals, dayCounts(days, st.e.At)} {
			c.Searches++
			if zero {
				c.ZeroResults++
			}
			if st.clicked {
				c.WithClick++
			}
		}
	}
	a.Totals.rates()
	for d, c := range days {
		c.rates()
		a.ByDay = append(a.ByDay, SearchDay{Day: d, SearchCounts: *c})
	}
	sort.Slice(a.ByDay, func(i, j int) bool { return a.ByDay[i].Day < a.ByDay[j].Day })
	var all []QueryCount
	for _, q := range queries {
		if n := q.Searches - q.ZeroResults; n > 0 {
			q.ClickThrough = ratio(q.WithClick, n)
		}
		all = append(all, *q)
	}
	bySearches := func(xs []QueryCount) {
		sort.Slice(xs, func(i, j int) bool {
			if xs[i].Searches != xs[j].Searches {
				return xs[i].Searches > xs[j].Searches
			}
			return xs[i].Query < xs[j].Query
		})
	}
	bySearches(all)
	a.TopQueries, a.TopZero, a.LowCTR = []QueryCount{}, []QueryCount{}, []QueryCount{}
	for _, q := range all {
		if len(a.TopQueries) < MaxAnalyticsTopItems {
			a.TopQueries = append(a.TopQueries, q)
		}
		if q.ZeroResults > 0 && len(a.TopZero) < MaxAnalyticsTopItems {
			a.TopZero = append(a.TopZero, q)
		}
		if q.Searches > q.ZeroResults && q.ClickThrough < DefaultLowCTR && len(a.LowCTR) < MaxAnalyticsTopItems {
			a.LowCTR = append(a.LowCTR, q)
		}
	}
	a.NotHelpful, a.Handoffs = []ArticleVotes{}, []ArticleVotes{}
	var votes []ArticleVotes
	for _, v := range arts {
		votes = append(votes, *v)
	}
	sort.Slice(votes, func(i, j int) bool { return votes[i].Article < votes[j].Article })
	for _, v := range votes {
		if v.NotHelpful > 0 {
			a.NotHelpful = append(a.NotHelpful, v)
		}
		if v.Handoffs > 0 {
			a.Handoffs = append(a.Handoffs, v)
		}
	}
	sort.SliceStable(a.NotHelpful, func(i, j int) bool { return a.NotHelpful[i].NotHelpful > a.NotHelpful[j].NotHelpful })
	sort.SliceStable(a.Handoffs, func(i, j int) bool { return a.Handoffs[i].Handoffs > a.Handoffs[j].Handoffs })
	a.NotHelpful = a.NotHelpful[:min(len(a.NotHelpful), MaxAnalyticsTopItems)]
	a.Handoffs = a.Handoffs[:min(len(a.Handoffs), MaxAnalyticsTopItems)]
	if a.ByDay == nil {
		a.ByDay = []SearchDay{}
	}
	a.ByEntry, a.ToReview = []EntryCounts{}, []Association{}
	return a
}

func dayCounts(days map[string]*SearchCounts, at time.Time) *SearchCounts {
	d := at.UTC().Format(time.DateOnly)
	c := days[d]
	if c == nil {
		c = &SearchCounts{}
		days[d] = c
	}
	return c
}

func (c *SearchCounts) rates() {
	c.ZeroRate = ratio(c.ZeroResults, c.Searches)
	if n := c.Searches - c.ZeroResults; n > 0 {
		c.ClickThrough = ratio(c.WithClick, n)
		c.NoClickRate = ratio(n-c.WithClick, n)
	}
	if c.positions > 0 {
		c.MeanPosition = float64(int(float64(c.positionTotal)/float64(c.positions)*100+0.5)) / 100
	}
}

func ratio(x, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(int(float64(x)/float64(n)*10000+0.5)) / 10000
}

// ReadSearchAnalytics computes the search analytics of [from, to) from ev
// (operators only), reading a day more on each side so that events find
// their search and as-you-type bursts their end.
// Errors: unauthorized, forbidden, invalid_range.
func ReadSearchAnalytics(ctx context.Context, ev SearchEvents, from, to time.Time, locale string, gap time.Duration) (*SearchAnalytics, error) {
	if err := RequireOperator(ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if err := CheckReportRange(from, to); err != nil {
		return nil, err
	}
	var log []SearchEvent
	err := ev.Scan(ctx, from.Add(-QueryIDMaxAge), to.Add(QueryIDMaxAge), func(e SearchEvent) error {
		if e.Type == SearchQuery && locale != "" && e.Locale != locale {
			return nil
		}
		log = append(log, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return TallySearches(log, from, to, locale, gap), nil
}
