package server

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// operatorPages: customer care's back office, under /operator. Agents and
// admins see everything; what they may change is decided by the services
// (and the admin page by the role).
func (s *Server) operatorPages(r fiber.Router) {
	r.Get("/", s.pageOperatorQueue)
	r.Get("/messages", s.pageOperatorMessages)
	r.Get("/messages/:id", s.pageOperatorThread)
	r.Post("/messages/:id", func(c *fiber.Ctx) error { return s.postReply(c, "/operator") })
	r.Post("/messages/:id/close", s.pageCloseThread("/operator"))
	r.Get("/attachments/:sha", s.apiDownloadAttachment)
	r.Get("/incidents", s.pageOperatorIncidents)
	r.Get("/incidents/:id", s.pageOperatorIncident)
	r.Post("/incidents/:id/close", s.pageOperatorCloseIncident)
	r.Post("/incidents/:id/reopen", s.pageOperatorReopenIncident)
	r.Get("/claims", s.pageOperatorClaims)
	r.Get("/claims/:id", s.pageOperatorClaim)
	r.Post("/claims/:id/refund", s.pageOperatorClaimAction)
	r.Post("/claims/:id/return", s.pageOperatorClaimAction)
	r.Post("/claims/:id/close", s.pageOperatorClaimAction)
	r.Post("/claims/:id/return/:state", s.pageOperatorAdvanceReturn)
	r.Get("/returns/:id/label", s.apiReturnLabel)
	r.Get("/orders", func(c *fiber.Ctx) error { return s.pageOrders(c, "/operator", "All orders") })
	r.Get("/orders/:number", s.pageOperatorOrder)
	r.Post("/orders/:number/refunds/:id/retry", s.pageOperatorRetryRefund)
	r.Post("/orders/:number/incidents", s.pageOperatorOpenIncident)
	r.Post("/orders/:number/threads", s.pageOperatorStartThread)
	r.Get("/admin", s.pageOperatorAdmin)
	r.Post("/admin/rules", s.pageOperatorAddRule)
	r.Post("/admin/grants", s.pageOperatorGrant)
	r.Get("/stats", s.pageOperatorStats)
	r.Get("/stats/:shop", s.pageOperatorShopStats)
	// /operator/deflection: the deflection report page (contact.go) serves it.
}

// --- The work queue ---

// opQueueView is the caller's queue, most urgent first.
type opQueueView struct {
	Items []opQueueRow
}

// opQueueRow is a queue item with where it links to and how urgent its clock is.
type opQueueRow struct {
	domain.QueueItem
	Link     string
	Due      string // "3 h 10 min left", "2 h 05 min overdue", "answer now", ""
	DueClass string // badge class: overdue, warn, ""
}

// opQueueLink is the operator page of a queue item.
func opQueueLink(it domain.QueueItem) string {
	switch it.Kind {
	case "incident":
		return "/operator/incidents/" + it.ID
	case "claim":
		return "/operator/claims/" + it.ID
	case "thread":
		return "/operator/messages/" + it.ID
	}
	if it.Order != "" {
		return "/operator/orders/" + it.Order
	}
	return "/operator"
}

// opDueText says how long is left to due at now, and how urgent that is: overdue,
// warn (less than the alert lead time), or nothing.
func opDueText(due *time.Time, now time.Time, warnWithin time.Duration) (text, class string) {
	if due == nil {
		return "", ""
	}
	left := due.Sub(now)
	switch {
	case left < 0:
		return formatUntil(left), "overdue"
	case left < warnWithin:
		return formatUntil(left), "warn"
	}
	return formatUntil(left), ""
}

