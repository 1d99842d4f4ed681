//go:build linux

package translate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/apertium"
	"github.com/marketplace/helpcentre/domain/apertium/apytest"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/translate"
	"golang.org/x/crypto/bcrypt"
)

// engine starts the real APY behind a switch: while down, connections are
// cut as a dead engine's would be.
func engine(t *testing.T) (url string, down *atomic.Bool) {
	t.Helper()
	bin, modes, err := apytest.Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI installs it with .ci/deps", err)
		}
		t.Skipf("%v: install it with .ci/deps", err)
	}
	e, err := apytest.Start(bin, modes)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	target, _ := neturl(e.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	down = &atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, down
}

func neturl(s string) (*url.URL, error) { return url.Parse(s) }

// world is the demo world with translation on and a worker on the engine.
func world(t *testing.T, engineURL string) (*bolt.Services, *translate.Worker) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost}) // behaviour, not durability
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.EnableTranslation()
	svc := bolt.NewServices(db, domain.DefaultPolicy())
	if _, err := demo.Seed(context.Background(), demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := apertium.New(engineURL, apertium.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := &translate.Worker{Queue: bolt.NewTranslationQueue(db), Translator: c, Engine: "apertium",
		Retryable:   apertium.Retryable,
		Unsupported: func(err error) bool { return errors.Is(err, apertium.ErrUnsupportedPair) }}
	return svc, w
}

func as(t *testing.T, svc *bolt.Services, name string) context.Context {
	t.Helper()
	a, err := svc.Access.Authenticate(context.Background(), demo.Token(name))
	if err != nil {
		t.Fatal(err)
	}
	return domain.WithActor(context.Background(), a)
}

// message returns the message id of th as the reader sees it.
func message(t *testing.T, svc *bolt.Services, reader, threadID, id string) domain.Message {
	t.Helper()
	th, err := svc.Threads.FindThread(as(t, svc, reader), threadID, domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("%s cannot see message %s", reader, id)
	return domain.Message{}
}

// TestSellerAndBuyerReadEachOtherInTheirLanguage: Sam (shop-1, English)
// writes to Ana (Spanish); she reads Spanish with the original kept; her
// Spanish reply reaches Sam in English.
func TestSellerAndBuyerReadEachOtherInTheirLanguage(t *testing.T) {
	url, _ := engine(t)
	svc, w := world(t, url)
	ctx := context.Background()

	th, err := svc.Threads.CreateThread(as(t, svc, "sam"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer,
		Topic: domain.TopicDelivery, Body: "Your order was shipped yesterday. The refund will arrive next week."})
	if err != nil {
		t.Fatal(err)
	}
	first := th.Messages[0]
	if first.Language != "en" || first.Translations["es"].Status != domain.TranslationPending {
		t.Fatalf("new message: language %q, translations %+v; want en with es pending", first.Language, first.Translations)
	}
	if n := w.RunOnce(ctx); n == 0 {
		t.Fatal("no translation work queued")
	}
	got := message(t, svc, "ana", th.ID, first.ID)
	es := got.Translations["es"]
	if es.Status != domain.TranslationDone || !strings.Contains(strings.ToLower(es.Text), "reembolso") || es.Engine != "apertium" {
		t.Fatalf("ana reads %+v; want a Spanish translation mentioning the refund (reembolso)", es)
	}
	if got.Body != first.Body {
		t.Errorf("original changed: %q", got.Body)
	}

	reply, err := svc.Threads.PostMessage(as(t, svc, "ana"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller},
		Body: "Gracias. ¿Dónde está mi factura?"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Language != "es" {
		t.Errorf("ana's reply language = %q, want es", reply.Language)
	}
	w.RunOnce(ctx)
	back := message(t, svc, "sam", th.ID, reply.ID)
	en := back.Translations["en"]
	if low := strings.ToLower(en.Text); en.Status != domain.TranslationDone || !(strings.Contains(low, "invoice") || strings.Contains(low, "bill")) {
		t.Fatalf("sam reads %+v; want English asking for the invoice (Apertium says bill)", en)
	}
	if back.Body != "Gracias. ¿Dónde está mi factura?" {
		t.Errorf("original changed: %q", back.Body)
	}
	// Markup in a message stays inert text, translated around it.
	mk, err := svc.Threads.PostMessage(as(t, svc, "sam"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer},
		Body: `Please read <script>alert("x")</script> the invoice.`})
	if err != nil {
		t.Fatal(err)
	}
	w.RunOnce(ctx)
	if es := message(t, svc, "ana", th.ID, mk.ID).Translations["es"]; es.Status != domain.TranslationDone || !strings.Contains(es.Text, `<script>alert("x")</script>`) {
		t.Errorf("markup message: %+v", es)
	}
}

// TestDeadEngineKeepsOriginalsAndCatchesUp: while the engine is down the
// message is readable in its original, marked pending; when it returns the
// translation arrives.
func TestDeadEngineKeepsOriginalsAndCatchesUp(t *testing.T) {
	url, down := engine(t)
	svc, w := world(t, url)
	ctx := context.Background()
	var now time.Time
	w.Now = func() time.Time { return now }

	down.Store(true)
	th, err := svc.Threads.CreateThread(as(t, svc, "sam"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer,
		Topic: domain.TopicInvoice, Body: "Here is your invoice."})
	if err != nil {
		t.Fatal(err)
	}
	id := th.Messages[0].ID
	now = time.Now()
	w.RunOnce(ctx)
	m := message(t, svc, "ana", th.ID, id)
	if m.Body != "Here is your invoice." || m.Translations["es"].Status != domain.TranslationPending || m.Translations["es"].Error == "" {
		t.Fatalf("engine down: %+v", m)
	}
	// Not retried before its time; retried after.
	if n := w.RunOnce(ctx); n != 0 {
		t.Errorf("retried at once: %d jobs", n)
	}
	down.Store(false)
	now = now.Add(time.Minute)
	if n := w.RunOnce(ctx); n != 1 {
		t.Fatalf("after the engine returned: %d jobs, want 1", n)
	}
	if es := message(t, svc, "ana", th.ID, id).Translations["es"]; es.Status != domain.TranslationDone || !strings.Contains(strings.ToLower(es.Text), "factura") {
		t.Errorf("after recovery: %+v", es)
	}
}

// TestUnsupportedPairAndHugeMessage: a pair no engine has is marked
// unsupported, a 100 KB message is translated in pieces; originals stay.
func TestUnsupportedPairAndHugeMessage(t *testing.T) {
	url, _ := engine(t)
	svc, w := world(t, url)
	ctx := context.Background()
	adam := as(t, svc, "adam")
	if err := svc.Access.PutShop(adam, &domain.Shop{ID: "shop-1", Name: "Nordic Home", Locale: "fi"}); err != nil {
		t.Fatal(err)
	}
	th, err := svc.Threads.CreateThread(as(t, svc, "ben"), domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller,
		Topic: domain.TopicProduct, Body: strings.Repeat("The throw is lovely but the colour is darker than the photo. ", 1700)[:100<<10-1]})
	if err != nil {
		t.Fatal(err)
	}
	w.RunOnce(ctx)
	m := message(t, svc, "sam", th.ID, th.Messages[0].ID)
	if fi := m.Translations["fi"]; fi.Status != domain.TranslationUnsupported {
		t.Errorf("en → fi: %+v, want unsupported", fi)
	}
	if len(m.Body) != 100<<10-1 {
		t.Errorf("original length %d", len(m.Body))
	}
	// The same 100 KB to Ana, who reads Spanish: translated in pieces, whole.
	long := strings.Repeat("Your parcel left our warehouse today.\n\n", 2700)[:100<<10]
	th2, err := svc.Threads.CreateThread(as(t, svc, "sam"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer,
		Topic: domain.TopicDelivery, Body: long})
	if err != nil {
		t.Fatal(err)
	}
	w.RunOnce(ctx)
	es := message(t, svc, "ana", th2.ID, th2.Messages[0].ID).Translations["es"]
	if es.Status != domain.TranslationDone || strings.Count(es.Text, "\n\n") < 2500 {
		t.Errorf("100 KB to Spanish: status %s, %d paragraphs", es.Status, strings.Count(es.Text, "\n\n"))
	}
}
