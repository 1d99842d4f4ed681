package bolt

import (
	"context"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.IncidentService = (*IncidentService)(nil)

// IncidentService stores incidents. Opening one freezes its order and closing
// the last unfreezes it, in the same transaction.
type IncidentService struct {
	db     *DB
	policy domain.Policy
}

// NewIncidentService returns an IncidentService on db under policy p.
func NewIncidentService(db *DB, p domain.Policy) *IncidentService {
	return &IncidentService{db: db, policy: p}
}

func getIncident(t *txn, id string) (*domain.Incident, error) {
	var in domain.Incident
	ok, err := getJSON(t.tx.Bucket(bucketIncidents), []byte(id), &in)
	if !ok || err != nil {
		return nil, err
	}
	return &in, nil
}

// findVisibleIncident reads an incident the actor may see, or NotFound.
func findVisibleIncident(t *txn, id string) (*domain.Incident, error) {
	in, err := getIncident(t, id)
	if err != nil {
		return nil, err
	}
	if in == nil || !domain.CanSeeCase(t.actor, in.ShopID, in.CustomerID) {
		return nil, domain.ErrNotFound("Incident " + id)
	}
	return in, nil
}

// putIncident writes in and its index entries (their values: its state).
func putIncident(t *txn, in *domain.Incident) error {
	id, state := []byte(in.ID), string(in.State)
	opened := timeKey(in.OpenedAt)
	for _, e := range []struct{ b, k []byte }{
		{bucketIncidentsByOrder, compositeKey([]byte(in.OrderNumber), id)},
		{bucketIncidentsByShop, compositeKey([]byte(in.ShopID), opened, id)},
		{bucketIncidentsByCustomer, compositeKey([]byte(in.CustomerID), id)},
	} {
		if err := t.tx.Bucket(e.b).Put(e.k, []byte(state)); err != nil {
			return err
		}
	}
	if err := setActive(t, bucketIncidentsActive, compositeKey([]byte(in.ShopID), opened, id), domain.IncidentActive(in.State), state); err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bucketIncidents), id, in)
}

// closeIncidentsByRefund closes o's active incidents because o was refunded
// in full, and unfreezes o (the caller writes o).
func closeIncidentsByRefund(t *txn, o *domain.Order, refundID string) error {
	ids, states := prefixIDs(t.tx.Bucket(bucketIncidentsByOrder), compositeKey([]byte(o.Number), nil))
	for i, id := range ids {
		if !domain.IncidentActive(domain.IncidentState(states[i])) {
			continue
		}
		in, err := getIncident(t, id)
		if err != nil {
			return err
		}
		if in == nil || !domain.CloseIncidentByRefund(in, refundID, t.now) {
			continue
		}
		domain.CountIncident(o, -1)
		if err := putIncident(t, in); err != nil {
			return err
		}
		if err := t.audit("incident:"+id, "incident.closed", "total refund", map[string]any{"refund_id": refundID}); err != nil {
			return err
		}
		if err := t.notify(in.CustomerID, domain.EventIncidentClosed, "Your incident on order "+in.OrderNumber+" was closed: the order was refunded in full",
			"incident:"+id, "/api/v1/incidents/"+id, in); err != nil {
			return err
		}
	}
	return nil
}

// OpenIncident implements domain.IncidentService: the customer or customer
// care opens an incident on an order line; the order freezes and the shop's
// sellers are told. Errors: not_found, forbidden, invalid_incident.
func (s *IncidentService) OpenIncident(ctx context.Context, orderNumber string, line int, reason, description string) (*domain.Incident, error) {
	var out *domain.Incident
	err := s.db.update(ctx, func(t *txn) error {
		o, err := findVisibleOrder(t, orderNumber)
		if err != nil {
			return err
		}
		in, err := domain.NewIncident(t.actor, o, line, reason, description, t.now)
		if err != nil {
			return err
		}
		if in.ID, err = t.newID(); err != nil {
			return err
		}
		if err := enqueueCaseTranslations(t, "incident:"+in.ID, in.Description, o, &in.CaseText); err != nil {
			return err
		}
		if err := putIncident(t, in); err != nil {
			return err
		}
		domain.CountIncident(o, 1)
		if err := saveOrder(t, o); err != nil {
			return err
		}
		entity, link := "incident:"+in.ID, "/api/v1/incidents/"+in.ID
		if err := t.audit(entity, "incident.opened", description, map[string]any{"order": o.Number, "line": line, "reason": reason}); err != nil {
			return err
		}
		if err := notifyShop(t, o.ShopID, domain.EventIncidentOpened, "New incident on order "+o.Number+": answer immediately", entity, link, in); err != nil {
			return err
		}
		if err := notifyCare(t, "", domain.EventIncidentOpened, "New incident on order "+o.Number+" ("+shopName(t, o.ShopID)+"): the order is frozen", entity, link, in); err != nil {
			return err
		}
		if t.actor.UserID != o.CustomerID {
			if err := t.notify(o.CustomerID, domain.EventIncidentOpened, "Customer care opened an incident on your order "+o.Number, entity, link, in); err != nil {
				return err
			}
		}
		out = in
		return nil
	})
	return out, err
}

