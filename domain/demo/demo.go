// Package demo seeds the demo world that `helpcentre serve --demo` shows: two
// customers, two shops with a seller each, customer care, orders and history.
package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// Services are what seeding writes through: the same services, and so the
// same rules, as the API.
type Services struct {
	Access domain.AccessService
	Orders domain.OrderService
}

// Person is a demo user; their bearer token is "demo-" + Name.
type Person struct {
	Name, Display string
	Role          domain.Role
	ShopID        string
	Locale        string
	Team          string
	Skills        []string
	Grants        []string // agents: permissions the admin gave them
}

// People are the demo users.
func People() []Person {
	return []Person{
		{Name: "ana", Display: "Ana García", Role: domain.RoleCustomer, Locale: "es"},
		{Name: "ben", Display: "Ben Carter", Role: domain.RoleCustomer, Locale: "en"},
		{Name: "sam", Display: "Sam (Nordic Home)", Role: domain.RoleSeller, ShopID: "shop-1", Locale: "en"},
		{Name: "sue", Display: "Sue (Casa Sol)", Role: domain.RoleSeller, ShopID: "shop-2", Locale: "es"},
		{Name: "olga", Display: "Olga, customer care", Role: domain.RoleAgent, Locale: "en", Team: domain.TeamCustomerCare, Skills: []string{"account", "orders", "es"},
			Grants: []string{domain.PermCloseIncidents}},
		{Name: "adam", Display: "Adam, care admin", Role: domain.RoleAdmin, Locale: "en", Team: domain.TeamCustomerCare},
	}
}

// Password is every demo user's password, set when the user is created (a
// user who changes it keeps their own).
const Password = "demo"

// Token returns a demo user's bearer token.
func Token(name string) string { return "demo-" + name }

// System is the actor seeding acts as: domain.SystemActor.
var System = domain.SystemActor

// World is what Seed made: users by name.
type World struct {
	Users map[string]*domain.User
}

