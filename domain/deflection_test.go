package domain

import (
	"testing"
	"time"
)

var dt0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestStrictlyDeflected(t *testing.T) {
	week := 7 * 24 * time.Hour
	base := Session{ID: "s", StartedAt: dt0, LastAt: dt0.Add(5 * time.Minute), Opened: []string{"a"}}
	end := base.LastAt
	for _, tc := range []struct {
		name        string
		mut         func(s *Session)
		follow      []time.Time
		now         time.Time
		want, final bool
	}{
		{"opened, nothing after, window passed", nil, nil, end.Add(week), true, true},
		{"opened, window still open", nil, nil, end.Add(week - time.Minute), true, false},
		{"nothing opened", func(s *Session) { s.Opened = nil }, nil, end.Add(week), false, true},
		{"handed off", func(s *Session) { s.Handoff = &HandoffMark{Thread: "t"} }, nil, end.Add(week), false, true},
		{"thread 6d23h59 after", nil, []time.Time{end.Add(week - time.Minute)}, end.Add(2 * week), false, true},
		{"thread 7d00h01 after", nil, []time.Time{end.Add(week + time.Minute)}, end.Add(2 * week), true, true},
		{"thread before the session", nil, []time.Time{dt0.Add(-time.Hour)}, end.Add(2 * week), true, true},
		{"incident during the session", nil, []time.Time{dt0.Add(time.Minute)}, end.Add(2 * week), false, true},
	} {
		s := base
		s.Opened = append([]string(nil), base.Opened...)
		if tc.mut != nil {
			tc.mut(&s)
		}
		got, final := StrictlyDeflected(&s, tc.follow, week, tc.now)
		if got != tc.want || final != tc.final {
			t.Errorf("%s: got %v final %v, want %v final %v", tc.name, got, final, tc.want, tc.final)
		}
	}
}

func TestFactsOfRefundWindow(t *testing.T) {
	p := DefaultPolicy()
	shipped := dt0
	o := &Order{Number: "1", State: OrderShipped, ShippedAt: &shipped}
	for _, tc := range []struct {
		at   time.Duration
		open bool
	}{
		{199 * 24 * time.Hour, true},
		{200 * 24 * time.Hour, true}, // the last instant is inside
		{200*24*time.Hour + time.Second, false},
		{201 * 24 * time.Hour, false},
	} {
		f := FactsOf(p, o, nil, nil, true, shipped.Add(tc.at))
		if f.RefundOpen != tc.open {
			t.Errorf("%v after shipment: refund open %v, want %v", tc.at, f.RefundOpen, tc.open)
		}
		if len(f.Notices) == 0 {
			t.Errorf("%v: no notice", tc.at)
		}
	}
	unshipped := &Order{Number: "2", State: OrderPaid}
	if f := FactsOf(p, unshipped, nil, nil, true, dt0); !f.RefundOpen || f.RefundUntil != nil {
		t.Errorf("unshipped: %+v", f)
	}
}

func TestFactsOfIncidentAndClaim(t *testing.T) {
	p := DefaultPolicy()
	shipped := dt0
	o := &Order{Number: "1", State: OrderDelivered, ShippedAt: &shipped}
	inc := []Incident{{ID: "i1", State: IncidentClosed}, {ID: "i2", State: IncidentOpen, Reason: IncidentDamaged}}
	f := FactsOf(p, o, inc, nil, true, dt0)
	if f.OpenIncident == nil || f.OpenIncident.ID != "i2" {
		t.Errorf("open incident = %+v", f.OpenIncident)
	}
	if ModeFor(ModeSelfService, &f) != ModeAskFirst {
		t.Error("an open incident must ask first")
	}
	if f := FactsOf(p, o, inc[:1], nil, true, dt0); f.OpenIncident != nil || ModeFor(ModeNeutral, &f) != ModeNeutral {
		t.Errorf("a closed incident only: %+v", f.OpenIncident)
	}
	frozen := *o
	frozen.Frozen, frozen.OpenIncidents = true, 1
	if f := FactsOf(p, &frozen, nil, nil, false, dt0); f.OpenIncident == nil {
		t.Error("incidents unknown, frozen order: want an open incident")
	}
	if f := FactsOf(p, &frozen, nil, nil, true, dt0); f.OpenIncident != nil {
		t.Error("incidents known and none open: the count is not used")
	}

	opened := dt0.Add(24 * time.Hour)
	claims := []Claim{{ID: "c1", State: ClaimOpen, OpenedAt: opened, ReputationDeadline: opened.Add(72 * time.Hour)}}
	for _, tc := range []struct {
		at      time.Duration
		overdue bool
	}{
		{71*time.Hour + 59*time.Minute, false},
		{72 * time.Hour, false},
		{72*time.Hour + time.Minute, true},
	} {
		f := FactsOf(p, o, nil, claims, true, opened.Add(tc.at))
		if f.OpenClaim == nil || f.OpenClaim.Overdue != tc.overdue || !f.OpenClaim.Deadline.Equal(opened.Add(72*time.Hour)) {
			t.Errorf("claim at %v: %+v, want overdue %v", tc.at, f.OpenClaim, tc.overdue)
		}
	}
	closed := []Claim{{ID: "c0", State: ClaimClosed, OpenedAt: opened}}
	if f := FactsOf(p, o, nil, closed, true, opened); f.OpenClaim != nil {
		t.Error("a closed claim is not open")
	}
	noDeadline := []Claim{{ID: "c2", State: ClaimReturning, OpenedAt: opened}}
	if f := FactsOf(p, o, nil, noDeadline, true, opened); f.OpenClaim == nil || !f.OpenClaim.Deadline.Equal(opened.Add(p.ClaimResolveWithin)) {
		t.Errorf("claim without a stored deadline: %+v", f.OpenClaim)
	}
}

