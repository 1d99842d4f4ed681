package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/marketplace/helpcentre/domain"
	returnlabel "github.com/marketplace/helpcentre/domain/label"
)

var _ domain.ClaimService = (*ClaimService)(nil)

// ClaimService stores claims, their offers and returns. Refunds a claim ends
// in are made in the claim's transaction, through the same rules as any
// refund.
type ClaimService struct {
	db     *DB
	policy domain.Policy
}

// NewClaimService returns a ClaimService on db under policy p.
func NewClaimService(db *DB, p domain.Policy) *ClaimService {
	return &ClaimService{db: db, policy: p}
}

func getClaim(t *txn, id string) (*domain.Claim, error) {
	var c domain.Claim
	ok, err := getJSON(t.tx.Bucket(bucketClaims), []byte(id), &c)
	if !ok || err != nil {
		return nil, err
	}
	return &c, nil
}

// findVisibleClaim reads a claim the actor may see, or NotFound, with its
// reputation as of the transaction's time.
func (s *ClaimService) findVisibleClaim(t *txn, id string) (*domain.Claim, error) {
	c, err := getClaim(t, id)
	if err != nil {
		return nil, err
	}
	if c == nil || !domain.CanSeeCase(t.actor, c.ShopID, c.CustomerID) {
		return nil, domain.ErrNotFound("Claim " + id)
	}
	if c.State != domain.ClaimClosed {
		// An offer past its expiry reads expired; the next write keeps it so.
		domain.ExpireOffers(s.policy, c, t.now)
		domain.SetClaimReputation(s.policy, c, t.now)
	}
	return c, nil
}

func putClaim(t *txn, c *domain.Claim) error {
	id, state := []byte(c.ID), string(c.State)
	opened := timeKey(c.OpenedAt)
	for _, e := range []struct{ b, k []byte }{
		{bucketClaimsByOrder, compositeKey([]byte(c.OrderNumber), id)},
		{bucketClaimsByShop, compositeKey([]byte(c.ShopID), opened, id)},
		{bucketClaimsByCustomer, compositeKey([]byte(c.CustomerID), id)},
	} {
		if err := t.tx.Bucket(e.b).Put(e.k, []byte(state)); err != nil {
			return err
		}
	}
	if err := setActive(t, bucketClaimsActive, compositeKey([]byte(c.ShopID), opened, id), c.State != domain.ClaimClosed, state); err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bucketClaims), id, c)
}

func getReturn(t *txn, id string) (*domain.Return, error) {
	var r domain.Return
	ok, err := getJSON(t.tx.Bucket(bucketReturns), []byte(id), &r)
	if !ok || err != nil {
		return nil, err
	}
	return &r, nil
}

func findVisibleReturn(t *txn, id string) (*domain.Return, error) {
	r, err := getReturn(t, id)
	if err != nil {
		return nil, err
	}
	if r == nil || !domain.CanSeeCase(t.actor, r.ShopID, r.CustomerID) {
		return nil, domain.ErrNotFound("Return " + id)
	}
	return r, nil
}

func claimLink(id string) (entity, link string) { return "claim:" + id, "/api/v1/claims/" + id }