func (s *Server) pageOperatorQueue(c *fiber.Ctx) error {
	if s.dom.Work == nil {
		return s.renderBO(c, fiber.StatusOK, "operator_queue", boPage{Title: "Work queue", Body: opQueueView{}})
	}
	items, err := s.dom.Work.Queue(c.UserContext(), 100)
	if err != nil {
		return err
	}
	now := time.Now()
	v := opQueueView{Items: make([]opQueueRow, 0, len(items))}
	for _, it := range items {
		row := opQueueRow{QueueItem: it, Link: opQueueLink(it)}
		row.Due, row.DueClass = opDueText(it.DueAt, now, s.dom.policy().AlertBefore)
		if it.Kind == "incident" {
			row.Due, row.DueClass = "answer now", "overdue" // incidents are due the moment they open
		}
		v.Items = append(v.Items, row)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_queue", boPage{Title: "Work queue", Body: v})
}

// --- Conversations ---

// operatorThreadsView is the operator's list of conversations with its filters.
type operatorThreadsView struct {
	Threads  []domain.Thread
	Next     string
	Filter   map[string]string
	Topics   []string
	Statuses []string
	NextURL  string // the next page, with the same filter
}

func (s *Server) pageOperatorMessages(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	form := map[string]string{}
	for _, k := range []string{"topic", "status", "shop", "customer", "order", "sort"} {
		form[k] = strings.TrimSpace(c.Query(k))
	}
	f := domain.ThreadFilter{Topic: form["topic"], Status: form["status"], ShopID: form["shop"], Customer: form["customer"],
		OrderNumber: form["order"], Sort: form["sort"], Cursor: c.Query("cursor"), Limit: 50}
	q := make([]string, 0, len(form))
	for _, k := range []string{"topic", "status", "shop", "customer", "order", "sort"} {
		if form[k] != "" {
			q = append(q, k+"="+url.QueryEscape(form[k]))
		}
	}
	v := operatorThreadsView{Filter: form, Topics: domain.Topics(), Statuses: []string{"unread", "overdue", "open", "closed"}}
	page, err := s.dom.Threads.ListThreads(c.UserContext(), f)
	if err != nil {
		errs, err := fieldErrors(err, map[domain.Code]string{"invalid_filter": "status", "invalid_limit": "", "invalid_cursor": ""})
		if err != nil {
			return err
		}
		return s.renderBO(c, fiber.StatusBadRequest, "operator_messages", boPage{Title: "Conversations", Body: v, Form: form, Errors: errs})
	}
	v.Threads, v.Next = page.Threads, page.Next
	if page.Next != "" {
		v.NextURL = "/operator/messages?" + strings.Join(append(q, "cursor="+url.QueryEscape(page.Next)), "&")
	}
	return s.renderBO(c, fiber.StatusOK, "operator_messages", boPage{Title: "Conversations", Body: v, Form: form})
}

func (s *Server) pageOperatorThread(c *fiber.Ctx) error {
	v, err := s.loadThreadView(c, "/operator")
	if err != nil {
		return err
	}
	_ = s.dom.Threads.MarkRead(c.UserContext(), v.Thread.ID)
	return s.renderBO(c, fiber.StatusOK, "thread", boPage{Title: threadTitle(v.Thread), Body: v})
}

// --- Incidents ---

// opIncidentsView is the list of incidents, those still needing work first.
type opIncidentsView struct {
	Incidents []domain.Incident
	Next      string
}

// opActiveFirst orders incidents: open, then resolved by the seller (waiting
// for customer care's check), each oldest first; then closed, newest first.
func opActiveFirst(in []domain.Incident) {
	rank := func(s domain.IncidentState) int {
		switch s {
		case domain.IncidentOpen:
			return 0
		case domain.IncidentResolvedBySeller:
			return 1
		}
		return 2
	}
	sort.SliceStable(in, func(i, j int) bool {
		ri, rj := rank(in[i].State), rank(in[j].State)
		if ri != rj {
			return ri < rj
		}
		if ri == 2 {
			return in[i].UpdatedAt.After(in[j].UpdatedAt)
		}
		return in[i].OpenedAt.Before(in[j].OpenedAt)
	})
}

func (s *Server) pageOperatorIncidents(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Incidents.ListIncidents(c.UserContext(), "", c.Query("cursor"), 100)
	if err != nil {
		return err
	}
	opActiveFirst(list)
	return s.renderBO(c, fiber.StatusOK, "operator_incidents", boPage{Title: "Incidents", Body: opIncidentsView{Incidents: list, Next: next}})
}

// opIncidentView is an incident with its order and the seller's "solved" message.
type opIncidentView struct {
	Incident *domain.Incident
	Order    *domain.Order
	Thread   *domain.Thread // the conversation the seller's message went to, if any
	Solved   []opNote       // the seller's "solved" messages, oldest first
	History  []opHistoryEntry
}

// opNote is a message about a case: who wrote it, when, what.
type opNote struct {
	Author string
	At     time.Time
	Text   string
}

// opHistoryEntry is one line of a case's audit log, with the actor's name.
type opHistoryEntry struct {
	domain.AuditEntry
	Who  string
	What string // "incident.resolved" → "resolved"
}

// opHistory reads an entity's audit log (customer care only), naming who
// acted. No audit service: no history.
func (s *Server) opHistory(c *fiber.Ctx, entity string) ([]opHistoryEntry, error) {
	if s.dom.Audit == nil {
		return nil, nil
	}
	ctx := c.UserContext()
	log, err := s.dom.Audit.AuditLog(ctx, entity)
	if err != nil {
		return nil, err
	}
	names := map[string]string{"system": "the system"}
	if users, err := s.dom.Access.ListUsers(ctx, ""); err == nil {
		for _, u := range users {
			names[u.ID] = u.Display + " (" + string(u.Role) + ")"
		}
	}
	out := make([]opHistoryEntry, 0, len(log))
	for _, e := range log {
		who := names[e.Actor]
		if who == "" {
			who = e.Actor
		}
		_, what, _ := strings.Cut(e.Action, ".")
		out = append(out, opHistoryEntry{AuditEntry: e, Who: who, What: strings.ReplaceAll(what, "_", " ")})
	}
	return out, nil
}

func (s *Server) opLoadIncidentView(c *fiber.Ctx) (*opIncidentView, error) {
	if s.dom.Incidents == nil {
		return nil, fiber.ErrNotFound
	}
	ctx := c.UserContext()
	in, err := s.dom.Incidents.FindIncident(ctx, c.Params("id"))
	if err != nil {
		return nil, err
	}
	o, err := s.dom.Orders.FindOrder(ctx, in.OrderNumber)
	if err != nil {
		return nil, err
	}
	v := &opIncidentView{Incident: in, Order: o}
	// The seller's "solved" message: in the conversation it went to, or else
	// in the incident's audit log (the why of incident.resolved).
	if in.ThreadID != "" && s.dom.Threads != nil {
		th, err := s.dom.Threads.FindThread(ctx, in.ThreadID)
		if err != nil && domain.ErrorKind(err) != domain.NotFound {
			return nil, err
		}
		if th != nil {
			v.Thread = th
			for _, m := range th.Messages {
				if m.From == domain.PartySeller && !m.Internal && opHasParty(m.To, domain.PartyOperator) {
					v.Solved = append(v.Solved, opNote{Author: m.AuthorName, At: m.CreatedAt, Text: m.Body})
				}
			}
		}
	}
	if v.History, err = s.opHistory(c, "incident:"+in.ID); err != nil {
		return nil, err
	}
	if len(v.Solved) == 0 {
		for _, e := range v.History {
			if e.Action == domain.EventIncidentResolved && e.Why != "" {
				v.Solved = append(v.Solved, opNote{Author: e.Who, At: e.At, Text: e.Why})
			}
		}
	}
	return v, nil
}

func opHasParty(ps []domain.Party, p domain.Party) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func (s *Server) pageOperatorIncident(c *fiber.Ctx) error {
	v, err := s.opLoadIncidentView(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_incident", boPage{Title: opIncidentTitle(v.Incident), Body: v})
}

func opIncidentTitle(in *domain.Incident) string {
	return "Incident on order " + in.OrderNumber
}

func (s *Server) pageOperatorCloseIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "reason")
	_, err := s.dom.Incidents.CloseIncident(c.UserContext(), id, strings.TrimSpace(form["reason"]))
	if err == nil {
		return c.Redirect("/operator/incidents/"+id+"?done=closed", fiber.StatusSeeOther)
	}
	return s.opIncidentFormError(c, err, form, map[domain.Code]string{domain.CodeCloseReasonRequired: "reason", domain.CodeInvalidIncident: "reason"})
}

