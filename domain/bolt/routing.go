package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/marketplace/helpcentre/domain"
)

// RoutingService stores routing rules: the routing half of
// domain.WorkService (CreateRoutingRule, ListRoutingRules, and in
// admin_changes.go UpdateRoutingRule, DeleteRoutingRule). Threads are
// routed by ThreadService in their own transaction with the same rules.
type RoutingService struct {
	db *DB
}

// NewRoutingService returns a RoutingService on db.
func NewRoutingService(db *DB) *RoutingService { return &RoutingService{db: db} }

// CreateRoutingRule stores a rule (admins, or agents granted manage_routing).
// Errors: invalid_routing_rule, forbidden.
func (s *RoutingService) CreateRoutingRule(ctx context.Context, r *domain.RoutingRule) error {
	a := domain.ActorFrom(ctx)
	if err := domain.CanManageRouting(a); err != nil {
		return err
	}
	nr := *r
	nr.Topics = slices.Clone(nr.Topics)
	for i, t := range nr.Topics {
		nr.Topics[i] = domain.NormalTopic(t)
	}
	if err := nr.Validate(); err != nil {
		return err
	}
	err := s.db.update(ctx, func(t *txn) error {
		id, err := t.newID()
		if err != nil {
			return err
		}
		nr.ID, nr.CreatedBy, nr.CreatedAt = id, t.actorID(), t.now
		if err := putJSON(t.tx.Bucket(bucketRoutingRules), []byte(id), nr); err != nil {
			return err
		}
		return t.audit("routing_rule:"+id, "routing_rule.created", "", nr)
	})
	if err != nil {
		return err
	}
	*r = nr
	return nil
}

// ListRoutingRules lists the rules in force, in the order they are tried
// (operators). A new store starts with domain.DefaultRoutingRules stored
// (migration 0015); with none left, all work goes to customer care.
func (s *RoutingService) ListRoutingRules(ctx context.Context) ([]domain.RoutingRule, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var rules []domain.RoutingRule
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		rules, err = routingRules(t)
		return err
	})
	if err != nil {
		return nil, err
	}
	if rules == nil {
		rules = []domain.RoutingRule{}
	}
	slices.SortStableFunc(rules, func(a, b domain.RoutingRule) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return strings.Compare(a.ID, b.ID)
	})
	return rules, nil
}

// routingRules reads the stored rules.
func routingRules(t *txn) ([]domain.RoutingRule, error) {
	var rules []domain.RoutingRule
	err := t.tx.Bucket(bucketRoutingRules).ForEach(func(k, v []byte) error {
		var r domain.RoutingRule
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("bolt: decode routing rule %q: %w", k, err)
		}
		rules = append(rules, r)
		return nil
	})
	return rules, err
}

// agentLoads lists the enabled agents with a team and the open
// threads each holds. Users are few next to threads (ListUsers reads them
// all too).
func agentLoads(t *txn) ([]domain.AgentLoad, error) {
	var out []domain.AgentLoad
	load := t.tx.Bucket(bucketAgentLoad)
	err := t.tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
		var u domain.User
		if err := decodeJSON(v, &u); err != nil {
			return fmt.Errorf("bolt: decode user %q: %w", k, err)
		}
		if !domain.Routable(&u) {
			return nil
		}
		n := 0
		if b := load.Get([]byte(u.ID)); len(b) == 8 {
			n = int(binary.BigEndian.Uint64(b))
		}
		out = append(out, domain.AgentLoad{ID: u.ID, Name: u.Name, Team: u.Team, Skills: u.Skills, Load: n})
		return nil
	})
	return out, err
}

// addAgentLoad changes an agent's count of open threads by d.
func addAgentLoad(t *txn, agentID string, d int) error {
	if agentID == "" {
		return nil
	}
	b := t.tx.Bucket(bucketAgentLoad)
	var n int64
	if v := b.Get([]byte(agentID)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n = max(0, n+int64(d))
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(n))
	return b.Put([]byte(agentID), v[:])
}

// route decides where new work goes, in t.
func routeWork(t *txn, w domain.Work) (*domain.Assignment, error) {
	rules, err := routingRules(t)
	if err != nil {
		return nil, err
	}
	agents, err := agentLoads(t)
	if err != nil {
		return nil, err
	}
	as := domain.Route(rules, w, agents, t.now)
	if err := addAgentLoad(t, as.AgentID, 1); err != nil {
		return nil, err
	}
	return &as, nil
}
