package domain

import (
	"strings"
	"testing"
	"time"
)

// guessAdminField is how the operator's admin page guessed a rule or grant
// error's field from its message (server/operator_pages.go, opAdminFieldFor):
// the domain's Field must name the same input.
func guessAdminField(open, msg string) string {
	m := strings.ToLower(msg)
	fields := [][2]string{{"agent", "agent"}, {"permission", "permission"}, {"limit", "limit"}}
	if open == "rule" {
		fields = [][2]string{{"name", "name"}, {"priority", "priority"}, {"entity", "entity"}, {"team", "team"},
			{"topic", "topics"}, {"locale", "locales"}, {"skill", "skill"}}
	}
	for _, f := range fields {
		if strings.Contains(m, f[0]) {
			return f[1]
		}
	}
	return ""
}

func TestAdminFormFieldsAsGuessed(t *testing.T) {
	ok := RoutingRule{Name: "r", Team: TeamCustomerCare}
	rules := []func(r *RoutingRule){
		func(r *RoutingRule) { r.Name = "" },
		func(r *RoutingRule) { r.Priority = -1 },
		func(r *RoutingRule) { r.Team = "x" },
		func(r *RoutingRule) { r.Entity = "x" },
		func(r *RoutingRule) { r.Team, r.Entity = TeamSeller, EntityNone },
		func(r *RoutingRule) { r.Topics = make([]string, 51) },
		func(r *RoutingRule) { r.Topics = []string{strings.Repeat("x", MaxTopicRunes+1)} },
		func(r *RoutingRule) { r.Locales = []string{""} },
		func(r *RoutingRule) { r.Skill = strings.Repeat("s", 65) },
	}
	for i, change := range rules {
		r := ok
		change(&r)
		err := r.Validate()
		if err == nil {
			t.Fatalf("rule %d: no error", i)
		}
		if got, want := ErrorField(err), guessAdminField("rule", ErrorMessage(err)); got != want || got == "" {
			t.Errorf("rule %d (%s): field %q, want %q", i, ErrorMessage(err), got, want)
		}
	}
	grants := []Grant{{}, {AgentID: "a", Permission: "x"}, {AgentID: "a", Permission: PermViewStats, Limit: 5}}
	for i, g := range grants {
		err := g.Validate()
		if got, want := ErrorField(err), guessAdminField("grant", ErrorMessage(err)); got != want || got == "" {
			t.Errorf("grant %d (%s): field %q, want %q", i, ErrorMessage(err), got, want)
		}
	}
	err := CheckGrantee(nil, "olga")
	if got, want := ErrorField(err), guessAdminField("grant", ErrorMessage(err)); got != want {
		t.Errorf("grantee: field %q, want %q", got, want)
	}
}

// The fields of the other forms are the inputs the pages map the codes to.
func TestFormFields(t *testing.T) {
	o := testOrder()
	first := func(_ any, err error) error { return err }
	tests := []struct {
		err   error
		field string
	}{
		{(&NewThread{Recipient: "x"}).Validate(), "recipient"},
		{(&NewThread{Recipient: PartySeller, Topic: strings.Repeat("x", MaxTopicRunes+1)}).Validate(), "topic"},
		{(&NewThread{Recipient: PartySeller, Topic: TopicOther, Subject: "a\nb"}).Validate(), "subject"},
		{(&NewThread{Recipient: PartySeller, Topic: TopicOther}).Validate(), "body"},
		{(&NewMessage{Body: "hi"}).Validate(PartySeller), "to"},
		{first(NewIncident(ana, o, 0, "nope", "", t0)), "reason"},
		{first(NewIncident(ana, o, 9, IncidentReasons()[0], "", t0)), "line"},
		{first(NewClaim(DefaultPolicy(), ana, o, ClaimDefect, "", t0.Add(72*time.Hour))), "description"},
		{first(PlanRefund(DefaultPolicy(), o, RefundRequest{Kind: "x"}, t0)), "kind"},
		{first(PlanRefund(DefaultPolicy(), o, RefundRequest{Kind: RefundPartial, Shipping: 301}, t0)), "shipping"},
		{(&CannedReply{Body: "b"}).Validate(), "title"},
		{first(TokenTTL(time.Second)), "ttl_hours"},
	}
	for i, tc := range tests {
		if tc.err == nil {
			t.Fatalf("case %d: no error", i)
		}
		if got := ErrorField(tc.err); got != tc.field {
			t.Errorf("case %d (%s): field %q, want %q", i, ErrorMessage(tc.err), got, tc.field)
		}
	}
	_, _, err := StatsPeriod(t0, t0, t0)
	if ErrorField(err) != "from" {
		t.Errorf("period: field %q, want from", ErrorField(err))
	}
}
