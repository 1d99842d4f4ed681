package backoffice

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

func (s *Handler) AccountOpenClaim(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	form := web.FormValues(c, "reason", "description")
	cl, err := s.dom.Claims.OpenClaim(c.UserContext(), c.Params("number"), form["reason"], form["description"])
	if err == nil {
		return c.Redirect("/account/claims/"+cl.ID+"?done=claim", fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidReason: "reason", domain.CodeInvalidClaim: "description"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "claim", form, errs)
}

// claimView is a claim with its order.
type claimView struct {
	Base   string
	Claim  *domain.Claim
	Order  *domain.Order
	Return *domain.Return
}

func (s *Handler) loadClaimView(c *fiber.Ctx, base string) (*claimView, error) {
	if s.dom.Claims == nil {
		return nil, fiber.ErrNotFound
	}
	cl, err := s.dom.Claims.FindClaim(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	o, err := s.dom.Orders.FindOrder(c.UserContext(), cl.OrderNumber)
	if err != nil {
		return nil, err
	}
	v := &claimView{Base: base, Claim: cl, Order: o}
	if cl.ReturnID != "" {
		if v.Return, err = s.dom.Claims.FindReturn(c.UserContext(), cl.ReturnID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Handler) AccountClaim(c *fiber.Ctx) error {
	v, err := s.loadClaimView(c, "/account")
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_claim", boPage{Title: wordsOf(c).F("Claim on order %s", v.Claim.OrderNumber), Body: v})
}

func (s *Handler) AccountDecideOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id, offer := c.Params("id"), c.Params("offer")
	var err error
	done := "accepted"
	switch c.Params("decision") {
	case "accept":
		_, err = s.dom.Claims.AcceptOffer(c.UserContext(), id, offer)
	case "reject":
		_, err = s.dom.Claims.RejectOffer(c.UserContext(), id, offer)
		done = "rejected"
	default:
		return fiber.ErrNotFound
	}
	return s.afterClaimAction(c, "/account", "account_claim", id, done, err)
}

// AccountReturnShipped is the buyer's "I've sent it back", with an optional
// tracking number.
func (s *Handler) AccountReturnShipped(c *fiber.Ctx) error {
	return s.advanceClaimReturn(c, "/account", domain.ReturnShipped)
}

// SellerReturnReceived is the seller's "Received": at any time after the
// return was granted, whether or not the buyer said it was shipped; the
// refund is made and the claim closed.
func (s *Handler) SellerReturnReceived(c *fiber.Ctx) error {
	return s.advanceClaimReturn(c, "/seller", domain.ReturnReceived)
}

// advanceClaimReturn moves the return of the claim in the path on, then
// shows the claim again: with a confirmation, or with the error.
func (s *Handler) advanceClaimReturn(c *fiber.Ctx, base string, to domain.ReturnState) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "tracking")
	ctx := c.UserContext()
	cl, err := s.dom.Claims.FindClaim(ctx, id)
	if err != nil {
		return err
	}
	if cl.ReturnID == "" {
		err = domain.Errorf(domain.CodeReturnState, "This claim has no return.")
	} else {
		_, err = s.dom.Claims.AdvanceReturn(ctx, cl.ReturnID, to, strings.TrimSpace(form["tracking"]))
	}
	fields := map[domain.Code]string{domain.CodeInvalidClaim: "tracking"}
	if base == "/seller" {
		return s.sellerClaimDone(c, string(to), err, form, fields)
	}
	if err == nil {
		return c.Redirect(base+"/claims/"+id+"?done=sent_back", fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, fields)
	if err != nil {
		return err
	}
	v, lerr := s.loadClaimView(c, base)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "account_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v, Form: form, Errors: errs})
}

func (s *Handler) AccountCloseClaim(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	_, err := s.dom.Claims.CloseClaim(c.UserContext(), id, c.FormValue("reason"))
	return s.afterClaimAction(c, "/account", "account_claim", id, "closed", err)
}

// afterClaimAction redirects to the claim after a successful action, or shows
// it again with the error.
func (s *Handler) afterClaimAction(c *fiber.Ctx, base, tmpl, id, done string, err error) error {
	if err == nil {
		return c.Redirect(base+"/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	v, lerr := s.loadClaimView(c, base)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, tmpl, boPage{Title: wordsOf(c).F("Claim on order %s", v.Claim.OrderNumber), Body: v, Errors: errs})
}

// sellerClaimRow is a claim with its reputation deadline as the templates'
// time helpers take it.
type sellerClaimRow struct {
	domain.Claim
	Due *time.Time
}

// ---- Claims ----

func sellerClaimRank(c domain.Claim) int {
	switch c.State {
	case domain.ClaimOpen:
		return 0
	case domain.ClaimReturning:
		return 1
	}
	return 2
}

func (s *Handler) SellerClaims(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Claims.ListClaims(c.UserContext(), "", c.Query("cursor"), 50)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b domain.Claim) int {
		if r := cmp.Compare(sellerClaimRank(a), sellerClaimRank(b)); r != 0 {
			return r
		}
		return a.ReputationDeadline.Compare(b.ReputationDeadline)
	})
	rows := make([]sellerClaimRow, len(list))
	for i := range list {
		rows[i] = sellerClaimRow{Claim: list[i], Due: &list[i].ReputationDeadline}
	}
	return s.renderBO(c, fiber.StatusOK, "seller_claims", boPage{Title: "Claims", Body: sellerCasesView{Claims: rows, Next: next}})
}

// sellerClaimView is a claim with what the seller may do on it.
type sellerClaimView struct {
	*claimView
	CanDecide bool // open: a total refund or a return (an offer too, when none is waiting)
	Pending   *domain.Offer
	Left      domain.Left
	Due       *time.Time // the reputation deadline
}

func (s *Handler) loadSellerClaim(c *fiber.Ctx) (*sellerClaimView, error) {
	v, err := s.loadClaimView(c, "/seller")
	if err != nil {
		return nil, err
	}
	p := domain.PendingOffer(v.Claim)
	return &sellerClaimView{claimView: v, Pending: p, CanDecide: v.Claim.State == domain.ClaimOpen,
		Left: domain.RefundableLeft(v.Order), Due: &v.Claim.ReputationDeadline}, nil
}

func (s *Handler) SellerClaim(c *fiber.Ctx) error {
	v, err := s.loadSellerClaim(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v})
}

// sellerClaimDone redirects after a claim action, or shows the claim again
// with what was typed and the error.
func (s *Handler) sellerClaimDone(c *fiber.Ctx, done string, err error, form map[string]string, fields map[domain.Code]string) error {
	id := c.Params("id")
	if err == nil {
		return c.Redirect("/seller/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, fields)
	if err != nil {
		return err
	}
	v, lerr := s.loadSellerClaim(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v, Form: form, Errors: errs})
}

func (s *Handler) SellerOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	form := web.FormValues(c, "by", "percent", "amount")
	fields := map[domain.Code]string{domain.CodeInvalidOffer: "offer", domain.CodeRefundExceedsPaid: "offer"}
	var percent int
	var amount int64
	var ok bool
	if form["by"] == "percent" {
		if percent, ok = web.FormInt(c, "percent"); !ok || percent == 0 {
			return s.sellerClaimDone(c, "", domain.Errorf(domain.CodeInvalidPercent, "Give a percent from 1 to 99."), form, map[domain.Code]string{domain.CodeInvalidPercent: "percent"})
		}
	} else {
		if amount, ok = web.FormMoney(c, "amount"); !ok || amount == 0 {
			return s.sellerClaimDone(c, "", domain.Errorf(domain.CodeInvalidAmount, "Give an amount such as 12.50."), form, map[domain.Code]string{domain.CodeInvalidAmount: "amount"})
		}
	}
	_, err := s.dom.Claims.OfferPartialRefund(c.UserContext(), c.Params("id"), percent, amount)
	return s.sellerClaimDone(c, "offer", err, form, fields)
}

// SellerWithdrawOffer takes back the pending offer: the claim is free for
// another offer, a total refund or a return.
func (s *Handler) SellerWithdrawOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	_, err := s.dom.Claims.WithdrawOffer(c.UserContext(), c.Params("id"), c.Params("offer"))
	return s.sellerClaimDone(c, "withdrawn", err, nil, nil)
}

