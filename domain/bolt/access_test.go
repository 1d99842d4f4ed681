package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// testWorld opens a DB in a temp dir and seeds the demo world into it.
func testWorld(t testing.TB) (*DB, *demo.World) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "domain.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return db, w
}

// as returns a context acting as the demo user name, authenticated through
// their token as a request would be.
func as(t testing.TB, db *DB, name string) context.Context {
	t.Helper()
	a, err := NewAccessService(db).Authenticate(context.Background(), demo.Token(name))
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return domain.WithActor(context.Background(), a)
}

func TestDemoSeedIsIdempotentAndTokensWork(t *testing.T) {
	db, w := testWorld(t)
	if _, err := demo.Seed(context.Background(), demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now()); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	users, err := NewAccessService(db).ListUsers(as(t, db, "adam"), "")
	if err != nil || len(users) != 6 {
		t.Fatalf("users = %d, %v; want 6", len(users), err)
	}
	sam := domain.ActorFrom(as(t, db, "sam"))
	if sam.Role != domain.RoleSeller || sam.ShopID != "shop-1" || sam.UserID != w.Users["sam"].ID {
		t.Errorf("sam = %+v", sam)
	}
	if _, err := NewAccessService(db).Authenticate(context.Background(), "demo-nobody"); domain.ErrorCode(err) != domain.CodeUnauthorized {
		t.Errorf("unknown token: %v", err)
	}
}

