package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/internal/pgtest"
	"github.com/marketplace/helpcentre/internal/proc"
)

// replicaSet is several "helpcentre serve" processes of the real binary on
// one PostgreSQL store, each with its own data folder, sharing the secret,
// the attachments folder and the webhook receiver.
type replicaSet struct {
	t      *testing.T
	exe    string
	env    []string
	data   []string
	bases  []string // base URL of each replica ("" while it is down)
	kids   []*proc.Child
	hooks  string   // the webhook receiver's URL
	hookOf []string // the path each replica's current run delivers to
	killed []string // the paths of the runs killed
	mu     sync.Mutex
	starts atomic.Int64
}

// start runs replica i (again, on its own data folder) and waits until it
// is ready.
func (rs *replicaSet) start(i int) {
	t := rs.t
	t.Helper()
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	run := rs.starts.Add(1)
	// Each run delivers to a path of its own, so the receiver knows who
	// sent what: /r<replica>-<run>.
	hook := fmt.Sprintf("%s/r%d-%d", rs.hooks, i, run)
	c, err := proc.Start(context.Background(), rs.env, rs.exe, "serve", "--demo", "--addr", addr, "--data", rs.data[i], "--webhook-url", hook,
		"--poll", "0", "--log-level", "warn",
		// Reply deadlines three minutes after a customer writes, alerted
		// from a second after: the threads the writers start are
		// alerted while the test runs, by whichever replica looks first.
		"--reply-within", "3m", "--alert-before", "179s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replica %d (pid %d) said:\n%s", i, c.Pid(), c.Output())
		}
		c.Stop()
	})
	base := "http://" + addr
	deadline := time.Now().Add(90 * time.Second)
	for {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if c.Exited() || time.Now().After(deadline) {
			t.Fatal(c.Failure(fmt.Sprintf("replica %d: waiting for /readyz", i)))
		}
		time.Sleep(25 * time.Millisecond)
	}
	rs.mu.Lock()
	rs.kids[i], rs.bases[i], rs.hookOf[i] = c, base, hook
	rs.mu.Unlock()
}

// base is replica i's URL, or "" while it is down.
func (rs *replicaSet) base(i int) string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.bases[i%len(rs.bases)]
}

// kill SIGKILLs replica i.
func (rs *replicaSet) kill(i int) {
	rs.mu.Lock()
	c := rs.kids[i]
	rs.bases[i] = ""
	rs.killed = append(rs.killed, rs.hookOf[i])
	rs.mu.Unlock()
	if c.Exited() {
		rs.t.Fatal(c.Failure(fmt.Sprintf("replica %d died before the test killed it", i)))
	}
	if err := c.Kill(); err != nil {
		rs.t.Fatal(err)
	}
}

// call sends a request as demo user who to replica i (with extra headers),
// decoding a 2xx answer into out; it returns the status, 0 when no answer
// came (the replica is down or died mid-request).
func (rs *replicaSet) call(i int, who, method, path string, hdr map[string]string, in, out any) (int, http.Header) {
	base := rs.base(i)
	if base == "" {
		return 0, nil
	}
	api := &crashClient{base: base, hc: replicaHTTP}
	return api.doWith(who, method, path, hdr, in, out)
}

var replicaHTTP = &http.Client{Timeout: 20 * time.Second}