// change runs one incident command: read what the actor may see, apply the
// rule, write, audit and notify, with the order kept frozen or not.
func (s *IncidentService) change(ctx context.Context, id, action, why string, rule func(t *txn, in *domain.Incident) error,
	tell func(t *txn, in *domain.Incident) error) (*domain.Incident, error) {
	var out *domain.Incident
	err := s.db.update(ctx, func(t *txn) error {
		in, err := findVisibleIncident(t, id)
		if err != nil {
			return err
		}
		wasActive := domain.IncidentActive(in.State)
		if err := rule(t, in); err != nil {
			return err
		}
		if isActive := domain.IncidentActive(in.State); isActive != wasActive {
			o, err := mustOrder(t, in.OrderNumber)
			if err != nil {
				return err
			}
			if isActive {
				domain.CountIncident(o, 1)
			} else {
				domain.CountIncident(o, -1)
			}
			if err := saveOrder(t, o); err != nil {
				return err
			}
		}
		if err := putIncident(t, in); err != nil {
			return err
		}
		if err := t.audit("incident:"+id, action, why, map[string]any{"state": in.State}); err != nil {
			return err
		}
		if err := tell(t, in); err != nil {
			return err
		}
		out = in
		return nil
	})
	return out, err
}

// ResolveIncident implements domain.IncidentService: the seller's "mark as
// solved", with the message telling customer care what was done (kept in the
// audit log and sent to customer care as an event).
// Errors: not_found, forbidden, invalid_incident, incident_state.
func (s *IncidentService) ResolveIncident(ctx context.Context, id, message string) (*domain.Incident, error) {
	return s.change(ctx, id, "incident.resolved", message,
		func(t *txn, in *domain.Incident) error { return domain.ResolveIncident(t.actor, in, message, t.now) },
		func(t *txn, in *domain.Incident) error {
			if err := notifyOperators(t, domain.EventIncidentResolved, in.ShopID, "incident:"+in.ID,
				map[string]any{"incident": in, "message": message}); err != nil {
				return err
			}
			if err := notifyCare(t, threadAgent(t, in.ThreadID), domain.EventIncidentResolved, "The seller marked the incident on order "+in.OrderNumber+" as solved: check it and close or reopen",
				"incident:"+in.ID, "/api/v1/incidents/"+in.ID, map[string]any{"incident": in, "message": message}); err != nil {
				return err
			}
			return t.notify(in.CustomerID, domain.EventIncidentResolved, "The shop says the problem with order "+in.OrderNumber+" is solved",
				"incident:"+in.ID, "/api/v1/incidents/"+in.ID, in)
		})
}

// CloseIncident implements domain.IncidentService (customer care). The last
// closed incident unfreezes the order.
// Errors: not_found, forbidden, close_reason_required, incident_state.
func (s *IncidentService) CloseIncident(ctx context.Context, id, reason string) (*domain.Incident, error) {
	return s.change(ctx, id, "incident.closed", reason,
		func(t *txn, in *domain.Incident) error { return domain.CloseIncident(t.actor, in, reason, t.now) },
		func(t *txn, in *domain.Incident) error {
			return s.tellBoth(t, in, domain.EventIncidentClosed, "was closed")
		})
}

