package postgres_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/domain/storetest"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// TestContract runs the store contract suite, unchanged, on PostgreSQL: a
// fresh database per subtest, the store's records served by the postgres
// engine (bolt.OpenOn), as domain/bolt's TestContract runs it on a bbolt
// file. Like there, it tests behaviour, not durability: commits do not
// wait for the WAL flush (pgtest.NoSync) and passwords hash at bcrypt's
// minimum cost. `make contract` runs both.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c storetest.Config) storetest.Services {
		eng, err := postgres.Open(context.Background(), pgtest.DB(t, pgtest.NoSync()), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db, err := bolt.OpenOn(eng, t.TempDir(), bolt.Options{Now: c.Now, PasswordCost: bcrypt.MinCost})
		if err != nil {
			eng.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s := bolt.NewServices(db, c.Policy)
		events := bolt.NewSearchEvents(db)
		learning, err := bolt.NewLearningService(context.Background(), db, events, storetest.Normalise, domain.DefaultLearnParams())
		if err != nil {
			t.Fatal(err)
		}
		return storetest.Services{
			SearchEvents: events, Learning: learning, Privacy: s.Privacy,
			Access: s.Access, Orders: s.Orders, Threads: s.Threads, Attachments: s.Attachments,
			Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims, Work: s.Work, Outbox: s.Outbox,
			Canned: s.Canned, Audit: s.Audit, Feedback: bolt.NewFeedbackService(db), Mail: s.Mail, Guests: s.Threads,
			Deflection: bolt.NewDeflectionService(db, c.Policy, domain.OrderFollowUps(s.Threads, s.Incidents, s.Claims)),
		}
	})
}
