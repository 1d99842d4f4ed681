package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.RefundService = (*RefundService)(nil)

// RefundService stores refunds. A refund holds what it takes from its order
// (order.Refunded) from the moment it is requested, in the same transaction,
// so two refunds can never take the same money; a failed one gives it back.
type RefundService struct {
	db     *DB
	policy domain.Policy
}

// NewRefundService returns a RefundService on db under policy p.
func NewRefundService(db *DB, p domain.Policy) *RefundService {
	return &RefundService{db: db, policy: p}
}

// refundRecord is a refund as stored: with the idempotency key it was made
// under and the digest of that request, which the API never shows.
type refundRecord struct {
	domain.Refund
	Key    string `json:"idempotency_key,omitempty"`
	Digest string `json:"request_digest,omitempty"`
}

func getRefund(t *txn, id string) (*domain.Refund, error) {
	var r refundRecord
	ok, err := getJSON(t.tx.Bucket(bucketRefunds), []byte(id), &r)
	if !ok || err != nil {
		return nil, err
	}
	r.Refund.IdempotencyKey, r.Refund.RequestDigest = r.Key, r.Digest
	return &r.Refund, nil
}

func findVisibleRefund(t *txn, id string) (*domain.Refund, error) {
	r, err := getRefund(t, id)
	if err != nil {
		return nil, err
	}
	if r == nil || !domain.CanSeeCase(t.actor, r.ShopID, r.CustomerID) {
		return nil, domain.ErrNotFound("Refund " + id)
	}
	return r, nil
}

// putRefund writes r and its index entries.
func putRefund(t *txn, r *domain.Refund) error {
	id, state := []byte(r.ID), []byte(r.State)
	if err := t.tx.Bucket(bucketRefundsByOrder).Put(compositeKey([]byte(r.OrderNumber), id), state); err != nil {
		return err
	}
	if err := t.tx.Bucket(bucketRefundsByShop).Put(compositeKey([]byte(r.ShopID), timeKey(r.CreatedAt), id), state); err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bucketRefunds), id, refundRecord{Refund: *r, Key: r.IdempotencyKey, Digest: r.RequestDigest})
}

// createRefund makes the refund req asks of o, as the actor: who may refund
// how much, the window, what is left; it holds the money on o, closes o's
// incidents when nothing is left to refund, writes o, audits and tells the
// customer. Refunds, claims and returns all come through here. authorisedBy
// is "" when the actor asks; else the refund was authorised before (a
// partial-refund offer the buyer accepts) by that user, who made it.
func createRefund(t *txn, p domain.Policy, o *domain.Order, req domain.RefundRequest, key, authorisedBy string) (*domain.Refund, error) {
	if authorisedBy == "" {
		if err := domain.CanRefund(t.actor, p, o, 0); err != nil {
			return nil, err
		}
	}
	r, err := domain.PlanRefund(p, o, req, t.now)
	if err != nil {
		return nil, err
	}
	r.CreatedBy = authorisedBy
	if authorisedBy == "" {
		if err := domain.CanRefund(t.actor, p, o, r.Amount); err != nil {
			return nil, err
		}
		r.CreatedBy = t.actorID()
	}
	if r.ID, err = t.newID(); err != nil {
		return nil, err
	}
	r.IdempotencyKey = key
	if key != "" {
		r.RequestDigest = domain.RefundRequestDigest(req)
	}
	domain.HoldRefund(o, r)
	if domain.RefundsAll(o, r) {
		if err := closeIncidentsByRefund(t, o, r.ID); err != nil {
			return nil, err
		}
	}
	if err := saveOrder(t, o); err != nil {
		return nil, err
	}
	if err := putRefund(t, r); err != nil {
		return nil, err
	}
	entity, link := "refund:"+r.ID, "/api/v1/refunds/"+r.ID
	if err := t.audit(entity, "refund.created", req.Reason, map[string]any{"order": o.Number, "kind": r.Kind, "amount": r.Amount, "claim_id": r.ClaimID}); err != nil {
		return nil, err
	}
	if err := t.notify(o.CustomerID, domain.EventRefundRequested, "A refund of "+money(r.Amount, r.Currency)+" for order "+o.Number+" is on its way",
		entity, link, r); err != nil {
		return nil, err
	}
	return r, nil
}