// ReopenIncident implements domain.IncidentService (customer care): the
// seller's "solved" was not enough. Errors: not_found, forbidden, incident_state.
func (s *IncidentService) ReopenIncident(ctx context.Context, id, why string) (*domain.Incident, error) {
	return s.change(ctx, id, "incident.reopened", why,
		func(t *txn, in *domain.Incident) error { return domain.ReopenIncident(t.actor, in, why, t.now) },
		func(t *txn, in *domain.Incident) error {
			return s.tellBoth(t, in, domain.EventIncidentReopened, "was reopened")
		})
}

func (s *IncidentService) tellBoth(t *txn, in *domain.Incident, typ, what string) error {
	entity, link := "incident:"+in.ID, "/api/v1/incidents/"+in.ID
	if err := t.notify(in.CustomerID, typ, "Your incident on order "+in.OrderNumber+" "+what, entity, link, in); err != nil {
		return err
	}
	return notifyShop(t, in.ShopID, typ, "The incident on order "+in.OrderNumber+" "+what, entity, link, in)
}

// FindIncident implements domain.IncidentService. Errors: not_found.
func (s *IncidentService) FindIncident(ctx context.Context, id string) (*domain.Incident, error) {
	var out *domain.Incident
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		out, err = findVisibleIncident(t, id)
		return err
	})
	return out, err
}

// ListIncidents implements domain.IncidentService: an order's incidents in
// order of opening; without an order, the caller's (customers: theirs,
// newest first; sellers: their shop's, newest first; customer care: the
// active ones, oldest first). Errors: not_found (the order), invalid_cursor.
func (s *IncidentService) ListIncidents(ctx context.Context, orderNumber string, cursor string, limit int) ([]domain.Incident, string, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, "", err
	}
	out := []domain.Incident{}
	var next string
	err := s.db.view(ctx, func(t *txn) error {
		ids, n, err := caseIDs(t, a, caseIndexes{bucketIncidentsByOrder, bucketIncidentsByCustomer, bucketIncidentsByShop, bucketIncidentsActive}, orderNumber, cursor, limit)
		if err != nil {
			return err
		}
		next = n
		for _, id := range ids {
			in, err := getIncident(t, id)
			if err != nil {
				return err
			}
			if in != nil && domain.CanSeeCase(a, in.ShopID, in.CustomerID) {
				out = append(out, *in)
			}
		}
		return nil
	})
	return out, next, err
}

// caseIndexes are the index buckets a kind of case (incidents, claims) is
// listed from.
type caseIndexes struct{ byOrder, byCustomer, byShop, active []byte }

// caseIDs pages the ids of the cases a lists: an order's in order of
// opening; without an order, the caller's (customers: theirs; sellers:
// their shop's; newest first; customer care: the active ones, oldest first).
func caseIDs(t *txn, a domain.Actor, ix caseIndexes, orderNumber, cursor string, limit int) ([]string, string, error) {
	if orderNumber != "" {
		if _, err := findVisibleOrder(t, orderNumber); err != nil {
			return nil, "", err
		}
		return pageIDs(t.tx.Bucket(ix.byOrder), compositeKey([]byte(orderNumber), nil), cursor, limit, false)
	}
	switch sc := domain.ListScopeFor(a); {
	case sc.CustomerID != "":
		return pageIDs(t.tx.Bucket(ix.byCustomer), compositeKey([]byte(sc.CustomerID), nil), cursor, limit, true)
	case sc.ShopID != "":
		return pageIDs(t.tx.Bucket(ix.byShop), compositeKey([]byte(sc.ShopID), nil), cursor, limit, true)
	case sc.All:
		return pageIDs(t.tx.Bucket(ix.active), nil, cursor, limit, false)
	}
	return nil, "", nil
}

// CloseIncidentAs implements domain.IncidentService: CloseIncident saying
// how it ended (a duplicate, the customer's mistake).
// Errors: not_found, forbidden, invalid_incident, close_reason_required, incident_state.
func (s *IncidentService) CloseIncidentAs(ctx context.Context, id, reason, closeAs string) (*domain.Incident, error) {
	return s.change(ctx, id, "incident.closed", reason,
		func(t *txn, in *domain.Incident) error {
			return domain.CloseIncidentAs(t.actor, in, reason, closeAs, t.now)
		},
		func(t *txn, in *domain.Incident) error {
			return s.tellBoth(t, in, domain.EventIncidentClosed, "was closed")
		})
}
