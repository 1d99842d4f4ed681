package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/internal/loadgen"
	"github.com/marketplace/helpcentre/internal/proc"
	"github.com/marketplace/helpcentre/search"
)

// helpcentre bench --domain measures the after-sales domain through the real
// server (this binary as "serve --demo", fsync on as always):
//
//   - durable message posts: clients concurrent customers each posting to
//     their own thread, closed loop; messages/s acknowledged (201, so synced)
//     and the latency each client saw;
//   - the seller inbox over threads threads (seeded straight into the bbolt
//     file through the domain services before the server starts): GET
//     /api/v1/threads as seller sam with each filter, one client at a time,
//     p50/p99.

// DomainOptions configure the after-sales bench (RunDomain).
type DomainOptions struct {
	Duration      time.Duration // of the posting phase
	InboxDuration time.Duration // per inbox filter
	Clients       int           // posting messages concurrently
	InboxClients  int           // reading the inbox concurrently
	Threads       int           // seeded before the inbox is measured
	Orders        int           // the seeded threads are about
	Customers     int           // the seeded orders belong to
	JSON          bool          // print one JSON object instead of the table
	Exe           string        // the helpcentre binary started as the server under test; "": this one
	// Store, a PostgreSQL URL, adds PostgreSQL beside bbolt in the same
	// run: the seeded bbolt store is copied into it (as migrate-store
	// does, replacing what the database held) and a second server on it
	// (serve --store) is measured the same way.
	Store string
}

// DefaultDomainOptions are bench --domain's defaults.
func DefaultDomainOptions() DomainOptions {
	return DomainOptions{Duration: 10 * time.Second, InboxDuration: 3 * time.Second, Clients: 64, InboxClients: 1,
		Threads: 100_000, Orders: 10_000, Customers: 1_000}
}

// domainReport is what bench --domain prints as JSON: bbolt's figures at
// the top level, PostgreSQL's beside them when --store was given.
type domainReport struct {
	Machine proc.Machine `json:"machine"`
	Go      string       `json:"go"`
	Date    string       `json:"date"`
	// NoiseCores is the CPU other processes used while the bench sat idle
	// for a second before the run: the machine's background load.
	NoiseCores float64 `json:"noise_cores"`
	storeReport
	Postgres *storeReport `json:"postgres,omitempty"`
}

// storeReport are one store's figures.
type storeReport struct {
	Store       string        `json:"store"`             // bbolt, postgres
	Messages    postingReport `json:"messages"`          // from cfg.Clients clients (64)
	MessagesOne postingReport `json:"messages_1_client"` // one client: the latency of a synced write alone
	Inbox       inboxReport   `json:"inbox"`
}

type postingReport struct {
	Clients   int     `json:"clients"`
	Seconds   float64 `json:"seconds"`
	Posted    int     `json:"posted"` // acknowledged: 201, synced to disk
	Errors    int     `json:"errors"`
	PerSecond float64 `json:"per_second"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Cores     float64 `json:"server_cores"`
	// OtherCores is the CPU of every other process meanwhile: noise on
	// bbolt, PostgreSQL's own work (and noise) on PostgreSQL.
	OtherCores float64 `json:"other_cores"`
	// PG is what PostgreSQL did per acknowledged post (PostgreSQL only).
	PG *pgPostStats `json:"postgres_stats,omitempty"`
}

type inboxReport struct {
	Threads int             `json:"threads"`
	SeedS   float64         `json:"seed_s"`
	CopyS   float64         `json:"copy_s,omitempty"` // PostgreSQL: the seeded bbolt store copied in (migrate-store)
	FileMB  float64         `json:"file_mb"`          // PostgreSQL: the database's size
	Clients int             `json:"clients"`
	SettleS float64         `json:"settle_s"` // the server's own start-up work waited for before timing (settle)
	Filters []filterLatency `json:"filters"`
}

type filterLatency struct {
	Name     string  `json:"name"`
	Query    string  `json:"query"` // an example
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Rows     float64 `json:"rows"` // threads per answer, on average
	QPS      float64 `json:"qps"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
}

