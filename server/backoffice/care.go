package backoffice

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// Administration both ways (issue 21.9), from the admin pages: a routing
// rule edited (its priority reorders it) or deleted, a grant revoked, an
// operator's team set; and customer care's notifications (21.5).

// opRuleView is the page of one routing rule: its edit form.
type opRuleView struct {
	Rule    domain.RoutingRule
	Topics  []string
	Teams   []string
	History []opHistoryEntry // the rule's audit log
}

// opFindRule reads rule id from the rules in force.
func (s *Handler) opFindRule(c *fiber.Ctx, id string) (*domain.RoutingRule, error) {
	rules, err := s.dom.Work.ListRoutingRules(c.UserContext())
	if err != nil {
		return nil, err
	}
	for i := range rules {
		if rules[i].ID == id {
			return &rules[i], nil
		}
	}
	return nil, domain.ErrNotFound("Routing rule " + id)
}

func (s *Handler) opRulePage(c *fiber.Ctx, status int, r *domain.RoutingRule, form, errs map[string]string) error {
	v := &opRuleView{Rule: *r, Topics: domain.Topics(), Teams: []string{domain.TeamCustomerCare, domain.TeamSeller}}
	h, err := s.opHistory(c, "routing_rule:"+r.ID)
	if err != nil {
		return err
	}
	v.History = h
	if form == nil {
		form = map[string]string{"name": r.Name, "priority": strconv.Itoa(r.Priority), "topics": strings.Join(r.Topics, ", "),
			"locales": strings.Join(r.Locales, ", "), "entity": r.Entity, "team": r.Team, "skill": r.Skill}
	}
	return s.renderBO(c, status, "operator_rule", boPage{Title: "Routing rule: " + r.Name, Body: v, Form: form, Errors: errs})
}

// OperatorRule shows a routing rule's edit form (admins).
func (s *Handler) OperatorRule(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	r, err := s.opFindRule(c, c.Params("id"))
	if err != nil {
		return err
	}
	return s.opRulePage(c, fiber.StatusOK, r, nil, nil)
}

// OperatorEditRule saves a routing rule's edit form (admins).
func (s *Handler) OperatorEditRule(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	prev, err := s.opFindRule(c, c.Params("id"))
	if err != nil {
		return err
	}
	form := web.FormValues(c, "name", "priority", "topics", "locales", "entity", "team", "skill")
	prio, ok := web.FormInt(c, "priority")
	if !ok {
		return s.opRulePage(c, fiber.StatusBadRequest, prev, form, map[string]string{"priority": "Give the priority as a whole number (lower runs first)."})
	}
	r := &domain.RoutingRule{ID: prev.ID, Name: strings.TrimSpace(form["name"]), Priority: prio, Topics: opSplitList(form["topics"]),
		Locales: opSplitList(form["locales"]), Entity: form["entity"], Team: form["team"], Skill: strings.TrimSpace(form["skill"])}
	if err := s.dom.Work.UpdateRoutingRule(c.UserContext(), r); err != nil {
		errs, ferr := fieldErrors(err, nil)
		if ferr != nil {
			return ferr
		}
		return s.opRulePage(c, web.Status(err), prev, form, errs)
	}
	return c.Redirect("/operator/admin?done=rule_saved#rules", fiber.StatusSeeOther)
}

// OperatorDeleteRule deletes a routing rule (admins).
func (s *Handler) OperatorDeleteRule(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	if _, err := s.dom.Work.DeleteRoutingRule(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/operator/admin?done=rule_deleted#rules", fiber.StatusSeeOther)
}

// OperatorRevokeGrant takes a grant back (admins).
func (s *Handler) OperatorRevokeGrant(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if _, err := s.dom.Access.RevokeGrant(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/operator/admin?done=grant_revoked#grants", fiber.StatusSeeOther)
}

// OperatorSetTeam sets an operator's team and skills from the user page
// (admins).
func (s *Handler) OperatorSetTeam(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	id := c.Params("id")
	_, err := s.dom.Access.SetUserTeam(c.UserContext(), id, c.FormValue("team"), opSplitList(c.FormValue("skills")))
	switch domain.ErrorKind(err) {
	case "":
		return c.Redirect("/operator/admin/users/"+id+"?done=team", fiber.StatusSeeOther)
	case domain.Invalid:
		field := domain.ErrorField(err)
		if field != "skills" {
			field = "team"
		}
		return s.opUserPage(c, fiber.StatusBadRequest, map[string]string{field: domain.ErrorMessage(err)})
	}
	return err
}

// opNotificationsView is customer care's list of what it was told.
type opNotificationsView struct {
	Notifications []opNotification
}

// opNotification is a notification with the page of what it is about.
type opNotification struct {
	domain.Notification
	Page string
}

// OperatorNotifications lists the signed-in operator's notifications, newest
// first: new incidents and claims, a seller's "solved", failed refunds,
// messages to customer care, deadlines about to be missed.
func (s *Handler) OperatorNotifications(c *fiber.Ctx) error {
	if s.dom.Outbox == nil {
		return fiber.ErrNotFound
	}
	ns, err := s.dom.Outbox.Notifications(c.UserContext(), c.Query("unread") == "1", 100)
	if err != nil {
		return err
	}
	v := &opNotificationsView{}
	for _, n := range ns {
		v.Notifications = append(v.Notifications, opNotification{Notification: n, Page: opEntityPage(n.Entity)})
	}
	return s.renderBO(c, fiber.StatusOK, "operator_notifications", boPage{Title: "Notifications", Body: v})
}

// OperatorNotificationRead marks one notification read and goes to what it
// is about (or back to the list).
func (s *Handler) OperatorNotificationRead(c *fiber.Ctx) error {
	if s.dom.Outbox == nil {
		return fiber.ErrNotFound
	}
	if err := s.dom.Outbox.MarkNotificationRead(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.Redirect(opEntityPage(c.FormValue("entity")), fiber.StatusSeeOther)
}

// opEntityPage is the operator page of an entity ("incident:01J…"), or the
// notifications list for one without a page.
func opEntityPage(entity string) string {
	kind, id, _ := strings.Cut(entity, ":")
	if id == "" || strings.ContainsAny(id, "/?#\\") {
		return "/operator/notifications"
	}
	switch kind {
	case "incident":
		return "/operator/incidents/" + id
	case "claim":
		return "/operator/claims/" + id
	case "thread":
		return "/operator/messages/" + id
	}
	return "/operator/notifications"
}
