package domain

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// The work queue's order: open incidents first, then claims by time left to
// 72 h, then threads by time left to 48 h, then the rest; ties by age.

// QueueItem is one piece of work in a queue, most urgent first: open
// incidents, then claims by time left to 72 h, then threads by time left to
// 48 h, then the rest; ties by age.
type QueueItem struct {
	Kind     string      `json:"kind"` // incident, claim, thread
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Order    string      `json:"order,omitempty"`
	ShopID   string      `json:"shop_id,omitempty"`
	Rank     int         `json:"rank"`     // 1 is the most urgent
	Priority int         `json:"priority"` // the urgency class: 0 incident, 1 claim, 2 thread with a clock, 3 the rest
	Reason   string      `json:"reason"`   // why it is here: "open incident: answer immediately"
	DueAt    *time.Time  `json:"due_at"`
	Since    time.Time   `json:"since"`
	Assigned *Assignment `json:"assignment,omitempty"`
}

// Queue priority classes (QueueItem.Priority).
const (
	PriorityIncident = 0
	PriorityClaim    = 1
	PriorityThread   = 2 // a thread with the seller's 48 h clock running
	PriorityRest     = 3
)

func left(due, now time.Time) string {
	d := due.Sub(now).Truncate(time.Minute)
	if d < 0 {
		return "overdue by " + shortDuration(-d)
	}
	return shortDuration(d) + " left"
}

func shortDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return fmt.Sprintf("%dh%02dm", h, m)
}

// IncidentQueueItem is an active incident in a queue: at the top, due at once.
func IncidentQueueItem(in *Incident) QueueItem {
	due := in.OpenedAt
	reason := "open incident: answer immediately (the order is frozen)"
	if in.State == IncidentResolvedBySeller {
		reason = "incident marked solved by the seller: check it and close or reopen"
	}
	return QueueItem{Kind: "incident", ID: in.ID, Title: "Incident on order " + in.OrderNumber + ": " + in.Reason,
		Order: in.OrderNumber, ShopID: in.ShopID, Priority: PriorityIncident, Reason: reason, DueAt: &due, Since: in.OpenedAt}
}

// ClaimQueueItem is an unresolved claim in a queue, due at its 72 h deadline.
func ClaimQueueItem(p Policy, c *Claim, now time.Time) QueueItem {
	rep, due := ClaimReputation(p, c, now)
	reason := "claim: " + left(due, now) + " to resolve it before it counts against the reputation"
	switch {
	case c.Reason == ClaimBuyersRemorse:
		reason = "claim (buyer's remorse, never counts against the reputation): " + left(due, now) + " of the " + Window(p.ClaimResolveWithin)
	case rep == ReputationAffected:
		reason = "claim: past the " + Window(p.ClaimResolveWithin) + " deadline, " + left(due, now) + "; it counts against the reputation"
	case rep == ReputationNotAffected && c.RemedyAt != nil:
		reason = "claim: the seller's remedy was made in time; it does not count against the reputation"
	}
	if c.State == ClaimReturning {
		reason += " (return under way)"
	}
	return QueueItem{Kind: "claim", ID: c.ID, Title: "Claim on order " + c.OrderNumber + ": " + c.Reason,
		Order: c.OrderNumber, ShopID: c.ShopID, Priority: PriorityClaim, Reason: reason, DueAt: &due, Since: c.OpenedAt}
}

// ThreadQueueItem is a thread in a queue: with the seller's clock running,
// due at the 48 h deadline; otherwise with the rest, by age.
func ThreadQueueItem(p Policy, th *Thread, now time.Time) QueueItem {
	it := QueueItem{Kind: "thread", ID: th.ID, Title: th.Subject, Order: th.OrderNumber, ShopID: th.ShopID,
		Priority: PriorityRest, Reason: "open conversation", Since: th.LastMessage, Assigned: th.Assignment}
	if it.Title == "" {
		it.Title = th.Topic
	}
	if due := SellerReplyDue(p, th); due != nil {
		it.Priority, it.DueAt = PriorityThread, due
		it.Reason = "customer waiting for the seller's reply: " + left(*due, now) + " of the " + Window(p.SellerReplyWithin)
		if th.SellerReplyNeededSince != nil {
			it.Since = *th.SellerReplyNeededSince
		}
	}
	return it
}

// RankQueue sorts items most urgent first and numbers them: by priority
// class, then by due time (least time left first) where there is one, then
// by age (oldest first), then by id.
func RankQueue(items []QueueItem) {
	slices.SortStableFunc(items, func(a, b QueueItem) int {
		if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
			return c
		}
		if a.Priority != PriorityIncident && a.DueAt != nil && b.DueAt != nil {
			if c := a.DueAt.Compare(*b.DueAt); c != 0 {
				return c
			}
		}
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for i := range items {
		items[i].Rank = i + 1
	}
}

// ---- Statistics ----

// QueueFor is the work queue a reads: a seller their shop's (shopID), customer
// care everyone's (shopID ""). Customers have none.
func QueueFor(a Actor) (shopID string, err error) {
	if err := RequireSignedIn(a); err != nil {
		return "", err
	}
	switch {
	case a.Role == RoleSeller && a.ShopID != "":
		return a.ShopID, nil
	case a.Role.Operator():
		return "", nil
	}
	return "", Errorf(CodeForbidden, "Only sellers and customer care have a work queue.")
}

// QueueHasIncident reports whether an active incident in state s is in a's
// queue: a seller's holds only open ones (a solved one is customer care's
// turn).
func QueueHasIncident(a Actor, s IncidentState) bool {
	return a.Role != RoleSeller || s == IncidentOpen
}

// QueueHasThread reports whether th is in a's queue: customer care's holds
// the threads they take part in or that routing gave them; a seller's, every
// thread of the shop.
func QueueHasThread(a Actor, th *Thread) bool {
	if !a.Role.Operator() {
		return true
	}
	return slices.Contains(th.Parties, PartyOperator) || (th.Assignment != nil && th.Assignment.Team == TeamCustomerCare)
}
