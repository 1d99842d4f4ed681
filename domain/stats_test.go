package domain

import (
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	now := time.Date(2025, 3, 31, 15, 0, 0, 0, time.UTC)
	from, to, err := StatsPeriod(time.Time{}, time.Time{}, now)
	if err != nil || !to.Equal(now) || !from.Equal(now.Add(-30*24*time.Hour)) {
		t.Fatalf("default period %s–%s %v", from, to, err)
	}
	if _, _, err := StatsPeriod(now, now.Add(-time.Hour), now); ErrorCode(err) != CodeInvalidPeriod {
		t.Fatalf("reversed period: %v", err)
	}
	if _, _, err := StatsPeriod(now.Add(-400*24*time.Hour), now, now); ErrorCode(err) != CodeInvalidPeriod {
		t.Fatalf("long period: %v", err)
	}
	s := NewShopStats("shop-1", from, to)
	if len(s.Daily) != 31 || s.Daily[0].Day != "2025-03-01" || s.Daily[30].Day != "2025-03-31" {
		t.Fatalf("days %d: %+v … %+v", len(s.Daily), s.Daily[0], s.Daily[len(s.Daily)-1])
	}
	if d := s.Day(now.Add(-time.Minute)); d == nil || d.Day != "2025-03-31" {
		t.Fatalf("day of now %+v", d)
	}
	if s.Day(to) != nil || s.Day(from.Add(-time.Second)) != nil {
		t.Fatal("a day outside the period")
	}
	s.CustomerMessages, s.AnsweredWithin48h, s.OrderLines = 8, 6, 20
	s.Finish(3, 2, 3*time.Hour)
	if s.AnsweredWithin48hPct != 75 || s.AvgFirstResponseSeconds != 5400 || s.IncidentRate != 0.15 {
		t.Fatalf("got %+v", s)
	}
	o := testOrder()
	if got := IncidentLines(&Incident{Line: 2}, o); len(got) != 1 || got[0] != 2 {
		t.Fatalf("lines %v", got)
	}
	if got := IncidentLines(&Incident{}, o); len(got) != 2 {
		t.Fatalf("whole order lines %v", got)
	}
}

func TestReplyStats(t *testing.T) {
	p := DefaultPolicy()
	h := time.Hour
	msg := func(from Party, to Party, at time.Duration) Message {
		return Message{From: from, To: []Party{to}, CreatedAt: t0.Add(at)}
	}
	msgs := []Message{
		msg(PartyCustomer, PartySeller, 0),                   // answered at 47:59
		msg(PartySeller, PartyOperator, time.Hour),           // not an answer: to the operator
		msg(PartySeller, PartyCustomer, 47*h+59*time.Minute), // answers the first
		msg(PartyCustomer, PartySeller, 50*h),                // answered at 98:01: 48:01 later, too late
		msg(PartySeller, PartyCustomer, 98*h+time.Minute),
		msg(PartyCustomer, PartySeller, 200*h),   // never answered
		msg(PartyCustomer, PartyOperator, 201*h), // not to the seller
	}
	out, first, ok := ReplyStats(p, msgs, t0, t0.Add(300*h), t0.Add(300*h), nil)
	if len(out) != 3 || !out[0].Answered || out[1].Answered || out[2].Answered {
		t.Fatalf("outcomes %+v", out)
	}
	if !ok || first != 47*h+59*time.Minute {
		t.Fatalf("first response %s %v", first, ok)
	}
	// A period after the first message: no first response counted.
	out, _, ok = ReplyStats(p, msgs, t0.Add(10*h), t0.Add(300*h), t0.Add(300*h), nil)
	if len(out) != 2 || ok {
		t.Fatalf("later period: %+v %v", out, ok)
	}
}
