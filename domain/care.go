package domain

import (
	"fmt"
	"slices"
	"time"
)

// Customer care's own rules: who the care team is (who is told of new
// incidents, claims, a seller's "solved", failed refunds and messages to
// customer care), and customer care's reply clock, the twin of the seller's
// 48 h one (Policy.CareReplyWithin, 24 h).

// EventCareReplyDue tells customer care its reply deadline on a thread is
// near. Customer care is told of new incidents and claims, a seller's
// "solved" and failed refunds under those events' own types.
const EventCareReplyDue = "alert.care_reply"

// CareQueueItem is a thread waiting for customer care's answer in customer
// care's queue: ranked with the threads whose clock runs, due at its
// CareReplyWithin deadline.
func CareQueueItem(p Policy, th *Thread, now time.Time) QueueItem {
	it := ThreadQueueItem(p, th, now)
	if due := CareReplyDue(p, th); due != nil && (it.DueAt == nil || due.Before(*it.DueAt)) {
		it.Priority, it.DueAt = PriorityThread, due
		it.Reason = fmt.Sprintf("waiting for customer care's reply: %s of the %s", left(*due, now), hours(p.CareReplyWithin))
		it.Since = *th.CareReplyNeededSince
	}
	return it
}

func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return d.String()
}

// CareTeamMember reports whether u is told of customer care's work as a
// team: an enabled agent, or admin, of team customer_care.
func CareTeamMember(u *User) bool {
	return u.Role.Operator() && !u.Disabled && u.Team == TeamCustomerCare
}

// CareClock runs customer care's reply clock on message m: a customer's or
// seller's message to the operator starts it if it is not running (its
// time is then the oldest unanswered one); any message customer care writes
// to someone stops it. Internal notes change nothing.
func CareClock(p Policy, th *Thread, m *Message) {
	if m.Internal {
		return
	}
	switch {
	case m.From == PartyOperator:
		if len(m.To) > 0 {
			th.CareReplyNeededSince = nil
		}
	case slices.Contains(m.To, PartyOperator):
		if th.CareReplyNeededSince == nil {
			t := m.CreatedAt
			th.CareReplyNeededSince = &t
		}
	}
	th.CareReplyDueAt = CareReplyDue(p, th)
}

// CareReplyDue is when customer care's reply is due: CareReplyWithin after
// the oldest message to customer care not yet answered; nil when none is
// awaited or the conversation is closed.
func CareReplyDue(p Policy, th *Thread) *time.Time {
	if th.CareReplyNeededSince == nil || th.Status == ThreadClosed || p.CareReplyWithin <= 0 {
		return nil
	}
	due := th.CareReplyNeededSince.Add(p.CareReplyWithin).UTC()
	return &due
}

// CareReplyOverdue reports whether customer care's reply is late at now.
func CareReplyOverdue(p Policy, th *Thread, now time.Time) bool {
	due := CareReplyDue(p, th)
	return due != nil && now.After(*due)
}

// How customer care closes an incident (Incident.CloseAs). An incident that
// was a duplicate of another, or the customer's own mistake, says nothing
// about the shop: it does not count in the shop's incident rate.
const (
	CloseAsResolved        = ""                 // the problem was real and is solved (the default)
	CloseAsDuplicate       = "duplicate"        // another incident covers the same problem
	CloseAsCustomerMistake = "customer_mistake" // there was no problem with the order
)

// CloseAsValues are the ways an incident may be closed, in form order.
func CloseAsValues() []string {
	return []string{CloseAsResolved, CloseAsDuplicate, CloseAsCustomerMistake}
}

// CountsInIncidentRate reports whether in counts against its shop in the
// incident rate: every incident but those customer care closed as a
// duplicate or as the customer's mistake.
func CountsInIncidentRate(in *Incident) bool {
	return in.State != IncidentClosed || (in.CloseAs != CloseAsDuplicate && in.CloseAs != CloseAsCustomerMistake)
}

// ReplyDecided reports whether a customer message received at at counts in
// the "answered within 48 h" rate at now: once its outcome is known, i.e.
// the seller answered it in time (answered), or its SellerReplyWithin has
// passed. A message still inside its 48 h and unanswered is not yet late,
// and counting it as a miss would be unfair.
func ReplyDecided(p Policy, at time.Time, answered bool, now time.Time) bool {
	return answered || !now.Before(at.Add(p.SellerReplyWithin))
}

// NoReplyNeededFor reports whether a customer message received at at was
// waived by "no reply needed": a mark at or after it, before the seller's
// next reply (reply nil: none followed) and before its SellerReplyWithin ran
// out (a reply already missed is not undone by saying none was needed).
// Such a message does not count in the reply rate.
func NoReplyNeededFor(p Policy, at time.Time, reply *time.Time, marks []time.Time) bool {
	for _, m := range marks {
		if !m.Before(at) && (reply == nil || m.Before(*reply)) && !m.After(at.Add(p.SellerReplyWithin)) {
			return true
		}
	}
	return false
}

// CheckTeam checks, and completes, u's team and skills: an agent always
// works in a team, customer care unless said otherwise (an agent without one
// was never given work); an admin may belong to customer care; customers and
// sellers belong to none. Skills are short words routing rules name.
func CheckTeam(u *User) error {
	switch u.Role {
	case RoleAgent:
		if u.Team == "" {
			u.Team = TeamCustomerCare
		}
		if u.Team != TeamCustomerCare {
			return FieldErrorf(CodeInvalidUser, "team", "An agent's team is %s.", TeamCustomerCare)
		}
	case RoleAdmin:
		if u.Team != "" && u.Team != TeamCustomerCare {
			return FieldErrorf(CodeInvalidUser, "team", "An admin's team is %s or none.", TeamCustomerCare)
		}
	default:
		if u.Team != "" || len(u.Skills) > 0 {
			return FieldErrorf(CodeInvalidUser, "team", "Only customer care has a team and skills.")
		}
	}
	if len(u.Skills) > 20 {
		return FieldErrorf(CodeInvalidUser, "skills", "At most 20 skills.")
	}
	for _, s := range u.Skills {
		if !validHandle(s) {
			return FieldErrorf(CodeInvalidUser, "skills", "A skill is 1 to 64 of a-z, 0-9, '.', '_' and '-'; %q is not.", s)
		}
	}
	return nil
}