// CreateRefund implements domain.RefundService. The key is scoped to the
// order and the caller: the same key from the same caller on the same order
// with the same request returns the refund it made (replayed true), with
// another request is refused (domain.CheckIdempotentReplay), and concurrent
// requests with one key make one refund (the write transaction that comes
// second sees the first's key).
// Errors: idempotency_key_required, idempotency_key_reused, not_found,
// forbidden, refund_over_limit, refund_window_closed, refund_exceeds_paid,
// invalid_refund.
func (s *RefundService) CreateRefund(ctx context.Context, orderNumber, key string, req domain.RefundRequest) (*domain.Refund, bool, error) {
	if err := domain.ValidateIdempotencyKey(key); err != nil {
		return nil, false, err
	}
	req.ClaimID = "" // set by claims only
	var out *domain.Refund
	var replayed bool
	err := s.db.update(ctx, func(t *txn) error {
		o, err := findVisibleOrder(t, orderNumber)
		if err != nil {
			return err
		}
		kk := compositeKey([]byte(o.Number), []byte(t.actorID()), []byte(key))
		if id := t.tx.Bucket(bucketRefundKeys).Get(kk); id != nil {
			made, err := getRefund(t, string(id))
			if err != nil {
				return err
			}
			if made == nil {
				return fmt.Errorf("bolt: refund key of order %s names refund %s, which is missing", o.Number, id)
			}
			if err := domain.CheckIdempotentReplay(key, made.RequestDigest, domain.RefundRequestDigest(req), made); err != nil {
				return err
			}
			out, replayed = made, true
			return nil
		}
		r, err := createRefund(t, s.policy, o, req, key, "")
		if err != nil {
			return err
		}
		out = r
		return t.tx.Bucket(bucketRefundKeys).Put(kk, []byte(r.ID))
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// AdvanceRefund implements domain.RefundService: customer care (or the
// program itself) moves a refund on. The payment side's callbacks come
// through ApplyPaymentCallback.
// Errors: not_found, forbidden, invalid_refund, refund_state.
func (s *RefundService) AdvanceRefund(ctx context.Context, id string, to domain.RefundState, failure string) (*domain.Refund, error) {
	var out *domain.Refund
	err := s.db.update(ctx, func(t *txn) error {
		r, err := findAdvanceableRefund(t, id)
		if err != nil {
			return err
		}
		if err := advanceRefund(t, s.policy, r, to, failure); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// ApplyPaymentCallback implements domain.RefundService: the payment side's
// verified callback moves its refund on, once. Its event id is recorded in
// the transaction that applies it, and a callback whose id is recorded is
// refused, so a captured callback cannot be replayed, on this refund or
// (its refund id being signed) on another. A refused callback records
// nothing: the payment side may send it again once it fits.
// Errors: not_found, forbidden, payment_signature, payment_callback_replayed,
// invalid_refund, refund_state.
func (s *RefundService) ApplyPaymentCallback(ctx context.Context, cb domain.PaymentCallback) (*domain.Refund, error) {
	var out *domain.Refund
	err := s.db.update(ctx, func(t *txn) error {
		r, err := findAdvanceableRefund(t, cb.RefundID)
		if err != nil {
			return err
		}
		events := t.tx.Bucket(bucketPaymentEvents)
		seen := events.Get([]byte(cb.EventID)) != nil
		if err := domain.CheckPaymentCallback(&cb, r, seen, t.now); err != nil {
			return err
		}
		if err := advanceRefund(t, s.policy, r, cb.State, cb.Failure); err != nil {
			return err
		}
		if err := recordPaymentEvent(t, cb); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// paymentEventRecord is an applied callback's event id, as remembered.
type paymentEventRecord struct {
	RefundID string             `json:"refund_id"`
	State    domain.RefundState `json:"state"`
	SentAt   time.Time          `json:"sent_at"`
	SeenAt   time.Time          `json:"seen_at"`
}

// prunePaymentEventsPerTxn bounds the forgetting one callback does.
const prunePaymentEventsPerTxn = 64

// recordPaymentEvent remembers cb's event id, and forgets a few of those
// older than domain.PaymentEventRetention.
func recordPaymentEvent(t *txn, cb domain.PaymentCallback) error {
	events, byTime := t.tx.Bucket(bucketPaymentEvents), t.tx.Bucket(bucketPaymentEventsByTime)
	limit := timeKey(t.now.Add(-domain.PaymentEventRetention))
	var old [][]byte
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && len(old) < prunePaymentEventsPerTxn && bytes.Compare(k[:8], limit) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old { // not while iterating: a bbolt cursor skips after Delete
		if err := events.Delete(k[9:]); err != nil {
			return err
		}
		if err := byTime.Delete(k); err != nil {
			return err
		}
	}
	id := []byte(cb.EventID)
	if err := byTime.Put(compositeKey(timeKey(t.now), id), nil); err != nil {
		return err
	}
	return putJSON(events, id, paymentEventRecord{RefundID: cb.RefundID, State: cb.State, SentAt: cb.SentAt, SeenAt: t.now})
}

// findAdvanceableRefund is refund id, if the actor may move it on.
func findAdvanceableRefund(t *txn, id string) (*domain.Refund, error) {
	r, err := getRefund(t, id)
	if err != nil {
		return nil, err
	}
	if r == nil || !domain.CanSeeRefund(t.actor, r.ShopID, r.CustomerID) {
		return nil, domain.ErrNotFound("Refund " + id)
	}
	if err := domain.CanAdvanceRefund(t.actor); err != nil {
		return nil, err
	}
	return r, nil
}

// advanceRefund moves r to state to (domain.AdvanceRefund). A failed refund
// gives back what it held and opens again the incidents and claim it closed
// (reopenRefundCases), telling the customer, the shop and customer care; a
// refunded one is announced to the customer; a repeated state changes
// nothing.
func advanceRefund(t *txn, p domain.Policy, r *domain.Refund, to domain.RefundState, failure string) error {
	changed, err := domain.AdvanceRefund(r, to, failure, t.now)
	if err != nil || !changed {
		return err
	}
	if to == domain.RefundFailed {
		o, err := mustOrder(t, r.OrderNumber)
		if err != nil {
			return err
		}
		domain.ReleaseRefund(o, r)
		if err := reopenRefundCases(t, p, o, r); err != nil {
			return err
		}
		if err := saveOrder(t, o); err != nil {
			return err
		}
	}
	if err := putRefund(t, r); err != nil {
		return err
	}
	entity, link := "refund:"+r.ID, "/api/v1/refunds/"+r.ID
	if err := t.audit(entity, "refund."+string(to), failure, nil); err != nil {
		return err
	}
	switch to {
	case domain.RefundRefunded:
		err = t.notify(r.CustomerID, domain.EventRefundIssued, "Your refund of "+money(r.Amount, r.Currency)+" for order "+r.OrderNumber+" was issued", entity, link, r)
	case domain.RefundFailed:
		if err = notifyShop(t, r.ShopID, domain.EventRefundFailed, "A refund of "+money(r.Amount, r.Currency)+" for order "+r.OrderNumber+" failed: retry it", entity, link, r); err == nil {
			err = notifyOperators(t, domain.EventRefundFailed, r.ShopID, entity, r)
		}
		if err == nil {
			err = notifyCare(t, "", domain.EventRefundFailed, "A refund of "+money(r.Amount, r.Currency)+" for order "+r.OrderNumber+" failed", entity, link, r)
		}
	}
	return err
}

// RetryRefund implements domain.RefundService: the shop or customer care
// sends a failed refund again, if what it takes is still left (the window is
// not checked again: the refund was decided in time); what its failure
// opened again (incidents, its claim) is closed again.
// Errors: not_found, forbidden, refund_over_limit, refund_state, refund_exceeds_paid.
func (s *RefundService) RetryRefund(ctx context.Context, id string) (*domain.Refund, error) {
	var out *domain.Refund
	err := s.db.update(ctx, func(t *txn) error {
		r, err := findVisibleRefund(t, id)
		if err != nil {
			return err
		}
		o, err := mustOrder(t, r.OrderNumber)
		if err != nil {
			return err
		}
		if err := domain.CanRefund(t.actor, s.policy, o, r.Amount); err != nil {
			return err
		}
		if err := domain.RetryRefund(r, t.now); err != nil {
			return err
		}
		if err := domain.CheckRefundFits(o, r); err != nil {
			return err
		}
		domain.HoldRefund(o, r)
		if err := resettleRefundCases(t, s.policy, o, r); err != nil {
			return err
		}
		if err := saveOrder(t, o); err != nil {
			return err
		}
		if err := putRefund(t, r); err != nil {
			return err
		}
		if err := t.audit("refund:"+r.ID, "refund.retried", "", map[string]any{"attempts": r.Attempts}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// FindRefund implements domain.RefundService. Errors: not_found.
func (s *RefundService) FindRefund(ctx context.Context, id string) (*domain.Refund, error) {
	var out *domain.Refund
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		out, err = findVisibleRefund(t, id)
		return err
	})
	return out, err
}

// ListRefunds implements domain.RefundService: an order's refunds, oldest
// first. Errors: not_found, invalid_cursor.
func (s *RefundService) ListRefunds(ctx context.Context, orderNumber string, cursor string, limit int) ([]domain.Refund, string, error) {
	out := []domain.Refund{}
	var next string
	err := s.db.view(ctx, func(t *txn) error {
		if _, err := findVisibleOrder(t, orderNumber); err != nil {
			return err
		}
		ids, n, err := pageIDs(t.tx.Bucket(bucketRefundsByOrder), compositeKey([]byte(orderNumber), nil), cursor, limit, false)
		if err != nil {
			return err
		}
		next = n
		for _, id := range ids {
			r, err := getRefund(t, id)
			if err != nil {
				return err
			}
			if r != nil {
				out = append(out, *r)
			}
		}
		return nil
	})
	return out, next, err
}