func buildBinary(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "helpcentre")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// TestThreeReplicas runs three serve processes of the real binary on one
// PostgreSQL database, eight writers spread round-robin over them posting
// messages, refunds (with idempotency keys, retried on another replica when
// the answer is lost) and claims; one replica is SIGKILLed mid-stream and
// started again. Then: every acknowledged write reads back through every
// replica, no idempotency key made two refunds, every outbox event reached
// the webhook receiver (signed) and none twice, every deadline alert was
// written once; and 16 concurrent partial refunds on one order through the
// three replicas never refund more than was paid.
func TestThreeReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three of it on PostgreSQL")
	}
	storeURL := pgtest.DB(t) // durable commits, as served
	exe := buildBinary(t)
	const hookSecret = "replica-webhook-secret"
	rc := newReplicaReceiver([]byte(hookSecret))
	hooks := httptest.NewServer(rc)
	defer hooks.Close()
	rs := &replicaSet{t: t, exe: exe, data: []string{t.TempDir(), t.TempDir(), t.TempDir()},
		bases: make([]string, 3), kids: make([]*proc.Child, 3), hooks: hooks.URL, hookOf: make([]string, 3),
		env: []string{
			"HELPCENTRE_STORE=" + storeURL, "HELPCENTRE_ATTACHMENTS=" + t.TempDir(),
			"HELPCENTRE_SECRET=" + strings.Repeat("s", 16) + "shared-by-every-replica",
			"HELPCENTRE_WEBHOOK_SECRET=" + hookSecret,
			"HELPCENTRE_MESSAGES_PER_MINUTE=0", "HELPCENTRE_SEARCH_RATE=0",
		}}
	// The three start together: the demo world is seeded once (the start
	// takes the store's startup lock), whoever comes first.
	t0 := time.Now()
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { rs.start(i) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("three replicas ready in %s", time.Since(t0).Round(time.Millisecond))

	// Every replica sees one demo world: one ana, one order 1001.
	var ids []string
	for i := range 3 {
		var me struct{ User domain.User }
		if st, _ := rs.call(i, "ana", "GET", "/api/v1/me", nil, nil, &me); st != 200 || me.User.ID == "" {
			t.Fatalf("replica %d: ana: %d", i, st)
		}
		ids = append(ids, me.User.ID)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("each replica has its own ana: %v", ids)
	}
	// And serves the same content commit.
	var commits []string
	for i := range 3 {
		var st struct{ Commit *struct{ ID string } }
		if code, _ := rs.call(i, "adam", "GET", "/api/v1/admin/content/status", nil, nil, &st); code != 200 {
			t.Fatalf("replica %d: content status: %d", i, code)
		}
		c := "(none)"
		if st.Commit != nil {
			c = st.Commit.ID
		}
		commits = append(commits, c)
	}
	if commits[0] != commits[1] || commits[1] != commits[2] {
		t.Errorf("content commits differ: %v", commits)
	}

	t.Run("sessions and probes", func(t *testing.T) {
		// A session signed in on one replica is valid on the others, and so
		// is a CSRF token: they share HELPCENTRE_SECRET and the store.
		b := newBrowser(t)
		token := b.csrf(rs.base(0) + "/login")
		if st, _ := b.post(rs.base(1)+"/login", url.Values{"name": {"ana"}, "password": {"demo"}, "_csrf": {token}}); st != http.StatusSeeOther {
			t.Fatalf("sign in on replica 1 with replica 0's form: %d", st)
		}
		if st, loc := b.get(rs.base(2) + "/account"); st != 200 {
			t.Fatalf("replica 2 does not know replica 1's session: %d %s", st, loc)
		}
		token = b.csrf(rs.base(2) + "/account")
		if st, _ := b.post(rs.base(0)+"/logout", url.Values{"_csrf": {token}}); st != http.StatusSeeOther {
			t.Fatalf("sign out on replica 0 with replica 2's form: %d", st)
		}
		if st, loc := b.get(rs.base(1) + "/account"); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("signed out, replica 1 still serves the account: %d %s", st, loc)
		}
		// The backup download is the bbolt file's: on PostgreSQL it says
		// what to use instead.
		var problem struct{ Code, Detail string }
		req, _ := http.NewRequest("GET", rs.base(0)+"/api/v1/admin/backup", nil)
		req.Header.Set("Authorization", "Bearer demo-adam")
		if res, err := replicaHTTP.Do(req); err != nil {
			t.Error(err)
		} else {
			json.NewDecoder(res.Body).Decode(&problem)
			res.Body.Close()
			if res.StatusCode != http.StatusConflict || problem.Code != "backup_unsupported" || !strings.Contains(problem.Detail, "pg_dump") {
				t.Errorf("backup download on PostgreSQL: %d %+v", res.StatusCode, problem)
			}
		}
		for i := range 3 {
			if st, body := b.get(rs.base(i) + "/metrics"); st != 200 || !strings.Contains(body, "helpcentre_store_write_healthy 1") {
				t.Errorf("replica %d: metrics %d, write health not 1", i, st)
			}
		}
	})

	// Orders for the writers' refunds and claims, and the money test's.
	now := time.Now().UTC().Truncate(time.Second)
	putOrder := func(number, customer string, unit int64) {
		t.Helper()
		placed, shipped, delivered := now.Add(-72*time.Hour), now.Add(-48*time.Hour), now.Add(-24*time.Hour)
		o := map[string]any{"customer": customer, "shop_id": "shop-1", "currency": "EUR", "state": "delivered",
			"placed_at": placed, "shipped_at": shipped, "delivered_at": delivered, "shipping": 0,
			"lines": []map[string]any{{"line": 1, "sku": "LAMP-1", "title": "Desk lamp", "quantity": 1, "unit_price": unit}}}
		if st, _ := rs.call(int(len(number)), "adam", "PUT", "/api/v1/orders/"+number, nil, o, nil); st != 201 && st != 200 {
			t.Fatalf("order %s: %d", number, st)
		}
	}
	const writers, claimsPer = 8, 6
	for w := range writers {
		putOrder(fmt.Sprintf("70%02d", w), "ben", 1_000_000)
		for k := range claimsPer {
			putOrder(fmt.Sprintf("8%d%02d", w, k), "ben", 5000)
		}
	}
	putOrder("7777", "ben", 10000)

	// The writers. Each request goes to the next replica in turn; a request
	// that got no answer was not acknowledged (a refund is sent again under
	// its key, to the next replica, until one answers).
	var (
		mu       sync.Mutex
		messages = map[string][]string{} // thread → acknowledged message ids
		refunds  = map[string]string{}   // idempotency key → refund id
		keysOf   = map[string][]string{} // order → keys sent
		claims   = map[string]string{}   // order → claim id
		acks     atomic.Int64
		stop     atomic.Bool
		errs     = make(chan error, 100)
	)
	fail := func(format string, args ...any) {
		select {
		case errs <- fmt.Errorf(format, args...):
		default:
		}
	}
	for w := range writers {
		wg.Go(func() {
			turn := w
			next := func() int { turn++; return turn % 3 }
			var th domain.Thread
			for {
				st, _ := rs.call(next(), "ana", "POST", "/api/v1/orders/1001/threads", nil, map[string]any{
					"recipient": "seller", "topic": "delivery", "subject": fmt.Sprintf("Writer %d", w), "body": fmt.Sprintf("writer %d starts", w)}, &th)
				if st == 201 {
					break
				}
				if st != 0 {
					fail("writer %d: start a thread: %d", w, st)
					return
				}
			}
			mu.Lock()
			messages[th.ID] = nil
			mu.Unlock()
			order := fmt.Sprintf("70%02d", w)
			for i := 0; !stop.Load(); i++ {
				var m domain.Message
				switch st, _ := rs.call(next(), "ana", "POST", "/api/v1/threads/"+th.ID+"/messages", nil,
					map[string]any{"to": []string{"seller"}, "body": fmt.Sprintf("writer %d message %d", w, i)}, &m); st {
				case 201:
					mu.Lock()
					messages[th.ID] = append(messages[th.ID], m.ID)
					mu.Unlock()
					acks.Add(1)
				case 0:
				default:
					fail("writer %d: message %d: %d", w, i, st)
				}
				if i%2 == 0 {
					key := fmt.Sprintf("w%d-r%d", w, i)
					mu.Lock()
					keysOf[order] = append(keysOf[order], key)
					mu.Unlock()
					for tries := 0; ; tries++ {
						var r domain.Refund
						st, _ := rs.call(next(), "sam", "POST", "/api/v1/orders/"+order+"/refunds", map[string]string{"Idempotency-Key": key},
							map[string]any{"kind": "partial", "amount": 100, "reason": "goodwill"}, &r)
						if st == 201 || st == 200 {
							mu.Lock()
							if prev, ok := refunds[key]; ok && prev != r.ID {
								fail("key %s: refund %s, then %s", key, prev, r.ID)
							}
							refunds[key] = r.ID
							mu.Unlock()
							acks.Add(1)
							// The same key again, elsewhere: the same refund.
							var again domain.Refund
							if st, h := rs.call(next(), "sam", "POST", "/api/v1/orders/"+order+"/refunds", map[string]string{"Idempotency-Key": key},
								map[string]any{"kind": "partial", "amount": 100, "reason": "goodwill"}, &again); st == 200 && again.ID != r.ID {
								fail("key %s replayed as refund %s, first %s (%v)", key, again.ID, r.ID, h)
							} else if st != 200 && st != 0 {
								fail("key %s replayed: %d", key, st)
							}
							break
						}
						if st != 0 || tries > 50 {
							fail("writer %d: refund %s: %d", w, key, st)
							break
						}
					}
				}
				if i%5 == 0 && i/5 < claimsPer {
					number := fmt.Sprintf("8%d%02d", w, i/5)
					var cl domain.Claim
					switch st, _ := rs.call(next(), "ben", "POST", "/api/v1/orders/"+number+"/claims", nil,
						map[string]any{"reason": "damaged", "description": "It arrived broken."}, &cl); st {
					case 201:
						mu.Lock()
						claims[number] = cl.ID
						mu.Unlock()
						acks.Add(1)
					case 0:
					default:
						fail("writer %d: claim on %s: %d", w, number, st)
					}
				}
			}
		})
	}
	// Kill replica 1 once writes stream, start it again, write on.
	for deadline := time.Now().Add(30 * time.Second); acks.Load() < 150 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	killedAt := acks.Load()
	rs.kill(1)
	time.Sleep(500 * time.Millisecond)
	rs.start(1)
	restartedAt := acks.Load()
	for deadline := time.Now().Add(20 * time.Second); acks.Load() < restartedAt+150 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d writes acknowledged: %d before the kill, %d while replica 1 was down, %d after; %d starts",
		acks.Load(), killedAt, restartedAt-killedAt, acks.Load()-restartedAt, rs.starts.Load())

	// Every acknowledged write reads back, through each replica.
	for th, ms := range messages {
		for i := range 3 {
			have := map[string]bool{}
			for cursor := ""; ; {
				var got domain.Thread
				if st, _ := rs.call(i, "ana", "GET", "/api/v1/threads/"+th+"?limit=100&cursor="+cursor, nil, nil, &got); st != 200 {
					t.Fatalf("replica %d: thread %s: %d", i, th, st)
				}
				if cursor == "" {
					checkThreadWhole(t, &got) // the newest page ends with the thread's last message
				}
				for _, m := range got.Messages {
					have[m.ID] = true
				}
				if cursor = got.MessagesNext; cursor == "" {
					break
				}
			}
			for _, id := range ms {
				if !have[id] {
					t.Errorf("replica %d: acknowledged message %s of thread %s is missing", i, id, th)
				}
			}
		}
	}
	for number, id := range claims {
		var cl domain.Claim
		if st, _ := rs.call(len(number), "ben", "GET", "/api/v1/claims/"+id, nil, nil, &cl); st != 200 || cl.OrderNumber != number {
			t.Errorf("acknowledged claim %s on %s: %d %+v", id, number, st, cl)
		}
	}
	// One refund per key: an order has exactly as many refunds as keys were
	// sent for it (each retried until acknowledged), and every acknowledged
	// one is among them.
	for order, keys := range keysOf {
		var page struct{ Refunds []domain.Refund }
		if st, _ := rs.call(len(keys), "sam", "GET", "/api/v1/orders/"+order+"/refunds?limit=200", nil, nil, &page); st != 200 {
			t.Fatalf("refunds of %s: %d", order, st)
		}
		listed := map[string]bool{}
		for _, r := range page.Refunds {
			listed[r.ID] = true
		}
		if len(page.Refunds) != len(keys) {
			t.Errorf("order %s: %d refunds for %d idempotency keys", order, len(page.Refunds), len(keys))
		}
		for _, k := range keys {
			if id, ok := refunds[k]; ok && !listed[id] {
				t.Errorf("order %s: acknowledged refund %s (key %s) is not listed", order, id, k)
			}
		}
	}

	t.Run("money", func(t *testing.T) {
		// 16 concurrent partial refunds of 15.00 on an order of 100.00,
		// through the three replicas: six fit, the rest are refused with
		// the domain's error, none answered 500.
		const paid, amount = 10000, 1500
		var (
			ok, refused atomic.Int64
			bad         = make(chan string, 16)
		)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for k := range 16 {
			wg.Go(func() {
				<-start
				var r domain.Refund
				st, _ := rs.call(k, "sam", "POST", "/api/v1/orders/7777/refunds", map[string]string{"Idempotency-Key": fmt.Sprintf("money-%d", k)},
					map[string]any{"kind": "partial", "amount": amount, "reason": "goodwill"}, &r)
				switch {
				case st == 201:
					ok.Add(1)
				case st >= 400 && st < 500:
					refused.Add(1)
				default:
					bad <- fmt.Sprintf("refund %d: %d", k, st)
				}
			})
		}
		close(start)
		wg.Wait()
		close(bad)
		for b := range bad {
			t.Error(b)
		}
		if ok.Load()*amount > paid {
			t.Errorf("%d refunds of %d succeeded on an order of %d", ok.Load(), amount, paid)
		}
		if ok.Load() != paid/amount {
			t.Errorf("%d refunds succeeded, want %d (as many as fit)", ok.Load(), paid/amount)
		}
		var o domain.Order
		if st, _ := rs.call(0, "sam", "GET", "/api/v1/orders/7777", nil, nil, &o); st != 200 || o.Refunded.Total > paid || o.Refunded.Total != ok.Load()*amount {
			t.Errorf("order 7777: %d, refunded %d, want %d", st, o.Refunded.Total, ok.Load()*amount)
		}
		t.Logf("%d refunds succeeded, %d refused", ok.Load(), refused.Load())
	})

	// The outbox drains (every event is marked delivered: read from the
	// whole list, not the undelivered one), and every event reached the
	// receiver, signed: none missing, none twice.
	all := func() []domain.OutboxEvent {
		var out []domain.OutboxEvent
		for cursor := ""; ; {
			var page struct {
				Events []domain.OutboxEvent
				Next   string
			}
			if st, _ := rs.call(len(out), "adam", "GET", "/api/v1/admin/outbox?limit=200&cursor="+cursor, nil, nil, &page); st != 200 {
				t.Fatalf("outbox: %d", st)
			}
			out = append(out, page.Events...)
			if cursor = page.Next; cursor == "" {
				return out
			}
		}
	}
	var outbox []domain.OutboxEvent
	// Events the killed run had claimed come due again when their lease
	// ends (domain.ClaimLease).
	for deadline := time.Now().Add(domain.ClaimLease + 30*time.Second); ; time.Sleep(250 * time.Millisecond) {
		outbox = all()
		pending := slices.IndexFunc(outbox, func(ev domain.OutboxEvent) bool { return ev.DeliveredAt == nil && !ev.Dead })
		if pending < 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the outbox did not drain; still undelivered: %s (%s)", outbox[pending].ID, outbox[pending].Type)
			break
		}
	}
	var undelivered struct{ Events []domain.OutboxEvent }
	if st, _ := rs.call(0, "adam", "GET", "/api/v1/admin/outbox?undelivered=true&limit=10", nil, nil, &undelivered); st != 200 || len(undelivered.Events) != 0 {
		t.Errorf("drained, the undelivered list answers %d with %d events", st, len(undelivered.Events))
	}
	alerts := map[string]int{} // type, entity, user → events
	for _, ev := range outbox {
		if strings.HasPrefix(ev.Type, "alert.") {
			alerts[ev.Type+" "+ev.Entity+" "+ev.UserID]++
		}
		if ev.DeliveredAt == nil || ev.Dead {
			t.Errorf("event %s (%s) not delivered: attempts %d, last error %q", ev.ID, ev.Type, ev.Attempts, ev.LastError)
		}
		if n := rc.count(ev.ID); n == 0 {
			t.Errorf("event %s (%s) never reached the receiver", ev.ID, ev.Type)
		}
	}
	events := len(outbox)
	// No event twice, but one the killed run sent and died before it could
	// record: its lease ended, and another replica sent it again (receivers
	// dedupe by Webhook-Id for this).
	killedRuns := map[string]bool{}
	for _, k := range rs.killed {
		killedRuns[strings.TrimPrefix(k, rs.hooks)] = true
	}
	excused := 0
	for id, from := range rc.senders() {
		if len(from) < 2 {
			continue
		}
		if len(from) == 2 && (killedRuns[from[0]] || killedRuns[from[1]]) && from[0] != from[1] {
			excused++
			continue
		}
		t.Errorf("event %s was delivered %d times, by %v", id, len(from), from)
	}
	if bad := rc.badSignatures(); bad > 0 {
		t.Errorf("%d deliveries had a bad signature", bad)
	}
	nAlerts := 0
	for k, n := range alerts {
		nAlerts++
		if n != 1 {
			t.Errorf("deadline alert %s written %d times", k, n)
		}
	}
	if nAlerts == 0 {
		t.Errorf("no deadline alert was written")
	}
	t.Logf("%d outbox events, %d deadline alerts, receiver saw %d distinct ids; %d sent again after the killed run sent them", events, nAlerts, rc.distinct(), excused)
}