func (s *Server) pageOperatorReopenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "why")
	_, err := s.dom.Incidents.ReopenIncident(c.UserContext(), id, strings.TrimSpace(form["why"]))
	if err == nil {
		return c.Redirect("/operator/incidents/"+id+"?done=reopened", fiber.StatusSeeOther)
	}
	return s.opIncidentFormError(c, err, form, map[domain.Code]string{domain.CodeInvalidIncident: "why"})
}

// opIncidentFormError shows the incident again with what was typed and the
// error next to its field (400), or above the forms for a state conflict (409).
func (s *Server) opIncidentFormError(c *fiber.Ctx, err error, form map[string]string, byCode map[domain.Code]string) error {
	status := fiber.StatusBadRequest
	if domain.ErrorKind(err) == domain.Conflict || domain.ErrorKind(err) == domain.Forbidden {
		status = fiber.StatusConflict
	}
	errs, err := fieldErrors(err, byCode)
	if err != nil {
		return err
	}
	v, lerr := s.opLoadIncidentView(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "operator_incident", boPage{Title: opIncidentTitle(v.Incident), Body: v, Form: form, Errors: errs})
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

func (s *Server) pageOperatorClaims(c *fiber.Ctx) error {
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
			row.Due, row.DueClass = opDueText(&cl.ReputationDeadline, now, s.dom.policy().AlertBefore)
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

func (s *Server) loadOperatorClaimView(c *fiber.Ctx) (*operatorClaimView, error) {
	cv, err := s.loadClaimView(c, "/operator")
	if err != nil {
		return nil, err
	}
	v := &operatorClaimView{claimView: *cv}
	cl := cv.Claim
	if cl.State != domain.ClaimClosed {
		v.Deadline, v.DueClass = opDueText(&cl.ReputationDeadline, time.Now(), s.dom.policy().AlertBefore)
	}
	v.Pending = domain.PendingOffer(cl)
	v.CanDecide = cl.State == domain.ClaimOpen && v.Pending == nil
	v.CanClose = cl.State != domain.ClaimClosed
	if v.History, err = s.opHistory(c, "claim:"+cl.ID); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) pageOperatorClaim(c *fiber.Ctx) error {
	v, err := s.loadOperatorClaimView(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_claim", boPage{Title: "Claim on order " + v.Claim.OrderNumber, Body: v})
}

// pageOperatorClaimAction runs one of customer care's actions on a claim: a
// total refund (the buyer keeps the product), a return with its label, or
// closing it with a reason.
func (s *Server) pageOperatorClaimAction(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	form := formValues(c, "reason")
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

// pageOperatorAdvanceReturn moves a claim's return on: shipped (with the
// tracking number) or received (the refund is issued and the claim resolved).
func (s *Server) pageOperatorAdvanceReturn(c *fiber.Ctx) error {
	if s.dom.Claims == nil {
		return fiber.ErrNotFound
	}
	id := strings.Clone(c.Params("id"))
	to := domain.ReturnState(strings.Clone(c.Params("state")))
	if to != domain.ReturnShipped && to != domain.ReturnReceived {
		return fiber.ErrNotFound
	}
	form := formValues(c, "tracking")
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
func (s *Server) opAfterClaimAction(c *fiber.Ctx, id, done string, form map[string]string, err error, byCode map[domain.Code]string) error {
	if err == nil {
		return c.Redirect("/operator/claims/"+id+"?done="+done, fiber.StatusSeeOther)
	}
	status := fiber.StatusBadRequest
	if k := domain.ErrorKind(err); k == domain.Conflict || k == domain.Forbidden {
		status = fiber.StatusConflict
	}
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

// --- Orders ---

func (s *Server) pageOperatorOrder(c *fiber.Ctx) error {
	v, err := s.loadOrderView(c, "/operator", c.Params("number"))
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v})
}

func (s *Server) pageOperatorRetryRefund(c *fiber.Ctx) error {
	if s.dom.Refunds == nil {
		return fiber.ErrNotFound
	}
	number, id := strings.Clone(c.Params("number")), strings.Clone(c.Params("id"))
	ctx := c.UserContext()
	r, err := s.dom.Refunds.FindRefund(ctx, id)
	if err == nil && r.OrderNumber != number {
		return fiber.ErrNotFound // a refund of another order: this URL does not exist
	}
	if err == nil {
		_, err = s.dom.Refunds.RetryRefund(ctx, id)
	}
	if err == nil {
		return c.Redirect("/operator/orders/"+number+"?done=retried", fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, nil)
	if err != nil {
		return err
	}
	v, lerr := s.loadOrderView(c, "/operator", number)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, fiber.StatusConflict, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Errors: errs})
}

// pageOperatorOpenIncident opens an incident on an order for the customer
// (customer care may, e.g. after a call).
func (s *Server) pageOperatorOpenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	number := strings.Clone(c.Params("number"))
	form := formValues(c, "line", "reason", "description")
	line, ok := formInt(c, "line")
	var err error
	if !ok {
		err = domain.Errorf(domain.CodeInvalidIncident, "Choose a line of the order.")
	} else {
		var in *domain.Incident
		in, err = s.dom.Incidents.OpenIncident(c.UserContext(), number, line, form["reason"], strings.TrimSpace(form["description"]))
		if err == nil {
			return c.Redirect("/operator/incidents/"+in.ID+"?done=opened", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidIncident: "description", "invalid_reason": "reason", "invalid_line": "line"})
	if err != nil {
		return err
	}
	v, lerr := s.loadOrderView(c, "/operator", number)
	if lerr != nil {
		return lerr
	}
	v.Open = "incident"
	return s.renderBO(c, fiber.StatusBadRequest, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

// pageOperatorStartThread starts a conversation about an order with its
// seller or its customer.
func (s *Server) pageOperatorStartThread(c *fiber.Ctx) error {
	if s.dom.Threads == nil {
		return fiber.ErrNotFound
	}
	number := strings.Clone(c.Params("number"))
	form := formValues(c, "recipient", "topic", "subject", "body")
	refs, err := s.uploadAttachments(c, "files")
	if err == nil {
		var th *domain.Thread
		th, err = s.dom.Threads.CreateThread(c.UserContext(), domain.NewThread{OrderNumber: number, Recipient: domain.Party(form["recipient"]),
			Topic: form["topic"], Subject: strings.TrimSpace(form["subject"]), Body: form["body"], Attachments: refs})
		if err == nil {
			return c.Redirect("/operator/messages/"+th.ID+"?done=sent", fiber.StatusSeeOther)
		}
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidTopic: "topic", domain.CodeInvalidRecipient: "recipient",
		domain.CodeInvalidMessage: "body", domain.CodeInvalidThread: "subject", domain.CodeInvalidAttachment: "files",
		domain.CodeAttachmentTooLarge: "files", domain.CodeAttachmentType: "files", "too_many_attachments": "files"})
	if err != nil {
		return err
	}
	v, lerr := s.loadOrderView(c, "/operator", number)
	if lerr != nil {
		return lerr
	}
	v.Open = "thread"
	return s.renderBO(c, fiber.StatusBadRequest, "operator_order", boPage{Title: "Order " + v.Order.Number, Body: v, Form: form, Errors: errs})
}

// --- Admin: routing rules and permission grants ---

// opAdminView is the admin page: routing rules, grants, and their forms.
type opAdminView struct {
	Rules       []domain.RoutingRule
	Grants      []opGrantRow
	Agents      []domain.User
	Permissions []string
	Topics      []string
	Teams       []string
	Open        string // the form with an error: rule or grant
}

// opGrantRow is a grant with its agent's name.
type opGrantRow struct {
	domain.Grant
	Agent string
}

func (s *Server) opLoadAdminView(c *fiber.Ctx) (*opAdminView, error) {
	ctx := c.UserContext()
	v := &opAdminView{Permissions: domain.Permissions(), Topics: domain.Topics(), Teams: []string{domain.TeamCustomerCare, domain.TeamSeller}}
	if s.dom.Work != nil {
		rules, err := s.dom.Work.ListRoutingRules(ctx)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(rules, func(i, j int) bool { return rules[i].Priority < rules[j].Priority })
		v.Rules = rules
	}
	agents, err := s.dom.Access.ListUsers(ctx, domain.RoleAgent)
	if err != nil {
		return nil, err
	}
	v.Agents = agents
	names := map[string]string{}
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	grants, err := s.dom.Access.ListGrants(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		name := names[g.AgentID]
		if name == "" {
			name = g.AgentID
		}
		v.Grants = append(v.Grants, opGrantRow{Grant: g, Agent: name})
	}
	return v, nil
}

// opAdminOnly refuses agents: routing and grants are the admin's.
func (s *Server) opAdminOnly(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role == domain.RoleAdmin {
		return nil
	}
	return s.renderBO(c, fiber.StatusForbidden, "operator_refused", boPage{Title: "Admins only",
		Body: "Routing rules and permission grants are managed by customer care admins. Ask an admin if you need a permission."})
}

func (s *Server) pageOperatorAdmin(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	v, err := s.opLoadAdminView(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_admin", boPage{Title: "Routing and grants", Body: v})
}

// opSplitList reads a comma-separated form field.
func opSplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) pageOperatorAddRule(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	form := formValues(c, "name", "priority", "topics", "locales", "entity", "team", "skill")
	prio, ok := formInt(c, "priority")
	if !ok {
		return s.opAdminFormError(c, "rule", form, map[string]string{"priority": "Give the priority as a whole number (lower runs first)."})
	}
	r := &domain.RoutingRule{Name: strings.TrimSpace(form["name"]), Priority: prio, Topics: opSplitList(form["topics"]),
		Locales: opSplitList(form["locales"]), Entity: form["entity"], Team: form["team"], Skill: strings.TrimSpace(form["skill"])}
	err := s.dom.Work.CreateRoutingRule(c.UserContext(), r)
	if err == nil {
		return c.Redirect("/operator/admin?done=rule#rules", fiber.StatusSeeOther)
	}
	return s.opAdminFormError(c, "rule", form, nil, err)
}

func (s *Server) pageOperatorGrant(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	form := formValues(c, "agent", "permission", "limit")
	limit, ok := formMoney(c, "limit")
	if !ok {
		return s.opAdminFormError(c, "grant", form, map[string]string{"limit": "Give the limit as an amount like 250 or 250.00, or leave it empty for no limit."})
	}
	g := &domain.Grant{AgentID: form["agent"], Permission: form["permission"], Limit: limit}
	err := s.dom.Access.Grant(c.UserContext(), g)
	if err == nil {
		return c.Redirect("/operator/admin?done=grant#grants", fiber.StatusSeeOther)
	}
	return s.opAdminFormError(c, "grant", form, nil, err)
}

// opAdminFormError shows the admin page with what was typed and the error next
// to its field: errs as given, or made from err.
func (s *Server) opAdminFormError(c *fiber.Ctx, open string, form, errs map[string]string, err ...error) error {
	if len(err) > 0 && err[0] != nil {
		var ferr error
		errs, ferr = fieldErrors(err[0], opAdminFieldFor(open, domain.ErrorMessage(err[0])))
		if ferr != nil {
			return ferr
		}
	}
	v, lerr := s.opLoadAdminView(c)
	if lerr != nil {
		return lerr
	}
	v.Open = open
	// Field ids are prefixed by form, so the two forms' errors never clash.
	pre := map[string]string{}
	for k, m := range errs {
		if k == "" {
			pre[""] = m
			continue
		}
		pre[open+"-"+k] = m
	}
	return s.renderBO(c, fiber.StatusBadRequest, "operator_admin", boPage{Title: "Routing and grants", Body: v, Form: form, Errors: pre})
}

// opAdminFieldFor finds, from a validation message, the field of the rule or
// grant form it is about: the domain has one code per form (invalid_routing_rule,
// invalid_grant) and names the field in its message. No field: the form's error.
func opAdminFieldFor(open, msg string) map[domain.Code]string {
	m := strings.ToLower(msg)
	fields := [][2]string{{"agent", "agent"}, {"permission", "permission"}, {"limit", "limit"}}
	if open == "rule" {
		fields = [][2]string{{"name", "name"}, {"priority", "priority"}, {"entity", "entity"}, {"team", "team"},
			{"topic", "topics"}, {"locale", "locales"}, {"skill", "skill"}}
	}
	field := ""
	for _, f := range fields {
		if strings.Contains(m, f[0]) {
			field = f[1]
			break
		}
	}
	return map[domain.Code]string{domain.CodeInvalidRoutingRule: field, domain.CodeInvalidGrant: field}
}

// --- Seller statistics across shops ---

// opStatsPeriod is the period the statistics pages show.
type opStatsPeriod struct {
	Days     int
	From, To time.Time
	Choices  []int
}

func opReadPeriod(c *fiber.Ctx, now time.Time) opStatsPeriod {
	days, _ := strconv.Atoi(c.Query("days"))
	switch days {
	case 7, 30, 90, 365:
	default:
		days = 30
	}
	to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return opStatsPeriod{Days: days, From: to.AddDate(0, 0, -days), To: to, Choices: []int{7, 30, 90, 365}}
}

// opShopStatsRow is one shop's figures.
type opShopStatsRow struct {
	Shop  domain.Shop
	Stats *domain.ShopStats
}

// AvgResponse is the average first response time, readable.
func (r opShopStatsRow) AvgResponse() string { return opStatsDuration(r.Stats) }

// IncidentRate is the share of order lines with an incident, as a percentage.
func (r opShopStatsRow) IncidentRate() string { return opRate(r.Stats) }

func opRate(st *domain.ShopStats) string {
	if st == nil || st.OrderLines == 0 {
		return "—"
	}
	return strconv.FormatFloat(st.IncidentRate*100, 'f', 1, 64) + " %"
}

// opStatsDuration says a shop's average first response time in hours and minutes.
func opStatsDuration(st *domain.ShopStats) string {
	if st == nil || st.AvgFirstResponseSeconds == 0 {
		return "—"
	}
	d := time.Duration(st.AvgFirstResponseSeconds * float64(time.Second))
	if d < time.Hour {
		return strconv.Itoa(int(d.Minutes())) + " min"
	}
	return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
}

type opStatsView struct {
	Period opStatsPeriod
	Shops  []opShopStatsRow
}

// opKnownShops lists the shops: those that have seller users (there is no shop
// list in the access service; users are few and listed by name).
func (s *Server) opKnownShops(c *fiber.Ctx) ([]domain.Shop, error) {
	ctx := c.UserContext()
	sellers, err := s.dom.Access.ListUsers(ctx, domain.RoleSeller)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []domain.Shop
	for _, u := range sellers {
		if u.ShopID == "" || seen[u.ShopID] {
			continue
		}
		seen[u.ShopID] = true
		sh, err := s.dom.Access.FindShop(ctx, u.ShopID)
		if domain.ErrorKind(err) == domain.NotFound {
			out = append(out, domain.Shop{ID: u.ShopID, Name: u.ShopID})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// opNeedsViewStats refuses an agent without the view_stats grant, as the
// statistics service would; it returns nil for those who may read them.
func (s *Server) opNeedsViewStats(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return nil
	}
	return s.renderBO(c, fiber.StatusForbidden, "operator_refused", boPage{Title: "Statistics need a permission",
		Body: "Reading every shop's statistics needs the view_stats permission. Ask a customer care admin to grant it to you."})
}

func (s *Server) pageOperatorStats(c *fiber.Ctx) error {
	if !domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return s.opNeedsViewStats(c)
	}
	shops, err := s.opKnownShops(c)
	if err != nil {
		return err
	}
	v := opStatsView{Period: opReadPeriod(c, time.Now())}
	for _, sh := range shops {
		row := opShopStatsRow{Shop: sh}
		if s.dom.Work != nil {
			if row.Stats, err = s.dom.Work.ShopStats(c.UserContext(), sh.ID, v.Period.From, v.Period.To); err != nil {
				return err
			}
		}
		v.Shops = append(v.Shops, row)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_stats", boPage{Title: "Seller statistics", Body: v})
}

// opShopStatsView is one shop's figures with charts over time.
type opShopStatsView struct {
	Period opStatsPeriod
	Shop   domain.Shop
	Stats  *domain.ShopStats
	Charts []opBarChart
}

// AvgResponse is the average first response time, readable.
func (v opShopStatsView) AvgResponse() string { return opStatsDuration(v.Stats) }

// IncidentRate is the share of order lines with an incident, as a percentage.
func (v opShopStatsView) IncidentRate() string { return opRate(v.Stats) }

func (s *Server) pageOperatorShopStats(c *fiber.Ctx) error {
	if !domain.ActorFrom(c.UserContext()).Has(domain.PermViewStats) {
		return s.opNeedsViewStats(c)
	}
	ctx := c.UserContext()
	sh, err := s.dom.Access.FindShop(ctx, c.Params("shop"))
	if err != nil {
		return err
	}
	v := opShopStatsView{Period: opReadPeriod(c, time.Now()), Shop: *sh}
	if s.dom.Work != nil {
		if v.Stats, err = s.dom.Work.ShopStats(ctx, sh.ID, v.Period.From, v.Period.To); err != nil {
			return err
		}
		v.Charts = opShopCharts(v.Stats.Daily)
	}
	return s.renderBO(c, fiber.StatusOK, "operator_shop_stats", boPage{Title: "Statistics of " + sh.Name, Body: v})
}

// opBarChart is a chart of one daily figure, drawn as inline SVG by the
// template (no script), with its numbers also given as a table.
type opBarChart struct {
	ID, Title string
	Max       int
	Total     int
	Bars      []opBar
	Ticks     []opTick
	Labels    []opTick // a few days along the bottom
}

type opBar struct {
	X, Y, W, H float64
	Day        string
	Value      int
}

type opTick struct {
	X, Y   float64
	Label  string
	Anchor string // text-anchor: the first and last day labels stay inside the chart
}

// The charts' geometry, in view-box units: the SVG scales to the page's width.
const (
	opChartW     = 600.0
	opChartPlotH = 150.0
	opChartTop   = 10.0
	opChartLeft  = 40.0 // room for the axis labels
)

// opShopCharts draws the daily figures worth charting.
func opShopCharts(days []domain.DayStats) []opBarChart {
	series := []struct {
		id, title string
		get       func(d domain.DayStats) int
	}{
		{"messages", "Customer messages needing a reply", func(d domain.DayStats) int { return d.CustomerMessages }},
		{"answered", "Of those, answered within 48 h", func(d domain.DayStats) int { return d.AnsweredWithin48h }},
		{"incidents", "Incidents opened", func(d domain.DayStats) int { return d.IncidentsOpened }},
		{"claims", "Claims opened", func(d domain.DayStats) int { return d.Claims }},
		{"refunds", "Refunds", func(d domain.DayStats) int { return d.Refunds }},
	}
	out := make([]opBarChart, 0, len(series))
	slot := (opChartW - opChartLeft - 4) / float64(max(len(days), 1))
	base := opChartTop + opChartPlotH
	for _, sr := range series {
		ch := opBarChart{ID: sr.id, Title: sr.title}
		for _, d := range days {
			ch.Max = max(ch.Max, sr.get(d))
			ch.Total += sr.get(d)
		}
		scale := float64(max(ch.Max, 1))
		for i, d := range days {
			val := sr.get(d)
			h := float64(val) * opChartPlotH / scale
			if val > 0 && h < 2 {
				h = 2
			}
			ch.Bars = append(ch.Bars, opBar{X: opChartLeft + float64(i)*slot + slot*0.1, Y: base - h, W: slot * 0.8, H: h, Day: d.Day, Value: val})
		}
		ch.Ticks = []opTick{{X: opChartLeft - 4, Y: base, Label: "0"}}
		if ch.Max > 0 {
			ch.Ticks = append(ch.Ticks, opTick{X: opChartLeft - 4, Y: opChartTop, Label: strconv.Itoa(ch.Max)})
		}
		if n := len(days); n > 0 {
			for j, i := range []int{0, n / 2, n - 1} {
				if j > 0 && (i == 0 || (j == 1 && i == n-1)) {
					continue // fewer days than labels
				}
				x, anchor := opChartLeft+float64(i)*slot+slot/2, "middle"
				switch j {
				case 0:
					x, anchor = opChartLeft, "start"
				case 2:
					x, anchor = opChartW-4, "end"
				}
				ch.Labels = append(ch.Labels, opTick{X: x, Y: base + 18, Label: opShortDay(days[i].Day), Anchor: anchor})
			}
		}
		out = append(out, ch)
	}
	return out
}

// opShortDay turns 2006-01-02 into "2 Jan".
func opShortDay(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}
