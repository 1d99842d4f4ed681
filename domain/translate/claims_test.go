package translate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/translate"
)

// counter tags like tagger and counts each (text, language) it translated.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Translate(_ context.Context, text, from, to string) (string, error) {
	time.Sleep(time.Millisecond) // let the workers overlap
	c.mu.Lock()
	c.n[to+" "+text]++
	c.mu.Unlock()
	return "[" + from + "→" + to + "] " + text, nil
}

// replicasWorld is the demo world with translation on and no rate limits;
// queue returns another TranslationQueue on the same file, as a second
// replica has on the same database.
func replicasWorld(t *testing.T) (svc *bolt.Services, queue func() domain.TranslationQueue) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.EnableTranslation()
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0
	svc = bolt.NewServices(db, p)
	if _, err := demo.Seed(context.Background(), demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return svc, func() domain.TranslationQueue { return bolt.NewTranslationQueue(db) }
}

// Two workers on two queues of one store (two replicas) translate every
// message once between them.
func TestTwoReplicasTranslateEachMessageOnce(t *testing.T) {
	svc, queue := replicasWorld(t)
	ana := as(t, svc, "ana")
	th, err := svc.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery,
		Body: "Hola, ¿dónde está mi pedido? No ha llegado todavía."})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{th.Messages[0].ID}
	for i := range 30 {
		m, err := svc.Threads.PostMessage(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller},
			Body: fmt.Sprintf("Mensaje número %d: el paquete todavía no ha llegado a mi casa.", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	tr := &counter{n: map[string]int{}}
	var wg sync.WaitGroup
	for range 2 {
		w := &translate.Worker{Queue: queue(), Translator: tr, Engine: "counter", Concurrency: 3}
		wg.Go(func() {
			for w.RunOnce(context.Background()) > 0 {
			}
		})
	}
	wg.Wait()
	if len(tr.n) < len(ids) {
		t.Errorf("%d translations for %d messages", len(tr.n), len(ids))
	}
	for what, n := range tr.n {
		if n != 1 {
			t.Errorf("translated %d times, want once: %s", n, what)
		}
	}
	read, err := svc.Threads.FindThread(as(t, svc, "sam"), th.ID, domain.MessagePage{Limit: domain.MaxMessagePage})
	if err != nil || len(read.Messages) != len(ids) {
		t.Fatalf("Sam reads %d messages (%v), want %d", len(read.Messages), err, len(ids))
	}
	for _, m := range read.Messages {
		if got := m.Translations["en"]; got.Status != domain.TranslationDone {
			t.Errorf("message %s reaches Sam as %+v", m.ID, got)
		}
	}
}

// A job claimed by a worker that died comes back when its claim ends; the
// dead worker's late answer, once another has saved the job, changes
// nothing.
func TestAClaimedJobComesBackWhenTheLeaseEnds(t *testing.T) {
	svc, queue := replicasWorld(t)
	th, err := svc.Threads.CreateThread(as(t, svc, "ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery,
		Body: "Hola, ¿dónde está mi pedido? No ha llegado todavía."})
	if err != nil {
		t.Fatal(err)
	}
	ctx, now := context.Background(), time.Now()
	dead := queue()
	jobs, _, err := dead.DueTranslations(ctx, now, 10)
	if err != nil || len(jobs) != 1 || !jobs[0].Due.Equal(now.Add(domain.ClaimLease)) {
		t.Fatalf("claimed %+v, %v; want one job due at the lease's end", jobs, err)
	}
	clock := now
	w := &translate.Worker{Queue: queue(), Translator: tagger{}, Engine: "tagger", Now: func() time.Time { return clock }}
	if n := w.RunOnce(ctx); n != 0 {
		t.Fatalf("a claimed job was worked again: %d", n)
	}
	clock = now.Add(domain.ClaimLease)
	if n := w.RunOnce(ctx); n != 1 {
		t.Fatalf("when the lease ended %d jobs were worked, want 1", n)
	}
	want := message(t, svc, "sam", th.ID, th.Messages[0].ID).Translations["en"]
	if want.Status != domain.TranslationDone {
		t.Fatalf("translation %+v", want)
	}
	late := domain.Translation{Status: domain.TranslationPending, Error: "engine unavailable"}
	retry := now.Add(time.Hour)
	if err := dead.SaveTranslation(ctx, jobs[0], late, &retry); err != nil {
		t.Fatal(err)
	}
	if got := message(t, svc, "sam", th.ID, th.Messages[0].ID).Translations["en"]; got != want {
		t.Errorf("the dead worker's late answer replaced %+v with %+v", want, got)
	}
	if left, _, _ := queue().DueTranslations(ctx, now.Add(1000*time.Hour), 10); len(left) != 0 {
		t.Errorf("jobs left in the queue: %+v", left)
	}
}

// A job whose claim would end before its translation could time out is not
// started: it comes back when the lease ends.
func TestNoTranslationOutlivesItsClaim(t *testing.T) {
	svc, queue := replicasWorld(t)
	th, err := svc.Threads.CreateThread(as(t, svc, "ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery,
		Body: "Hola, ¿dónde está mi pedido? No ha llegado todavía."})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var calls sync.Mutex
	reads := 0
	stalled := func() time.Time { // the claim is made, then the worker stalls
		calls.Lock()
		defer calls.Unlock()
		reads++
		if reads == 1 {
			return now
		}
		return now.Add(domain.ClaimLease - 5*time.Second)
	}
	tr := &counter{n: map[string]int{}}
	w := &translate.Worker{Queue: queue(), Translator: tr, Engine: "counter", Now: stalled}
	if n := w.RunOnce(context.Background()); n != 1 {
		t.Fatalf("claimed %d jobs, want 1", n)
	}
	if len(tr.n) != 0 {
		t.Fatal("translated with 5 s of the claim left and a 10 s timeout")
	}
	if got := message(t, svc, "sam", th.ID, th.Messages[0].ID).Translations["en"]; got.Status != domain.TranslationPending {
		t.Errorf("translation %+v, want still pending", got)
	}
	w = &translate.Worker{Queue: queue(), Translator: tr, Engine: "counter", Now: func() time.Time { return now.Add(domain.ClaimLease) }}
	if n := w.RunOnce(context.Background()); n != 1 || len(tr.n) != 1 {
		t.Errorf("when the lease ended: %d claimed, %d translated", n, len(tr.n))
	}
}
