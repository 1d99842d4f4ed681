package bolt

import "github.com/marketplace/helpcentre/domain"

// A total refund closes its order's incidents, and a claim's refund closes
// the claim, when the refund is made; that closing stands only if the money
// moves. A refund that fails opens them again where they were (the order
// frozen again, the return back to received) and the customer is told; its
// retry closes them again.

// reopenRefundCases opens again what failed refund r had closed on o (the
// caller writes o).
func reopenRefundCases(t *txn, p domain.Policy, o *domain.Order, r *domain.Refund) error {
	ids, _ := prefixIDs(t.tx.Bucket(bucketIncidentsByOrder), compositeKey([]byte(o.Number), nil))
	reopened := 0
	for _, id := range ids {
		in, err := getIncident(t, id)
		if err != nil {
			return err
		}
		if in == nil || !domain.ReopenIncidentByRefund(in, r.ID, t.now) {
			continue
		}
		reopened++
		domain.CountIncident(o, 1)
		if err := putIncident(t, in); err != nil {
			return err
		}
		if err := t.audit("incident:"+id, "incident.reopened", "refund failed", map[string]any{"refund_id": r.ID, "state": in.State}); err != nil {
			return err
		}
		if err := notifyShop(t, in.ShopID, domain.EventIncidentReopened, "The incident on order "+in.OrderNumber+" is open again: its refund failed",
			"incident:"+id, "/api/v1/incidents/"+id, in); err != nil {
			return err
		}
	}
	what := ""
	if reopened > 0 {
		what = "; your incident is open again"
	}
	if r.ClaimID != "" {
		c, err := getClaim(t, r.ClaimID)
		if err != nil {
			return err
		}
		// One claim per order is open at a time: if the buyer opened another
		// since, that one goes on and this one stays closed.
		ids, states := prefixIDs(t.tx.Bucket(bucketClaimsByOrder), compositeKey([]byte(o.Number), nil))
		for i, st := range states {
			if ids[i] != r.ClaimID && domain.ClaimState(st) != domain.ClaimClosed {
				c = nil
			}
		}
		if c != nil && domain.ReopenClaim(p, c, r.ID, t.now) {
			if err := putClaim(t, c); err != nil {
				return err
			}
			if err := t.audit("claim:"+c.ID, "claim.reopened", "refund failed", map[string]any{"refund_id": r.ID, "state": c.State}); err != nil {
				return err
			}
			if err := putReturnState(t, c.ReturnID, r.ID, domain.ReturnReceived); err != nil {
				return err
			}
			entity, link := claimLink(c.ID)
			if err := notifyShop(t, c.ShopID, domain.EventClaimReopened, "The claim on order "+c.OrderNumber+" is open again: its refund failed", entity, link, c); err != nil {
				return err
			}
			what = "; your claim is open again"
		}
	}
	return t.notify(r.CustomerID, domain.EventRefundFailed, "Your refund of "+money(r.Amount, r.Currency)+" for order "+r.OrderNumber+
		" could not be paid"+what+": the shop or customer care will send it again", "refund:"+r.ID, "/api/v1/refunds/"+r.ID, r)
}

// resettleRefundCases closes again, when failed refund r is retried, what
// it had closed (the caller writes o).
func resettleRefundCases(t *txn, p domain.Policy, o *domain.Order, r *domain.Refund) error {
	if domain.RefundsAll(o, r) {
		if err := closeIncidentsByRefund(t, o, r.ID); err != nil {
			return err
		}
	}
	if r.ClaimID == "" {
		return nil
	}
	c, err := getClaim(t, r.ClaimID)
	if err != nil || c == nil {
		return err
	}
	returning := c.State == domain.ClaimReturning
	if !domain.ResettleClaim(p, c, r, t.now) {
		return nil
	}
	if err := putClaim(t, c); err != nil {
		return err
	}
	if returning {
		if err := putReturnState(t, c.ReturnID, r.ID, domain.ReturnRefunded); err != nil {
			return err
		}
	}
	return t.audit("claim:"+c.ID, "claim.resettled", "refund retried", map[string]any{"refund_id": r.ID, "resolution": c.Resolution})
}

// putReturnState moves return id, if refund refundID is its refund, to
// state (received when the refund failed, refunded when it is retried).
func putReturnState(t *txn, id, refundID string, state domain.ReturnState) error {
	if id == "" {
		return nil
	}
	ret, err := getReturn(t, id)
	if err != nil || ret == nil || ret.RefundID != refundID {
		return err
	}
	ret.State, ret.UpdatedAt = state, t.now
	return putJSON(t.tx.Bucket(bucketReturns), []byte(ret.ID), ret)
}
