package bolt_test

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/storetest"
)

// TestContract runs the store-agnostic contract against a bbolt file per
// subtest. The suite tests behaviour, not durability: commits skip fsync
// (Close syncs) and passwords hash at bcrypt's minimum cost.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c storetest.Config) storetest.Services {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "domain.db"), bolt.Options{Now: c.Now, NoSync: true, PasswordCost: bcrypt.MinCost})
		if err != nil {
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
