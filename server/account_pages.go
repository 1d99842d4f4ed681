package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// accountPages: the customer's account area, under /account. Customers write
// from here; they never reach the seller's back office.
func (s *Server) accountPages(r fiber.Router) {
	r.Get("/", s.pageAccountOrders)
	r.Get("/orders/:number", s.pageAccountOrder)
	r.Post("/orders/:number/threads", s.pageAccountStartThread)
	r.Post("/orders/:number/incidents", s.pageAccountOpenIncident)
	r.Post("/orders/:number/claims", s.pageAccountOpenClaim)
	r.Get("/messages", s.pageAccountMessages)
	r.Get("/messages/:id", s.pageAccountThread)
	r.Post("/messages/:id", s.pageAccountReply)
	r.Post("/messages/:id/close", s.pageCloseThread("/account"))
	r.Get("/claims/:id", s.pageAccountClaim)
	r.Post("/claims/:id/offers/:offer/:decision", s.pageAccountDecideOffer)
	r.Post("/claims/:id/close", s.pageAccountCloseClaim)
	r.Get("/attachments/:sha", s.apiDownloadAttachment)
	r.Get("/returns/:id/label", s.apiReturnLabel)
}

// ordersView is a page of orders and where their links point.
type ordersView struct {
	Base   string // "/account", "/seller" or "/operator"
	Orders any
	Next   string
}

func (s *Server) pageAccountOrders(c *fiber.Ctx) error {
	return s.pageOrders(c, "/account", "My orders")
}

// pageOrders lists the caller's orders (the service decides whose).
func (s *Server) pageOrders(c *fiber.Ctx, base, title string) error {
	orders, next, err := s.dom.Orders.ListOrders(c.UserContext(), c.Query("cursor"), 50)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "orders", boPage{Title: title, Body: ordersView{Base: base, Orders: orders, Next: next}})
}

// orderView is an order with everything attached to it that the reader may see.
type orderView struct {
	Base      string
	Order     *domain.Order
	Threads   []domain.Thread
	Incidents []domain.Incident
	Claims    []domain.Claim
	Refunds   []domain.Refund
	Open      string // the form to show open: the one with an error
	Topics    []string
	Reasons   []string // incident reasons
	Claimable []string // claim reasons
	CanClaim  bool
}

func incidentReasons() []string {
	return []string{domain.IncidentNotReceived, domain.IncidentDamaged, domain.IncidentDefective, domain.IncidentNotAsDescribed, domain.IncidentOther}
}

func claimReasons() []string {
	return []string{domain.ClaimDefect, domain.ClaimDifferentProduct, domain.ClaimDamaged, domain.ClaimBuyersRemorse, domain.ClaimOther}
}