// replicaReceiver is a webhook endpoint that acknowledges every delivery,
// counting deliveries per Webhook-Id and checking signatures.
type replicaReceiver struct {
	secret []byte
	mu     sync.Mutex
	ids    map[string]int
	from   map[string][]string // id → the paths it came to
	bad    int
}

func newReplicaReceiver(secret []byte) *replicaReceiver {
	return &replicaReceiver{secret: secret, ids: map[string]int{}, from: map[string][]string{}}
}

func (r *replicaReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	id, ok := verifiedDelivery(r.secret, req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok {
		r.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.ids[id]++
	r.from[id] = append(r.from[id], req.URL.Path)
	w.WriteHeader(http.StatusNoContent)
}

func (r *replicaReceiver) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}

func (r *replicaReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// senders is, for every id, the paths (runs) it came to.
func (r *replicaReceiver) senders() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]string, len(r.from))
	for id, f := range r.from {
		out[id] = slices.Clone(f)
	}
	return out
}

func (r *replicaReceiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

// browser is a cookie-keeping client that does not follow redirects; the
// replicas share 127.0.0.1, so their cookies are one jar's.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get returns the status and, for a redirect, its Location, else the body.
func (b *browser) get(u string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/html")
	return b.send(req)
}

func (b *browser) post(u string, form url.Values) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return b.send(req)
}

func (b *browser) send(req *http.Request) (int, string) {
	b.t.Helper()
	res, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 == 3 {
		return res.StatusCode, res.Header.Get("Location")
	}
	return res.StatusCode, string(data)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf fetches a page with a form and returns its CSRF token.
func (b *browser) csrf(u string) string {
	b.t.Helper()
	st, body := b.get(u)
	m := csrfInput.FindStringSubmatch(body)
	if st != 200 || m == nil {
		b.t.Fatalf("%s: %d, no CSRF token", u, st)
	}
	return html.UnescapeString(m[1])
}