func (s *Handler) SellerClaimReturn(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	_, err := s.dom.Claims.StartReturn(c.UserContext(), c.Params("id"))
	return s.sellerClaimDone(c, "return", err, nil, nil)
}

// --- Claims ---

// opClaimsView is the list of claims, open ones first.
type opClaimsView struct {
	Claims []opClaimRow
	Next   string
}

// opClaimRow is a claim with the time left to its reputation deadline.
type opClaimRow struct {
	Claim    domain.Claim
	Due      string
	DueClass string
}

func (s *Handler) OperatorClaims(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Claims.ListClaims(c.UserContext(), "", c.Query("cursor"), 100)
	if err != nil {
		return err
	}
	// Open claims first, soonest reputation deadline first; then closed, newest first.
	sort.SliceStable(list, func(i, j int) bool {
		ci, cj := list[i].State == domain.ClaimClosed, list[j].State == domain.ClaimClosed
		if ci != cj {
			return !ci
		}
		if ci {
			return list[i].UpdatedAt.After(list[j].UpdatedAt)
		}
		return list[i].ReputationDeadline.Before(list[j].ReputationDeadline)
	})
	v := opClaimsView{Next: next}
	now := time.Now()
	for _, cl := range list {
		row := opClaimRow{Claim: cl}
		if cl.State != domain.ClaimClosed {
			row.Due, row.DueClass = opDueText(&cl.ReputationDeadline, now, s.dom.PolicyOrDefault().AlertBefore)
		}
		v.Claims = append(v.Claims, row)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_claims", boPage{Title: "Claims", Body: v})
}

// operatorClaimView is a claim with what customer care may do about it.
type operatorClaimView struct {
	claimView
	Deadline  string // time left to the reputation deadline, or how late
	DueClass  string
	CanDecide bool // open, no offer waiting: refund in full or start a return
	CanClose  bool // not closed yet: close with a reason
	Pending   *domain.Offer
	History   []opHistoryEntry
}

func (s *Handler) loadOperatorClaimView(c *fiber.Ctx) (*operatorClaimView, error) {
	cv, err := s.loadClaimView(c, "/operator")
	if err != nil {
		return nil, err
	}
	v := &operatorClaimView{claimView: *cv}
	cl := cv.Claim
	if cl.State != domain.ClaimClosed {
		v.Deadline, v.DueClass = opDueText(&cl.ReputationDeadline, time.Now(), s.dom.PolicyOrDefault().AlertBefore)
	}
	v.Pending = domain.PendingOffer(cl)
	v.CanDecide = cl.State == domain.ClaimOpen // a pending offer is withdrawn by a total refund or a return
	v.CanClose = cl.State != domain.ClaimClosed
	if v.History, err = s.opHistory(c, "claim:"+cl.ID); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Handler) OperatorClaim(c *fiber.Ctx) error {
	v, err := s.loadOperatorClaimView(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v})
}

