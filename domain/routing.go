package domain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Routing entities: what a piece of work hangs on.
const (
	EntityOrder = "order"
	EntityNone  = "none"
)

// Work is what routing decides on: a new thread (or hand-off).
type Work struct {
	Topic  string // as given; matched in NormalTopic form
	Locale string
	Order  string // order number, "" for none
	ShopID string // the order's shop (or the seller of a no-order thread)
	// Recipient is who the first message is addressed to. Work addressed to
	// customer care (PartyOperator) never goes to a seller's queue, even
	// about an order: the seller is not the one asked.
	Recipient Party
}

// AgentLoad is an agent routing may choose, with the open work they hold.
type AgentLoad struct {
	ID     string
	Name   string
	Team   string
	Skills []string
	Load   int
}

// DefaultRoutingRules are the rules a new store starts with (migration
// 0015 stores them, so that adding a rule adds to them instead of replacing
// them): account, login and payment questions, and anything without an
// order, go to customer care; order questions go to the order's seller.
func DefaultRoutingRules() []RoutingRule {
	return []RoutingRule{
		{ID: "default-account", Name: "account, login and payment questions", Priority: 10,
			Topics: []string{TopicAccount, "login", "password", TopicPayment}, Team: TeamCustomerCare, Skill: "account"},
		{ID: "default-no-order", Name: "questions about no order", Priority: 20, Entity: EntityNone, Team: TeamCustomerCare},
		{ID: "default-order", Name: "order questions", Priority: 30, Entity: EntityOrder, Team: TeamSeller},
	}
}

// Validate reports the first rule r breaks.
func (r *RoutingRule) Validate() error {
	// field is the input of the rule form each error is about.
	bad := func(field, format string, args ...any) error {
		return FieldErrorf(CodeInvalidRoutingRule, field, format, args...)
	}
	if strings.TrimSpace(r.Name) == "" || utf8.RuneCountInString(r.Name) > 100 || !utf8.ValidString(r.Name) {
		return bad("name", "A rule has a name of 1 to 100 characters.")
	}
	if r.Priority < 0 || r.Priority > 1_000_000 {
		return bad("priority", "Priority is 0 to 1000000; lower is tried first.")
	}
	switch r.Team {
	case TeamCustomerCare, TeamSeller:
	default:
		return bad("team", "Team must be %s or %s.", TeamCustomerCare, TeamSeller)
	}
	switch r.Entity {
	case "", EntityOrder, EntityNone:
	default:
		return bad("entity", "Entity must be order, none or empty (either).")
	}
	if r.Team == TeamSeller && r.Entity == EntityNone {
		return bad("entity", "Work about no order has no seller: team seller needs entity order or empty.")
	}
	if len(r.Topics) > 50 || len(r.Locales) > 50 {
		return bad("topics", "At most 50 topics and 50 locales.")
	}
	for _, t := range r.Topics {
		if !ValidTopic(t) {
			return bad("topics", "Topic %q is not a topic.", t)
		}
	}
	for _, l := range r.Locales {
		if l == "" || len(l) > 16 {
			return bad("locales", "Locale %q is not a locale.", l)
		}
	}
	if len(r.Skill) > 64 || !utf8.ValidString(r.Skill) {
		return bad("skill", "A skill is at most 64 bytes of text.")
	}
	return nil
}

// matches reports whether r applies to w, and why (for the Assignment).
func (r *RoutingRule) matches(w Work) (bool, string) {
	var why []string
	if len(r.Topics) > 0 {
		topic := NormalTopic(w.Topic)
		if !slices.ContainsFunc(r.Topics, func(t string) bool { return NormalTopic(t) == topic }) {
			return false, ""
		}
		why = append(why, "topic "+topic)
	}
	if len(r.Locales) > 0 {
		if !slices.ContainsFunc(r.Locales, func(l string) bool { return strings.EqualFold(l, w.Locale) }) {
			return false, ""
		}
		why = append(why, "locale "+w.Locale)
	}
	switch r.Entity {
	case EntityOrder:
		if w.Order == "" {
			return false, ""
		}
		why = append(why, "about order "+w.Order)
	case EntityNone:
		if w.Order != "" {
			return false, ""
		}
		why = append(why, "about no order")
	}
	if r.Team == TeamSeller && (w.ShopID == "" || w.Recipient == PartyOperator) {
		return false, "" // nobody to send it to, or addressed to customer care
	}
	if len(why) == 0 {
		why = append(why, "matches anything")
	}
	return true, strings.Join(why, ", ")
}

