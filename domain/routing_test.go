package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

func TestRoute(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	agents := []domain.AgentLoad{
		{ID: "a1", Name: "olga", Team: domain.TeamCustomerCare, Skills: []string{"account", "es"}, Load: 3},
		{ID: "a2", Name: "oscar", Team: domain.TeamCustomerCare, Skills: []string{"account"}, Load: 1},
		{ID: "a3", Name: "omar", Team: domain.TeamCustomerCare, Load: 0},
		{ID: "a4", Name: "xena", Team: "other", Skills: []string{"account", "es"}, Load: 0},
	}
	spanish := domain.RoutingRule{ID: "r-es", Name: "spanish", Priority: 5, Locales: []string{"es"}, Team: domain.TeamCustomerCare, Skill: "es"}
	refunds := domain.RoutingRule{ID: "r-refund", Name: "refunds to care", Priority: 1, Topics: []string{"refund"}, Entity: domain.EntityOrder, Team: domain.TeamCustomerCare}
	defaults := domain.DefaultRoutingRules()
	for _, tc := range []struct {
		name              string
		rules             []domain.RoutingRule
		w                 domain.Work
		team, shop, agent string
		rule              string
		whyHas            string
	}{
		{"default: account topic", defaults, domain.Work{Topic: "account"}, domain.TeamCustomerCare, "", "a2", "default-account", "topic account"},
		{"default: login free text", defaults, domain.Work{Topic: "Login", Order: "1001", ShopID: "shop-1"}, domain.TeamCustomerCare, "", "a2", "default-account", "skill account"},
		{"default: no order", defaults, domain.Work{Topic: "other"}, domain.TeamCustomerCare, "", "a3", "default-no-order", "about no order"},
		{"default: order question", defaults, domain.Work{Topic: "delivery", Order: "1001", ShopID: "shop-1"}, domain.TeamSeller, "shop-1", "", "default-order", "shop shop-1"},
		{"default: payment on an order", defaults, domain.Work{Topic: "payment", Order: "1001", ShopID: "shop-1"}, domain.TeamCustomerCare, "", "a2", "default-account", ""},
		{"addressed to customer care, about an order", defaults, domain.Work{Topic: "delivery", Order: "1001", ShopID: "shop-1", Recipient: domain.PartyOperator}, domain.TeamCustomerCare, "", "a3", "default", "no rule matched"},
		{"addressed to the seller, about an order", defaults, domain.Work{Topic: "delivery", Order: "1001", ShopID: "shop-1", Recipient: domain.PartySeller}, domain.TeamSeller, "shop-1", "", "default-order", ""},
		{"no rules at all", nil, domain.Work{Topic: "delivery", Order: "1001", ShopID: "shop-1"}, domain.TeamCustomerCare, "", "a3", "default", "no rule matched"},
		{"stored rule by locale", []domain.RoutingRule{spanish}, domain.Work{Topic: "delivery", Locale: "es"}, domain.TeamCustomerCare, "", "a1", "r-es", "locale es"},
		{"stored rules, none match", []domain.RoutingRule{spanish}, domain.Work{Topic: "delivery", Locale: "en", Order: "1", ShopID: "shop-1"}, domain.TeamCustomerCare, "", "a3", "default", "no rule matched"},
		{"priority order", []domain.RoutingRule{spanish, refunds}, domain.Work{Topic: "refund", Locale: "es", Order: "1", ShopID: "s"}, domain.TeamCustomerCare, "", "a3", "r-refund", "topic refund"},
		{"entity order not matched without order", []domain.RoutingRule{refunds}, domain.Work{Topic: "refund"}, domain.TeamCustomerCare, "", "a3", "default", ""},
		{"skill nobody has", []domain.RoutingRule{{ID: "r", Name: "fr", Team: domain.TeamCustomerCare, Skill: "fr"}}, domain.Work{Topic: "x"}, domain.TeamCustomerCare, "", "", "r", "no agent of the team has skill fr"},
	} {
		as := domain.Route(tc.rules, tc.w, agents, now)
		if as.Team != tc.team || as.ShopID != tc.shop || as.AgentID != tc.agent || as.Rule != tc.rule || !as.At.Equal(now) {
			t.Errorf("%s: got %+v, want team %s shop %q agent %q rule %s", tc.name, as, tc.team, tc.shop, tc.agent, tc.rule)
		}
		if !strings.Contains(as.Why, tc.whyHas) {
			t.Errorf("%s: why %q lacks %q", tc.name, as.Why, tc.whyHas)
		}
	}
}

func TestRouteTiesByID(t *testing.T) {
	agents := []domain.AgentLoad{
		{ID: "b", Name: "b", Team: domain.TeamCustomerCare, Load: 1},
		{ID: "a", Name: "a", Team: domain.TeamCustomerCare, Load: 1},
	}
	if as := domain.Route(nil, domain.Work{Topic: "other"}, agents, time.Now()); as.AgentID != "a" {
		t.Fatalf("tie went to %q, want a", as.AgentID)
	}
}

func TestRoutingRuleValidate(t *testing.T) {
	ok := domain.RoutingRule{Name: "r", Team: domain.TeamCustomerCare}
	for _, tc := range []struct {
		name string
		edit func(r *domain.RoutingRule)
		code domain.Code
	}{
		{"valid", func(*domain.RoutingRule) {}, ""},
		{"no name", func(r *domain.RoutingRule) { r.Name = "" }, domain.CodeInvalidRoutingRule},
		{"bad team", func(r *domain.RoutingRule) { r.Team = "sales" }, domain.CodeInvalidRoutingRule},
		{"bad entity", func(r *domain.RoutingRule) { r.Entity = "claim" }, domain.CodeInvalidRoutingRule},
		{"seller for no order", func(r *domain.RoutingRule) { r.Team, r.Entity = domain.TeamSeller, domain.EntityNone }, domain.CodeInvalidRoutingRule},
		{"bad topic", func(r *domain.RoutingRule) { r.Topics = []string{""} }, domain.CodeInvalidRoutingRule},
		{"negative priority", func(r *domain.RoutingRule) { r.Priority = -1 }, domain.CodeInvalidRoutingRule},
	} {
		r := ok
		tc.edit(&r)
		if got := domain.ErrorCode(r.Validate()); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
}