// loadOrderView reads an order and what hangs on it; a service not wired in
// leaves its part empty.
func (s *Server) loadOrderView(c *fiber.Ctx, base, number string) (*orderView, error) {
	ctx := c.UserContext()
	o, err := s.dom.Orders.FindOrder(ctx, number)
	if err != nil {
		return nil, err
	}
	v := &orderView{Base: base, Order: o, Topics: domain.Topics(), Reasons: incidentReasons(), Claimable: claimReasons(),
		CanClaim: o.DeliveredAt != nil}
	if s.dom.Threads != nil {
		page, err := s.dom.Threads.ListThreads(ctx, domain.ThreadFilter{OrderNumber: number, Limit: 50})
		if err != nil {
			return nil, err
		}
		v.Threads = page.Threads
	}
	if s.dom.Incidents != nil {
		if v.Incidents, _, err = s.dom.Incidents.ListIncidents(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	if s.dom.Claims != nil {
		if v.Claims, _, err = s.dom.Claims.ListClaims(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	if s.dom.Refunds != nil {
		if v.Refunds, _, err = s.dom.Refunds.ListRefunds(ctx, number, "", 50); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) pageAccountOrder(c *fiber.Ctx) error {
	v, err := s.loadOrderView(c, "/account", c.Params("number"))
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_order", boPage{Title: "Order " + v.Order.Number, Body: v})
}

// orderFormError shows the order page again with what was typed and the error
// next to its field.
func (s *Server) orderFormError(c *fiber.Ctx, base, tmpl, open string, form, errs map[string]string) error {
	v, err := s.loadOrderView(c, base, c.Params("number"))
	if err != nil {
		return err
	}
	v.Open = open
	return s.renderBO(c, fiber.StatusBadRequest, tmpl, boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

func (s *Server) pageAccountStartThread(c *fiber.Ctx) error {
	number := strings.Clone(c.Params("number"))
	form := formValues(c, "recipient", "topic", "subject", "body")
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: form["subject"], Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/account/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_topic": "topic", "invalid_recipient": "recipient", domain.CodeInvalidMessage: "body",
		domain.CodeInvalidThread: "subject", "attachment_too_large": "files", "attachment_type": "files", "too_many_attachments": "files"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "thread", form, errs)
}

func (s *Server) pageAccountOpenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	form := formValues(c, "line", "reason", "description")
	line, ok := formInt(c, "line")
	if !ok {
		return s.orderFormError(c, "/account", "account_order", "incident", form, map[string]string{"line": "Choose a line of the order."})
	}
	inc, err := s.dom.Incidents.OpenIncident(c.UserContext(), c.Params("number"), line, form["reason"], form["description"])
	if err == nil {
		return c.Redirect("/account/orders/"+inc.OrderNumber+"?done=incident", fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_reason": "reason", "invalid_line": "line", "invalid_incident": "description"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "incident", form, errs)
}

func (s *Server) pageAccountOpenClaim(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	form := formValues(c, "reason", "description")
	cl, err := s.dom.Claims.OpenClaim(c.UserContext(), c.Params("number"), form["reason"], form["description"])
	if err == nil {
		return c.Redirect("/account/claims/"+cl.ID+"?done=claim", fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_reason": "reason", "invalid_claim": "description", "invalid_description": "description"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "claim", form, errs)
}

// threadsView is a list of conversations.
type threadsView struct {
	Base    string
	Threads []domain.Thread
	Next    string
	Filter  map[string]string
	Topics  []string
}

func (s *Server) pageAccountMessages(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), domain.ThreadFilter{Cursor: c.Query("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_messages", boPage{Title: "My messages", Body: threadsView{Base: "/account", Threads: page.Threads, Next: page.Next}})
}

// threadView is one conversation as its reader sees it.
type threadView struct {
	Base     string
	Thread   *domain.Thread
	Lang     string         // the reader's language, for translations
	Me       domain.Party   // the reader's side
	Can      []domain.Party // whom the reader may write to
	Internal bool           // the reader may write internal notes
}

// recipientsFor is whom a reader of party me may address in th.
func recipientsFor(me domain.Party, th *domain.Thread) []domain.Party {
	var out []domain.Party
	for _, p := range []domain.Party{domain.PartyCustomer, domain.PartySeller, domain.PartyOperator} {
		if p == me {
			continue
		}
		if p == domain.PartySeller && th.ShopID == "" {
			continue
		}
		if p == domain.PartyCustomer && th.CustomerID == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (s *Server) loadThreadView(c *fiber.Ctx, base string) (*threadView, error) {
	if s.dom.Threads == nil {
		return nil, fiber.ErrNotFound
	}
	th, err := s.dom.Threads.FindThread(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	a := domain.ActorFrom(c.UserContext())
	me := a.Role.Party()
	return &threadView{Base: base, Thread: th, Lang: s.readerLang(c), Me: me, Can: recipientsFor(me, th), Internal: me != domain.PartyCustomer}, nil
}

func (s *Server) pageAccountThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/account")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	return s.renderBO(c, fiber.StatusOK, "thread", boPage{Title: threadTitle(v.Thread), Body: v})
}

func threadTitle(th *domain.Thread) string {
	t := th.Subject
	if t == "" {
		t = strings.ReplaceAll(th.Topic, "_", " ")
	}
	if th.OrderNumber != "" {
		t += " · order " + th.OrderNumber
	}
	return t
}

// postReply posts the reply form of a thread page; on an error the page is
// shown again with what was typed.
func (s *Server) postReply(c *fiber.Ctx, base string) error {
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "body", "to")
	var to []domain.Party
	for _, p := range strings.Split(form["to"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			to = append(to, domain.Party(p))
		}
	}
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		internal := c.FormValue("internal") == "on"
		if internal {
			to = nil // a note goes to nobody: the author's own side reads it
		}
		_, err = s.dom.Threads.PostMessage(c.UserContext(), id, domain.NewMessage{To: to, Body: form["body"], Internal: internal, Attachments: refs})
		if err == nil {
			return c.Redirect(base+"/messages/"+id+"?done=sent#latest", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{"invalid_recipient": "to", domain.CodeInvalidMessage: "body",
		"attachment_too_large": "files", "attachment_type": "files", "too_many_attachments": "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadThreadView(c, base)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, fiber.StatusBadRequest, "thread", boPage{Title: threadTitle(v.Thread), Body: v, Form: form, Errors: errs})
}

func (s *Server) pageAccountReply(c *fiber.Ctx) error { return s.postReply(c, "/account") }

// pageCloseThread closes a conversation from its page, in any area.
func (s *Server) pageCloseThread(base string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.dom.Threads == nil {
			return fiber.ErrNotFound
		}
		id := strings.Clone(c.Params("id"))
		if _, err := s.dom.Threads.CloseThread(c.UserContext(), id, ""); err != nil {
			return err
		}
		return c.Redirect(base+"/messages/"+id+"?done=closed", fiber.StatusSeeOther)
	}
}

// claimView is a claim with its order.
type claimView struct {
	Base   string
	Claim  *domain.Claim
	Order  *domain.Order
	Return *domain.Return
}

func (s *Server) loadClaimView(c *fiber.Ctx, base string) (*claimView, error) {
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

func (s *Server) pageAccountClaim(c *fiber.Ctx) error {
	v, err := s.loadClaimView(c, "/account")
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "account_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v})
}

func (s *Server) pageAccountDecideOffer(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id, offer := strings.Clone(c.Params("id")), strings.Clone(c.Params("offer"))
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

func (s *Server) pageAccountCloseClaim(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	_, err := s.dom.Claims.CloseClaim(c.UserContext(), id, strings.Clone(c.FormValue("reason")))
	return s.afterClaimAction(c, "/account", "account_claim", id, "closed", err)
}

// afterClaimAction redirects to the claim after a successful action, or shows
// it again with the error.
func (s *Server) afterClaimAction(c *fiber.Ctx, base, tmpl, id, done string, err error) error {
	if err == nil {
		return c.Redirect(base+"/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	v, lerr := s.loadClaimView(c, base)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, fiber.StatusConflict, tmpl, boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v, Errors: errs})
}
