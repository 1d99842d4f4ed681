package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

var privacyCases = []testCase{
	{"export", testPrivacyExport},
	{"export_refusals", testPrivacyExportRefusals},
	{"erasure", testPrivacyErasure},
	{"erasure_refusals", testPrivacyErasureRefusals},
	{"erasure_namesake", testPrivacyErasureNamesake},
	{"retention", testPrivacyRetention},
}

// privacyThread is Ana's thread on 1001 with the seller's reply naming her.
func privacyThread(t *testing.T, w *world) *domain.Thread {
	t.Helper()
	th, err := w.Threads.CreateThread(w.as(t, "ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller,
		Topic: domain.TopicDelivery, Body: "Mi pedido no ha llegado todavía a casa"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Threads.PostMessage(w.as(t, "sam"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer},
		Body: "Hola Ana García, sale mañana por mensajería"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Incidents.OpenIncident(w.as(t, "ana"), "1001", 1, domain.IncidentDamaged, "La caja llegó abierta y vacía"); err != nil {
		t.Fatal(err)
	}
	return th
}

func testPrivacyExport(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th := privacyThread(t, w)
	for _, who := range []string{"ana", "adam"} {
		x, err := w.Privacy.ExportCustomer(w.as(t, who), w.id("ana"))
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if x.Customer.Email != "ana@demo.example" || len(x.Orders) != 2 || len(x.Threads) != 1 || x.Threads[0].ID != th.ID ||
			len(x.Threads[0].Messages) != 2 || len(x.Incidents) != 1 || len(x.Notifications) == 0 || x.Counts["messages"] != 2 {
			t.Errorf("%s's export of Ana: %+v", who, x)
		}
	}
	x, err := w.Privacy.ExportCustomer(w.as(t, "ben"), w.id("ben"))
	if err != nil || len(x.Threads) != 0 || len(x.Orders) != 1 {
		t.Errorf("Ben's own export holds Ana's: %+v, %v", x, err)
	}
	if a := w.audit(t, "user:"+w.id("ana")); strings.Count(a, "customer.exported") != 2 {
		t.Errorf("audit of Ana's account after two exports: %s", a)
	}
}

func testPrivacyExportRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	export := func(who, id string) func() error {
		return func() error {
			ctx := anon
			if who != "" {
				ctx = w.as(t, who)
			}
			_, err := w.Privacy.ExportCustomer(ctx, id)
			return err
		}
	}
	w.refuseAll(t, []refusal{
		{"anonymous", domain.CodeUnauthorized, export("", w.id("ana"))},
		{"another customer", domain.CodeForbidden, export("ben", w.id("ana"))},
		{"her seller", domain.CodeForbidden, export("sam", w.id("ana"))},
		{"an agent", domain.CodeForbidden, export("olga", w.id("ana"))},
		{"a seller's account", domain.CodeNotACustomer, export("adam", w.id("sam"))},
		{"nobody", domain.CodeNotFound, export("adam", "01J0000000000000000000NONE")},
	})
}

func testPrivacyErasure(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th := privacyThread(t, w)
	ana := w.id("ana")
	rep, err := w.Privacy.EraseCustomer(w.as(t, "adam"), ana, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if rep.UserID != ana || rep.Messages != 1 || rep.Threads != 1 || !strings.HasPrefix(rep.Pseudonym, "erased-") {
		t.Errorf("report %+v", rep)
	}
	u, err := w.Access.FindUser(w.as(t, "adam"), ana)
	if err != nil || !domain.IsErased(u) || u.Email != "" || u.Name != rep.Pseudonym {
		t.Fatalf("account after erasure: %+v, %v", u, err)
	}
	if _, err := w.Access.Login(context.Background(), "ana", demo.Password); code(err) != domain.CodeBadCredentials {
		t.Errorf("signing in as ana: %v", err)
	}
	if _, err := w.Access.Authenticate(context.Background(), demo.Token("ana")); code(err) != domain.CodeUnauthorized {
		t.Errorf("her token: %v", err)
	}
	got, err := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 2 || !got.Messages[0].Erased || got.Messages[0].Body != "" ||
		got.Messages[1].Body != "Hola "+domain.RedactedText+", sale mañana por mensajería" || got.Customer != domain.ErasedDisplayName {
		t.Errorf("thread after erasure: %+v", got)
	}
	x, err := w.Privacy.ExportCustomer(w.as(t, "adam"), ana)
	if err != nil || x.Incidents[0].Description != "" || len(x.Notifications) != 0 {
		t.Errorf("what is left of her: %+v, %v", x, err)
	}
	if a := w.audit(t, "user:"+ana); !strings.Contains(a, "token.created customer.erased") {
		t.Errorf("audit of her account: %s", a)
	}
	// Once erased, the pseudonym is the login name to confirm with;
	// erasing again changes nothing more.
	if _, err := w.Privacy.EraseCustomer(w.as(t, "adam"), ana, rep.Pseudonym); err != nil {
		t.Errorf("erasing again: %v", err)
	}
}

func testPrivacyErasureRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	privacyThread(t, w)
	erase := func(who, id, confirm string) func() error {
		return func() error {
			ctx := anon
			if who != "" {
				ctx = w.as(t, who)
			}
			_, err := w.Privacy.EraseCustomer(ctx, id, confirm)
			return err
		}
	}
	w.refuseAll(t, []refusal{
		{"anonymous", domain.CodeUnauthorized, erase("", w.id("ana"), "ana")},
		{"herself", domain.CodeForbidden, erase("ana", w.id("ana"), "ana")},
		{"an agent", domain.CodeForbidden, erase("olga", w.id("ana"), "ana")},
		{"no confirmation", domain.CodeErasureConfirm, erase("adam", w.id("ana"), "")},
		{"another name", domain.CodeErasureConfirm, erase("adam", w.id("ana"), "ben")},
		{"a seller", domain.CodeNotACustomer, erase("adam", w.id("sam"), "sam")},
		{"nobody", domain.CodeNotFound, erase("adam", "01J0000000000000000000NONE", "x")},
	})
}

func testPrivacyRetention(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th, err := w.Threads.Handoff(w.as(t, "ana"), domain.Handoff{Subject: "Address", Body: "Please change my delivery address", Locale: "es",
		Transcript: domain.Transcript{Session: "s-1", Locale: "es", Typed: []domain.TypedText{{Subject: "cambiar direccion", At: w.clock.Now()}}}})
	if err != nil {
		t.Fatal(err)
	}
	r := domain.Retention{Transcripts: 30 * 24 * time.Hour}
	typed := func() int {
		got, err := w.Threads.FindThread(w.as(t, "olga"), th.ID, domain.MessagePage{})
		if err != nil || got.Transcript == nil {
			t.Fatalf("hand-off: %+v, %v", got, err)
		}
		return len(got.Transcript.Typed)
	}
	w.clock.Add(29 * 24 * time.Hour)
	if rep, err := w.Privacy.PurgeExpired(context.Background(), r); err != nil || rep.Transcripts != 0 || typed() != 1 {
		t.Errorf("29 days on: %+v, %v, %d typed", rep, err, typed())
	}
	w.clock.Add(2 * 24 * time.Hour)
	if rep, err := w.Privacy.PurgeExpired(context.Background(), r); err != nil || rep.Transcripts != 1 || typed() != 0 {
		t.Errorf("31 days on: %+v, %v, %d typed", rep, err, typed())
	}
}

// Another customer of the same name keeps it: her account, her threads'
// customer name and her messages' author, and her inbox entry by name.
func testPrivacyErasureNamesake(t *testing.T, open Opener) {
	w := newWorld(t, open)
	privacyThread(t, w)
	twin := &domain.User{Name: "anagarcia", Display: "Ana García", Role: domain.RoleCustomer, Locale: "es", Email: "otra@demo.example"}
	if err := w.Access.CreateUser(system, twin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Orders.PutOrder(system, &domain.Order{Number: "7001", CustomerID: twin.ID, ShopID: "shop-1", Currency: "EUR",
		State: domain.OrderPaid, PlacedAt: w.clock.Now(), Lines: []domain.Line{{No: 1, SKU: "L-1", Title: "Lamp", Quantity: 1, UnitPrice: 1000}}}); err != nil {
		t.Fatal(err)
	}
	tctx := domain.WithActor(context.Background(), domain.Actor{UserID: twin.ID, Name: twin.Name, Role: domain.RoleCustomer, Locale: "es"})
	th, err := w.Threads.CreateThread(tctx, domain.NewThread{OrderNumber: "7001", Recipient: domain.PartySeller, Topic: domain.TopicOther, Body: "Soy la otra Ana"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Privacy.EraseCustomer(w.as(t, "adam"), w.id("ana"), "ana"); err != nil {
		t.Fatal(err)
	}
	u, err := w.Access.FindUserByName(w.as(t, "adam"), "anagarcia")
	if err != nil || u.Display != "Ana García" || u.Email != "otra@demo.example" {
		t.Errorf("the namesake's account: %+v, %v", u, err)
	}
	got, err := w.Threads.FindThread(tctx, th.ID, domain.MessagePage{})
	if err != nil || got.Customer != "Ana García" || got.Messages[0].AuthorName != "Ana García" || got.Messages[0].Body != "Soy la otra Ana" {
		t.Errorf("the namesake's thread: %+v, %v", got, err)
	}
	page, err := w.Threads.ListThreads(w.as(t, "sam"), domain.ThreadFilter{Customer: "Ana García"})
	if err != nil || len(page.Threads) != 1 || page.Threads[0].ID != th.ID {
		t.Errorf("the seller's inbox by her name: %+v, %v", page, err)
	}
}
