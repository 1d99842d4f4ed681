package domain

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Deflection: a help-centre session answers a question before it becomes a
// ticket, or hands it to a person without losing a word. A session is what
// one visitor typed into the contact form or the widget, what was shown,
// opened and voted, and whether it was handed off.

// DeflectMode is how a contact entry point weighs articles against contact.
type DeflectMode string

// The modes (as in Help Scout's Beacon).
const (
	ModeSelfService DeflectMode = "self_service" // articles first; contact after interacting
	ModeNeutral     DeflectMode = "neutral"      // articles and contact side by side
	ModeAskFirst    DeflectMode = "ask_first"    // contact first
)

// Valid reports whether m is one of the modes.
func (m DeflectMode) Valid() bool {
	return m == ModeSelfService || m == ModeNeutral || m == ModeAskFirst
}

// EventType is what happened in a session.
type EventType string

// The event types. EventQuery is recorded by the server when it answers a
// question; the others come from the customer's browser.
const (
	EventQuery      EventType = "query"
	EventShown      EventType = "shown"
	EventOpened     EventType = "opened"
	EventHelpful    EventType = "helpful" // "this solved it"
	EventNotHelpful EventType = "not_helpful"
	EventHandoff    EventType = "handoff"
)

// Limits of deflection input.
const (
	MaxSessionTyped   = 20        // typed versions kept per session (the newest)
	MaxSessionShown   = 60        // suggestions kept per session
	MaxDeflectBytes   = 8 << 10   // subject + body searched and stored per query
	MaxHandoffBody    = 100 << 10 // what the hand-off form may send (a message)
	MaxEntryLen       = 32
	MaxReportDays     = 366
	DefaultTextRetain = 90 * 24 * time.Hour
)

// SessionStart is what the first query of a session tells about it.
type SessionStart struct {
	Locale     string      `json:"locale"`
	Entry      string      `json:"entry"`
	Order      string      `json:"order,omitempty"`       // only when the caller is the order's customer
	CustomerID string      `json:"customer_id,omitempty"` // the signed-in customer, if any
	IPHash     string      `json:"ip_hash,omitempty"`     // salted SHA-256 of the client address
	Mode       DeflectMode `json:"mode"`
}

// Event is one thing that happened in a session.
type Event struct {
	Session string         `json:"session"`
	Type    EventType      `json:"type"`
	At      time.Time      `json:"at"`
	Start   *SessionStart  `json:"start,omitempty"` // EventQuery: the session's facts (kept from the first)
	Typed   *TypedText     `json:"typed,omitempty"` // EventQuery
	Shown   []ShownArticle `json:"shown,omitempty"` // EventQuery, EventShown
	Article string         `json:"article,omitempty"`
	Reason  string         `json:"reason,omitempty"` // EventNotHelpful
}

// HandoffMark records that a session was handed to a person.
type HandoffMark struct {
	Thread    string    `json:"thread"`
	Reference string    `json:"reference,omitempty"` // the thread's short reference (HC-1042)
	At        time.Time `json:"at"`
	Subject   string    `json:"subject,omitempty"` // what the customer sent (purged after the retention)
	Body      string    `json:"body,omitempty"`
	Email     string    `json:"email,omitempty"`
}

// Session is a help-centre session as stored: everything needed for its
// transcript and for the deflection report.
type Session struct {
	ID string `json:"id"`
	SessionStart
	StartedAt  time.Time        `json:"started_at"`
	LastAt     time.Time        `json:"last_at"`
	Queries    int              `json:"queries"`
	Typed      []TypedText      `json:"typed"`
	Shown      []ShownArticle   `json:"shown"`
	Opened     []string         `json:"opened"`
	Votes      []TranscriptVote `json:"votes"`
	Reasons    []string         `json:"reasons,omitempty"` // of "not helpful" votes
	Handoff    *HandoffMark     `json:"handoff,omitempty"`
	TextPurged bool             `json:"text_purged,omitempty"`
}

