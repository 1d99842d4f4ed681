package postgres_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// postCost is what one committed write transaction sent: round trips,
// statements (BEGIN and COMMIT included) and rows written (keys put or
// deleted), from the engine's trace; for a read-only one, the rows its reads
// returned (read).
type postCost struct {
	roundTrips, statements, rows, read int
	trace                              []string
}

var traceWrite = regexp.MustCompile(`^WRITE (\d+) puts, (\d+) deletes`)

func costOf(trace []string) postCost {
	c := postCost{trace: trace}
	for _, s := range trace {
		switch {
		case s == "--- round trip":
			c.roundTrips++
		case strings.HasPrefix(s, "failed:"):
		case strings.HasPrefix(s, "rows read: "):
			c.read, _ = strconv.Atoi(strings.TrimPrefix(s, "rows read: "))
		default:
			c.statements++
			if m := traceWrite.FindStringSubmatch(s); m != nil {
				p, _ := strconv.Atoi(m[1])
				d, _ := strconv.Atoi(m[2])
				c.rows += p + d
			}
		}
	}
	return c
}

// What a durable post costs on PostgreSQL: the statements and round trips of
// PostMessage's transaction and the rows it writes, on the demo world (the
// bench's post: ana on a thread of order 1001, to the seller). The bounds
// are what the engine does now; a change that sends more fails here.
//
//	go test -run TestPostCost -v ./domain/postgres/   (-v lists the statements)
func TestPostCost(t *testing.T) {
	_, db, w := demoStore(t, pgtest.DB(t, pgtest.NoSync()), postgres.Options{})
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0 // as the bench serves: no quota (and no quota bucket to look up)
	ts := bolt.NewThreadService(db, p)
	actx := demoActor(w, "ana")
	th, err := ts.CreateThread(actx, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "start"})
	if err != nil {
		t.Fatal(err)
	}
	nm := domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "One more detail about my order: the parcel number is 00340434161234567890."}
	if _, err := ts.PostMessage(actx, th.ID, nm); err != nil { // the first post after the thread's start
		t.Fatal(err)
	}
	var traces [][]string
	postgres.TraceCommitted(func(tr []string) { traces = append(traces, tr) })
	_, err = ts.PostMessage(actx, th.ID, nm)
	postgres.TraceCommitted(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(traces) != 1 {
		t.Fatalf("a post ran %d write transactions, want 1", len(traces))
	}
	c := costOf(traces[0])
	for _, s := range c.trace {
		t.Log(s)
	}
	t.Logf("a post: %d round trips, %d statements, %d rows written", c.roundTrips, c.statements, c.rows)
	// BEGIN with the prefetch of the thread, the quota and the author; the
	// shop's users; their records and mail preferences; every write in one
	// statement with COMMIT. 59 rows: the message, its 11 words in each of
	// the thread's 3 inboxes, 10 index entries moved (20 rows), the thread,
	// the notification, the outbox event and its due entry, the audit entry.
	if c.roundTrips > 4 || c.statements > 6 || c.rows > 59 {
		t.Errorf("a post: %d round trips, %d statements, %d rows written; want at most 4, 6, 59", c.roundTrips, c.statements, c.rows)
	}
}
