package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// What a page of the inbox costs on PostgreSQL: the round trips of
// ListThreads's read-only transaction (BEGIN and COMMIT included), as seller
// sam over 150 threads, pages of 20. The bounds are what the engine does
// now (the index walk of a page's entries in one read ahead, one read of
// its records, COMMIT); a change that reads more fails here.
//
//	go test -run TestInboxCost -v ./domain/postgres/   (-v lists the statements)
func TestInboxCost(t *testing.T) {
	_, db, w := demoStore(t, pgtest.DB(t, pgtest.NoSync()), postgres.Options{})
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0
	ana := demoActor(w, "ana")
	words := []string{"lamp", "sofa", "chair", "table", "mirror"}
	start := time.Now().Add(-200 * time.Hour)
	for i := range 150 {
		ts := bolt.NewThreadService(db.At(start.Add(time.Duration(i)*time.Hour)), p)
		if _, err := ts.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery,
			Body: fmt.Sprintf("Where is my %s? Order question %d", words[i%len(words)], i)}); err != nil {
			t.Fatal(err)
		}
	}
	ts := bolt.NewThreadService(db, p)
	sam := demoActor(w, "sam")
	for _, c := range []struct {
		name      string
		f         domain.ThreadFilter
		rows, max int // threads on the first page; round trips at most
	}{
		{"newest first", domain.ThreadFilter{}, 20, 3},
		{"topic", domain.ThreadFilter{Topic: domain.TopicDelivery}, 20, 3},
		{"due first", domain.ThreadFilter{Sort: "due"}, 20, 3},
		{"order", domain.ThreadFilter{OrderNumber: "1001"}, 20, 3},
		// Each word found, then its postings listed newest first in
		// one read each (the word's first key, then its range's last
		// ones), then the few threads found read and sorted ("order":
		// all 150; "lamp": 30; "sofa lamp" meets nowhere).
		{"text, a word in every thread", domain.ThreadFilter{Text: "order"}, 20, 4},
		{"text, a word in a fifth", domain.ThreadFilter{Text: "lamp"}, 20, 4},
		{"text, two words", domain.ThreadFilter{Text: "sofa lamp"}, 0, 5},
	} {
		c.f.Limit = 20
		if _, err := ts.ListThreads(sam, c.f); err != nil { // the buckets known: as a running server
			t.Fatal(err)
		}
		var traces [][]string
		postgres.TraceViewed(func(tr []string) { traces = append(traces, tr) })
		page, err := ts.ListThreads(sam, c.f)
		postgres.TraceViewed(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Threads) != c.rows {
			t.Errorf("%s: %d threads, want %d", c.name, len(page.Threads), c.rows)
		}
		if len(traces) != 1 {
			t.Fatalf("%s: %d read transactions, want 1", c.name, len(traces))
		}
		cost := costOf(traces[0])
		for _, s := range cost.trace {
			t.Log(s)
		}
		t.Logf("%s: %d round trips, %d statements, %d rows read", c.name, cost.roundTrips, cost.statements, cost.read)
		if cost.roundTrips > c.max {
			t.Errorf("%s: %d round trips, want at most %d", c.name, cost.roundTrips, c.max)
		}
	}
}