// Apply adds one event to the session. The first event fixes the session's
// start; typed text that only extends the previous version (typing on)
// replaces it, so the transcript keeps what was asked, not every keystroke.
func (s *Session) Apply(e Event) {
	if s.ID == "" {
		s.ID = e.Session
	}
	if s.StartedAt.IsZero() || e.At.Before(s.StartedAt) {
		s.StartedAt = e.At
	}
	if e.At.After(s.LastAt) {
		s.LastAt = e.At
	}
	if e.Start != nil && s.Locale == "" {
		s.SessionStart = *e.Start
	}
	switch e.Type {
	case EventQuery:
		s.Queries++
		if e.Typed != nil {
			s.Typed = appendTyped(s.Typed, *e.Typed)
		}
		s.addShown(e.Shown)
	case EventShown:
		s.addShown(e.Shown)
	case EventOpened:
		if e.Article != "" && !contains(s.Opened, e.Article) {
			s.Opened = append(s.Opened, e.Article)
		}
	case EventHelpful, EventNotHelpful:
		if e.Article == "" {
			return
		}
		helpful := e.Type == EventHelpful
		for i, v := range s.Votes {
			if v.Article == e.Article { // a change of mind replaces the vote
				s.Votes[i] = TranscriptVote{Article: e.Article, Helpful: helpful, At: e.At}
				return
			}
		}
		if len(s.Votes) < MaxTranscriptEvents {
			s.Votes = append(s.Votes, TranscriptVote{Article: e.Article, Helpful: helpful, At: e.At})
		}
		if !helpful && e.Reason != "" && len(s.Reasons) < MaxTranscriptEvents {
			s.Reasons = append(s.Reasons, e.Reason)
		}
	}
}

func appendTyped(typed []TypedText, t TypedText) []TypedText {
	if n := len(typed); n > 0 {
		last := typed[n-1]
		if last.Subject == t.Subject && last.Body == t.Body {
			return typed
		}
		if strings.HasPrefix(t.Subject, last.Subject) && strings.HasPrefix(t.Body, last.Body) ||
			strings.HasPrefix(last.Subject, t.Subject) && strings.HasPrefix(last.Body, t.Body) && t.Subject+t.Body != "" {
			typed[n-1] = t // typing on, or correcting the end
			return typed
		}
	}
	typed = append(typed, t)
	if len(typed) > MaxSessionTyped {
		typed = append(typed[:0], typed[len(typed)-MaxSessionTyped:]...)
	}
	return typed
}

