package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/webhook"
	"github.com/marketplace/helpcentre/internal/proc"
)

// TestKillNineKeepsAcknowledgedWrites builds the real binary, streams
// messages into it from several clients, kills it with SIGKILL mid-stream,
// restarts it on the same data folder and checks that every write it
// acknowledged is there, that every thread reads back whole, and that the
// outbox resumes: the notifications written before the crash (none of which
// the webhook receiver had acknowledged) are delivered after the restart,
// signed, under their ids.
func TestKillNineKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it twice")
	}
	exe := filepath.Join(t.TempDir(), "helpcentre")
	build := exec.Command("go", "build", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := t.TempDir()
	secret := "crash-test-secret"
	rc := newCrashReceiver([]byte(secret))
	hooks := httptest.NewServer(rc)
	defer hooks.Close()
	defer rc.release() // before hooks.Close, which waits for handlers

	start := func() (*proc.Child, string) {
		t.Helper()
		addr, err := proc.FreeLoopbackAddr()
		if err != nil {
			t.Fatal(err)
		}
		c, err := proc.Start(context.Background(), []string{"HELPCENTRE_WEBHOOK_URL=" + hooks.URL, "HELPCENTRE_WEBHOOK_SECRET=" + secret},
			exe, "serve", "--demo", "--addr", addr, "--data", dataDir, "--poll", "0", "--log-level", "warn")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Stop() })
		base := "http://" + addr
		deadline := time.Now().Add(time.Minute)
		for {
			if res, err := http.Get(base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return c, base
				}
			}
			if c.Exited() || time.Now().After(deadline) {
				t.Fatal(c.Failure("waiting for /readyz"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Run 1: the receiver holds every delivery without answering, so no
	// event can be marked delivered before the kill.
	c1, base := start()
	api := &crashClient{base: base, hc: &http.Client{Timeout: 10 * time.Second}}
	var (
		mu      sync.Mutex
		acked   = map[string][]string{} // thread id → acknowledged message ids, in order
		bodies  = map[string]string{}   // message id → body
		ackN    atomic.Int64
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			var th domain.Thread
			if status := api.do("ana", "POST", "/api/v1/orders/1001/threads", map[string]any{
				"recipient": "seller", "topic": "delivery", "subject": fmt.Sprintf("Writer %d", w), "body": fmt.Sprintf("writer %d starts", w),
			}, &th); status != 201 {
				if !stopped.Load() {
					t.Errorf("writer %d: start a thread: %d", w, status)
				}
				return
			}
			mu.Lock()
			acked[th.ID] = nil
			mu.Unlock()
			for i := 0; !stopped.Load(); i++ {
				body := fmt.Sprintf("writer %d message %d", w, i)
				var m domain.Message
				if status := api.do("ana", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"seller"}, "body": body}, &m); status != 201 {
					return // the server is gone: this write was not acknowledged
				}
				mu.Lock()
				acked[th.ID] = append(acked[th.ID], m.ID)
				bodies[m.ID] = body
				mu.Unlock()
				ackN.Add(1)
			}
		})
	}
	// Kill once writes are streaming and the worker has deliveries under way.
	for deadline := time.Now().Add(10 * time.Second); (ackN.Load() < 400 || rc.heldCount() == 0) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if err := c1.Kill(); err != nil { // SIGKILL, mid-stream
		t.Fatal(err)
	}
	stopped.Store(true)
	wg.Wait()
	if ackN.Load() == 0 {
		t.Fatalf("no write was acknowledged before the kill:\n%s", c1.Output())
	}
	held := rc.heldCount()
	t.Logf("killed after %d acknowledged messages on %d threads; %d deliveries were being held", ackN.Load(), len(acked), held)

	// Run 2, same data: the receiver now answers 200.
	rc.release()
	_, base = start()
	api.base = base

	// Every acknowledged write is there, in order, whole.
	for id, msgs := range acked {
		var th domain.Thread
		if status := api.do("ana", "GET", "/api/v1/threads/"+id, nil, &th); status != 200 {
			t.Fatalf("acknowledged thread %s: %d after the restart", id, status)
		}
		got := map[string]domain.Message{}
		for _, m := range th.Messages {
			got[m.ID] = m
		}
		for _, mid := range msgs {
			m, ok := got[mid]
			if !ok {
				t.Errorf("thread %s: acknowledged message %s is lost", id, mid)
				continue
			}
			if m.Body != bodies[mid] || m.ThreadID != id {
				t.Errorf("message %s came back as %+v", mid, m)
			}
		}
		checkThreadWhole(t, &th)
	}
	// Every thread the inbox lists reads back whole: no index entry without
	// its thread, no half-written record.
	listed := 0
	for cursor := ""; ; {
		var page domain.ThreadPage
		if status := api.do("sam", "GET", "/api/v1/threads?limit=200&cursor="+cursor, nil, &page); status != 200 {
			t.Fatalf("sam's inbox: %d", status)
		}
		for _, th := range page.Threads {
			var full domain.Thread
			if status := api.do("sam", "GET", "/api/v1/threads/"+th.ID, nil, &full); status != 200 {
				t.Errorf("listed thread %s: %d", th.ID, status)
				continue
			}
			checkThreadWhole(t, &full)
			listed++
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if listed < len(acked) {
		t.Errorf("sam's inbox lists %d threads, want at least the %d acknowledged", listed, len(acked))
	}

	// The outbox resumes: it drains, and every event, all written before the
	// crash, reaches the receiver signed, under its own id.
	deadline := time.Now().Add(90 * time.Second)
	for {
		var page struct{ Events []domain.OutboxEvent }
		if status := api.do("adam", "GET", "/api/v1/admin/outbox?undelivered=true&limit=10", nil, &page); status != 200 {
			t.Fatalf("outbox: %d", status)
		}
		if len(page.Events) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not drain after the restart; still undelivered: %+v", page.Events[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	events := 0
	messageEvents := 0
	for cursor := ""; ; {
		var page struct {
			Events []domain.OutboxEvent
			Next   string
		}
		if status := api.do("adam", "GET", "/api/v1/admin/outbox?limit=200&cursor="+cursor, nil, &page); status != 200 {
			t.Fatalf("outbox: %d", status)
		}
		for _, ev := range page.Events {
			events++
			if ev.Type == "thread.message" {
				messageEvents++
			}
			if ev.DeliveredAt == nil || ev.Dead {
				t.Errorf("event %s not delivered: %+v", ev.ID, ev)
			}
			if !rc.got(ev.ID) {
				t.Errorf("event %s (%s) is marked delivered but the receiver never acknowledged it", ev.ID, ev.Type)
			}
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := int(ackN.Load()); messageEvents < want {
		t.Errorf("%d thread.message events, want at least one per acknowledged message (%d)", messageEvents, want)
	}
	if bad := rc.badSignatures(); bad > 0 {
		t.Errorf("%d deliveries had a bad signature", bad)
	}
	t.Logf("after the restart: %d events delivered (%d thread.message), receiver saw %d distinct ids", events, messageEvents, rc.distinct())
}

// checkThreadWhole checks a thread's record agrees with its messages.
func checkThreadWhole(t *testing.T, th *domain.Thread) {
	t.Helper()
	if th.ID == "" || th.OrderNumber == "" || len(th.Messages) == 0 {
		t.Errorf("thread %s is not whole: %+v", th.ID, th)
		return
	}
	last := th.Messages[len(th.Messages)-1]
	if !th.LastMessage.Equal(last.CreatedAt) {
		t.Errorf("thread %s: last_message_at %s, but its last message is of %s", th.ID, th.LastMessage, last.CreatedAt)
	}
	for _, m := range th.Messages {
		if m.ID == "" || m.ThreadID != th.ID || m.Body == "" {
			t.Errorf("thread %s: half a message %+v", th.ID, m)
		}
	}
}

// crashClient calls the API as demo users.
type crashClient struct {
	base string
	hc   *http.Client
}

// do sends a request as demo user who, decoding a 2xx answer into out, and
// returns the status (0 when there was no answer).
func (c *crashClient) do(who, method, path string, in, out any) int {
	st, _ := c.doWith(who, method, path, nil, in, out)
	return st
}

// doWith is do with extra request headers; it also returns the answer's.
func (c *crashClient) doWith(who, method, path string, hdr map[string]string, in, out any) (int, http.Header) {
	var body io.Reader
	if in != nil {
		data, _ := json.Marshal(in)
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer demo-"+who)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil
	}
	if res.StatusCode/100 == 2 && out != nil && json.Unmarshal(data, out) != nil {
		return 0, nil
	}
	return res.StatusCode, res.Header
}

// crashReceiver is a webhook endpoint that holds every delivery unanswered
// until released, then acknowledges them, checking signatures.
type crashReceiver struct {
	secret   []byte
	released chan struct{}
	once     sync.Once
	mu       sync.Mutex
	ids      map[string]int
	held     int
	bad      int
}

func newCrashReceiver(secret []byte) *crashReceiver {
	return &crashReceiver{secret: secret, released: make(chan struct{}), ids: map[string]int{}}
}

func (r *crashReceiver) release() { r.once.Do(func() { close(r.released) }) }

func (r *crashReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	select {
	case <-r.released:
	default:
		r.mu.Lock()
		r.held++
		r.mu.Unlock()
		select {
		case <-r.released:
		case <-req.Context().Done(): // the sender died
			return
		}
		// A delivery from before the kill that outlived its sender
		// cannot be answered anyway.
		if req.Context().Err() != nil {
			return
		}
	}
	id, ok := verifiedDelivery(r.secret, req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok {
		r.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.ids[id]++
	w.WriteHeader(http.StatusNoContent)
}

// verifiedDelivery reads a webhook delivery and returns its id when its
// signature is valid and its body an event of that id.
func verifiedDelivery(secret []byte, req *http.Request) (id string, ok bool) {
	raw, _ := io.ReadAll(req.Body)
	id = req.Header.Get("Webhook-Id")
	err := domain.VerifyWebhook(secret, id, req.Header.Get("Webhook-Timestamp"), req.Header.Get("Webhook-Signature"), raw, time.Now())
	var b webhook.Body
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	return id, err == nil && b.ID == id && b.Entity != ""
}

func (r *crashReceiver) got(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id] > 0
}

func (r *crashReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

func (r *crashReceiver) heldCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held
}

func (r *crashReceiver) badSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}
