package backoffice

import (
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

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

func (s *Handler) opLoadAdminView(c *fiber.Ctx) (*opAdminView, error) {
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
func (s *Handler) opAdminOnly(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role == domain.RoleAdmin {
		return nil
	}
	return s.renderBO(c, fiber.StatusForbidden, "operator_refused", boPage{Title: "Admins only",
		Body: "Routing rules and permission grants are managed by customer care admins. Ask an admin if you need a permission."})
}

func (s *Handler) OperatorAdmin(c *fiber.Ctx) error {
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

func (s *Handler) OperatorAddRule(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	if s.dom.Work == nil {
		return fiber.ErrNotFound
	}
	form := web.FormValues(c, "name", "priority", "topics", "locales", "entity", "team", "skill")
	prio, ok := web.FormInt(c, "priority")
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

func (s *Handler) OperatorGrant(c *fiber.Ctx) error {
	if domain.ActorFrom(c.UserContext()).Role != domain.RoleAdmin {
		return s.opAdminOnly(c)
	}
	form := web.FormValues(c, "agent", "permission", "limit")
	limit, ok := web.FormMoney(c, "limit")
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
func (s *Handler) opAdminFormError(c *fiber.Ctx, open string, form, errs map[string]string, err ...error) error {
	if len(err) > 0 && err[0] != nil {
		var ferr error
		errs, ferr = fieldErrors(err[0], nil)
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