func TestModeFor(t *testing.T) {
	if ModeFor("", nil) != ModeSelfService || ModeFor(ModeNeutral, nil) != ModeNeutral || ModeFor(ModeAskFirst, &OrderFacts{}) != ModeAskFirst {
		t.Error("ModeFor")
	}
}

func TestSessionApply(t *testing.T) {
	var s Session
	start := &SessionStart{Locale: "en", Entry: "widget", Mode: ModeSelfService}
	typed := func(subj, body string) *TypedText { return &TypedText{Subject: subj, Body: body} }
	s.Apply(Event{Session: "x", Type: EventQuery, At: dt0, Start: start, Typed: typed("whe", ""),
		Shown: []ShownArticle{{ID: "a", Rank: 1}}})
	s.Apply(Event{Session: "x", Type: EventQuery, At: dt0.Add(time.Second), Start: &SessionStart{Locale: "es"}, Typed: typed("where is my invoce", ""),
		Shown: []ShownArticle{{ID: "a", Rank: 1}, {ID: "b", Rank: 2}}})
	s.Apply(Event{Session: "x", Type: EventQuery, At: dt0.Add(2 * time.Second), Typed: typed("refund", "")})
	s.Apply(Event{Session: "x", Type: EventOpened, At: dt0.Add(3 * time.Second), Article: "a"})
	s.Apply(Event{Session: "x", Type: EventOpened, At: dt0.Add(4 * time.Second), Article: "a"})
	s.Apply(Event{Session: "x", Type: EventNotHelpful, At: dt0.Add(5 * time.Second), Article: "a", Reason: "didnt_apply"})
	s.Apply(Event{Session: "x", Type: EventHelpful, At: dt0.Add(6 * time.Second), Article: "a"})
	if s.Locale != "en" || s.Queries != 3 || s.ID != "x" {
		t.Errorf("start kept from the first query: %+v", s.SessionStart)
	}
	if len(s.Typed) != 2 || s.Typed[0].Subject != "where is my invoce" || s.Typed[1].Subject != "refund" {
		t.Errorf("typed = %+v", s.Typed)
	}
	if len(s.Shown) != 2 || len(s.Opened) != 1 || len(s.Votes) != 1 || !s.Votes[0].Helpful || !s.Resolved() {
		t.Errorf("shown %d opened %d votes %+v", len(s.Shown), len(s.Opened), s.Votes)
	}
	if !s.LastAt.Equal(dt0.Add(6*time.Second)) || !s.StartedAt.Equal(dt0) {
		t.Errorf("times %v %v", s.StartedAt, s.LastAt)
	}
	tr := s.Transcript()
	if tr.Session != "x" || len(tr.Typed) != 2 || tr.Shown[1].Rank != 2 {
		t.Errorf("transcript %+v", tr)
	}
	s.Handoff = &HandoffMark{Thread: "t", Body: "secret", Email: "a@b.example"}
	s.PurgeText()
	if s.Typed != nil || s.Handoff.Body != "" || s.Handoff.Email != "" || !s.TextPurged || s.Handoff.Thread != "t" {
		t.Errorf("purged: %+v", s)
	}
	for i := range 2 * MaxSessionTyped {
		s.Apply(Event{Type: EventQuery, At: dt0, Typed: typed(string(rune('a'+i%26))+"x"+string(rune('a'+i/26)), "")})
	}
	if len(s.Typed) != MaxSessionTyped {
		t.Errorf("typed kept %d, want %d", len(s.Typed), MaxSessionTyped)
	}
}