// addShown keeps each article once per rank it was shown at, in order.
func (s *Session) addShown(shown []ShownArticle) {
	if s.Shown == nil && len(shown) > 0 {
		// the first suggestions shown: one array of their size, not four
		// as it grows (~1.3 KB a new session, the deflection writer's
		// largest garbage)
		s.Shown = make([]ShownArticle, 0, min(len(shown), MaxSessionShown))
	}
	for _, a := range shown {
		dup := false
		for _, b := range s.Shown {
			if b.ID == a.ID && b.Rank == a.Rank {
				dup = true
				break
			}
		}
		if !dup && len(s.Shown) < MaxSessionShown {
			s.Shown = append(s.Shown, a)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Transcript is what travels with a hand-off: typed, shown (rank, why),
// opened, votes, locale, entry and order.
func (s *Session) Transcript() Transcript {
	t := Transcript{Session: s.ID, Locale: s.Locale, Entry: s.Entry, Order: s.Order,
		Typed: s.Typed, Shown: s.Shown, Opened: s.Opened, Votes: s.Votes}
	if t.Typed == nil {
		t.Typed = []TypedText{}
	}
	if t.Shown == nil {
		t.Shown = []ShownArticle{}
	}
	if t.Opened == nil {
		t.Opened = []string{}
	}
	if t.Votes == nil {
		t.Votes = []TranscriptVote{}
	}
	return t
}

// PurgeText forgets what the customer typed and sent, keeping what the
// report counts.
func (s *Session) PurgeText() {
	s.Typed = nil
	s.Reasons = nil
	for i := range s.Shown {
		s.Shown[i].Why = ""
	}
	if s.Handoff != nil {
		s.Handoff.Subject, s.Handoff.Body, s.Handoff.Email = "", "", ""
	}
	s.IPHash = ""
	s.TextPurged = true
}

// Resolved reports whether the customer said an article solved it.
func (s *Session) Resolved() bool {
	for _, v := range s.Votes {
		if v.Helpful {
			return true
		}
	}
	return false
}

// StrictlyDeflected reports whether a session counts as deflected by the
// strict definition: at least one suggestion opened, no hand-off, and no
// thread, incident or claim on its order from the session's start until
// window after its end (followUps are when those were opened). final is
// false while that window has not passed at now: the answer may still change.
func StrictlyDeflected(s *Session, followUps []time.Time, window time.Duration, now time.Time) (deflected, final bool) {
	end := s.LastAt.Add(window)
	final = !now.Before(end)
	if len(s.Opened) == 0 || s.Handoff != nil {
		return false, true
	}
	for _, t := range followUps {
		if !t.Before(s.StartedAt) && !t.After(end) {
			return false, true
		}
	}
	return true, final
}

// FollowUpFinder returns when threads, incidents and claims were opened on
// an order (for the strict deflection rate).
type FollowUpFinder func(ctx context.Context, order string) ([]time.Time, error)

// OrderFollowUps builds a FollowUpFinder on the after-sales services; any of
// them may be nil (not there yet), and then counts for nothing.
func OrderFollowUps(th ThreadService, in IncidentService, cl ClaimService) FollowUpFinder {
	return func(ctx context.Context, order string) ([]time.Time, error) {
		var out []time.Time
		if th != nil {
			cursor := ""
			for {
				page, err := th.ListThreads(ctx, ThreadFilter{OrderNumber: order, Cursor: cursor, Limit: MaxPageLimit})
				if err != nil {
					return nil, err
				}
				for _, t := range page.Threads {
					out = append(out, t.CreatedAt)
				}
				if cursor = page.Next; cursor == "" {
					break
				}
			}
		}
		if in != nil {
			for cursor := "\x00"; cursor != ""; {
				if cursor == "\x00" {
					cursor = ""
				}
				list, next, err := in.ListIncidents(ctx, order, cursor, MaxPageLimit)
				if err != nil {
					return nil, err
				}
				for _, i := range list {
					out = append(out, i.OpenedAt)
				}
				cursor = next
			}
		}
		if cl != nil {
			for cursor := "\x00"; cursor != ""; {
				if cursor == "\x00" {
					cursor = ""
				}
				list, next, err := cl.ListClaims(ctx, order, cursor, MaxPageLimit)
				if err != nil {
					return nil, err
				}
				for _, c := range list {
					out = append(out, c.OpenedAt)
				}
				cursor = next
			}
		}
		return out, nil
	}
}

// DeflectionCounts are the figures of the deflection report for one slice
// of sessions. The rates are shares of Sessions.
type DeflectionCounts struct {
	Sessions      int     `json:"sessions"`
	WithShown     int     `json:"with_shown"`     // sessions shown at least one suggestion
	Shown         int     `json:"shown"`          // suggestions shown in all
	Opened        int     `json:"opened"`         // sessions that opened at least one
	Resolved      int     `json:"resolved"`       // sessions with a "this solved it"
	Handoffs      int     `json:"handoffs"`       // sessions handed to a person
	Loose         int     `json:"loose"`          // sessions without a hand-off
	Strict        int     `json:"strict"`         // sessions strictly deflected
	StrictPending int     `json:"strict_pending"` // of Strict: the 7-day window is still open
	LooseRate     float64 `json:"loose_rate"`
	StrictRate    float64 `json:"strict_rate"`
	HandoffRate   float64 `json:"handoff_rate"`
	ResolvedRate  float64 `json:"resolved_rate"`
}

// ArticleCounts is one article's part in the sessions.
type ArticleCounts struct {
	Article    string `json:"article"`
	Shown      int    `json:"shown"`   // sessions it was shown in
	Opened     int    `json:"opened"`  // sessions it was opened in
	Helpful    int    `json:"helpful"` // "this solved it"
	NotHelpful int    `json:"not_helpful"`
	Handoffs   int    `json:"handoffs"` // sessions that showed it and were handed off
}

// EntryCounts is one entry point's figures.
type EntryCounts struct {
	Entry string `json:"entry"`
	DeflectionCounts
}

// DayCounts is one day's figures (UTC), for the chart.
type DayCounts struct {
	Day string `json:"day"` // 2006-01-02
	DeflectionCounts
}

// DeflectionReport is the deflection report over the sessions started in
// [From, To).
type DeflectionReport struct {
	From      time.Time       `json:"from"`
	To        time.Time       `json:"to"`
	Locale    string          `json:"locale,omitempty"`
	Entry     string          `json:"entry,omitempty"`
	Window    string          `json:"strict_window"`
	Totals    EntryCounts     `json:"totals"`
	ByEntry   []EntryCounts   `json:"by_entry"`
	ByArticle []ArticleCounts `json:"by_article"`
	ByDay     []DayCounts     `json:"by_day"`
}

// TallyDeflection computes the report from the sessions and the follow-ups
// of their orders (by order number).
func TallyDeflection(sessions []Session, followUps map[string][]time.Time, window time.Duration, now time.Time) (totals DeflectionCounts, byEntry []EntryCounts, byArticle []ArticleCounts, byDay []DayCounts) {
	entries := map[string]*DeflectionCounts{}
	days := map[string]*DeflectionCounts{}
	arts := map[string]*ArticleCounts{}
	for i := range sessions {
		s := &sessions[i]
		e := entries[s.Entry]
		if e == nil {
			e = &DeflectionCounts{}
			entries[s.Entry] = e
		}
		day := s.StartedAt.UTC().Format("2006-01-02")
		d := days[day]
		if d == nil {
			d = &DeflectionCounts{}
			days[day] = d
		}
		var follow []time.Time
		if s.Order != "" {
			follow = followUps[s.Order]
		}
		strict, final := StrictlyDeflected(s, follow, window, now)
		for _, c := range []*DeflectionCounts{&totals, e, d} {
			c.add(s, strict, final)
		}
		seen := map[string]bool{}
		for _, a := range s.Shown {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			ac := arts[a.ID]
			if ac == nil {
				ac = &ArticleCounts{Article: a.ID}
				arts[a.ID] = ac
			}
			ac.Shown++
			if s.Handoff != nil {
				ac.Handoffs++
			}
		}
		for _, id := range s.Opened {
			ac := arts[id]
			if ac == nil {
				ac = &ArticleCounts{Article: id}
				arts[id] = ac
			}
			ac.Opened++
		}
		for _, v := range s.Votes {
			ac := arts[v.Article]
			if ac == nil {
				ac = &ArticleCounts{Article: v.Article}
				arts[v.Article] = ac
			}
			if v.Helpful {
				ac.Helpful++
			} else {
				ac.NotHelpful++
			}
		}
	}
	totals.rates()
	for name, c := range entries {
		c.rates()
		byEntry = append(byEntry, EntryCounts{Entry: name, DeflectionCounts: *c})
	}
	sort.Slice(byEntry, func(i, j int) bool { return byEntry[i].Entry < byEntry[j].Entry })
	for day, c := range days {
		c.rates()
		byDay = append(byDay, DayCounts{Day: day, DeflectionCounts: *c})
	}
	sort.Slice(byDay, func(i, j int) bool { return byDay[i].Day < byDay[j].Day })
	for _, a := range arts {
		byArticle = append(byArticle, *a)
	}
	sort.Slice(byArticle, func(i, j int) bool {
		if byArticle[i].Shown != byArticle[j].Shown {
			return byArticle[i].Shown > byArticle[j].Shown
		}
		return byArticle[i].Article < byArticle[j].Article
	})
	if byEntry == nil {
		byEntry = []EntryCounts{}
	}
	if byDay == nil {
		byDay = []DayCounts{}
	}
	if byArticle == nil {
		byArticle = []ArticleCounts{}
	}
	return totals, byEntry, byArticle, byDay
}

func (c *DeflectionCounts) add(s *Session, strict, final bool) {
	c.Sessions++
	if len(s.Shown) > 0 {
		c.WithShown++
	}
	c.Shown += len(s.Shown)
	if len(s.Opened) > 0 {
		c.Opened++
	}
	if s.Resolved() {
		c.Resolved++
	}
	if s.Handoff != nil {
		c.Handoffs++
	} else {
		c.Loose++
	}
	if strict {
		c.Strict++
		if !final {
			c.StrictPending++
		}
	}
}

func (c *DeflectionCounts) rates() {
	if c.Sessions == 0 {
		return
	}
	n := float64(c.Sessions)
	r := func(x int) float64 { return float64(int(float64(x)/n*10000+0.5)) / 10000 }
	c.LooseRate, c.StrictRate, c.HandoffRate, c.ResolvedRate = r(c.Loose), r(c.Strict), r(c.Handoffs), r(c.Resolved)
}

// OrderFacts are the live facts about an order a deflection answer uses.
type OrderFacts struct {
	Order        string        `json:"order"`
	State        OrderState    `json:"state"`
	RefundOpen   bool          `json:"refund_window_open"`
	RefundUntil  *time.Time    `json:"refund_window_until"` // nil before shipment: the window has not started
	OpenIncident *IncidentFact `json:"open_incident,omitempty"`
	OpenClaim    *ClaimFact    `json:"open_claim,omitempty"`
	Notices      []string      `json:"notices"` // the facts, in words
}

// IncidentFact is an open incident, as a deflection answer tells it.
type IncidentFact struct {
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ClaimFact is an open claim and its deadline.
type ClaimFact struct {
	ID       string    `json:"id"`
	Deadline time.Time `json:"deadline"` // resolved by then, it does not affect the seller's reputation
	Overdue  bool      `json:"overdue"`
}

// FactsOf computes an order's facts at now: the refund window (p.RefundWithin
// after shipment, the last instant included), an open incident (from the
// incidents, or from the order's own count when incidents are not known),
// the newest open claim and its deadline.
func FactsOf(p Policy, o *Order, incidents []Incident, claims []Claim, incidentsKnown bool, now time.Time) OrderFacts {
	f := OrderFacts{Order: o.Number, State: o.State, Notices: []string{}}
	switch {
	case o.State == OrderCancelled:
		f.Notices = append(f.Notices, fmt.Sprintf("Order %s was cancelled.", o.Number))
	case o.ShippedAt == nil:
		f.RefundOpen = true
		f.Notices = append(f.Notices, fmt.Sprintf("Order %s has not shipped yet: the %d-day refund window starts when it ships.", o.Number, days(p.RefundWithin)))
	default:
		until := *RefundDeadline(p, o)
		f.RefundUntil = &until
		f.RefundOpen = !now.After(until)
		if f.RefundOpen {
			f.Notices = append(f.Notices, fmt.Sprintf("Order %s can still be refunded: the window is open until %s.", o.Number, until.UTC().Format("2 January 2006")))
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("The refund window of order %s closed on %s (%d days after shipment).", o.Number, until.UTC().Format("2 January 2006"), days(p.RefundWithin)))
		}
	}
	if incidentsKnown {
		for _, i := range incidents {
			if i.State == IncidentOpen {
				f.OpenIncident = &IncidentFact{ID: i.ID, Reason: i.Reason}
				break
			}
		}
	} else if o.OpenIncidents > 0 || o.Frozen {
		f.OpenIncident = &IncidentFact{}
	}
	if f.OpenIncident != nil {
		f.Notices = append(f.Notices, fmt.Sprintf("An incident is open on order %s: the seller must answer it at once, so write to us directly.", o.Number))
	}
	var newest time.Time
	for _, c := range claims {
		if c.State == ClaimClosed || f.OpenClaim != nil && !c.OpenedAt.After(newest) {
			continue
		}
		newest = c.OpenedAt
		deadline := c.ReputationDeadline
		if deadline.IsZero() {
			deadline = c.OpenedAt.Add(p.ClaimResolveWithin)
		}
		f.OpenClaim = &ClaimFact{ID: c.ID, Deadline: deadline, Overdue: now.After(deadline)}
	}
	if c := f.OpenClaim; c != nil {
		if c.Overdue {
			f.Notices = append(f.Notices, fmt.Sprintf("A claim is open on order %s; the seller's %d hours to resolve it have passed.", o.Number, int(p.ClaimResolveWithin.Hours())))
		} else {
			f.Notices = append(f.Notices, fmt.Sprintf("A claim is open on order %s; the seller has until %s UTC to resolve it.", o.Number, c.Deadline.UTC().Format("2 January 15:04")))
		}
	}
	return f
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// ModeFor is the mode a session gets: the entry point's, except that an open
// incident on the customer's order asks them to contact us first.
func ModeFor(configured DeflectMode, f *OrderFacts) DeflectMode {
	if f != nil && f.OpenIncident != nil {
		return ModeAskFirst
	}
	if !configured.Valid() {
		return ModeSelfService
	}
	return configured
}

var entryRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ValidEntry reports whether e names an entry point ("contact", "order",
// "widget"…): lower-case letters, digits, - and _, at most MaxEntryLen.
func ValidEntry(e string) bool { return len(e) <= MaxEntryLen && entryRe.MatchString(e) }

// ParseModes reads "contact=self_service,order=neutral".
func ParseModes(s string) (map[string]DeflectMode, error) {
	out := map[string]DeflectMode{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		entry, mode, ok := strings.Cut(part, "=")
		entry, mode = strings.TrimSpace(entry), strings.TrimSpace(mode)
		if !ok || !ValidEntry(entry) || !DeflectMode(mode).Valid() {
			return nil, fmt.Errorf("deflect modes: %q: want entry=self_service|neutral|ask_first", part)
		}
		out[entry] = DeflectMode(mode)
	}
	return out, nil
}

// ValidateEvent checks an event from a browser.
func ValidateEvent(e *Event) error {
	switch e.Type {
	case EventShown, EventOpened, EventHelpful, EventNotHelpful:
		if e.Type != EventShown && (e.Article == "" || len(e.Article) > 200) {
			return Errorf(CodeInvalidEvent, "A %s event names the article (its id).", e.Type)
		}
	case EventHandoff:
	default:
		return Errorf(CodeInvalidEvent, "type must be one of shown, opened, helpful, not_helpful, handoff.")
	}
	if utf8.RuneCountInString(e.Reason) > 200 {
		return Errorf(CodeInvalidReason, "reason is at most 200 characters.")
	}
	return nil
}

// CheckEventArticle refuses an event that names an article that does not
// exist (or that the caller may not read), so that reports count only real
// articles; known reports whether an article id exists.
func CheckEventArticle(e *Event, known func(id string) bool) error {
	if e.Article != "" && !known(e.Article) {
		return FieldErrorf(CodeUnknownArticle, "article", "There is no article %q.", e.Article)
	}
	return nil
}

// ValidateHandoffEmail checks the address an anonymous customer gives.
func ValidateHandoffEmail(email string) error {
	if len(email) > 254 {
		return Errorf(CodeInvalidEmail, "That email address is too long.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.IndexByte(email, '@'):], ".") {
		return Errorf(CodeInvalidEmail, "Give an email address like name@example.com.")
	}
	return nil
}

// DeflectionService records help-centre sessions and reports on them.
type DeflectionService interface {
	// RecordEvents queues events for writing; they are stored within about a
	// second, without waiting for the disk. Errors: invalid_event.
	RecordEvents(ctx context.Context, events ...Event) error
	// Session returns a session with every event recorded so far, queued
	// or stored. Errors: session_not_found.
	Session(ctx context.Context, id string) (*Session, error)
	// Handoff stores, synchronously, the session with every event recorded
	// so far and the mark that it was handed to a thread.
	// Errors: session_not_found.
	Handoff(ctx context.Context, id string, m HandoffMark) error
	// Report computes the deflection report over sessions started in
	// [from, to), optionally of one locale and entry point (operators
	// only). Errors: unauthorized, forbidden, invalid_range.
	Report(ctx context.Context, from, to time.Time, locale, entry string) (*DeflectionReport, error)
	// PurgeText forgets what was typed in sessions that ended before
	// before, returning how many it purged.
	// Errors: none.
	PurgeText(ctx context.Context, before time.Time) (int, error)
}

// Validate reports whether e can be recorded: it names its session and type.
func (e *Event) Validate() error {
	if e.Session == "" || e.Type == "" {
		return Errorf(CodeInvalidEvent, "An event needs its session and type.")
	}
	return nil
}

// ErrSessionNotFound is the answer for a help-centre session that does not
// exist or is not the caller's.
func ErrSessionNotFound(id string) *Error {
	return Errorf(CodeSessionNotFound, "There is no session %q.", id)
}

// CanUseSession reports whether a may read or hand off s: an anonymous
// session is anyone's who holds its id (an unguessable ULID); a signed-in
// customer's is theirs and customer care's.
func CanUseSession(a Actor, s *Session) bool {
	return s.CustomerID == "" || a.Role.Operator() || a.UserID == s.CustomerID
}

// CheckReportRange checks a deflection report's period [from, to).
func CheckReportRange(from, to time.Time) error {
	if !to.After(from) || to.Sub(from) > MaxReportDays*24*time.Hour {
		return Errorf(CodeInvalidRange, "from must be before to, at most %d days apart.", MaxReportDays)
	}
	return nil
}
