package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/marketplace/helpcentre/domain"
)

// Administration both ways: routing rules edited and deleted, grants
// revoked, an operator's team set. Each change is audited.

// UpdateRoutingRule implements domain.WorkService (admins, or agents
// granted manage_routing). Errors: unauthorized, forbidden, not_found,
// invalid_routing_rule.
func (s *RoutingService) UpdateRoutingRule(ctx context.Context, r *domain.RoutingRule) error {
	if err := domain.CanManageRouting(domain.ActorFrom(ctx)); err != nil {
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
		prev, err := getRoutingRule(t, nr.ID)
		if err != nil {
			return err
		}
		nr.CreatedBy, nr.CreatedAt = prev.CreatedBy, prev.CreatedAt
		if err := putJSON(t.tx.Bucket(bucketRoutingRules), []byte(nr.ID), nr); err != nil {
			return err
		}
		return t.audit("routing_rule:"+nr.ID, "routing_rule.updated", "", map[string]any{"before": prev, "after": nr})
	})
	if err != nil {
		return err
	}
	*r = nr
	return nil
}

// DeleteRoutingRule implements domain.WorkService (admins, or agents
// granted manage_routing). Errors: unauthorized, forbidden, not_found.
func (s *RoutingService) DeleteRoutingRule(ctx context.Context, id string) (*domain.RoutingRule, error) {
	if err := domain.CanManageRouting(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var out *domain.RoutingRule
	err := s.db.update(ctx, func(t *txn) error {
		prev, err := getRoutingRule(t, id)
		if err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketRoutingRules).Delete([]byte(id)); err != nil {
			return err
		}
		out = prev
		return t.audit("routing_rule:"+id, "routing_rule.deleted", "", prev)
	})
	return out, err
}

// getRoutingRule reads a stored rule, or not_found.
func getRoutingRule(t *txn, id string) (*domain.RoutingRule, error) {
	v := t.tx.Bucket(bucketRoutingRules).Get([]byte(id))
	if v == nil {
		return nil, domain.ErrNotFound("Routing rule " + id)
	}
	var r domain.RoutingRule
	if err := decodeJSON(v, &r); err != nil {
		return nil, fmt.Errorf("bolt: decode routing rule %q: %w", id, err)
	}
	return &r, nil
}

// RevokeGrant implements domain.AccessService (admin only): the grant is
// deleted, the agent told, the change audited on the agent.
// Errors: unauthorized, forbidden, not_found.
func (s *AccessService) RevokeGrant(ctx context.Context, id string) (*domain.Grant, error) {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var out *domain.Grant
	err := s.db.update(ctx, func(t *txn) error {
		b := t.tx.Bucket(bucketGrants)
		var key []byte
		var g domain.Grant
		// Grants are few (a handful per agent): a scan finds one by id.
		err := b.ForEach(func(k, v []byte) error {
			if key != nil || !bytes.HasSuffix(k, []byte(id)) || len(k) <= len(id) || k[len(k)-len(id)-1] != 0 {
				return nil
			}
			key = bytes.Clone(k)
			return decodeJSON(v, &g)
		})
		if err != nil {
			return err
		}
		if key == nil || id == "" {
			return domain.ErrNotFound("Grant " + id)
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		if err := t.notify(g.AgentID, "grant.revoked", "Your "+g.Permission+" permission was taken back", "user:"+g.AgentID, "", g); err != nil {
			return err
		}
		out = &g
		return t.audit("user:"+g.AgentID, "grant.revoked", "", g)
	})
	return out, err
}

// SetUserTeam implements domain.AccessService (admin only).
// Errors: unauthorized, forbidden, not_found, invalid_user.
func (s *AccessService) SetUserTeam(ctx context.Context, userID, team string, skills []string) (*domain.User, error) {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var out *domain.User
	err := s.db.update(ctx, func(t *txn) error {
		u, err := findUser(t, userID)
		if err != nil {
			return err
		}
		if u == nil {
			return domain.ErrNotFound("User " + userID)
		}
		before := map[string]any{"team": u.Team, "skills": u.Skills}
		u.Team, u.Skills = team, slices.Clone(skills)
		if err := domain.CheckTeam(u); err != nil {
			return err
		}
		if err := putJSON(t.tx.Bucket(bucketUsers), []byte(u.ID), u); err != nil {
			return err
		}
		out = u
		return t.audit("user:"+u.ID, "user.team", "", map[string]any{"before": before, "after": map[string]any{"team": u.Team, "skills": u.Skills}})
	})
	return out, err
}
