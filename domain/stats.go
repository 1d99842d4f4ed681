package domain

import (
	"slices"
	"time"
)

// Shop statistics: the period asked, and the arithmetic of the figures.

// ShopStats are a shop's after-sales figures over a period.
type ShopStats struct {
	ShopID                    string     `json:"shop_id"`
	From                      time.Time  `json:"from"`
	To                        time.Time  `json:"to"`
	CustomerMessages          int        `json:"customer_messages"`          // needing a reply, received in the period
	AnsweredWithin48h         int        `json:"answered_within_48h"`        // of those
	AnsweredWithin48hPct      float64    `json:"answered_within_48h_pct"`    // 0..100
	AvgFirstResponseSeconds   float64    `json:"avg_first_response_seconds"` // over threads with a seller reply
	IncidentsOpened           int        `json:"incidents_opened"`
	OrderLines                int        `json:"order_lines"`   // of orders placed in the period
	IncidentRate              float64    `json:"incident_rate"` // order lines with an incident ÷ order lines
	OpenIncidentsNow          int        `json:"open_incidents_now"`
	Claims                    int        `json:"claims"`
	ClaimsAffectingReputation int        `json:"claims_affecting_reputation"`
	Refunds                   int        `json:"refunds"`
	RefundedAmount            int64      `json:"refunded_amount"`
	Currency                  string     `json:"currency,omitempty"`
	Daily                     []DayStats `json:"daily"` // per UTC day, for charts
}

// DayStats are one day's counts, for charts.
type DayStats struct {
	Day               string `json:"day"` // 2006-01-02
	CustomerMessages  int    `json:"customer_messages"`
	AnsweredWithin48h int    `json:"answered_within_48h"`
	IncidentsOpened   int    `json:"incidents_opened"`
	Claims            int    `json:"claims"`
	Refunds           int    `json:"refunds"`
}

// DefaultStatsPeriod is the period of statistics asked without one.
const DefaultStatsPeriod = 30 * 24 * time.Hour

// MaxStatsPeriod bounds a statistics period (the daily series is per day).
const MaxStatsPeriod = 366 * 24 * time.Hour

// StatsPeriod resolves a requested period: zero to means now, zero from
// means DefaultStatsPeriod before to; from must be before to and the period
// at most MaxStatsPeriod.
func StatsPeriod(from, to, now time.Time) (time.Time, time.Time, error) {
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-DefaultStatsPeriod)
	}
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return from, to, FieldErrorf(CodeInvalidPeriod, "from", "from must be before to.")
	}
	if to.Sub(from) > MaxStatsPeriod {
		return from, to, FieldErrorf(CodeInvalidPeriod, "from", "A period is at most 366 days.")
	}
	return from, to, nil
}

// NewShopStats returns empty statistics for shop over [from, to), with a
// zero row for every UTC day the period touches.
func NewShopStats(shopID string, from, to time.Time) *ShopStats {
	s := &ShopStats{ShopID: shopID, From: from, To: to, Daily: []DayStats{}}
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
		s.Daily = append(s.Daily, DayStats{Day: d.Format(time.DateOnly)})
	}
	return s
}

// Day returns the daily row of t, or nil when t is outside the period.
func (s *ShopStats) Day(t time.Time) *DayStats {
	if t.Before(s.From) || !t.Before(s.To) || len(s.Daily) == 0 {
		return nil
	}
	i := int(t.UTC().Truncate(24*time.Hour).Sub(s.From.UTC().Truncate(24*time.Hour)) / (24 * time.Hour))
	if i < 0 || i >= len(s.Daily) {
		return nil
	}
	return &s.Daily[i]
}

