package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// What only the served demo (`helpcentre serve --demo`) adds to the world
// Seed makes: the agent's statistics permission and sixty days of
// help-centre sessions, so that customer care's statistics and deflection
// report show something. Tests that seed the world for their own checks do
// not get them.

// GrantDemoAgent lets the demo agent olga read every shop's statistics
// (view_stats), once: a grant she already holds is left as it is.
func GrantDemoAgent(ctx context.Context, access domain.AccessService) error {
	ctx = domain.WithActor(ctx, System)
	olga, err := access.FindUserByName(ctx, "olga")
	if err != nil {
		return fmt.Errorf("demo: olga: %w", err)
	}
	grants, err := access.ListGrants(ctx, olga.ID)
	if err != nil {
		return fmt.Errorf("demo: olga's grants: %w", err)
	}
	for _, g := range grants {
		if g.Permission == domain.PermViewStats {
			return nil
		}
	}
	if err := access.Grant(ctx, &domain.Grant{AgentID: olga.ID, Permission: domain.PermViewStats}); err != nil {
		return fmt.Errorf("demo: olga's view_stats: %w", err)
	}
	return nil
}

// SessionRecorder records help-centre sessions and writes them at once
// (bolt's DeflectionService).
type SessionRecorder interface {
	domain.DeflectionService
	Flush(ctx context.Context) error
}

// DemoSessionDays is how many days of help-centre sessions the demo has.
const DemoSessionDays = 60

// demoSessionID names the demo's session i of day d (d days ago): fixed, so
// that a second start finds them and adds none.
func demoSessionID(d, i int) string { return fmt.Sprintf("demo-%02d-%d", d, i) }

// sessionStory is one way a help-centre session goes.
type sessionStory struct {
	subject string
	shown   []string // articles shown, best first
	opened  string   // the one opened, if any
	helpful *bool    // its vote, if any
	handoff bool     // "I still need help" and sent
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// The stories the demo's sessions follow, in turn: most find their answer,
// some ask a person after all, a few ask what no article answers.
var sessionStories = []sessionStory{
	{subject: "where is my invoice", shown: []string{"invoice-find", "invoice-download"}, opened: "invoice-find", helpful: yes()},
	{subject: "how long does a refund take", shown: []string{"refund-timing", "refund-track"}, opened: "refund-timing"},
	{subject: "return an item", shown: []string{"return-how", "return-label"}, opened: "return-how", helpful: yes()},
	{subject: "my parcel is late", shown: []string{"delivery-late", "delivery-track"}, opened: "delivery-late", helpful: no(), handoff: true},
	{subject: "track my order", shown: []string{"delivery-track"}, opened: "delivery-track"},
	{subject: "cancel my order", shown: []string{"order-cancel"}, handoff: true},
	{subject: "the lamp arrived broken", handoff: true},
	{subject: "refund not received", shown: []string{"refund-not-received", "refund-track"}, opened: "refund-not-received", helpful: yes()},
	{subject: "hello"},
}

// SeedSessions records DemoSessionDays days of help-centre sessions before
// now, one to four a day on the contact page and in the widget, in English
// and Spanish, following sessionStories; hand-offs name no thread (their
// conversations are not part of the demo). Idempotent: if the first session
// is there, nothing is added.
func SeedSessions(ctx context.Context, s SessionRecorder, now time.Time) error {
	if _, err := s.Session(ctx, demoSessionID(DemoSessionDays, 0)); err == nil {
		return nil
	} else if domain.ErrorKind(err) != domain.NotFound {
		return err
	}
	story := 0
	for d := DemoSessionDays; d >= 1; d-- {
		midnight := now.UTC().Truncate(day).Add(-time.Duration(d) * day)
		for i := range 1 + (d*7)%4 {
			st := sessionStories[story%len(sessionStories)]
			story++
			id := demoSessionID(d, i)
			at := midnight.Add(time.Duration(9+(d+3*i)%10)*time.Hour + time.Duration((d*13+i*29)%60)*time.Minute)
			start := &domain.SessionStart{Locale: []string{"en", "es"}[(d+i)%3/2], Entry: []string{"contact", "widget"}[(d+i)%2], Mode: domain.ModeSelfService}
			var shown []domain.ShownArticle
			for r, a := range st.shown {
				shown = append(shown, domain.ShownArticle{ID: a, Rank: r + 1, At: at})
			}
			events := []domain.Event{{Session: id, Type: domain.EventQuery, At: at, Start: start,
				Typed: &domain.TypedText{Subject: st.subject, At: at}, Shown: shown}}
			at = at.Add(40 * time.Second)
			if st.opened != "" {
				events = append(events, domain.Event{Session: id, Type: domain.EventOpened, At: at, Article: st.opened})
				at = at.Add(90 * time.Second)
			}
			if st.helpful != nil {
				e := domain.Event{Session: id, Type: domain.EventHelpful, At: at, Article: st.opened}
				if !*st.helpful {
					e.Type, e.Reason = domain.EventNotHelpful, "still_need_help"
				}
				events = append(events, e)
				at = at.Add(30 * time.Second)
			}
			if err := s.RecordEvents(ctx, events...); err != nil {
				return fmt.Errorf("demo: session %s: %w", id, err)
			}
			if st.handoff {
				if err := s.Handoff(ctx, id, domain.HandoffMark{At: at, Subject: st.subject}); err != nil {
					return fmt.Errorf("demo: hand-off of %s: %w", id, err)
				}
			}
		}
	}
	return s.Flush(ctx)
}
