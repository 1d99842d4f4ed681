package bolt

import (
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain/kv"
)

// A migration changes the schema once. Its id is recorded in meta/migrations
// when it has run; ids are never renamed, reordered or removed.
type migration struct {
	id string
	up func(tx kv.Tx) error
}

// migrations returns the schema's history, oldest first. Append to it; never
// edit a migration that has shipped.
func migrations() []migration {
	return []migration{
		{id: "0001_feedback_and_views", up: func(tx kv.Tx) error {
			fb, err := tx.CreateBucketIfNotExists(bucketFeedback)
			if err != nil {
				return err
			}
			if _, err := fb.CreateBucketIfNotExists(bucketVotes); err != nil {
				return err
			}
			if _, err := fb.CreateBucketIfNotExists(bucketCounts); err != nil {
				return err
			}
			_, err = tx.CreateBucketIfNotExists(bucketViews)
			return err
		}},
		// The after-sales domain. Each area's buckets are declared, and
		// created, in its own file.
		{id: "0002_core", up: coreMigration},                    // txn.go: audit, outbox, notifications
		{id: "0003_access_orders", up: accessMigration},         // access.go, orders.go: users, shops, tokens, grants, orders
		{id: "0004_threads", up: threadsMigration},              // threads.go: threads, messages, inbox indexes, attachments, routing
		{id: "0005_cases", up: casesMigration},                  // cases.go: incidents, refunds, claims, returns
		{id: "0006_deflection", up: deflectionMigration},        // deflection.go: help-centre sessions and their events
		{id: "0007_outbox_alerts", up: outboxMigration},         // outbox.go: dead events, deadline alerts sent
		{id: "0008_canned", up: cannedMigration},                // canned.go: sellers' saved answers
		{id: "0009_translations", up: translationsMigration},    // translations.go: messages waiting for a translation
		{id: "0010_payment_events", up: paymentEventsMigration}, // refunds_schema.go: payment callbacks applied
		{id: "0011_login_attempts", up: loginAttemptsMigration}, // access_schema.go: failed sign-ins per name
		{id: "0012_search_events", up: searchEventsMigration},   // searchevents.go: the search log and what was learned
		{id: mailMigrationID, up: mailMigration},                // mail.go: mails to send, email preferences, hand-off references
		{id: "0015_care", up: careMigration},                    // care.go: care reply deadlines, stored default routing rules, agents' team
		// threads_schema.go: the customer filter finds a word of a name
		{id: "0018_thread_customer_words", up: customerWordsMigration},
		{id: "0020_thread_words", up: threadWordsMigration}, // thread_words.go: the word index of the inbox's text filter
	}
}

// migrate runs, in order and in one write transaction, every migration not yet
// recorded in the file: all of them take effect or none does. It refuses a file
// that records a migration this program does not know, i.e. one written by a
// newer version, rather than misread it.
func (db *DB) migrate(migs []migration) error {
	known := make(map[string]bool, len(migs))
	for _, m := range migs {
		if known[m.id] {
			return fmt.Errorf("migration %q listed twice", m.id)
		}
		known[m.id] = true
	}
	return db.eng.Update(func(tx kv.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		applied, err := meta.CreateBucketIfNotExists(bucketMigrations)
		if err != nil {
			return err
		}
		if err := applied.ForEach(func(k, _ []byte) error {
			if !known[string(k)] {
				return fmt.Errorf("the file records migration %q, unknown to this version: it was written by a newer one", k)
			}
			return nil
		}); err != nil {
			return err
		}
		now := db.now().UTC().Format(time.RFC3339Nano)
		for _, m := range migs {
			if applied.Get([]byte(m.id)) != nil {
				continue
			}
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migration %s: %w", m.id, err)
			}
			if err := applied.Put([]byte(m.id), []byte(now)); err != nil {
				return err
			}
		}
		return nil
	})
}