// Seed makes the demo world, idempotently: what exists is left as it is.
// now anchors the orders' dates ("shipped 10 days ago").
func Seed(ctx context.Context, s Services, now time.Time) (*World, error) {
	ctx = domain.WithActor(ctx, System)
	for _, sh := range []domain.Shop{
		{ID: "shop-1", Name: "Nordic Home", Locale: "en",
			ReturnAddress: &domain.Address{Name: "Nordic Home Returns", Street: "Hamngatan 12", PostalCode: "111 47", City: "Stockholm", Country: "SE"}},
		{ID: "shop-2", Name: "Casa Sol", Locale: "es",
			ReturnAddress: &domain.Address{Name: "Casa Sol Devoluciones", Street: "Calle del Sol 8", PostalCode: "29001", City: "Málaga", Country: "ES"}},
	} {
		if _, err := s.Access.FindShop(ctx, sh.ID); domain.ErrorKind(err) == domain.NotFound {
			if err := s.Access.PutShop(ctx, &sh); err != nil {
				return nil, fmt.Errorf("demo: shop %s: %w", sh.ID, err)
			}
		} else if err != nil {
			return nil, err
		}
	}
	w := &World{Users: map[string]*domain.User{}}
	for _, p := range People() {
		u, err := s.Access.FindUserByName(ctx, p.Name)
		if domain.ErrorKind(err) == domain.NotFound {
			u = &domain.User{Name: p.Name, Display: p.Display, Role: p.Role, ShopID: p.ShopID, Locale: p.Locale,
				Email: p.Name + "@demo.example", Team: p.Team, Skills: p.Skills}
			err = s.Access.CreateUser(ctx, u)
			if err == nil {
				err = s.Access.SetPassword(ctx, u.ID, "", Password)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", p.Name, err)
		}
		if _, err := s.Access.PutTokenSecret(ctx, u.ID, "demo", Token(p.Name), nil); err != nil {
			return nil, fmt.Errorf("demo: token of %s: %w", p.Name, err)
		}
		w.Users[p.Name] = u
		if err := seedGrants(ctx, s.Access, u, p.Grants); err != nil {
			return nil, fmt.Errorf("demo: grants of %s: %w", p.Name, err)
		}
	}
	for _, o := range Orders(w, now) {
		if _, err := s.Orders.FindOrder(ctx, o.Number); domain.ErrorKind(err) != domain.NotFound {
			if err != nil {
				return nil, err
			}
			continue
		}
		if _, _, err := s.Orders.PutOrder(ctx, &o); err != nil {
			return nil, fmt.Errorf("demo: order %s: %w", o.Number, err)
		}
	}
	return w, nil
}

// seedGrants gives u the permissions it does not hold yet, looked for by
// permission whoever granted them (so a demo restart gives back a grant an
// admin revoked: the demo world is a fixture).
func seedGrants(ctx context.Context, s domain.AccessService, u *domain.User, perms []string) error {
	if len(perms) == 0 {
		return nil
	}
	have, err := s.ListGrants(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, p := range perms {
		if slices.ContainsFunc(have, func(g domain.Grant) bool { return g.Permission == p }) {
			continue
		}
		if err := s.Grant(ctx, &domain.Grant{AgentID: u.ID, Permission: p}); err != nil {
			return err
		}
	}
	return nil
}

func ago(now time.Time, d time.Duration) *time.Time {
	t := now.Add(-d).UTC().Truncate(time.Second)
	return &t
}

const day = 24 * time.Hour

// Orders are the demo orders: 1001 (ana, shop-1, two lines, shipped 10 days
// ago), 1002 (ana, shop-2, shipped 250 days ago: past the refund window),
// 2001 (ben, shop-1, delivered 2 days ago).
func Orders(w *World, now time.Time) []domain.Order {
	ana, ben := w.Users["ana"].ID, w.Users["ben"].ID
	anaHome := &domain.Address{Name: "Ana García", Street: "Calle Mayor 5, 2º B", PostalCode: "28013", City: "Madrid", Country: "ES"}
	benHome := &domain.Address{Name: "Ben Carter", Street: "14 Elm Road", PostalCode: "BS1 4DJ", City: "Bristol", Country: "GB"}
	return []domain.Order{
		{Number: "1001", CustomerID: ana, ShopID: "shop-1", Currency: "EUR", State: domain.OrderShipped,
			PlacedAt: *ago(now, 12*day), ShippedAt: ago(now, 10*day), Shipping: 495, ShipTo: anaHome,
			Lines: []domain.Line{
				{No: 1, SKU: "NH-LAMP-01", Title: "Oak table lamp", Quantity: 1, UnitPrice: 4990},
				{No: 2, SKU: "NH-BULB-E27", Title: "LED bulb E27, warm white", Quantity: 3, UnitPrice: 650},
			}},
		{Number: "1002", CustomerID: ana, ShopID: "shop-2", Currency: "EUR", State: domain.OrderDelivered,
			PlacedAt: *ago(now, 253*day), ShippedAt: ago(now, 250*day), DeliveredAt: ago(now, 247*day), Shipping: 390, ShipTo: anaHome,
			Lines: []domain.Line{{No: 1, SKU: "CS-TOWEL-L", Title: "Cotton beach towel", Quantity: 2, UnitPrice: 1890}}},
		{Number: "2001", CustomerID: ben, ShopID: "shop-1", Currency: "EUR", State: domain.OrderDelivered,
			PlacedAt: *ago(now, 6*day), ShippedAt: ago(now, 4*day), DeliveredAt: ago(now, 2*day), Shipping: 0, ShipTo: benHome,
			Lines: []domain.Line{{No: 1, SKU: "NH-THROW-GR", Title: "Wool throw, grey", Quantity: 1, UnitPrice: 5900}}},
	}
}
