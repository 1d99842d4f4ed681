// Package bolttest hands the store contract suite (domain/storetest) the
// services of one store, whatever engine serves it: the bbolt file's
// contract test and PostgreSQL's build them the same way.
package bolttest

import (
	"context"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/storetest"
)

// Services returns the suite's services on db under the suite's policy,
// closing db when t ends.
func Services(t *testing.T, db *bolt.DB, c storetest.Config) storetest.Services {
	t.Helper()
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
}
