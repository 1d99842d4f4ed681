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

func (s *Handler) AccountOpenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	form := web.FormValues(c, "line", "reason", "description")
	line, ok := web.FormInt(c, "line")
	if !ok {
		return s.orderFormError(c, "/account", "account_order", "incident", form, map[string]string{"line": "Choose a line of the order."})
	}
	inc, err := s.dom.Incidents.OpenIncident(c.UserContext(), c.Params("number"), line, form["reason"], form["description"])
	if err == nil {
		return c.Redirect("/account/orders/"+inc.OrderNumber+"?done=incident", fiber.StatusSeeOther)
	}
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidReason: "reason", domain.CodeInvalidIncident: "description"})
	if err != nil {
		return err
	}
	return s.orderFormError(c, "/account", "account_order", "incident", form, errs)
}

// ---- Incidents ----

func sellerIncidentRank(st domain.IncidentState) int {
	switch st {
	case domain.IncidentOpen:
		return 0
	case domain.IncidentResolvedBySeller:
		return 1
	}
	return 2
}

func (s *Handler) SellerIncidents(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	list, next, err := s.dom.Incidents.ListIncidents(c.UserContext(), "", c.Query("cursor"), 50)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b domain.Incident) int {
		if r := cmp.Compare(sellerIncidentRank(a.State), sellerIncidentRank(b.State)); r != 0 {
			return r
		}
		return b.OpenedAt.Compare(a.OpenedAt)
	})
	return s.renderBO(c, fiber.StatusOK, "seller_incidents", boPage{Title: "Incidents", Body: sellerCasesView{Incidents: list, Next: next}})
}

// sellerIncidentView is an incident with its order.
type sellerIncidentView struct {
	Incident *domain.Incident
	Order    *domain.Order
	Cycle    []sellerCycleStep
	Line     *domain.Line
}

func (s *Handler) loadIncident(c *fiber.Ctx) (*sellerIncidentView, error) {
	if s.dom.Incidents == nil {
		return nil, fiber.ErrNotFound
	}
	in, err := s.dom.Incidents.FindIncident(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	o, err := s.dom.Orders.FindOrder(c.UserContext(), in.OrderNumber)
	if err != nil {
		return nil, err
	}
	v := &sellerIncidentView{Incident: in, Order: o, Cycle: sellerOrderCycle(o)}
	for i := range o.Lines {
		if o.Lines[i].No == in.Line {
			v.Line = &o.Lines[i]
		}
	}
	return v, nil
}

func (s *Handler) SellerIncident(c *fiber.Ctx) error {
	v, err := s.loadIncident(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "seller_incident", boPage{Title: "Incident on order " + v.Order.Number, Body: v})
}

func (s *Handler) SellerSolveIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "message")
	_, err := s.dom.Incidents.ResolveIncident(c.UserContext(), id, form["message"])
	if err == nil {
		return c.Redirect("/seller/incidents/"+id+"?done=solved", fiber.StatusSeeOther)
	}
	status := web.Status(err)
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidIncident: "message", domain.CodeInvalidMessage: "message"})
	if err != nil {
		return err
	}
	v, lerr := s.loadIncident(c)
	if lerr != nil {
		return lerr
	}
	return s.renderBO(c, status, "seller_incident", boPage{Title: "Incident on order " + v.Order.Number, Body: v, Form: form, Errors: errs})
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

func (s *Handler) OperatorIncidents(c *fiber.Ctx) error {
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
	CloseAs  [][2]string // the close form's choices: value, label
	CanClose bool        // the reader holds close_incidents
}

// opNote is a message about a case: who wrote it, when, what.
type opNote struct {
	Author string
	At     time.Time
	Text   string
}

func (s *Handler) opLoadIncidentView(c *fiber.Ctx) (*opIncidentView, error) {
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
	v := &opIncidentView{Incident: in, Order: o, CloseAs: closeAsLabels(), CanClose: domain.ActorFrom(ctx).Has(domain.PermCloseIncidents)}
	// The seller's "solved" message: in the conversation it went to, or else
	// in the incident's audit log (the why of incident.resolved).
	if in.ThreadID != "" && s.dom.Threads != nil {
		th, err := s.dom.Threads.FindThread(ctx, in.ThreadID, domain.MessagePage{})
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

func (s *Handler) OperatorIncident(c *fiber.Ctx) error {
	v, err := s.opLoadIncidentView(c)
	if err != nil {
		return err
	}
	return s.renderBO(c, fiber.StatusOK, "operator_incident", boPage{Title: opIncidentTitle(v.Incident), Body: v})
}

func opIncidentTitle(in *domain.Incident) string {
	return "Incident on order " + in.OrderNumber
}

func (s *Handler) OperatorCloseIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "reason", "close_as")
	_, err := s.dom.Incidents.CloseIncidentAs(c.UserContext(), id, strings.TrimSpace(form["reason"]), form["close_as"])
	if err == nil {
		return c.Redirect("/operator/incidents/"+id+"?done=closed", fiber.StatusSeeOther)
	}
	return s.opIncidentFormError(c, err, form, map[domain.Code]string{domain.CodeCloseReasonRequired: "reason", domain.CodeInvalidIncident: "reason"})
}

// closeAsLabels name the ways an incident ends (domain.CloseAsValues) on
// the close form.
func closeAsLabels() [][2]string {
	return [][2]string{{domain.CloseAsResolved, "Solved"}, {domain.CloseAsDuplicate, "Duplicate of another incident (not counted against the shop)"},
		{domain.CloseAsCustomerMistake, "The customer's mistake (not counted against the shop)"}}
}

func (s *Handler) OperatorReopenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	id := c.Params("id")
	form := web.FormValues(c, "why")
	_, err := s.dom.Incidents.ReopenIncident(c.UserContext(), id, strings.TrimSpace(form["why"]))
	if err == nil {
		return c.Redirect("/operator/incidents/"+id+"?done=reopened", fiber.StatusSeeOther)
	}
	return s.opIncidentFormError(c, err, form, map[domain.Code]string{domain.CodeInvalidIncident: "why"})
}

// opIncidentFormError shows the incident again with what was typed and the
// error next to its field, or above the forms for a state conflict, with
// the error's status.
func (s *Handler) opIncidentFormError(c *fiber.Ctx, err error, form map[string]string, byCode map[domain.Code]string) error {
	status := web.Status(err)
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

// OperatorOpenIncident opens an incident on an order for the customer
// (customer care may, e.g. after a call).
func (s *Handler) OperatorOpenIncident(c *fiber.Ctx) error {
	if s.dom.Incidents == nil {
		return fiber.ErrNotFound
	}
	number := c.Params("number")
	form := web.FormValues(c, "line", "reason", "description")
	line, ok := web.FormInt(c, "line")
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
	errs, err := fieldErrors(err, map[domain.Code]string{domain.CodeInvalidIncident: "description", domain.CodeInvalidReason: "reason"})
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