func TestTokensExpireAndRevoke(t *testing.T) {
	db, w := testWorld(t)
	acc := NewAccessService(db)
	adam := as(t, db, "adam")
	tok, err := acc.CreateToken(adam, w.Users["ben"].ID, "cli", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := acc.Authenticate(context.Background(), tok.Secret); err != nil || a.Name != "ben" {
		t.Fatalf("fresh token: %+v %v", a, err)
	}
	// Ben may not make a token for Ana.
	if _, err := acc.CreateToken(as(t, db, "ben"), w.Users["ana"].ID, "", 0); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("ben making ana's token: %v", err)
	}
	if err := acc.RevokeToken(as(t, db, "ana"), tok.ID); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("ana revoking ben's token: %v", err)
	}
	if err := acc.RevokeToken(as(t, db, "ben"), tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(context.Background(), tok.Secret); domain.ErrorKind(err) != domain.Unauthorized {
		t.Errorf("revoked token: %v", err)
	}
	past := AtTime(adam, time.Now().Add(-2*time.Hour))
	old, err := acc.CreateToken(past, w.Users["ben"].ID, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Authenticate(context.Background(), old.Secret); domain.ErrorKind(err) != domain.Unauthorized {
		t.Errorf("expired token: %v", err)
	}
}

func TestOrdersVisibilityAndFreeze(t *testing.T) {
	db, w := testWorld(t)
	orders := NewOrderService(db, domain.DefaultPolicy())
	for _, c := range []struct {
		who, order string
		ok         bool
	}{
		{"ana", "1001", true}, {"ana", "2001", false}, {"ben", "2001", true}, {"ben", "1001", false},
		{"sam", "1001", true}, {"sam", "2001", true}, {"sam", "1002", false}, {"sue", "1002", true}, {"sue", "1001", false},
		{"olga", "1001", true}, {"adam", "1002", true},
	} {
		_, err := orders.FindOrder(as(t, db, c.who), c.order)
		if c.ok != (err == nil) || (!c.ok && domain.ErrorKind(err) != domain.NotFound) {
			t.Errorf("%s reads %s: %v, want ok=%v (else not_found)", c.who, c.order, err, c.ok)
		}
	}
	list, _, err := orders.ListOrders(as(t, db, "ana"), "", 10)
	if err != nil || len(list) != 2 || list[0].Number != "1001" {
		t.Errorf("ana's orders = %v, %v; want 1001 then 1002", list, err)
	}
	list, _, _ = orders.ListOrders(as(t, db, "sam"), "", 1)
	if len(list) != 1 || list[0].Number != "2001" {
		t.Errorf("sam's first order = %v, want 2001 (newest)", list)
	}

	// A customer may not import orders.
	o := demo.Orders(w, time.Now())[0]
	if _, _, err := orders.PutOrder(as(t, db, "ana"), &o); domain.ErrorKind(err) != domain.Forbidden {
		t.Errorf("ana imports: %v", err)
	}
	// Freeze 1001 as an open incident would, then try to move it on.
	err = db.update(context.Background(), func(tx *txn) error {
		prev, err := getOrder(tx, "1001")
		if err != nil {
			return err
		}
		next := *prev
		next.Frozen, next.OpenIncidents = true, 1
		return putOrder(tx, prev, &next)
	})
	if err != nil {
		t.Fatal(err)
	}
	o.State = domain.OrderDelivered
	now := time.Now()
	o.DeliveredAt = &now
	if _, _, err := orders.PutOrder(as(t, db, "olga"), &o); domain.ErrorCode(err) != domain.CodeOrderFrozen {
		t.Errorf("moving a frozen order on: %v, want order_frozen", err)
	}
	o.State = domain.OrderShipped
	o.DeliveredAt = nil
	o.Lines[1].Title = "LED bulb E27 (2700 K)"
	got, _, err := orders.PutOrder(as(t, db, "olga"), &o)
	if err != nil || !got.Frozen || got.Lines[1].Title != "LED bulb E27 (2700 K)" {
		t.Errorf("updating a frozen order's details: %+v %v", got, err)
	}
}

func TestPageKeysCursor(t *testing.T) {
	db, _ := testWorld(t)
	orders := NewOrderService(db, domain.DefaultPolicy())
	olga := as(t, db, "olga")
	var seen []string
	cursor := ""
	for range 5 {
		page, next, err := orders.ListOrders(olga, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			seen = append(seen, o.Number)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 3 || seen[0] != "2001" || seen[2] != "1002" {
		t.Errorf("pages = %v, want 2001 1001 1002", seen)
	}
	if _, _, err := orders.ListOrders(olga, "!!", 1); domain.ErrorCode(err) != domain.CodeInvalidCursor {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestLoginAndPasswords(t *testing.T) {
	db, w := testWorld(t)
	acc := NewAccessService(db)
	ctx := context.Background()
	a, err := acc.Login(ctx, "sam", "demo")
	if err != nil || a.Name != "sam" || a.ShopID != "shop-1" {
		t.Fatalf("login: %+v %v", a, err)
	}
	for _, c := range [][2]string{{"sam", "wrong"}, {"nobody", "demo"}, {"sam", ""}} {
		if _, err := acc.Login(ctx, c[0], c[1]); domain.ErrorCode(err) != domain.CodeBadCredentials {
			t.Errorf("login %q/%q: %v, want bad_credentials", c[0], c[1], err)
		}
	}
	sam := as(t, db, "sam")
	if err := acc.SetPassword(sam, w.Users["sam"].ID, "wrong", "new-secret"); domain.ErrorCode(err) != domain.CodeBadCredentials {
		t.Errorf("change with a wrong current password: %v", err)
	}
	if err := acc.SetPassword(sam, w.Users["sam"].ID, "demo", "abc"); domain.ErrorCode(err) != domain.CodeInvalidPassword {
		t.Errorf("too short: %v", err)
	}
	if err := acc.SetPassword(sam, w.Users["sue"].ID, "demo", "new-secret"); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("sam sets sue's password: %v", err)
	}
	if err := acc.SetPassword(sam, w.Users["sam"].ID, "demo", "new-secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Login(ctx, "sam", "demo"); err == nil {
		t.Error("old password still works")
	}
	if _, err := acc.Login(ctx, "sam", "new-secret"); err != nil {
		t.Errorf("new password: %v", err)
	}
	// Seeding again leaves the changed password alone.
	if _, err := demo.Seed(ctx, demo.Services{Access: acc, Orders: NewOrderService(db, domain.DefaultPolicy())}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Login(ctx, "sam", "new-secret"); err != nil {
		t.Errorf("after re-seeding: %v", err)
	}
}

func TestDemoHistory(t *testing.T) {
	db, _ := testWorld(t)
	p := domain.DefaultPolicy()
	svc := NewServices(db, p)
	h := demo.History{Services: demo.Services{Access: svc.Access, Orders: svc.Orders}, Threads: svc.Threads,
		Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims, At: AtTime}
	now := time.Now()
	if err := demo.SeedHistory(context.Background(), h, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedHistory(context.Background(), h, now); err != nil {
		t.Fatalf("second run: %v", err)
	}
	stats, err := svc.Work.ShopStats(as(t, db, "sam"), "shop-1", now.Add(-60*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if stats.CustomerMessages == 0 || stats.AnsweredWithin48h == 0 || stats.AnsweredWithin48h == stats.CustomerMessages ||
		stats.IncidentsOpened == 0 || stats.Claims == 0 || stats.Refunds == 0 {
		t.Errorf("shop-1 statistics show too little: %+v", stats)
	}
	q, err := svc.Work.Queue(as(t, db, "olga"), 50)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range q {
		kinds[it.Kind]++
	}
	if len(q) == 0 || q[0].Kind != "incident" || kinds["claim"] == 0 {
		t.Errorf("customer care's queue = %v (first %+v)", kinds, q)
	}
	// Order questions go to the order's seller: Sam has one past its 48 h.
	sq, err := svc.Work.Queue(as(t, db, "sam"), 50)
	if err != nil {
		t.Fatal(err)
	}
	overdue := false
	for _, it := range sq {
		overdue = overdue || it.Kind == "thread" && it.DueAt != nil && it.DueAt.Before(now)
	}
	if !overdue {
		t.Errorf("sam's queue has no overdue thread: %+v", sq)
	}
	// Ana's account is not cluttered by the history.
	list, _, _ := NewOrderService(db, p).ListOrders(as(t, db, "ana"), "", 50)
	if len(list) != 2 {
		t.Errorf("ana has %d orders, want 2", len(list))
	}
}
