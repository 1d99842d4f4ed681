package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var deflectionCases = []testCase{
	{"handoff_writes_queued_events", testDeflectionHandoff},
	{"report_filters_and_strictness", testDeflectionReport},
	{"refusals", testDeflectionRefusals},
}

func operator(w *world, t *testing.T) context.Context { return w.as(t, "olga") }

func queryEvent(id, locale, entry, order, customer string, at time.Time, subject string, shown ...string) domain.Event {
	e := domain.Event{Session: id, Type: domain.EventQuery, At: at,
		Start: &domain.SessionStart{Locale: locale, Entry: entry, Order: order, CustomerID: customer, Mode: domain.ModeSelfService},
		Typed: &domain.TypedText{Subject: subject, At: at}}
	for i, a := range shown {
		e.Shown = append(e.Shown, domain.ShownArticle{ID: a, Title: a, Rank: i + 1, Why: "matched", At: at})
	}
	return e
}

func testDeflectionHandoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	s := w.Deflection
	now := w.clock.Now()
	ana, ben := w.as(t, "ana"), w.as(t, "ben")
	s.RecordEvents(ana, queryEvent("h1", "en", "contact", "1001", w.id("ana"), now, "<script>alert(1)</script> refund", "refund-time"),
		domain.Event{Session: "h1", Type: domain.EventOpened, At: now, Article: "refund-time"},
		domain.Event{Session: "h1", Type: domain.EventNotHelpful, At: now, Article: "refund-time", Reason: "didnt_apply"})
	if _, err := s.Session(ben, "h1"); domain.ErrorCode(err) != domain.CodeSessionNotFound {
		t.Errorf("another customer reads the session: %v", err)
	}
	if err := s.Handoff(ana, "nope", domain.HandoffMark{Thread: "t"}); domain.ErrorCode(err) != domain.CodeSessionNotFound {
		t.Errorf("hand-off of an unknown session: %v", err)
	}
	if err := s.Handoff(ana, "h1", domain.HandoffMark{Thread: "T1", Subject: "refund", Body: "still waiting"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ana, "h1")
	if err != nil {
		t.Fatal(err)
	}
	tr := got.Transcript()
	if got.Handoff == nil || got.Handoff.Thread != "T1" || len(tr.Typed) != 1 || tr.Typed[0].Subject != "<script>alert(1)</script> refund" ||
		len(tr.Shown) != 1 || tr.Shown[0].Rank != 1 || len(tr.Opened) != 1 || len(tr.Votes) != 1 || tr.Votes[0].Helpful || tr.Order != "1001" {
		t.Errorf("stored session %+v", got)
	}
}