// Route picks the team, and for customer care the least-loaded agent with
// the rule's skill, for new work. Rules are tried in ascending priority
// (ties by id); when no rule matches (or there are none), customer care
// takes it. Agents not in the team are ignored; ties
// in load go to the lowest id, so routing is deterministic.
func Route(rules []RoutingRule, w Work, agents []AgentLoad, now time.Time) Assignment {
	rules = slices.Clone(rules)
	slices.SortStableFunc(rules, func(a, b RoutingRule) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	as := Assignment{Team: TeamCustomerCare, Rule: "default", Why: "no rule matched → customer_care", At: now}
	if w.Recipient == PartyOperator {
		as.Why = "addressed to customer care, no rule matched → customer_care"
	}
	skill := ""
	for _, r := range rules {
		ok, why := r.matches(w)
		if !ok {
			continue
		}
		as.Team, as.Rule, skill = r.Team, r.ID, r.Skill
		as.Why = fmt.Sprintf("%s → %s (rule %q)", why, r.Team, r.Name)
		break
	}
	if as.Team == TeamSeller {
		as.ShopID = w.ShopID
		as.Why += ": shop " + w.ShopID
		return as
	}
	var best *AgentLoad
	for i := range agents {
		a := &agents[i]
		if a.Team != as.Team || (skill != "" && !slices.Contains(a.Skills, skill)) {
			continue
		}
		if best == nil || a.Load < best.Load || (a.Load == best.Load && a.ID < best.ID) {
			best = a
		}
	}
	switch {
	case best != nil:
		as.AgentID, as.Agent = best.ID, best.Name
		as.Why += fmt.Sprintf("; agent %s, least loaded (%d open)", best.Name, best.Load)
		if skill != "" {
			as.Why += " with skill " + skill
		}
	case skill != "":
		as.Why += "; no agent of the team has skill " + skill + ": left to the team's queue"
	default:
		as.Why += "; no agent in the team: left to the team's queue"
	}
	return as
}

// Teams work queues. Every seller's shop is also a queue of its own.
const (
	TeamCustomerCare = "customer_care"
	TeamSeller       = "seller" // the order's shop
)

// RoutingRule sends new work to a team, and then to the least-loaded agent of
// that team with Skill. Rules are tried in ascending Priority; the first that
// matches fires. Empty match fields match anything.
type RoutingRule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Priority  int       `json:"priority"`
	Topics    []string  `json:"topics,omitempty"`
	Locales   []string  `json:"locales,omitempty"`
	Entity    string    `json:"entity,omitempty"` // "order" (about an order), "none" (no order), "" (either)
	Team      string    `json:"team"`             // customer_care, or seller: the order's shop
	Skill     string    `json:"skill,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Assignment records where routing sent a piece of work, and which rule fired.
type Assignment struct {
	Team    string    `json:"team"`
	ShopID  string    `json:"shop_id,omitempty"`  // team seller
	AgentID string    `json:"agent_id,omitempty"` // customer care: the agent chosen
	Agent   string    `json:"agent,omitempty"`    // their name
	Rule    string    `json:"rule"`               // the rule's id, or "default"
	Why     string    `json:"why"`                // readable: "topic account → customer_care (rule 'account questions')"
	At      time.Time `json:"at"`
}

// CanManageRouting lets admins, and agents granted manage_routing, create,
// edit and delete routing rules.
func CanManageRouting(a Actor) error {
	if err := RequireOperator(a); err != nil {
		return err
	}
	if !a.Has(PermManageRouting) {
		return Errorf(CodeForbidden, "Changing routing rules needs the %s permission.", PermManageRouting)
	}
	return nil
}

// Routable reports whether routing may give work to u: an enabled agent
// with a team.
func Routable(u *User) bool {
	return u.Role == RoleAgent && !u.Disabled && u.Team != ""
}