// OpenClaim implements domain.ClaimService: the buyer complains after
// delivery, within the claim window; one claim per order is open at a time.
// The shop's sellers are told. Errors: not_found, forbidden, invalid_claim,
// order_not_delivered, claim_window_closed, claim_open.
func (s *ClaimService) OpenClaim(ctx context.Context, orderNumber, reason, description string) (*domain.Claim, error) {
	var out *domain.Claim
	err := s.db.update(ctx, func(t *txn) error {
		o, err := findVisibleOrder(t, orderNumber)
		if err != nil {
			return err
		}
		c, err := domain.NewClaim(s.policy, t.actor, o, reason, description, t.now)
		if err != nil {
			return err
		}
		_, states := prefixIDs(t.tx.Bucket(bucketClaimsByOrder), compositeKey([]byte(o.Number), nil))
		claimStates := make([]domain.ClaimState, len(states))
		for i, st := range states {
			claimStates[i] = domain.ClaimState(st)
		}
		if err := domain.CheckNoOpenClaim(o.Number, claimStates); err != nil {
			return err
		}
		if c.ID, err = t.newID(); err != nil {
			return err
		}
		if err := enqueueCaseTranslations(t, "claim:"+c.ID, c.Description, o, &c.CaseText); err != nil {
			return err
		}
		if err := putClaim(t, c); err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		if err := t.audit(entity, "claim.opened", description, map[string]any{"order": o.Number, "reason": reason}); err != nil {
			return err
		}
		if err := notifyShop(t, o.ShopID, domain.EventClaimOpened, "New claim on order "+o.Number+": resolve it within "+domain.Window(s.policy.ClaimResolveWithin), entity, link, c); err != nil {
			return err
		}
		if err := notifyCare(t, threadAgent(t, c.ThreadID), domain.EventClaimOpened, "New claim on order "+o.Number+" ("+shopName(t, o.ShopID)+")", entity, link, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// change runs one claim command in one transaction: read what the actor may
// see (and its order), apply fn, write the claim, audit.
func (s *ClaimService) change(ctx context.Context, id, action, why string, fn func(t *txn, c *domain.Claim, o *domain.Order) error) (*domain.Claim, error) {
	var out *domain.Claim
	err := s.db.update(ctx, func(t *txn) error {
		c, err := s.findVisibleClaim(t, id)
		if err != nil {
			return err
		}
		o, err := mustOrder(t, c.OrderNumber)
		if err != nil {
			return err
		}
		if err := fn(t, c, o); err != nil {
			return err
		}
		if err := putClaim(t, c); err != nil {
			return err
		}
		if err := t.audit("claim:"+c.ID, action, why, map[string]any{"state": c.State, "resolution": c.Resolution}); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// refundClaim makes the refund that ends c (partial: an accepted offer;
// total: what is left) and closes c with resolution; authorisedBy as for
// createRefund.
func (s *ClaimService) refundClaim(t *txn, c *domain.Claim, o *domain.Order, req domain.RefundRequest, resolution, authorisedBy string) (*domain.Refund, error) {
	req.ClaimID = c.ID
	r, err := createRefund(t, s.policy, o, req, "", authorisedBy)
	if err != nil {
		return nil, err
	}
	c.RefundID = r.ID
	domain.ResolveClaim(s.policy, c, resolution, t.now)
	return r, nil
}

// OfferPartialRefund implements domain.ClaimService: the shop (or customer
// care) offers a percent of what was paid or an amount; the buyer is told.
// Errors: not_found, forbidden, invalid_offer, offer_pending, claim_state,
// refund_exceeds_paid, refund_over_limit.
func (s *ClaimService) OfferPartialRefund(ctx context.Context, claimID string, percent int, amount int64) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.offer", "", func(t *txn, c *domain.Claim, o *domain.Order) error {
		id, err := t.newID()
		if err != nil {
			return err
		}
		off, err := domain.NewOffer(s.policy, t.actor, c, o, percent, amount, t.now, id)
		if err != nil {
			return err
		}
		// The buyer's acceptance makes the refund: the one who offers must be
		// allowed to refund that much.
		if err := domain.CanRefund(t.actor, s.policy, o, off.Amount); err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		return t.notify(c.CustomerID, domain.EventClaimOffer, "The shop offers a refund of "+money(off.Amount, o.Currency)+" on order "+o.Number+": accept or reject it",
			entity, link, off)
	})
}

// AcceptOffer implements domain.ClaimService: the buyer accepts the pending
// offer; the refund is made and the claim resolved (partial_refund). For the
// reputation the claim was resolved when the offer was made.
// Errors: not_found, forbidden, offer_state, refund_exceeds_paid.
func (s *ClaimService) AcceptOffer(ctx context.Context, claimID, offerID string) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.offer_accepted", offerID, func(t *txn, c *domain.Claim, o *domain.Order) error {
		off, err := domain.AnswerOffer(t.actor, c, offerID, true, t.now)
		if err != nil {
			return err
		}
		domain.AcceptedOffer(c, off)
		// The refund is the offer's author's (checked when they offered it),
		// made at the buyer's word.
		req := domain.RefundRequest{Kind: domain.RefundPartial, Amount: off.Amount, Reason: "Partial refund you accepted on your claim"}
		if _, err := s.refundClaim(t, c, o, req, domain.ResolutionPartialRefund, off.CreatedBy); err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		return notifyShop(t, c.ShopID, domain.EventClaimOfferAnswer, "The buyer accepted your offer on order "+c.OrderNumber, entity, link, off)
	})
}

// RejectOffer implements domain.ClaimService: the buyer rejects the pending
// offer, which stays in the history; the claim stays open.
// Errors: not_found, forbidden, offer_state.
func (s *ClaimService) RejectOffer(ctx context.Context, claimID, offerID string) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.offer_rejected", offerID, func(t *txn, c *domain.Claim, o *domain.Order) error {
		off, err := domain.AnswerOffer(t.actor, c, offerID, false, t.now)
		if err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		return notifyShop(t, c.ShopID, domain.EventClaimOfferAnswer, "The buyer rejected your offer on order "+c.OrderNumber, entity, link, off)
	})
}