// RunDomain measures the after-sales domain through the real server and
// prints the report on stdout, its progress on stderr.
func RunDomain(ctx context.Context, cfg DomainOptions, stdout, stderr io.Writer) error {
	var err error
	if cfg.Exe == "" {
		if cfg.Exe, err = os.Executable(); err != nil {
			return fmt.Errorf("bench: find this binary to start the server: %w", err)
		}
	}
	// The figures need the kernel's CPU accounting (Linux's /proc): where
	// there is none, say so before the long set-up.
	if _, err := proc.TakeCPUWindow(nil); err != nil {
		return err
	}
	rep, err := benchDomain(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	if cfg.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printDomainTable(stdout, rep)
	return nil
}

func benchDomain(ctx context.Context, cfg DomainOptions, log io.Writer) (*domainReport, error) {
	rep := &domainReport{Machine: proc.ThisMachine(), Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339)}
	tmp, err := os.MkdirTemp("", "helpcentre-bench-domain-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dataDir := filepath.Join(tmp, "data")
	dbPath := filepath.Join(dataDir, "helpcentre.db") // where serve keeps it

	if w0, err := proc.TakeCPUWindow(nil); err == nil {
		time.Sleep(time.Second)
		if w1, err := proc.TakeCPUWindow(nil); err == nil {
			rep.NoiseCores = round(proc.Others(w0, w1).Seconds()/w1.Wall.Sub(w0.Wall).Seconds(), 2)
		}
	}
	fmt.Fprintf(log, "bench: seeding %s threads on %s orders of %s customers into %s\n", thousands(float64(cfg.Threads)), thousands(float64(cfg.Orders)), thousands(float64(cfg.Customers)), dbPath)
	start := time.Now()
	seeded, err := seedInbox(ctx, dbPath, cfg, log)
	if err != nil {
		return nil, err
	}
	rep.Store = "bbolt"
	rep.Inbox = inboxReport{Threads: cfg.Threads, SeedS: round(time.Since(start).Seconds(), 1), Clients: cfg.InboxClients}
	if fi, err := os.Stat(dbPath); err == nil {
		rep.Inbox.FileMB = round(float64(fi.Size())/(1<<20), 1)
	}
	// PostgreSQL starts from the same records: the seeded file, copied
	// before either server has written to it.
	var pg *pgProbe
	if cfg.Store != "" {
		rep.Postgres = &storeReport{Store: "postgres", Inbox: rep.Inbox}
		fmt.Fprintf(log, "bench: copying the seeded store into PostgreSQL (as migrate-store does)\n")
		start := time.Now()
		if err := copyToPostgres(ctx, dbPath, cfg.Store); err != nil {
			return nil, err
		}
		rep.Postgres.Inbox.CopyS = round(time.Since(start).Seconds(), 1)
		if pg, err = newPGProbe(ctx, cfg.Store); err != nil {
			return nil, err
		}
		defer pg.close()
		rep.Postgres.Inbox.FileMB = pg.sizeMB(ctx)
	}

	if err := benchStore(ctx, cfg, &rep.storeReport, seeded, nil, log, nil, "--data", dataDir); err != nil {
		return nil, err
	}
	if pg != nil {
		// serve refuses a shared store without HELPCENTRE_SECRET: any will
		// do for one replica.
		secret := make([]byte, 24)
		_, _ = rand.Read(secret)
		env := []string{"HELPCENTRE_SECRET=" + hex.EncodeToString(secret)}
		if err := benchStore(ctx, cfg, rep.Postgres, seeded, pg, log, env, "--data", filepath.Join(tmp, "pgdata"), "--store", cfg.Store); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// benchStore starts the server with env and args (its store) and measures
// the inbox and the posts on it into r.
func benchStore(ctx context.Context, cfg DomainOptions, r *storeReport, seeded *seededInbox, pg *pgProbe, log io.Writer, env []string, args ...string) error {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return err
	}
	argv := []string{"serve", "--demo", "--addr", addr, "--messages-per-minute", "0",
		"--poll", "0", "--log-level", "error", "--shutdown-timeout", "2s", "--max-conns-per-ip", "0"} // one client, many connections
	c, err := proc.Start(ctx, env, cfg.Exe, append(argv, args...)...)
	if err != nil {
		return err
	}
	defer c.Stop()
	lc, err := loadgen.NewClient(addr, cfg.Clients+cfg.InboxClients+2)
	if err != nil {
		return err
	}
	defer lc.CloseIdle()
	if err := waitReady(ctx, c, lc, "", 5*time.Minute); err != nil {
		return err
	}

	start := time.Now()
	if err := settle(ctx, c, pg != nil); err != nil {
		return err
	}
	r.Inbox.SettleS = round(time.Since(start).Seconds(), 1)
	fmt.Fprintf(log, "bench: %s: the server's start-up work took %.0f s\n", r.Store, r.Inbox.SettleS)
	fmt.Fprintf(log, "bench: %s: the seller inbox, %d client(s), %s per filter\n", r.Store, cfg.InboxClients, cfg.InboxDuration)
	if r.Inbox.Filters, err = benchInbox(ctx, cfg, lc, seeded); err != nil {
		return c.Failure(err.Error())
	}
	fmt.Fprintf(log, "bench: %s: posting messages from %d clients for %s\n", r.Store, cfg.Clients, cfg.Duration)
	if r.Messages, err = benchPosting(ctx, cfg, c, lc, pg); err != nil {
		return c.Failure(err.Error())
	}
	one := cfg
	one.Clients, one.Duration = 1, max(cfg.Duration/2, time.Second)
	fmt.Fprintf(log, "bench: %s: posting messages from 1 client for %s\n", r.Store, one.Duration)
	if r.MessagesOne, err = benchPosting(ctx, one, c, lc, pg); err != nil {
		return c.Failure(err.Error())
	}
	c.Stop()
	return nil
}

// settle waits until the server, ready, has done the work it starts on its
// own: at its first start on the seeded store, the outbox events the
// seeding wrote (it runs no worker: every event is still due) and the
// deadline alerts of the threads it left overdue or nearly so (1,668 at
// 100,000 threads). Until 2026-12-07 the worker, with no webhook URL,
// claimed and marked those one transaction per event: 88-108 s at 100,000
// threads on either store, on PostgreSQL with the server and the database
// on 1.5 of the 2 cores, the inbox's phases included when the bench did
// not wait (their p99 measured that, not the inbox). It marks a batch per
// transaction now. The server is settled when it uses under a tenth of a
// core for two seconds in a row and, with a database of its own (shared),
// the other processes under half a core: on PostgreSQL the server mostly
// waits while the database works, and a server-only check once passed
// before that work was over (its inbox phases ran through it). After 5
// minutes the bench goes on regardless.
func settle(ctx context.Context, c *proc.Child, shared bool) error {
	const idle, othersIdle = 0.1, 0.5 // cores
	quiet, deadline := 0, time.Now().Add(5*time.Minute)
	last, err := proc.TakeCPUWindow(c)
	if err != nil {
		return err
	}
	for quiet < 2 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		now, err := proc.TakeCPUWindow(c)
		if err != nil {
			return err
		}
		wall := now.Wall.Sub(last.Wall).Seconds()
		if (now.Server-last.Server).Seconds() < idle*wall && (!shared || proc.Others(last, now).Seconds() < othersIdle*wall) {
			quiet++
		} else {
			quiet = 0
		}
		last = now
	}
	return nil
}

func waitReady(ctx context.Context, c *proc.Child, lc *loadgen.Client, who string, limit time.Duration) error {
	start := time.Now()
	for {
		if c.Exited() {
			return c.Failure("waiting for " + who + "/readyz")
		}
		if status, _, err := lc.Fetch("/readyz", 2*time.Second); err == nil && status == 200 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(start) > limit {
			return c.Failure(fmt.Sprintf("%snot ready after %s", who, limit))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// seedOptions open the file the bench seeds. Seeding commits one thread at a
// time through the services; synced that is ~200 threads/s on a busy 2-core
// machine, so the throwaway file is written unsynced (~5× faster) and synced
// once at Close. The server then measured syncs every commit, as always.
var seedOptions = bolt.Options{NoSync: true}

// seededInbox is what the inbox phase asks for: names and numbers that exist.
type seededInbox struct {
	customers []string // display names of shop-1's customers
	orders    []string // shop-1's order numbers
}

// benchTopics are the seeded threads' topics, most common first.
var benchTopics = []string{domain.TopicDelivery, domain.TopicOrderStatus, domain.TopicReturn, domain.TopicRefund,
	domain.TopicProduct, domain.TopicInvoice, domain.TopicPayment, domain.TopicOther}

// seedInbox writes the demo world, customers, orders and threads into a new
// bbolt file through the domain services, as the API would, each thread in
// the past so that clocks run and some are overdue. Every third thread got
// a seller reply an hour after it started.
func seedInbox(ctx context.Context, path string, cfg DomainOptions, log io.Writer) (*seededInbox, error) {
	db, err := bolt.Open(path, seedOptions)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p := domain.DefaultPolicy()
	access, orders := bolt.NewAccessService(db), bolt.NewOrderService(db, p)
	now := time.Now().UTC()
	w, err := demo.Seed(ctx, demo.Services{Access: access, Orders: orders}, now)
	if err != nil {
		return nil, err
	}
	sys := domain.WithActor(ctx, demo.System)
	custs := make([]*domain.User, cfg.Customers)
	for i := range custs {
		u := &domain.User{Name: fmt.Sprintf("bench-c%05d", i), Display: fmt.Sprintf("Customer %05d", i), Role: domain.RoleCustomer, Locale: "en"}
		if err := access.CreateUser(sys, u); err != nil {
			return nil, fmt.Errorf("seed customer: %w", err)
		}
		custs[i] = u
	}
	type seededOrder struct {
		number, shop string
		cust         *domain.User
	}
	ords := make([]seededOrder, cfg.Orders)
	out := &seededInbox{}
	for i := range ords {
		cu := custs[i%len(custs)]
		shop := "shop-1"
		if i%5 == 4 {
			shop = "shop-2" // a fifth elsewhere: the seller's inbox is not everything
		}
		placed := now.Add(-20 * 24 * time.Hour).Truncate(time.Second)
		shipped := placed.Add(24 * time.Hour)
		o := &domain.Order{Number: fmt.Sprintf("b%06d", i), CustomerID: cu.ID, ShopID: shop, Currency: "EUR", State: domain.OrderShipped,
			PlacedAt: placed, ShippedAt: &shipped, Shipping: 495,
			Lines: []domain.Line{{No: 1, SKU: "B-1", Title: "Bench item", Quantity: 1, UnitPrice: 1990}}}
		if _, _, err := orders.PutOrder(sys, o); err != nil {
			return nil, fmt.Errorf("seed order: %w", err)
		}
		ords[i] = seededOrder{o.Number, shop, cu}
		if shop == "shop-1" {
			out.orders = append(out.orders, o.Number)
			if i < len(custs) {
				out.customers = append(out.customers, cu.Display)
			}
		}
	}
	sellers := map[string]context.Context{}
	for _, name := range []string{"sam", "sue"} {
		u := w.Users[name]
		sellers[u.ShopID] = domain.WithActor(ctx, domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID})
	}
	// Several writers: bbolt serialises the commits, but the work around
	// them (validation, encoding) overlaps.
	var next atomic.Int64
	var done atomic.Int64
	errc := make(chan error, 8)
	var wg sync.WaitGroup
	started := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Threads || ctx.Err() != nil {
					return
				}
				o := ords[i%len(ords)]
				// Spread over the last ten days: those older than 48 h with
				// no reply are overdue.
				at := now.Add(-time.Duration(float64(i) / float64(cfg.Threads) * float64(240*time.Hour))).Truncate(time.Millisecond)
				actx := domain.WithActor(ctx, domain.Actor{UserID: o.cust.ID, Name: o.cust.Name, Role: domain.RoleCustomer})
				th, err := bolt.NewThreadService(db.At(at), p).CreateThread(actx, domain.NewThread{OrderNumber: o.number, Recipient: domain.PartySeller,
					Topic: benchTopics[i%len(benchTopics)], Subject: fmt.Sprintf("Question %d", i), Body: benchBody(i)})
				if err == nil && i%3 == 0 {
					_, err = bolt.NewThreadService(db.At(at.Add(time.Hour)), p).PostMessage(sellers[o.shop], th.ID,
						domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "Thank you, we are on it."})
				}
				if err != nil {
					errc <- fmt.Errorf("seed thread %d: %w", i, err)
					return
				}
				if n := done.Add(1); n%20000 == 0 {
					fmt.Fprintf(log, "bench:   %s threads (%.0f/s)\n", thousands(float64(n)), float64(n)/time.Since(started).Seconds())
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// benchInbox times GET /api/v1/threads as seller sam with each filter.
func benchInbox(ctx context.Context, cfg DomainOptions, lc *loadgen.Client, s *seededInbox) ([]filterLatency, error) {
	if len(s.customers) == 0 || len(s.orders) == 0 {
		return nil, errors.New("no shop-1 customers or orders were seeded")
	}
	many := func(format string, values []string) []string {
		out := make([]string, 0, min(len(values), 1000))
		for i := 0; i < len(values) && i < 1000; i++ {
			out = append(out, fmt.Sprintf(format, strings.ReplaceAll(values[(i*7919)%len(values)], " ", "%20")))
		}
		return out
	}
	classes := []struct {
		name    string
		targets []string
	}{
		{"newest first (no filter)", []string{"/api/v1/threads"}},
		{"topic", many("/api/v1/threads?topic=%s", benchTopics)},
		{"customer", many("/api/v1/threads?customer=%s", s.customers)},
		{"order", many("/api/v1/threads?order=%s", s.orders)},
		{"status=overdue", []string{"/api/v1/threads?status=overdue"}},
		{"sort=due", []string{"/api/v1/threads?sort=due"}},
		{"topic + sort=due", many("/api/v1/threads?sort=due&topic=%s", benchTopics)},
		{"status=unread", []string{"/api/v1/threads?status=unread"}},
		// The text filter through the word index: a word in every thread,
		// a word in ~1 % of them, two words, a word beginning.
		{"text, common word", []string{"/api/v1/threads?text=order"}},
		{"text, rare word", many("/api/v1/threads?text=%s", benchWords)},
		{"text, two words", many("/api/v1/threads?text=%s", benchWordPairs())},
		{"text, word beginning", many("/api/v1/threads?text=%.4s", benchWords)},
	}
	token := demo.Token("sam")
	var out []filterLatency
	for _, cl := range classes {
		var rows atomic.Int64
		run := func(i int) (bool, error) {
			status, body, err := lc.Send("GET", cl.targets[i%len(cl.targets)], token, nil)
			if err != nil {
				return false, err
			}
			if status != 200 {
				return false, nil
			}
			var page struct {
				Threads []json.RawMessage `json:"threads"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return false, nil
			}
			rows.Add(int64(len(page.Threads)))
			return true, nil
		}
		if _, err := closedRun(ctx, cfg.InboxClients, min(cfg.InboxDuration/5, time.Second), run); err != nil {
			return nil, err
		}
		rows.Store(0)
		res, err := closedRun(ctx, cfg.InboxClients, cfg.InboxDuration, run)
		if err != nil {
			return nil, err
		}
		fl := filterLatency{Name: cl.name, Query: cl.targets[0], Requests: res.Requests, Errors: res.Errors,
			QPS: round(res.QPS(), 0), P50: round(search.Percentile(res.Lat, 0.50), 2), P99: round(search.Percentile(res.Lat, 0.99), 2)}
		if ok := res.Requests - res.Errors; ok > 0 {
			fl.Rows = round(float64(rows.Load())/float64(ok), 1)
		}
		if res.Errors == res.Requests {
			return nil, fmt.Errorf("inbox %s: all %d requests failed", cl.name, res.Requests)
		}
		out = append(out, fl)
	}
	return out, nil
}

// benchPosting has each client start a thread on order 1001 as ana, then post
// to it as fast as the server acknowledges.
func benchPosting(ctx context.Context, cfg DomainOptions, c *proc.Child, lc *loadgen.Client, pg *pgProbe) (postingReport, error) {
	token := demo.Token("ana")
	ids := make([]string, cfg.Clients)
	for i := range ids {
		body, _ := json.Marshal(map[string]any{"recipient": "seller", "topic": domain.TopicDelivery, "subject": fmt.Sprintf("Bench client %d", i), "body": "Where is my parcel?"})
		status, res, err := lc.Send("POST", "/api/v1/orders/1001/threads", token, body)
		var th struct{ ID string }
		if err != nil || status != 201 || json.Unmarshal(res, &th) != nil || th.ID == "" {
			return postingReport{}, fmt.Errorf("start a thread: %d %v %.200s", status, err, res)
		}
		ids[i] = th.ID
	}
	msg := []byte(`{"to":["seller"],"body":"One more detail about my order: the parcel number is 00340434161234567890."}`)
	var client atomic.Int64
	perClient := func() func(int) (bool, error) {
		id := ids[int(client.Add(1)-1)%len(ids)]
		return func(int) (bool, error) {
			status, _, err := lc.Send("POST", "/api/v1/threads/"+id+"/messages", token, msg)
			return status == 201, err
		}
	}
	if _, err := closedRunEach(ctx, cfg.Clients, min(cfg.Duration/5, 2*time.Second), perClient); err != nil {
		return postingReport{}, err
	}
	client.Store(0)
	var pg0 pgCounters
	if pg != nil {
		var err error
		if pg0, err = pg.counters(ctx); err != nil {
			return postingReport{}, err
		}
	}
	w0, err := proc.TakeCPUWindow(c)
	if err != nil {
		return postingReport{}, err
	}
	res, err := closedRunEach(ctx, cfg.Clients, cfg.Duration, perClient)
	if err != nil {
		return postingReport{}, err
	}
	w1, err := proc.TakeCPUWindow(c)
	if err != nil {
		return postingReport{}, err
	}
	wall := w1.Wall.Sub(w0.Wall).Seconds()
	r := postingReport{
		Clients: cfg.Clients, Seconds: round(res.Elapsed.Seconds(), 1), Posted: res.Requests - res.Errors, Errors: res.Errors,
		PerSecond: round(res.QPS(), 0), P50: round(search.Percentile(res.Lat, 0.50), 2), P99: round(search.Percentile(res.Lat, 0.99), 2),
		Cores:      round((w1.Server-w0.Server).Seconds()/wall, 2),
		OtherCores: round(proc.Others(w0, w1).Seconds()/wall, 2),
	}
	if pg != nil {
		pg1, err := pg.counters(ctx)
		if err != nil {
			return postingReport{}, err
		}
		r.PG = pg1.since(pg0, r.Posted, wall)
	}
	return r, nil
}

// closedRun keeps conc calls of run in flight for d; run reports whether its
// request succeeded.
func closedRun(ctx context.Context, conc int, d time.Duration, run func(i int) (bool, error)) (loadgen.Result, error) {
	return closedRunEach(ctx, conc, d, func() func(int) (bool, error) { return run })
}

// closedRunEach is closedRun with a run function of its own per worker.
func closedRunEach(ctx context.Context, conc int, d time.Duration, newRun func() func(i int) (bool, error)) (loadgen.Result, error) {
	return loadgen.ClosedCalls(ctx, loadgen.Phase{Concurrency: conc, Duration: d}, newRun)
}

func printDomainTable(w io.Writer, r *domainReport) {
	fmt.Fprintf(w, "helpcentre bench --domain — %s, %d cores, %s, %s; other processes used %.2f cores before the run\n\n",
		r.Machine.CPU, r.Machine.Cores, r.Go, r.Date, r.NoiseCores)
	stores := []*storeReport{&r.storeReport}
	if r.Postgres != nil {
		stores = append(stores, r.Postgres)
	}
	fmt.Fprintf(w, "Posting messages durably (fsync on) through POST /api/v1/threads/{id}/messages\n")
	for _, s := range stores {
		for _, m := range []postingReport{s.Messages, s.MessagesOne} {
			fmt.Fprintf(w, "  %-8s %2d client(s), %.0f s: %s acknowledged, %.0f messages/s, p50 %.2f ms, p99 %.2f ms, %d errors, server %.2f cores, other processes %.2f cores\n",
				s.Store, m.Clients, m.Seconds, thousands(float64(m.Posted)), m.PerSecond, m.P50, m.P99, m.Errors, m.Cores, m.OtherCores)
			if g := m.PG; g != nil {
				stmts := "statements not counted (pg_stat_statements not loaded)"
				if g.StatementsPerPost > 0 {
					stmts = fmt.Sprintf("%.1f statements", g.StatementsPerPost)
				}
				fmt.Fprintf(w, "  %-8s    per post: %.2f commits, %.3f rollbacks (retried conflicts), %s, %.1f rows written, %.1f WAL records, %.1f KB WAL, %.3f WAL flushes (%.0f/s, %.2f ms each)\n",
					"", g.CommitsPerPost, g.RollbacksPerPost, stmts, g.RowsPerPost, g.WALRecordsPerPost, g.WALKBPerPost, g.WALSyncsPerPost, g.WALSyncsPerSecond, g.WALSyncMs)
			}
		}
	}
	fmt.Fprintln(w)
	in := r.Inbox
	fmt.Fprintf(w, "Seller inbox GET /api/v1/threads (seller sam) over %s threads, %d client(s); bbolt: seeded in %.0f s, file %.0f MB",
		thousands(float64(in.Threads)), in.Clients, in.SeedS, in.FileMB)
	if r.Postgres != nil {
		fmt.Fprintf(w, "; postgres: copied in %.0f s, database %.0f MB", r.Postgres.Inbox.CopyS, r.Postgres.Inbox.FileMB)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-26s", "filter")
	for _, s := range stores {
		fmt.Fprintf(w, " %9s %9s %8s %7s %7s", s.Store+" p50", "p99 ms", "qps", "rows", "errors")
	}
	fmt.Fprintln(w)
	for i, f := range in.Filters {
		fmt.Fprintf(w, "  %-26s", f.Name)
		for _, s := range stores {
			if i < len(s.Inbox.Filters) {
				g := s.Inbox.Filters[i]
				fmt.Fprintf(w, " %9.2f %9.2f %8.0f %7.1f %7d", g.P50, g.P99, g.QPS, g.Rows, g.Errors)
			}
		}
		fmt.Fprintln(w)
	}
}

// benchWords are the varied words of seeded messages: each thread's first
// message names two of them, so one is in about 2 % of the threads.
var benchWords = []string{
	"lamp", "sofa", "chair", "table", "mirror", "rug", "curtain", "pillow", "blanket", "vase",
	"shelf", "drawer", "wardrobe", "mattress", "cushion", "kettle", "toaster", "blender", "pan", "knife",
	"glass", "plate", "bowl", "mug", "candle", "frame", "clock", "basket", "hanger", "towel",
	"sheet", "duvet", "stool", "bench", "desk", "bulb", "cable", "charger", "speaker", "heater",
	"fan", "iron", "scale", "tray", "jar", "lid", "hook", "rail", "mat", "bin",
	"broken", "scratched", "missing", "late", "wrong", "damaged", "dented", "cracked", "faulty", "torn",
	"colour", "size", "invoice", "receipt", "courier", "tracking", "address", "refund", "return", "exchange",
	"voucher", "discount", "warranty", "manual", "assembly", "screws", "parcel", "box", "label", "delivery",
	"monday", "tuesday", "friday", "weekend", "morning", "evening", "neighbour", "doorstep", "locker", "depot",
	"blue", "green", "grey", "white", "black", "oak", "walnut", "linen", "wool", "velvet",
}

func benchBody(i int) string {
	a, b := benchWords[(i*7)%len(benchWords)], benchWords[(i*13+5)%len(benchWords)]
	return fmt.Sprintf("Hello, a question about my order: the %s, the %s.", a, b)
}

func benchWordPairs() []string {
	out := make([]string, 0, len(benchWords))
	for i := range benchWords {
		out = append(out, benchWords[i]+" "+benchWords[(i*3+1)%len(benchWords)])
	}
	return out
}
