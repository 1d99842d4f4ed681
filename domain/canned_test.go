package domain

import (
	"strings"
	"testing"
)

func TestCannedReplyRules(t *testing.T) {
	for _, tc := range []struct {
		title, body string
		code        Code
	}{
		{" Delivery delay ", " We are sorry. ", ""},
		{"", "body", CodeInvalidCannedTitle},
		{strings.Repeat("é", MaxCannedTitleRunes), "body", ""},
		{strings.Repeat("é", MaxCannedTitleRunes+1), "body", CodeInvalidCannedTitle},
		{"t", "   ", CodeInvalidCannedBody},
		{"t", strings.Repeat("a", MaxCannedBodyBytes+1), CodeInvalidCannedBody},
	} {
		r := CannedReply{Title: tc.title, Body: tc.body}
		if got := ErrorCode(r.Validate()); got != tc.code && !(tc.code == "" && got == "") {
			t.Errorf("%q/%.10q: code %q, want %q", tc.title, tc.body, got, tc.code)
		}
	}
	r := CannedReply{Title: " a ", Body: " b "}
	if r.Validate(); r.Title != "a" || r.Body != "b" {
		t.Errorf("not trimmed: %+v", r)
	}
	if CanManageCanned(Actor{UserID: "u", Role: RoleSeller, ShopID: "shop-1"}) != nil {
		t.Error("a seller may keep canned replies")
	}
	for _, a := range []Actor{{UserID: "c", Role: RoleCustomer}, {UserID: "o", Role: RoleAgent}, {UserID: "s", Role: RoleSeller}} {
		if ErrorKind(CanManageCanned(a)) != Forbidden {
			t.Errorf("%+v may keep canned replies", a)
		}
	}
}