// RefundClaim implements domain.ClaimService: the shop refunds what is left
// in full and the buyer keeps the product; the claim is resolved
// (total_refund). A pending offer is withdrawn. Errors: not_found, forbidden,
// claim_state, refund_exceeds_paid, refund_over_limit.
func (s *ClaimService) RefundClaim(ctx context.Context, claimID string) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.refunded", "", func(t *txn, c *domain.Claim, o *domain.Order) error {
		if err := domain.CheckClaimRefund(t.actor, c); err != nil {
			return err
		}
		domain.ChooseRemedy(s.policy, c, t.now)
		if _, err := s.refundClaim(t, c, o, domain.RefundRequest{Kind: domain.RefundTotal, Reason: "Full refund of your claim; you keep the product"}, domain.ResolutionTotalRefund, ""); err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		return t.notify(c.CustomerID, domain.EventClaimClosed, "Your claim on order "+c.OrderNumber+" was resolved with a full refund", entity, link, c)
	})
}

// StartReturn implements domain.ClaimService: the shop asks for the product
// back; a return is issued with a generated shipping label (a PDF stored
// with it, GET /returns/{id}/label) and the buyer is told. Granting the
// return is the seller's remedy: for the reputation the claim is resolved
// now. A pending offer is withdrawn.
// Errors: not_found, forbidden, claim_state.
func (s *ClaimService) StartReturn(ctx context.Context, claimID string) (*domain.Return, error) {
	var out *domain.Return
	_, err := s.change(ctx, claimID, "claim.return_started", "", func(t *txn, c *domain.Claim, o *domain.Order) error {
		if err := domain.CheckStartReturn(t.actor, c); err != nil {
			return err
		}
		domain.ChooseRemedy(s.policy, c, t.now)
		r := domain.NewReturn(c, t.now)
		var err error
		if r.ID, err = t.newID(); err != nil {
			return err
		}
		r.Reference = domain.ReturnReference(r)
		var shop *domain.Shop
		var sh domain.Shop
		if ok, _ := getJSON(t.tx.Bucket(bucketShops), []byte(o.ShopID), &sh); ok {
			shop = &sh
		}
		label, err := returnlabel.PDF(domain.NewReturnLabelFacts(r, o, shop, t.now))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(label)
		r.Label = domain.AttachmentRef{SHA256: hex.EncodeToString(sum[:]), Name: "return-label-" + r.Reference + ".pdf", Type: "application/pdf", Size: int64(len(label))}
		if err := t.tx.Bucket(bucketReturnLabels).Put([]byte(r.ID), label); err != nil {
			return err
		}
		if err := putJSON(t.tx.Bucket(bucketReturns), []byte(r.ID), r); err != nil {
			return err
		}
		c.ReturnID = r.ID
		if err := t.audit("return:"+r.ID, "return.label_issued", "", map[string]any{"claim_id": c.ID}); err != nil {
			return err
		}
		out = r
		return t.notify(c.CustomerID, domain.EventReturnIssued, "Send the product of order "+c.OrderNumber+" back: your return label is ready",
			"return:"+r.ID, "/api/v1/returns/"+r.ID, r)
	})
	return out, err
}

