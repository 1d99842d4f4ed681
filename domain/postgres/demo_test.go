package postgres_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/postgres"
)

// demoStore opens the store on the PostgreSQL database at url and seeds the
// demo world: where the post-cost test, the post benchmark and the erasure
// test start. The store and its engine close when tb ends.
func demoStore(tb testing.TB, url string, opts postgres.Options) (*postgres.Engine, *bolt.DB, *demo.World) {
	tb.Helper()
	ctx := context.Background()
	eng, err := postgres.Open(ctx, url, opts)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := bolt.OpenOn(eng, tb.TempDir(), bolt.Options{PasswordCost: bcrypt.MinCost})
	if err != nil {
		eng.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	w, err := demo.Seed(ctx, demo.Services{Access: bolt.NewAccessService(db), Orders: bolt.NewOrderService(db, domain.DefaultPolicy())}, time.Now().UTC())
	if err != nil {
		tb.Fatal(err)
	}
	return eng, db, w
}

// demoActor is the demo user name signed in.
func demoActor(w *demo.World, name string) context.Context {
	u := w.Users[name]
	return domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID, Locale: u.Locale})
}