// Finish computes the ratios from the counts: the share of customer
// messages answered within 48 h (%), the mean first response over n
// responses totalling sum, and the incident rate (lines with an incident ÷
// order lines).
func (s *ShopStats) Finish(linesWithIncident int, firstResponses int, firstResponseSum time.Duration) {
	if s.CustomerMessages > 0 {
		s.AnsweredWithin48hPct = 100 * float64(s.AnsweredWithin48h) / float64(s.CustomerMessages)
	}
	if firstResponses > 0 {
		s.AvgFirstResponseSeconds = firstResponseSum.Seconds() / float64(firstResponses)
	}
	if s.OrderLines > 0 {
		s.IncidentRate = float64(linesWithIncident) / float64(s.OrderLines)
	}
}

// IncidentLines is the number of order lines an incident touches for the
// incident rate: its line, or every line of the order for one on the whole
// order.
func IncidentLines(in *Incident, o *Order) []int {
	if in.Line > 0 {
		return []int{in.Line}
	}
	ls := make([]int, 0, len(o.Lines))
	for _, l := range o.Lines {
		ls = append(ls, l.No)
	}
	return ls
}

// ReplyOutcome is one customer message to the seller, for statistics: when it
// came and whether the seller answered it in time.
type ReplyOutcome struct {
	At       time.Time
	Answered bool // a seller message to the customer followed within p.SellerReplyWithin
}

// ReplyStats reads a thread's messages (in time order) for the shop's
// statistics over [from, to) at now: each customer message to the seller
// received in the period with whether the seller answered it within
// p.SellerReplyWithin (only a seller message to the customer answers), and
// the thread's first response time (its first customer message to the first
// seller answer) when that first message is in the period and was answered.
// Internal notes do not count, nor do messages whose outcome is not known
// yet (ReplyDecided: unanswered and inside their 48 h) or that "no reply
// needed" waived (NoReplyNeededFor, over the times it was marked).
func ReplyStats(p Policy, msgs []Message, from, to, now time.Time, noReplyMarks []time.Time) (out []ReplyOutcome, first time.Duration, hasFirst bool) {
	var replies []time.Time
	for _, m := range msgs {
		if !m.Internal && m.From == PartySeller && slices.Contains(m.To, PartyCustomer) {
			replies = append(replies, m.CreatedAt)
		}
	}
	firstSeen := false
	for _, m := range msgs {
		if m.Internal || m.From != PartyCustomer || !slices.Contains(m.To, PartySeller) {
			continue
		}
		i, _ := slices.BinarySearchFunc(replies, m.CreatedAt, func(a, b time.Time) int { return a.Compare(b) })
		var reply *time.Time
		if i < len(replies) {
			reply = &replies[i]
		}
		if !firstSeen {
			firstSeen = true
			if reply != nil && !m.CreatedAt.Before(from) && m.CreatedAt.Before(to) {
				first, hasFirst = reply.Sub(m.CreatedAt), true
			}
		}
		if m.CreatedAt.Before(from) || !m.CreatedAt.Before(to) || NoReplyNeededFor(p, m.CreatedAt, reply, noReplyMarks) {
			continue
		}
		answered := reply != nil && !reply.After(m.CreatedAt.Add(p.SellerReplyWithin))
		if !ReplyDecided(p, m.CreatedAt, answered, now) {
			continue
		}
		out = append(out, ReplyOutcome{At: m.CreatedAt, Answered: answered})
	}
	return out, first, hasFirst
}

// CanReadShopStats lets a shop's sellers read its statistics, and customer
// care granted view_stats any shop's; shopExists is whether the store has
// it. Anyone else learns nothing, not even that the shop exists.
func CanReadShopStats(a Actor, shopID string, shopExists bool) error {
	if err := RequireSignedIn(a); err != nil {
		return err
	}
	switch {
	case a.Role == RoleSeller && a.ShopID == shopID:
		return nil
	case a.Role.Operator():
		if !shopExists {
			return ErrNotFound("Shop " + shopID)
		}
		if !a.Has(PermViewStats) {
			return Errorf(CodeForbidden, "Reading shop statistics needs the view_stats permission.")
		}
		return nil
	}
	return ErrNotFound("Shop " + shopID)
}
