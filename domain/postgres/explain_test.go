package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// TestInboxListsUseIndexes seeds a few thousand threads through the
// services, then lists inboxes (a customer's, a shop's, customer care's,
// with every filter and both sorts) with PostgreSQL's auto_explain logging
// the plan of every statement the engine runs, and checks that each plan
// reads kv (and kv_buckets) through an index: no list scans a table.
//
// The statements are captured where they run: auto_explain is loaded for
// the test's database (session_preload_libraries), so the plans are those
// of the engine's own statements with its own parameters, whatever shape
// the engine gives them.
func TestInboxListsUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a few thousand threads")
	}
	dbURL := pgtest.DB(t, pgtest.NoSync())
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0

	eng := open(t, dbURL)
	db, err := bolt.OpenOn(eng, t.TempDir(), bolt.Options{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	s := bolt.NewServices(db, p)
	if _, err := demo.Seed(ctx, demo.Services{Access: s.Access, Orders: s.Orders}, now); err != nil {
		t.Fatal(err)
	}
	sys := domain.WithActor(ctx, demo.System)
	as := func(name string) context.Context {
		a, err := s.Access.Authenticate(ctx, demo.Token(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return domain.WithActor(ctx, a)
	}

	// Customers c00…c19, an order each in both shops, and threads on them:
	// eight topics, a third answered by the seller, one in seven closed.
	const customers, threads = 20, 2000
	type order struct{ number, customer, seller string }
	var orders []order
	for c := range customers {
		name := fmt.Sprintf("c%02d", c)
		u := &domain.User{Name: name, Display: fmt.Sprintf("Customer %02d Lindqvist", c), Role: domain.RoleCustomer, Locale: "en"}
		if err := s.Access.CreateUser(sys, u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Access.PutTokenSecret(sys, u.ID, "test", "tok-"+name+"-0123456789abcdef-0123456789", nil); err != nil {
			t.Fatal(err)
		}
		for k, shop := range []struct{ id, seller string }{{"shop-1", "sam"}, {"shop-2", "sue"}} {
			shipped, delivered := now.Add(-5*24*time.Hour), now.Add(-3*24*time.Hour)
			o := domain.Order{Number: fmt.Sprintf("5%02d%d", c, k), CustomerID: u.ID, ShopID: shop.id, Currency: "EUR", State: domain.OrderDelivered,
				PlacedAt: now.Add(-6 * 24 * time.Hour), ShippedAt: &shipped, DeliveredAt: &delivered,
				Lines: []domain.Line{{No: 1, SKU: "MUG", Title: "Stoneware mug", Quantity: 1, UnitPrice: 1290}}}
			if _, _, err := s.Orders.PutOrder(sys, &o); err != nil {
				t.Fatal(err)
			}
			orders = append(orders, order{o.Number, name, shop.seller})
		}
	}
	customerCtx := map[string]context.Context{}
	for c := range customers {
		name := fmt.Sprintf("c%02d", c)
		a, err := s.Access.Authenticate(ctx, "tok-"+name+"-0123456789abcdef-0123456789")
		if err != nil {
			t.Fatal(err)
		}
		customerCtx[name] = domain.WithActor(ctx, a)
	}
	sellers := map[string]context.Context{"sam": as("sam"), "sue": as("sue")}
	topics := []string{domain.TopicOrderStatus, domain.TopicDelivery, domain.TopicInvoice, domain.TopicReturn,
		domain.TopicRefund, domain.TopicProduct, domain.TopicPayment, domain.TopicOther}
	words := []string{"scratched", "late", "wrong colour", "missing lid", "invoice copy", "courier", "refund status", "broken handle"}
	t0 := time.Now()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	// One writer: the plans are the point here, not contention.
	const seeders = 1
	for w := range seeders {
		wg.Go(func() {
			for i := w; i < threads; i += seeders {
				o := orders[i%len(orders)]
				th, err := s.Threads.CreateThread(customerCtx[o.customer], domain.NewThread{OrderNumber: o.number, Recipient: domain.PartySeller,
					Topic: topics[i%len(topics)], Subject: fmt.Sprintf("%s (%d)", words[i%len(words)], i), Body: "About my order: " + words[(i/3)%len(words)]})
				if err == nil && i%3 == 0 {
					_, err = s.Threads.PostMessage(sellers[o.seller], th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "We are looking into it."})
				}
				if err == nil && i%7 == 0 {
					_, err = s.Threads.CloseThread(sellers[o.seller], th.ID, "answered")
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("thread %d: %w", i, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Fatal(err)
	}
	t.Logf("seeded %d threads in %s", threads, time.Since(t0).Round(time.Millisecond))

	// From here every new session of the database logs the plan of each
	// statement it runs (at WARNING, which the test cluster logs).
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	u, _ := url.Parse(dbURL)
	dbName := strings.TrimPrefix(u.Path, "/")
	for _, q := range []string{
		"ANALYZE",
		"ALTER DATABASE " + pgx.Identifier{dbName}.Sanitize() + " SET session_preload_libraries = 'auto_explain'",
		"ALTER DATABASE " + pgx.Identifier{dbName}.Sanitize() + " SET auto_explain.log_min_duration = 0",
		"ALTER DATABASE " + pgx.Identifier{dbName}.Sanitize() + " SET auto_explain.log_level = 'warning'",
		"ALTER DATABASE " + pgx.Identifier{dbName}.Sanitize() + " SET auto_explain.log_nested_statements = on",
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	eng2, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng2.Close()
	db2, err := bolt.OpenOn(eng2, t.TempDir(), bolt.Options{PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	s2 := bolt.NewServices(db2, p)
	cluster := pgtest.Shared(t)
	var buckets int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM kv_buckets").Scan(&buckets); err != nil {
		t.Fatal(err)
	}
	if buckets > 500 {
		t.Errorf("kv_buckets has %d rows: buckets per record? Then reading it whole is a scan that grows with the data", buckets)
	}

	// The capture sees a table scan when there is one: a session of its own
	// (auto_explain loaded) counts kv's nested buckets, which no index answers.
	t.Run("a scan is seen", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tap := tapLog(cluster)
		mark := func(m string) {
			if _, err := conn.Exec(ctx, "DO $$ BEGIN RAISE WARNING '"+m+"'; END $$"); err != nil {
				t.Fatal(err)
			}
		}
		mark("scan-begin")
		if _, err := conn.Exec(ctx, "SELECT count(*) FROM kv WHERE value IS NULL"); err != nil {
			t.Fatal(err)
		}
		mark("scan-end")
		log, err := tap.until("WARNING:  scan-end")
		if err != nil {
			t.Fatal(err)
		}
		plans, err := capturedPlans(log, "scan-begin", "scan-end")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(plans, func(p string) bool { return strings.Contains(p, "Seq Scan on kv ") }) {
			t.Fatalf("the table scan was not captured: %q", plans)
		}
	})

	since, until := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name  string
		who   context.Context
		f     domain.ThreadFilter
		queue bool // the work queue (WorkService.Queue) rather than a thread list
	}{
		{"customer's inbox", customerCtx["c03"], domain.ThreadFilter{}, false},
		{"customer's, by due", customerCtx["c03"], domain.ThreadFilter{Sort: "due"}, false},
		{"shop's inbox", sellers["sam"], domain.ThreadFilter{}, false},
		{"shop's, by due", sellers["sam"], domain.ThreadFilter{Sort: "due"}, false},
		{"shop's, topic", sellers["sam"], domain.ThreadFilter{Topic: domain.TopicRefund}, false},
		{"shop's, topic by due", sellers["sam"], domain.ThreadFilter{Topic: domain.TopicRefund, Sort: "due"}, false},
		{"shop's, unread", sellers["sam"], domain.ThreadFilter{Status: "unread"}, false},
		{"shop's, overdue", sellers["sam"], domain.ThreadFilter{Status: "overdue"}, false},
		{"shop's, open", sellers["sam"], domain.ThreadFilter{Status: "open"}, false},
		{"shop's, closed", sellers["sam"], domain.ThreadFilter{Status: "closed"}, false},
		{"shop's, since and until", sellers["sam"], domain.ThreadFilter{Since: &since, Until: &until}, false},
		{"shop's, order", sellers["sam"], domain.ThreadFilter{OrderNumber: "5030"}, false},
		{"shop's, customer", sellers["sam"], domain.ThreadFilter{Customer: "lindq"}, false},
		{"shop's, text", sellers["sam"], domain.ThreadFilter{Text: "handle"}, false},
		{"shop's, text by due", sellers["sam"], domain.ThreadFilter{Text: "courier", Sort: "due"}, false},
		{"care's inbox", as("olga"), domain.ThreadFilter{}, false},
		{"care's, by due", as("olga"), domain.ThreadFilter{Sort: "due"}, false},
		{"care's, one shop", as("olga"), domain.ThreadFilter{ShopID: "shop-2"}, false},
		{"care's, one shop by due", as("olga"), domain.ThreadFilter{ShopID: "shop-2", Sort: "due"}, false},
		{"care's, one shop, topic", as("olga"), domain.ThreadFilter{ShopID: "shop-1", Topic: domain.TopicRefund}, false},
		{"care's, overdue", as("olga"), domain.ThreadFilter{Status: "overdue"}, false},
		{"care's, customer", as("olga"), domain.ThreadFilter{Customer: "c07"}, false},
		{"care's, order", as("olga"), domain.ThreadFilter{OrderNumber: "5111"}, false},
		{"care's, text", as("olga"), domain.ThreadFilter{Text: "scratched"}, false},
		{"care's work queue", as("olga"), domain.ThreadFilter{}, true},
		{"shop's work queue", sellers["sue"], domain.ThreadFilter{}, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			begin, end := fmt.Sprintf("explain-begin-%d", i), fmt.Sprintf("explain-end-%d", i)
			mark := func(m string) {
				if _, err := admin.Exec(ctx, "DO $$ BEGIN RAISE WARNING '"+m+"'; END $$"); err != nil {
					t.Fatal(err)
				}
			}
			tap := tapLog(cluster)
			mark(begin)
			f := c.f
			f.Limit = 20
			page := &domain.ThreadPage{}
			if c.queue {
				items, err := s2.Work.Queue(c.who, 20)
				if err != nil {
					t.Fatal(err)
				}
				page.Threads = make([]domain.Thread, len(items)) // counted below
			} else if page, err = s2.Threads.ListThreads(c.who, f); err != nil {
				t.Fatal(err)
			}
			// The page's cursor goes on with the same plans.
			if page.Next != "" {
				f.Cursor = page.Next
				if _, err := s2.Threads.ListThreads(c.who, f); err != nil {
					t.Fatal(err)
				}
			}
			mark(end)
			log, err := tap.until("WARNING:  " + end)
			if err != nil {
				t.Fatal(err)
			}
			plans, err := capturedPlans(log, begin, end)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Threads) == 0 && c.f.Status != "overdue" {
				t.Errorf("listed nothing: the filter matches no seeded thread, so it proves little")
			}
			if len(plans) == 0 {
				t.Fatalf("no plan logged between the marks: is auto_explain loaded?")
			}
			for _, pl := range plans {
				// kv_buckets holds one row per bucket, not per record
				// (checked small below): PostgreSQL rightly reads its page
				// or two whole. kv holds the records.
				onBuckets := strings.Contains(pl, " on kv_buckets ") && !strings.Contains(pl, " on kv ")
				if strings.Contains(pl, "One-Time Filter: false") {
					// Not a scan: a statement PostgreSQL knows returns
					// nothing, such as key >= NULL (a cursor's Seek(nil)
					// sent as NULL), where the list meant every key.
					t.Errorf("a statement of the list can never return a row:\n%s", pl)
					continue
				}
				if strings.Contains(pl, "Seq Scan on kv ") || (!onBuckets && !strings.Contains(pl, "Index")) {
					t.Errorf("a statement of the list does not read through an index:\n%s", pl)
				}
				// A list is a read-only transaction: no predicate locks,
				// so its point reads go by the primary key, not through
				// the hash index that writes need (tx.pointRead).
				if strings.Contains(pl, "kv_point") {
					t.Errorf("a statement of the list reads through kv_point, not the primary key:\n%s", pl)
				}
			}
			t.Logf("%d threads, %d statements, all index scans", len(page.Threads), len(plans))
		})
	}
}

// logTap keeps what the cluster logs from its start, although the cluster
// keeps only the tail of its log: it copies the new part every millisecond.
type logTap struct {
	mu   sync.Mutex
	acc  string
	gap  bool
	stop chan struct{}
}

func tapLog(c *pgtest.Cluster) *logTap {
	l := &logTap{acc: c.Output(), stop: make(chan struct{})}
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-tick.C:
			}
			out := c.Output()
			l.mu.Lock()
			if n := min(len(l.acc), 512); n > 0 {
				tail := l.acc[len(l.acc)-n:]
				if i := strings.LastIndex(out, tail); i >= 0 {
					l.acc += out[i+n:]
				} else {
					l.gap = true
				}
			} else {
				l.acc = out
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// until waits (up to 5 s: postgres writes its log a moment later) for s
// in the log, stops the tap and returns what it copied.
func (l *logTap) until(s string) (string, error) {
	defer close(l.stop)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		acc, gap := l.acc, l.gap
		l.mu.Unlock()
		if gap {
			return "", fmt.Errorf("the log grew faster than the tap copied it")
		}
		if strings.Contains(acc, s) || time.Now().After(deadline) {
			return acc, nil
		}
	}
}

var logLine = regexp.MustCompile(`^\S+ \S+ \S+ \[\d+\] `) // the log_line_prefix ("%m [%p] ")

// capturedPlans returns the plans auto_explain logged between the warnings
// begin and end in the server's log.
func capturedPlans(log, begin, end string) ([]string, error) {
	i := strings.Index(log, "WARNING:  "+begin)
	if i < 0 {
		return nil, fmt.Errorf("the log no longer holds %q (it keeps only its tail: list fewer threads)", begin)
	}
	j := strings.Index(log[i:], "WARNING:  "+end)
	if j < 0 {
		return nil, fmt.Errorf("the log does not hold %q", end)
	}
	var plans []string
	var cur *strings.Builder
	for _, line := range strings.Split(log[i:i+j], "\n") {
		if logLine.MatchString(line) {
			if cur != nil {
				plans = append(plans, cur.String())
				cur = nil
			}
			if strings.Contains(line, "plan:") {
				cur = &strings.Builder{}
				cur.WriteString(line + "\n")
			}
			continue
		}
		if cur != nil {
			cur.WriteString(line + "\n")
		}
	}
	if cur != nil {
		plans = append(plans, cur.String())
	}
	return plans, nil
}