// AdvanceReturn implements domain.ClaimService: the buyer ships the product
// back (tracking optional), the shop receives it (whether or not the buyer
// said it was shipped); on receipt what is left is refunded, the return is
// refunded and the claim resolved (return).
// Errors: not_found, forbidden, return_state, refund_exceeds_paid, refund_over_limit.
func (s *ClaimService) AdvanceReturn(ctx context.Context, returnID string, to domain.ReturnState, tracking string) (*domain.Return, error) {
	var out *domain.Return
	err := s.db.update(ctx, func(t *txn) error {
		r, err := findVisibleReturn(t, returnID)
		if err != nil {
			return err
		}
		changed, err := domain.AdvanceReturn(t.actor, r, to, tracking, t.now)
		if err != nil || !changed {
			out = r
			return err
		}
		entity, link := "return:"+r.ID, "/api/v1/returns/"+r.ID
		if to == domain.ReturnReceived {
			c, err := getClaim(t, r.ClaimID)
			if err != nil {
				return err
			}
			o, err := mustOrder(t, r.OrderNumber)
			if err != nil {
				return err
			}
			if c == nil {
				return domain.Errorf(domain.CodeInternal, "The return's claim is missing.")
			}
			rf, err := s.refundClaim(t, c, o, domain.RefundRequest{Kind: domain.RefundTotal, Reason: "Your return was received"}, domain.ResolutionReturn, "")
			if err != nil {
				return err
			}
			domain.MarkReturnRefunded(r, rf.ID, t.now)
			if err := putClaim(t, c); err != nil {
				return err
			}
			if err := t.audit("claim:"+c.ID, "claim.returned", "", map[string]any{"refund_id": rf.ID}); err != nil {
				return err
			}
		}
		if err := putJSON(t.tx.Bucket(bucketReturns), []byte(r.ID), r); err != nil {
			return err
		}
		if err := t.audit(entity, "return."+string(to), tracking, map[string]any{"state": r.State}); err != nil {
			return err
		}
		title := "The return of order " + r.OrderNumber + " is " + string(r.State)
		if err := notifyShop(t, r.ShopID, domain.EventReturnUpdated, title, entity, link, r); err != nil {
			return err
		}
		if err := t.notify(r.CustomerID, domain.EventReturnUpdated, title, entity, link, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// WithdrawOffer implements domain.ClaimService: the shop (or customer care)
// takes back the pending offer; the buyer is told.
// Errors: not_found, forbidden, offer_state.
func (s *ClaimService) WithdrawOffer(ctx context.Context, claimID, offerID string) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.offer_withdrawn", offerID, func(t *txn, c *domain.Claim, o *domain.Order) error {
		off, err := domain.WithdrawOffer(t.actor, c, offerID, t.now)
		if err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		return t.notify(c.CustomerID, domain.EventClaimOffer, "The shop withdrew its offer of "+money(off.Amount, o.Currency)+" on order "+o.Number,
			entity, link, off)
	})
}

// CloseClaim implements domain.ClaimService: the buyer closes after guidance,
// or customer care closes with a reason. Errors: not_found, forbidden,
// claim_state, close_reason_required.
func (s *ClaimService) CloseClaim(ctx context.Context, claimID, why string) (*domain.Claim, error) {
	return s.change(ctx, claimID, "claim.closed", why, func(t *txn, c *domain.Claim, o *domain.Order) error {
		if err := domain.CloseClaim(s.policy, t.actor, c, why, t.now); err != nil {
			return err
		}
		entity, link := claimLink(c.ID)
		if err := notifyShop(t, c.ShopID, domain.EventClaimClosed, "The claim on order "+c.OrderNumber+" was closed", entity, link, c); err != nil {
			return err
		}
		if t.actor.UserID == c.CustomerID {
			return nil
		}
		return t.notify(c.CustomerID, domain.EventClaimClosed, "Your claim on order "+c.OrderNumber+" was closed", entity, link, c)
	})
}

// FindClaim implements domain.ClaimService. Errors: not_found.
func (s *ClaimService) FindClaim(ctx context.Context, id string) (*domain.Claim, error) {
	var out *domain.Claim
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		out, err = s.findVisibleClaim(t, id)
		return err
	})
	return out, err
}

// FindReturn implements domain.ClaimService. Errors: not_found.
func (s *ClaimService) FindReturn(ctx context.Context, id string) (*domain.Return, error) {
	var out *domain.Return
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		out, err = findVisibleReturn(t, id)
		return err
	})
	return out, err
}

// ReturnLabel returns a return's shipping label document, to those who may
// see the return. Errors: not_found.
func (s *ClaimService) ReturnLabel(ctx context.Context, id string) (*domain.Return, []byte, error) {
	var r *domain.Return
	var label []byte
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		if r, err = findVisibleReturn(t, id); err != nil {
			return err
		}
		label = append([]byte(nil), t.tx.Bucket(bucketReturnLabels).Get([]byte(id))...)
		return nil
	})
	return r, label, err
}

// ListClaims implements domain.ClaimService: an order's claims; without an
// order the caller's (customers: theirs; sellers: their shop's; newest
// first; customer care: the unresolved ones, oldest first).
// Errors: not_found (the order), invalid_cursor.
func (s *ClaimService) ListClaims(ctx context.Context, orderNumber string, cursor string, limit int) ([]domain.Claim, string, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, "", err
	}
	out := []domain.Claim{}
	var next string
	err := s.db.view(ctx, func(t *txn) error {
		ids, n, err := caseIDs(t, a, caseIndexes{bucketClaimsByOrder, bucketClaimsByCustomer, bucketClaimsByShop, bucketClaimsActive}, orderNumber, cursor, limit)
		if err != nil {
			return err
		}
		next = n
		for _, id := range ids {
			c, err := s.findVisibleClaim(t, id)
			if err != nil && domain.ErrorKind(err) != domain.NotFound {
				return err
			}
			if c != nil {
				out = append(out, *c)
			}
		}
		return nil
	})
	return out, next, err
}
