package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// Config is what the suite asks of a new store.
type Config struct {
	// Now is the store's clock: every timestamp and deadline it computes
	// reads it. The suite moves it forward to cross deadlines.
	Now func() time.Time
	// Policy is the store's policy (domain.DefaultPolicy, or a variation).
	Policy domain.Policy
}

// Services are the services of one store, all on the same data. Deflection
// counts follow-ups (for the strict rate) from this store's threads,
// incidents and claims, as domain.OrderFollowUps builds them.
type Services struct {
	Access      domain.AccessService
	Orders      domain.OrderService
	Threads     domain.ThreadService
	Attachments domain.AttachmentService
	Incidents   domain.IncidentService
	Refunds     domain.RefundService
	Claims      domain.ClaimService
	Work        domain.WorkService
	Outbox      domain.OutboxService
	Canned      domain.CannedReplies
	Audit       domain.AuditService
	Feedback    domain.FeedbackService
	Deflection  domain.DeflectionService
	// Mail is the mail side of the outbox; Guests the anonymous visitors'
	// way into their hand-offs (mail.go).
	Mail   domain.MailService
	Guests domain.GuestThreads
	// SearchEvents is the search log; Learning learns from it, with
	// Normalise for the engine's analysis.
	SearchEvents domain.SearchEvents
	Learning     domain.LearningService

	// Privacy exports and erases customers' data and applies retention.
	Privacy domain.PrivacyService
}

// Opener opens a new, empty store configured by c, closed when t ends.
type Opener func(t *testing.T, c Config) Services

// Run runs the whole contract against the stores open makes: a subtest per
// area ("refunds") and per behaviour ("refunds/idempotency").
func Run(t *testing.T, open Opener) {
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			for _, c := range a.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, open)
				})
			}
		})
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, open Opener)
}

type area struct {
	name  string
	cases []testCase
}

// areas lists every case, by area; each area's file declares its cases.
var areas = []area{
	{"access", accessCases},
	{"orders", orderCases},
	{"threads", threadCases},
	{"attachments", attachmentCases},
	{"incidents", incidentCases},
	{"refunds", refundCases},
	{"claims", claimCases},
	{"work", workCases},
	{"care", careCases},
	{"outbox", outboxCases},
	{"canned", cannedCases},
	{"audit", auditCases},
	{"feedback", feedbackCases},
	{"deflection", deflectionCases},
	{"limits", limitCases},
	{"search_events", searchEventCases},
	{"mail", mailCases},
	{"privacy", privacyCases},
	{"queue_claims", queueClaimCases},
}

// start is the clock's first reading in every store.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is a store with the demo world seeded in it (demo.Seed at start):
// shops shop-1 (sam) and shop-2 (sue); customers ana (orders 1001, 1002) and
// ben (2001, delivered); agent olga; admin adam.
type world struct {
	Services
	clock *clock
	users map[string]*domain.User
}

func newWorld(t *testing.T, open Opener) *world {
	return newWorldPolicy(t, open, domain.DefaultPolicy())
}

func newWorldPolicy(t *testing.T, open Opener, p domain.Policy) *world {
	t.Helper()
	w := newEmpty(t, open, p)
	dw, err := demo.Seed(context.Background(), demo.Services{Access: w.Access, Orders: w.Orders}, w.clock.Now())
	if err != nil {
		t.Fatalf("seeding the demo world: %v", err)
	}
	w.users = dw.Users
	return w
}

// newEmpty is a store with nothing in it.
func newEmpty(t *testing.T, open Opener, p domain.Policy) *world {
	t.Helper()
	clk := &clock{t: start}
	return &world{Services: open(t, Config{Now: clk.Now, Policy: p}), clock: clk, users: map[string]*domain.User{}}
}

// as returns a context acting as the demo user name, authenticated by their
// token as a request would be (so an agent carries their grants).
func (w *world) as(t testing.TB, name string) context.Context {
	t.Helper()
	a, err := w.Access.Authenticate(context.Background(), demo.Token(name))
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return domain.WithActor(context.Background(), a)
}

// id is the user id of the demo user name.
func (w *world) id(name string) string { return w.users[name].ID }

// anon is the context of nobody signed in.
var anon = context.Background()

// system acts as the program itself (seeding, bootstrap).
var system = domain.WithActor(context.Background(), demo.System)

func code(err error) domain.Code { return domain.ErrorCode(err) }

// order reads an order as the admin.
func (w *world) order(t testing.TB, number string) *domain.Order {
	t.Helper()
	o, err := w.Orders.FindOrder(w.as(t, "adam"), number)
	if err != nil {
		t.Fatalf("order %s: %v", number, err)
	}
	return o
}

// audit returns the actions of an entity's audit log.
func (w *world) audit(t testing.TB, entity string) string {
	t.Helper()
	log, err := w.Audit.AuditLog(w.as(t, "adam"), entity)
	if err != nil {
		t.Fatalf("audit %s: %v", entity, err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Action)
	}
	return strings.Join(out, " ")
}

// notificationTypes are the types of a user's notifications, newest first.
func (w *world) notificationTypes(t testing.TB, name string) []string {
	t.Helper()
	ns, err := w.Outbox.Notifications(w.as(t, name), false, 0)
	if err != nil {
		t.Fatalf("notifications of %s: %v", name, err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Type)
	}
	return out
}