func testDeflectionReport(t *testing.T, open Opener) {
	w := newWorld(t, open)
	s := w.Deflection
	// Sessions four days before now; ana follows session b up with a
	// thread on its order, 1002, now: within the strict window.
	day := w.clock.Now().Add(-4 * 24 * time.Hour)
	w.startThread(t, "ana", domain.NewThread{OrderNumber: "1002", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Still no refund"})
	ev := []domain.Event{
		queryEvent("a", "en", "contact", "1001", w.id("ana"), day, "refund", "refund-time"),
		{Session: "a", Type: domain.EventOpened, At: day, Article: "refund-time"},
		queryEvent("b", "en", "contact", "1002", w.id("ana"), day.Add(time.Hour), "refund", "refund-time"),
		{Session: "b", Type: domain.EventOpened, At: day.Add(time.Hour), Article: "refund-time"},
		queryEvent("c", "es", "widget", "", "", day.Add(2*time.Hour), "factura", "invoice-find"),
		{Session: "c", Type: domain.EventHelpful, At: day.Add(2 * time.Hour), Article: "invoice-find"},
		queryEvent("d", "en", "widget", "", "", day.Add(48*time.Hour), "pizza"),
		// an entry whose name begins with another's: filters match whole names
		queryEvent("e", "es", "contact-form", "", "", day.Add(3*time.Hour), "devolución"),
		queryEvent("old", "en", "widget", "", "", day.Add(-48*time.Hour), "old"),
	}
	if err := s.RecordEvents(context.Background(), ev...); err != nil {
		t.Fatal(err)
	}
	if err := s.Handoff(context.Background(), "d", domain.HandoffMark{Thread: "T", At: day.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Report(domain.WithActor(context.Background(), domain.Actor{UserID: "ana", Role: domain.RoleCustomer}), day, day.Add(time.Hour), "", ""); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("a customer reads the report: %v", err)
	}
	if _, err := s.Report(operator(w, t), day, day, "", ""); domain.ErrorCode(err) != domain.CodeInvalidRange {
		t.Errorf("empty range: %v", err)
	}
	from, to := day.Add(-time.Hour), day.Add(72*time.Hour)
	for _, tc := range []struct {
		locale, entry                        string
		sessions, strict, handoffs, resolved int
	}{
		{"", "", 5, 1, 1, 1},
		{"en", "", 3, 1, 1, 0},
		{"es", "", 2, 0, 0, 1},
		{"", "widget", 2, 0, 1, 1},
		{"", "contact", 2, 1, 0, 0},
		{"", "contact-form", 1, 0, 0, 0},
		{"en", "contact", 2, 1, 0, 0},
		{"es", "contact", 0, 0, 0, 0},
		{"es", "contact-form", 1, 0, 0, 0},
		{"fr", "", 0, 0, 0, 0},
		{"", "phone", 0, 0, 0, 0},
	} {
		rep, err := s.Report(operator(w, t), from, to, tc.locale, tc.entry)
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Totals
		if c.Sessions != tc.sessions || c.Strict != tc.strict || c.Handoffs != tc.handoffs || c.Resolved != tc.resolved {
			t.Errorf("locale %q entry %q: %+v", tc.locale, tc.entry, c)
		}
	}
	rep, _ := s.Report(operator(w, t), from, to, "", "")
	if len(rep.ByDay) != 2 || len(rep.ByEntry) != 3 || rep.ByArticle[0].Article != "refund-time" || rep.ByArticle[0].Opened != 2 {
		t.Errorf("report %+v", rep)
	}

	n, err := s.PurgeText(context.Background(), day.Add(24*time.Hour))
	if err != nil || n != 5 {
		t.Fatalf("purged %d, %v; want 5 (old, a, b, c, e)", n, err)
	}
	if n, _ := s.PurgeText(context.Background(), day.Add(24*time.Hour)); n != 0 {
		t.Errorf("a second purge purged %d again", n)
	}
	a, _ := s.Session(operator(w, t), "a")
	d, _ := s.Session(operator(w, t), "d")
	if !a.TextPurged || a.Typed != nil || d.TextPurged || len(d.Typed) != 1 {
		t.Errorf("after the purge: a %+v, d %+v", a, d)
	}
	if rep2, _ := s.Report(operator(w, t), from, to, "", ""); rep2.Totals != rep.Totals {
		t.Errorf("the purge changed the figures: %+v vs %+v", rep2.Totals, rep.Totals)
	}
}

func testDeflectionRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	s := w.Deflection
	now := w.clock.Now()
	if err := s.RecordEvents(w.as(t, "ana"), queryEvent("mine", "en", "contact", "1001", w.id("ana"), now, "refund")); err != nil {
		t.Fatal(err)
	}
	olga := w.as(t, "olga")
	for _, ev := range []domain.Event{
		{Type: domain.EventOpened, At: now, Article: "a"},
		{Session: "bad", At: now},
	} {
		if err := s.RecordEvents(context.Background(), ev); code(err) != domain.CodeInvalidEvent {
			t.Errorf("event %+v: %v, want invalid_event", ev, err)
		}
	}
	if _, err := s.Session(olga, "bad"); code(err) != domain.CodeSessionNotFound {
		t.Errorf("a refused event was kept: %v", err)
	}
	for _, tc := range []struct {
		what     string
		ctx      context.Context
		from, to time.Time
		code     domain.Code
	}{
		{"anonymous", anon, now.Add(-time.Hour), now, domain.CodeUnauthorized},
		{"a customer", w.as(t, "ana"), now.Add(-time.Hour), now, domain.CodeForbidden},
		{"a seller", w.as(t, "sam"), now.Add(-time.Hour), now, domain.CodeForbidden},
		{"an empty range", olga, now, now, domain.CodeInvalidRange},
		{"a reversed range", olga, now, now.Add(-time.Hour), domain.CodeInvalidRange},
		{"too long a range", olga, now.Add(-time.Duration(domain.MaxReportDays+1) * 24 * time.Hour), now, domain.CodeInvalidRange},
	} {
		if _, err := s.Report(tc.ctx, tc.from, tc.to, "", ""); code(err) != tc.code {
			t.Errorf("report by %s: %v, want %s", tc.what, err, tc.code)
		}
	}
	if _, err := s.Session(olga, "nope"); code(err) != domain.CodeSessionNotFound {
		t.Errorf("unknown session: %v", err)
	}
	if _, err := s.Session(w.as(t, "ben"), "mine"); code(err) != domain.CodeSessionNotFound {
		t.Errorf("another customer's session: %v", err)
	}
	if err := s.Handoff(w.as(t, "ana"), "nope", domain.HandoffMark{Thread: "t"}); code(err) != domain.CodeSessionNotFound {
		t.Errorf("hand-off of an unknown session: %v", err)
	}
	if got, err := s.Session(olga, "mine"); err != nil || got.Handoff != nil || len(got.Typed) != 1 {
		t.Errorf("the refusals changed the session: %+v %v", got, err)
	}
}
