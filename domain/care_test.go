package domain

import (
	"testing"
	"time"
)

// The "answered within 48 h" rate is fair: a message still inside its 48 h
// and unanswered is not counted (it may yet be answered in time); one the
// seller answered in time counts at once; one the seller said needed no
// reply never counts.
func TestReplyStatsCountsOnlyDecidedMessages(t *testing.T) {
	p := DefaultPolicy()
	h := time.Hour
	msg := func(from, to Party, at time.Duration) Message {
		return Message{From: from, To: []Party{to}, CreatedAt: t0.Add(at)}
	}
	msgs := []Message{
		msg(PartyCustomer, PartySeller, 0),     // unanswered, 48 h passed at now: a miss
		msg(PartyCustomer, PartySeller, 60*h),  // "no reply needed" at 61 h: waived
		msg(PartyCustomer, PartySeller, 90*h),  // answered at 91 h: in time
		msg(PartySeller, PartyCustomer, 91*h),  //
		msg(PartyCustomer, PartySeller, 100*h), // unanswered, 2 h old at now: not yet decided
	}
	now := t0.Add(102 * h)
	out, _, _ := ReplyStats(p, msgs, t0, now, now, []time.Time{t0.Add(61 * h)})
	if len(out) != 2 || out[0].Answered || !out[0].At.Equal(t0) || !out[1].Answered || !out[1].At.Equal(t0.Add(90*h)) {
		t.Fatalf("outcomes %+v, want the miss at 0 h and the answer at 90 h", out)
	}
	// 48 h later the pending one is decided: a miss. The waived one never counts.
	later := t0.Add(149 * h)
	out, _, _ = ReplyStats(p, msgs, t0, later, later, []time.Time{t0.Add(61 * h)})
	if len(out) != 3 || out[2].Answered || !out[2].At.Equal(t0.Add(100*h)) {
		t.Fatalf("outcomes %+v", out)
	}
	// Without the mark, the 60 h message was answered at 91 h: 31 h, in time.
	out, _, _ = ReplyStats(p, msgs, t0, later, later, nil)
	if len(out) != 4 || !out[1].Answered {
		t.Fatalf("without the mark: %+v", out)
	}
}

func TestReplyDecided(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		age      time.Duration
		answered bool
		want     bool
	}{
		{time.Hour, false, false},
		{time.Hour, true, true},
		{48 * time.Hour, false, true},
		{47*time.Hour + 59*time.Minute, false, false},
	} {
		if got := ReplyDecided(p, t0, tc.answered, t0.Add(tc.age)); got != tc.want {
			t.Errorf("age %s answered %v: %v, want %v", tc.age, tc.answered, got, tc.want)
		}
	}
}

// Incidents closed as a duplicate or as the customer's mistake say nothing
// about the shop; every other incident, open or closed, counts.
func TestCountsInIncidentRate(t *testing.T) {
	for _, tc := range []struct {
		state   IncidentState
		closeAs string
		want    bool
	}{
		{IncidentOpen, "", true},
		{IncidentResolvedBySeller, "", true},
		{IncidentClosed, CloseAsResolved, true},
		{IncidentClosed, CloseAsDuplicate, false},
		{IncidentClosed, CloseAsCustomerMistake, false},
	} {
		if got := CountsInIncidentRate(&Incident{State: tc.state, CloseAs: tc.closeAs}); got != tc.want {
			t.Errorf("%s as %q: %v, want %v", tc.state, tc.closeAs, got, tc.want)
		}
	}
}

func TestCloseIncidentNeedsTheGrant(t *testing.T) {
	now := t0
	plain := Actor{UserID: "o", Role: RoleAgent}
	granted := Actor{UserID: "o", Role: RoleAgent, Grants: []Grant{{Permission: PermCloseIncidents}}}
	admin := Actor{UserID: "a", Role: RoleAdmin}
	in := &Incident{State: IncidentResolvedBySeller}
	if err := CloseIncident(plain, in, "", now); ErrorCode(err) != CodeForbidden || in.State != IncidentResolvedBySeller {
		t.Fatalf("an agent without close_incidents: %v, %s", err, in.State)
	}
	if err := ReopenIncident(plain, in, "not solved", now); err != nil {
		t.Fatalf("an agent without the grant may still reopen: %v", err)
	}
	if err := CloseIncidentAs(granted, in, "", CloseAsDuplicate, now); ErrorCode(err) != CodeCloseReasonRequired {
		t.Fatalf("a duplicate without a reason: %v", err)
	}
	if err := CloseIncidentAs(granted, in, "x", "whatever", now); ErrorCode(err) != CodeInvalidIncident {
		t.Fatalf("a bad close_as: %v", err)
	}
	if err := CloseIncidentAs(granted, in, "same as the other one", CloseAsDuplicate, now); err != nil || in.State != IncidentClosed || in.CloseAs != CloseAsDuplicate {
		t.Fatalf("granted agent: %v, %+v", err, in)
	}
	in2 := &Incident{State: IncidentOpen}
	if err := CloseIncident(admin, in2, "done", now); err != nil {
		t.Fatalf("admins hold every permission: %v", err)
	}
}

// Customer care's clock: a message to customer care starts it (the oldest
// unanswered one sets it), customer care's answer stops it, internal notes
// and messages between customer and seller leave it alone.
func TestCareClock(t *testing.T) {
	p := DefaultPolicy()
	p.CareReplyWithin = 24 * time.Hour
	th := &Thread{Status: ThreadOpen}
	apply := func(from Party, to []Party, at time.Duration, internal bool) {
		CareClock(p, th, &Message{From: from, To: to, Internal: internal, CreatedAt: t0.Add(at)})
	}
	apply(PartyCustomer, []Party{PartySeller}, 0, false)
	if th.CareReplyDueAt != nil {
		t.Fatalf("a message to the seller started care's clock: %v", th.CareReplyDueAt)
	}
	apply(PartyCustomer, []Party{PartyOperator}, time.Hour, false)
	apply(PartySeller, []Party{PartyOperator}, 2*time.Hour, false)
	if th.CareReplyDueAt == nil || !th.CareReplyDueAt.Equal(t0.Add(25*time.Hour)) {
		t.Fatalf("due %v, want 24 h after the oldest message to care", th.CareReplyDueAt)
	}
	apply(PartyOperator, nil, 3*time.Hour, true)
	if th.CareReplyDueAt == nil {
		t.Fatal("an internal note stopped the clock")
	}
	if CareReplyOverdue(p, th, t0.Add(25*time.Hour)) || !CareReplyOverdue(p, th, t0.Add(25*time.Hour+time.Second)) {
		t.Fatal("overdue is strictly after the due time")
	}
	apply(PartyOperator, []Party{PartyCustomer}, 4*time.Hour, false)
	if th.CareReplyDueAt != nil || th.CareReplyNeededSince != nil {
		t.Fatalf("care's answer left the clock running: %v", th.CareReplyDueAt)
	}
	apply(PartyCustomer, []Party{PartyOperator}, 5*time.Hour, false)
	th.Status = ThreadClosed
	if CareReplyDue(p, th) != nil {
		t.Fatal("a closed conversation has no deadline")
	}
}