// refuse calls do, which must fail with want and leave the store as it was.
func (w *world) refuse(t *testing.T, what string, want domain.Code, do func() error) {
	t.Helper()
	before := w.state(t)
	err := do()
	if got := code(err); got != want {
		t.Errorf("%s: got %v (code %q), want %s", what, err, got, want)
	}
	if after := w.state(t); after != before {
		t.Errorf("%s changed the store:\n%s", what, firstDiff(before, after))
	}
}

// refusal is one call that must fail with code.
type refusal struct {
	what string
	code domain.Code
	do   func() error
}

// refuseAll runs each refusal as a subtest on the same world.
func (w *world) refuseAll(t *testing.T, rs []refusal) {
	t.Helper()
	for _, r := range rs {
		t.Run(string(r.code)+"/"+r.what, func(t *testing.T) {
			w.refuse(t, r.what, r.code, r.do)
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("before: %s\nafter:  %s", x, y)
		}
	}
	return ""
}

// state is everything the admin (and each demo user, for their
// notifications) can read through the services, one line per record: two
// states are equal when no command changed anything visible.
func (w *world) state(t testing.TB) string {
	t.Helper()
	adam := w.as(t, "adam")
	var b strings.Builder
	line := func(what string, v any, err error) {
		if err != nil && domain.ErrorKind(err) != domain.NotFound {
			t.Fatalf("state: %s: %v", what, err)
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s %s\n", what, j, code(err))
	}
	auditOf := func(entity string) {
		log, err := w.Audit.AuditLog(adam, entity)
		line("audit "+entity, log, err)
	}
	users, err := w.Access.ListUsers(adam, "")
	line("users", users, err)
	for _, u := range users {
		toks, err := w.Access.ListTokens(adam, u.ID)
		line("tokens "+u.Name, toks, err)
		if u.Role == domain.RoleAgent {
			gs, err := w.Access.ListGrants(adam, u.ID)
			line("grants "+u.Name, gs, err)
		}
		auditOf("user:" + u.ID)
		if _, ok := w.users[u.Name]; ok {
			ns, err := w.Outbox.Notifications(w.as(t, u.Name), false, 0)
			line("notifications "+u.Name, ns, err)
		}
	}
	for _, id := range []string{"shop-1", "shop-2"} {
		sh, err := w.Access.FindShop(adam, id)
		line("shop "+id, sh, err)
		auditOf("shop:" + id)
	}
	var orders []domain.Order
	for cursor := ""; ; {
		page, next, err := w.Orders.ListOrders(adam, cursor, 100)
		if err != nil {
			t.Fatalf("state: orders: %v", err)
		}
		orders = append(orders, page...)
		if cursor = next; next == "" {
			break
		}
	}
	for _, o := range orders {
		line("order "+o.Number, o, nil)
		auditOf("order:" + o.Number)
		ins, _, err := w.Incidents.ListIncidents(adam, o.Number, "", 1000)
		line("incidents", ins, err)
		for _, in := range ins {
			auditOf("incident:" + in.ID)
		}
		rs, _, err := w.Refunds.ListRefunds(adam, o.Number, "", 1000)
		line("refunds", rs, err)
		for _, r := range rs {
			auditOf("refund:" + r.ID)
		}
		cs, _, err := w.Claims.ListClaims(adam, o.Number, "", 1000)
		line("claims", cs, err)
		for _, c := range cs {
			auditOf("claim:" + c.ID)
			if c.ReturnID != "" {
				r, err := w.Claims.FindReturn(adam, c.ReturnID)
				line("return", r, err)
				auditOf("return:" + c.ReturnID)
			}
		}
	}
	for f := (domain.ThreadFilter{Limit: domain.MaxPageLimit}); ; {
		page, err := w.Threads.ListThreads(adam, f)
		if err != nil {
			t.Fatalf("state: threads: %v", err)
		}
		for _, th := range page.Threads {
			full, err := w.Threads.FindThread(adam, th.ID, domain.MessagePage{})
			line("thread", full, err)
			auditOf("thread:" + th.ID)
		}
		if f.Cursor = page.Next; page.Next == "" {
			break
		}
	}
	rules, err := w.Work.ListRoutingRules(adam)
	line("rules", rules, err)
	for cursor := ""; ; {
		page, next, err := w.Outbox.ListOutbox(adam, false, cursor, 500)
		line("outbox", page, err)
		if cursor = next; next == "" || err != nil {
			break
		}
	}
	for _, s := range []string{"sam", "sue"} {
		if _, ok := w.users[s]; ok {
			l, err := w.Canned.ListCannedReplies(w.as(t, s))
			line("canned "+s, l, err)
		}
	}
	return b.String()
}

func (w *world) startThread(t testing.TB, who string, nt domain.NewThread) *domain.Thread {
	t.Helper()
	th, err := w.Threads.CreateThread(w.as(t, who), nt)
	if err != nil {
		t.Fatalf("%s starts %+v: %v", who, nt, err)
	}
	return th
}

func (w *world) post(t testing.TB, who, id, body string, to ...domain.Party) *domain.Message {
	t.Helper()
	m, err := w.Threads.PostMessage(w.as(t, who), id, domain.NewMessage{To: to, Body: body})
	if err != nil {
		t.Fatalf("%s posts to %v: %v", who, to, err)
	}
	return m
}
