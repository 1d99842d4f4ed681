package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

var accessCases = []testCase{
	{"seed_idempotent_and_tokens", testSeedIdempotent},
	{"tokens_expire_and_revoke", testTokensExpireAndRevoke},
	{"login_and_passwords", testLoginAndPasswords},
	{"users_shops_grants", testUsersShopsGrants},
	{"refusals", testAccessRefusals},
	{"sessions_and_tokens_apart", testSessionsApart},
	{"password_change_revokes", testPasswordChangeRevokes},
	{"admin_reset_password", testAdminResetPassword},
	{"disable_and_enable", testDisableEnable},
	{"admin_revokes_user_token", testAdminRevokesUserToken},
	{"revoke_by_label", testRevokeByLabel},
	{"login_backoff_per_name", testLoginBackoff},
	{"credential_refusals", testCredentialRefusals},
}

func testSeedIdempotent(t *testing.T, open Opener) {
	w := newWorld(t, open)
	if _, err := demo.Seed(context.Background(), demo.Services{Access: w.Access, Orders: w.Orders}, w.clock.Now()); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	users, err := w.Access.ListUsers(w.as(t, "adam"), "")
	if err != nil || len(users) != 6 {
		t.Fatalf("users = %d, %v; want 6", len(users), err)
	}
	sam := domain.ActorFrom(w.as(t, "sam"))
	if sam.Role != domain.RoleSeller || sam.ShopID != "shop-1" || sam.UserID != w.id("sam") {
		t.Errorf("sam = %+v", sam)
	}
	if _, err := w.Access.Authenticate(context.Background(), "demo-nobody"); code(err) != domain.CodeUnauthorized {
		t.Errorf("unknown token: %v", err)
	}
	// Storing the same secret again returns the token it stored.
	tok, err := w.Access.PutTokenSecret(system, w.id("sam"), "demo", demo.Token("sam"), nil)
	if err != nil || tok.UserID != w.id("sam") {
		t.Errorf("the same secret again: %+v %v", tok, err)
	}
}