func TestTallyDeflection(t *testing.T) {
	week := 7 * 24 * time.Hour
	now := dt0.Add(30 * 24 * time.Hour)
	sessions := []Session{
		{ID: "1", SessionStart: SessionStart{Entry: "contact", Order: "1001"}, StartedAt: dt0, LastAt: dt0, Shown: []ShownArticle{{ID: "a", Rank: 1}}, Opened: []string{"a"}},
		{ID: "2", SessionStart: SessionStart{Entry: "contact", Order: "1002"}, StartedAt: dt0, LastAt: dt0, Shown: []ShownArticle{{ID: "a", Rank: 1}}, Opened: []string{"a"}},
		{ID: "3", SessionStart: SessionStart{Entry: "widget"}, StartedAt: dt0.Add(24 * time.Hour), LastAt: dt0.Add(24 * time.Hour), Shown: []ShownArticle{{ID: "b", Rank: 1}},
			Handoff: &HandoffMark{Thread: "t"}},
		{ID: "4", SessionStart: SessionStart{Entry: "widget"}, StartedAt: dt0, LastAt: dt0, Votes: []TranscriptVote{{Article: "b", Helpful: true}}},
	}
	follow := map[string][]time.Time{"1002": {dt0.Add(48 * time.Hour)}}
	tot, byEntry, byArticle, byDay := TallyDeflection(sessions, follow, week, now)
	want := DeflectionCounts{Sessions: 4, WithShown: 3, Shown: 3, Opened: 2, Resolved: 1, Handoffs: 1, Loose: 3, Strict: 1,
		LooseRate: 0.75, StrictRate: 0.25, HandoffRate: 0.25, ResolvedRate: 0.25}
	if tot != want {
		t.Errorf("totals\n got %+v\nwant %+v", tot, want)
	}
	if len(byEntry) != 2 || byEntry[0].Entry != "contact" || byEntry[0].Strict != 1 || byEntry[1].Handoffs != 1 {
		t.Errorf("by entry %+v", byEntry)
	}
	if len(byArticle) != 2 || byArticle[0].Article != "a" || byArticle[0].Shown != 2 || byArticle[0].Opened != 2 ||
		byArticle[1].Handoffs != 1 || byArticle[1].Helpful != 1 {
		t.Errorf("by article %+v", byArticle)
	}
	if len(byDay) != 2 || byDay[0].Sessions != 3 {
		t.Errorf("by day %+v", byDay)
	}
}

func TestParseModesAndEntries(t *testing.T) {
	m, err := ParseModes("contact=self_service, order=neutral,widget=ask_first")
	if err != nil || m["order"] != ModeNeutral || m["widget"] != ModeAskFirst || len(m) != 3 {
		t.Errorf("ParseModes = %v, %v", m, err)
	}
	for _, bad := range []string{"contact", "contact=pizza", "Con tact=neutral"} {
		if _, err := ParseModes(bad); err == nil {
			t.Errorf("ParseModes(%q) accepted", bad)
		}
	}
	if !ValidEntry("order-page_2") || ValidEntry("") || ValidEntry("<script>") || ValidEntry("a23456789012345678901234567890123") {
		t.Error("ValidEntry")
	}
}

func TestValidateEventAndEmail(t *testing.T) {
	for _, tc := range []struct {
		e  Event
		ok bool
	}{
		{Event{Type: EventOpened, Article: "a"}, true},
		{Event{Type: EventOpened}, false},
		{Event{Type: EventShown}, true},
		{Event{Type: EventHandoff}, true},
		{Event{Type: EventQuery}, false}, // only the server records queries
		{Event{Type: "pizza"}, false},
	} {
		if err := ValidateEvent(&tc.e); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.e, err)
		}
	}
	for _, tc := range []struct {
		email string
		ok    bool
	}{
		{"ana@demo.example", true}, {"Ana <ana@demo.example>", false}, {"ana@localhost", false}, {"nope", false}, {"", false},
	} {
		if err := ValidateHandoffEmail(tc.email); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.email, err)
		}
	}
}