// OperatorClaimAction runs one of customer care's actions on a claim: a
// total refund (the buyer keeps the product), a return with its label, or
// closing it with a reason.
func (s *Handler) OperatorClaimAction(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "reason")
	ctx := c.UserContext()
	var err error
	var done string
	switch action := c.Path()[strings.LastIndexByte(c.Path(), '/')+1:]; action {
	case "refund":
		done = "refunded"
		_, err = s.dom.Claims.RefundClaim(ctx, id)
	case "return":
		done = "return"
		_, err = s.dom.Claims.StartReturn(ctx, id)
	case "close":
		done = "closed"
		_, err = s.dom.Claims.CloseClaim(ctx, id, strings.TrimSpace(form["reason"]))
	default:
		return fiber.ErrNotFound
	}
	return s.opAfterClaimAction(c, id, done, form, err, map[domain.Code]string{domain.CodeCloseReasonRequired: "reason", domain.CodeInvalidClaim: "reason"})
}

// OperatorWithdrawOffer takes back the claim's pending offer, as the seller
// may.
func (s *Handler) OperatorWithdrawOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	_, err := s.dom.Claims.WithdrawOffer(c.UserContext(), id, c.Params("offer"))
	return s.opAfterClaimAction(c, id, "withdrawn", nil, err, nil)
}

// OperatorAdvanceReturn moves a claim's return on: shipped (with the
// tracking number) or received (the refund is issued and the claim resolved).
func (s *Handler) OperatorAdvanceReturn(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	to := domain.ReturnState(c.Params("state"))
	if to != domain.ReturnShipped && to != domain.ReturnReceived {
		return fiber.ErrNotFound
	}
	form := web.FormValues(c, "tracking")
	ctx := c.UserContext()
	cl, err := s.dom.Claims.FindClaim(ctx, id)
	if err != nil {
		return err
	}
	if cl.ReturnID == "" {
		err = domain.Errorf(domain.CodeReturnState, "This claim has no return.")
	} else {
		_, err = s.dom.Claims.AdvanceReturn(ctx, cl.ReturnID, to, strings.TrimSpace(form["tracking"]))
	}
	return s.opAfterClaimAction(c, id, string(to), form, err, map[domain.Code]string{domain.CodeInvalidClaim: "tracking"})
}

// opAfterClaimAction redirects to the claim after an action, or shows it
// again with what was typed and the error next to its field.
func (s *Handler) opAfterClaimAction(c *fiber.Ctx, id, done string, form map[string]string, err error, byCode map[domain.Code]string) error {
	if err == nil {
		return c.Redirect("/operator/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, byCode)
	if err != nil {
		return err
	}
	v, lerr := s.loadOperatorClaimView(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "operator_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v, Form: form, Errors: errs})
}