func testTokensExpireAndRevoke(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam := w.as(t, "adam")
	tok, err := w.Access.CreateToken(adam, w.id("ben"), "cli", time.Hour)
	if err != nil || tok.Secret == "" {
		t.Fatalf("create: %+v %v", tok, err)
	}
	if a, err := w.Access.Authenticate(context.Background(), tok.Secret); err != nil || a.Name != "ben" {
		t.Fatalf("fresh token: %+v %v", a, err)
	}
	list, err := w.Access.ListTokens(w.as(t, "ben"), w.id("ben"))
	if err != nil || len(list) != 2 {
		t.Fatalf("ben's tokens: %+v %v", list, err)
	}
	for _, l := range list {
		if l.Secret != "" {
			t.Errorf("a listed token shows its secret: %+v", l)
		}
	}
	// A user makes their own.
	own, err := w.Access.CreateToken(w.as(t, "ben"), w.id("ben"), "phone", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Access.RevokeToken(w.as(t, "ben"), tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.Authenticate(context.Background(), tok.Secret); code(err) != domain.CodeUnauthorized {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := w.Access.Authenticate(context.Background(), own.Secret); err != nil {
		t.Errorf("the other token: %v", err)
	}
	// An admin revokes anyone's.
	if err := w.Access.RevokeToken(adam, own.ID); err != nil {
		t.Fatal(err)
	}
	short, err := w.Access.CreateToken(adam, w.id("ben"), "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(time.Hour + time.Second)
	if _, err := w.Access.Authenticate(context.Background(), short.Secret); code(err) != domain.CodeUnauthorized {
		t.Errorf("expired token: %v", err)
	}
	if _, err := w.Access.Authenticate(context.Background(), demo.Token("ben")); err != nil {
		t.Errorf("a token without expiry: %v", err)
	}
}

func testLoginAndPasswords(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ctx := context.Background()
	a, err := w.Access.Login(ctx, "sam", demo.Password)
	if err != nil || a.Name != "sam" || a.ShopID != "shop-1" {
		t.Fatalf("login: %+v %v", a, err)
	}
	sam := w.as(t, "sam")
	if err := w.Access.SetPassword(sam, w.id("sam"), demo.Password, "new-secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.Login(ctx, "sam", demo.Password); code(err) != domain.CodeBadCredentials {
		t.Errorf("old password: %v", err)
	}
	if _, err := w.Access.Login(ctx, "sam", "new-secret"); err != nil {
		t.Errorf("new password: %v", err)
	}
	// An admin sets anyone's without the current one.
	if err := w.Access.SetPassword(w.as(t, "adam"), w.id("sue"), "", "sues-new"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.Login(ctx, "sue", "sues-new"); err != nil {
		t.Errorf("sue's new password: %v", err)
	}
	// Seeding again leaves a changed password alone.
	if _, err := demo.Seed(ctx, demo.Services{Access: w.Access, Orders: w.Orders}, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.Login(ctx, "sam", "new-secret"); err != nil {
		t.Errorf("after re-seeding: %v", err)
	}
}

func testUsersShopsGrants(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam, olga := w.as(t, "adam"), w.as(t, "olga")
	u := &domain.User{Name: "oscar", Display: "Oscar", Role: domain.RoleAgent, Team: domain.TeamCustomerCare}
	if err := w.Access.CreateUser(adam, u); err != nil || u.ID == "" || u.Locale != "en" {
		t.Fatalf("create: %+v %v", u, err)
	}
	if got, err := w.Access.FindUser(olga, u.ID); err != nil || got.Name != "oscar" {
		t.Errorf("find: %+v %v", got, err)
	}
	if got, err := w.Access.FindUserByName(adam, "oscar"); err != nil || got.ID != u.ID {
		t.Errorf("find by name: %+v %v", got, err)
	}
	if got, err := w.Access.FindUser(w.as(t, "ana"), w.id("ana")); err != nil || got.Name != "ana" {
		t.Errorf("ana reads herself: %+v %v", got, err)
	}
	agents, err := w.Access.ListUsers(olga, domain.RoleAgent)
	if err != nil || len(agents) != 2 {
		t.Errorf("agents: %+v %v", agents, err)
	}
	sh := &domain.Shop{ID: "shop-3", Name: "Tienda"}
	if err := w.Access.PutShop(adam, sh); err != nil {
		t.Fatal(err)
	}
	sh.Name = "Tienda Nueva"
	if err := w.Access.PutShop(adam, sh); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Access.FindShop(olga, "shop-3"); err != nil || got.Name != "Tienda Nueva" || got.Locale != "en" {
		t.Errorf("shop: %+v %v", got, err)
	}
	if got, err := w.Access.FindShop(w.as(t, "sam"), "shop-1"); err != nil || got.Name != "Nordic Home" {
		t.Errorf("sam's shop: %+v %v", got, err)
	}
	g := &domain.Grant{AgentID: u.ID, Permission: domain.PermRefundOver, Limit: 90000}
	if err := w.Access.Grant(adam, g); err != nil {
		t.Fatal(err)
	}
	gs, err := w.Access.ListGrants(olga, u.ID)
	if err != nil || len(gs) != 1 || gs[0].Limit != 90000 {
		t.Errorf("grants: %+v %v", gs, err)
	}
	tok, err := w.Access.CreateToken(adam, u.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.Access.Authenticate(context.Background(), tok.Secret)
	if err != nil || len(a.Grants) != 1 || a.Grants[0].Permission != domain.PermRefundOver {
		t.Errorf("oscar authenticated: %+v %v", a, err)
	}
	if got := w.audit(t, "user:"+u.ID); got == "" {
		t.Errorf("creating a user left no audit entry")
	}
}

func testAccessRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	adam, olga, sam, ana, ben := w.as(t, "adam"), w.as(t, "olga"), w.as(t, "sam"), w.as(t, "ana"), w.as(t, "ben")
	revoked, err := w.Access.CreateToken(adam, w.id("ben"), "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Access.RevokeToken(adam, revoked.ID); err != nil {
		t.Fatal(err)
	}
	nothing := func(_ any, err error) error { return err }
	w.refuseAll(t, []refusal{
		{"authenticate unknown", domain.CodeUnauthorized, func() error { return nothing(w.Access.Authenticate(context.Background(), "demo-nobody")) }},
		{"authenticate revoked", domain.CodeUnauthorized, func() error { return nothing(w.Access.Authenticate(context.Background(), revoked.Secret)) }},
		{"authenticate empty", domain.CodeUnauthorized, func() error { return nothing(w.Access.Authenticate(context.Background(), "")) }},
		{"login wrong password", domain.CodeBadCredentials, func() error { return nothing(w.Access.Login(anon, "sam", "wrong")) }},
		{"login unknown name", domain.CodeBadCredentials, func() error { return nothing(w.Access.Login(anon, "nobody", demo.Password)) }},
		{"login empty password", domain.CodeBadCredentials, func() error { return nothing(w.Access.Login(anon, "sam", "")) }},
		{"set password anonymous", domain.CodeUnauthorized, func() error { return w.Access.SetPassword(anon, w.id("sam"), demo.Password, "new-secret") }},
		{"set password wrong current", domain.CodeBadCredentials, func() error { return w.Access.SetPassword(sam, w.id("sam"), "wrong", "new-secret") }},
		{"set password too short", domain.CodeInvalidPassword, func() error { return w.Access.SetPassword(sam, w.id("sam"), demo.Password, "abc") }},
		{"set another's password", domain.CodeNotFound, func() error { return w.Access.SetPassword(sam, w.id("sue"), demo.Password, "new-secret") }},
		{"set unknown user's password", domain.CodeNotFound, func() error { return w.Access.SetPassword(adam, "no-such-user", "", "new-secret") }},
		{"create user anonymous", domain.CodeUnauthorized, func() error { return w.Access.CreateUser(anon, &domain.User{Name: "x", Role: domain.RoleCustomer}) }},
		{"create user as agent", domain.CodeForbidden, func() error { return w.Access.CreateUser(olga, &domain.User{Name: "x", Role: domain.RoleCustomer}) }},
		{"create user bad name", domain.CodeInvalidUser, func() error { return w.Access.CreateUser(adam, &domain.User{Name: "X Y", Role: domain.RoleCustomer}) }},
		{"create user bad role", domain.CodeInvalidUser, func() error { return w.Access.CreateUser(adam, &domain.User{Name: "x", Role: "boss"}) }},
		{"create seller without shop", domain.CodeInvalidUser, func() error { return w.Access.CreateUser(adam, &domain.User{Name: "x", Role: domain.RoleSeller}) }},
		{"create seller of unknown shop", domain.CodeInvalidUser, func() error {
			return w.Access.CreateUser(adam, &domain.User{Name: "x", Role: domain.RoleSeller, ShopID: "shop-9"})
		}},
		{"create user bad locale", domain.CodeInvalidLocale, func() error {
			return w.Access.CreateUser(adam, &domain.User{Name: "x", Role: domain.RoleCustomer, Locale: "eng"})
		}},
		{"create existing user", domain.CodeUserExists, func() error { return w.Access.CreateUser(adam, &domain.User{Name: "sam", Role: domain.RoleCustomer}) }},
		{"find user anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.FindUser(anon, w.id("ana"))) }},
		{"find another user", domain.CodeNotFound, func() error { return nothing(w.Access.FindUser(ana, w.id("ben"))) }},
		{"find unknown user", domain.CodeNotFound, func() error { return nothing(w.Access.FindUser(adam, "no-such-user")) }},
		{"find user by unknown name", domain.CodeNotFound, func() error { return nothing(w.Access.FindUserByName(adam, "nobody")) }},
		{"find another user by name", domain.CodeNotFound, func() error { return nothing(w.Access.FindUserByName(ben, "ana")) }},
		{"list users anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.ListUsers(anon, "")) }},
		{"list users as seller", domain.CodeForbidden, func() error { return nothing(w.Access.ListUsers(sam, "")) }},
		{"put shop anonymous", domain.CodeUnauthorized, func() error { return w.Access.PutShop(anon, &domain.Shop{ID: "shop-9", Name: "x"}) }},
		{"put shop as agent", domain.CodeForbidden, func() error { return w.Access.PutShop(olga, &domain.Shop{ID: "shop-9", Name: "x"}) }},
		{"put shop bad id", domain.CodeInvalidShop, func() error { return w.Access.PutShop(adam, &domain.Shop{ID: "Shop 9", Name: "x"}) }},
		{"put shop without name", domain.CodeInvalidShop, func() error { return w.Access.PutShop(adam, &domain.Shop{ID: "shop-9"}) }},
		{"put shop bad locale", domain.CodeInvalidLocale, func() error { return w.Access.PutShop(adam, &domain.Shop{ID: "shop-9", Name: "x", Locale: "EN"}) }},
		{"find shop anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.FindShop(anon, "shop-1")) }},
		{"find another shop", domain.CodeNotFound, func() error { return nothing(w.Access.FindShop(sam, "shop-2")) }},
		{"customer finds a shop", domain.CodeNotFound, func() error { return nothing(w.Access.FindShop(ana, "shop-1")) }},
		{"find unknown shop", domain.CodeNotFound, func() error { return nothing(w.Access.FindShop(adam, "shop-9")) }},
		{"create token anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.CreateToken(anon, w.id("ana"), "", 0)) }},
		{"create another's token", domain.CodeForbidden, func() error { return nothing(w.Access.CreateToken(ben, w.id("ana"), "", 0)) }},
		{"create token too short-lived", domain.CodeInvalidToken, func() error { return nothing(w.Access.CreateToken(ben, w.id("ben"), "", 30*time.Second)) }},
		{"create token too long-lived", domain.CodeInvalidToken, func() error { return nothing(w.Access.CreateToken(ben, w.id("ben"), "", 10*365*24*time.Hour)) }},
		{"create token of unknown user", domain.CodeNotFound, func() error { return nothing(w.Access.CreateToken(adam, "no-such-user", "", 0)) }},
		{"put short secret", domain.CodeInvalidToken, func() error { return nothing(w.Access.PutTokenSecret(system, w.id("ana"), "", "short", nil)) }},
		{"put another's secret", domain.CodeTokenTaken, func() error {
			return nothing(w.Access.PutTokenSecret(system, w.id("ana"), domain.DemoTokenLabel, demo.Token("ben"), nil))
		}},
		{"put secret of unknown user", domain.CodeNotFound, func() error { return nothing(w.Access.PutTokenSecret(system, "no-such-user", "", strongSecret, nil)) }},
		{"list tokens anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.ListTokens(anon, w.id("ana"))) }},
		{"list another's tokens", domain.CodeNotFound, func() error { return nothing(w.Access.ListTokens(ben, w.id("ana"))) }},
		{"revoke anonymous", domain.CodeUnauthorized, func() error { return w.Access.RevokeToken(anon, revoked.ID) }},
		{"revoke another's token", domain.CodeNotFound, func() error { return w.Access.RevokeToken(ana, revoked.ID) }},
		{"revoke unknown token", domain.CodeNotFound, func() error { return w.Access.RevokeToken(adam, "no-such-token") }},
		{"grant anonymous", domain.CodeUnauthorized, func() error {
			return w.Access.Grant(anon, &domain.Grant{AgentID: w.id("olga"), Permission: domain.PermViewStats})
		}},
		{"grant as agent", domain.CodeForbidden, func() error {
			return w.Access.Grant(olga, &domain.Grant{AgentID: w.id("olga"), Permission: domain.PermViewStats})
		}},
		{"grant without agent", domain.CodeInvalidGrant, func() error { return w.Access.Grant(adam, &domain.Grant{Permission: domain.PermViewStats}) }},
		{"grant unknown permission", domain.CodeInvalidGrant, func() error { return w.Access.Grant(adam, &domain.Grant{AgentID: w.id("olga"), Permission: "root"}) }},
		{"grant limit on another permission", domain.CodeInvalidGrant, func() error {
			return w.Access.Grant(adam, &domain.Grant{AgentID: w.id("olga"), Permission: domain.PermViewStats, Limit: 5})
		}},
		{"grant to a seller", domain.CodeInvalidGrant, func() error {
			return w.Access.Grant(adam, &domain.Grant{AgentID: w.id("sam"), Permission: domain.PermViewStats})
		}},
		{"list grants anonymous", domain.CodeUnauthorized, func() error { return nothing(w.Access.ListGrants(anon, w.id("olga"))) }},
		{"list grants as seller", domain.CodeForbidden, func() error { return nothing(w.Access.ListGrants(sam, w.id("olga"))) }},
	})
}
