package translate_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/translate"
)

// tagger "translates" by tagging the text with its pair, so a test can see
// what went where without an engine.
type tagger struct{}

func (tagger) Translate(_ context.Context, text, from, to string) (string, error) {
	return "[" + from + "→" + to + "] " + text, nil
}

// fakeWorld is the demo world with translation on and a worker on tagger.
func fakeWorld(t *testing.T) (*bolt.Services, *translate.Worker) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.EnableTranslation()
	svc := bolt.NewServices(db, domain.DefaultPolicy())
	if _, err := demo.Seed(context.Background(), demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return svc, &translate.Worker{Queue: bolt.NewTranslationQueue(db), Translator: tagger{}, Engine: "tagger"}
}

// TestCaseDescriptionsAreTranslated: an incident Ana (Spanish) opens on
// Nordic Home's order reaches Sam and customer care in English, the
// original kept; Ben (English account) writing his claim in Spanish has it
// detected as Spanish and translated for everyone else, himself included.
func TestCaseDescriptionsAreTranslated(t *testing.T) {
	svc, w := fakeWorld(t)
	const desc = "La pantalla de la lámpara llegó rota y el casquillo está suelto."
	in, err := svc.Incidents.OpenIncident(as(t, svc, "ana"), "1001", 1, domain.IncidentDamaged, desc)
	if err != nil {
		t.Fatal(err)
	}
	if in.DescriptionLanguage != "es" || in.DescriptionTranslations["en"].Status != domain.TranslationPending {
		t.Fatalf("new incident: language %q, translations %+v; want es, en pending", in.DescriptionLanguage, in.DescriptionTranslations)
	}
	const claimDesc = "El producto no funciona: se apaga a los cinco minutos de encenderlo."
	cl, err := svc.Claims.OpenClaim(as(t, svc, "ben"), "2001", domain.ClaimDefect, claimDesc)
	if err != nil {
		t.Fatal(err)
	}
	if cl.DescriptionLanguage != "es" {
		t.Errorf("Ben's Spanish claim is in %q, want es (detected from the text, not his account)", cl.DescriptionLanguage)
	}
	if n := w.RunOnce(context.Background()); n != 2 {
		t.Fatalf("worker handled %d jobs, want 2 (the incident and the claim into English)", n)
	}
	got, err := svc.Incidents.FindIncident(as(t, svc, "sam"), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr := got.DescriptionTranslations["en"]; tr.Status != domain.TranslationDone || tr.Text != "[es→en] "+desc || got.Description != desc {
		t.Errorf("Sam reads the incident as %+v (original %q)", tr, got.Description)
	}
	gc, err := svc.Claims.FindClaim(as(t, svc, "olga"), cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tr := gc.DescriptionTranslations["en"]; tr.Status != domain.TranslationDone || tr.Text != "[es→en] "+claimDesc {
		t.Errorf("customer care reads the claim as %+v", tr)
	}
	if n := w.RunOnce(context.Background()); n != 0 {
		t.Errorf("%d jobs left after the translations were saved", n)
	}
}

// TestMessageLanguageIsDetected: Sam's account is English, but he writes
// Spanish to Ana: the message is Spanish and nothing is translated for her.
// Customer care, who reads English, gets it translated.
func TestMessageLanguageIsDetected(t *testing.T) {
	svc, _ := fakeWorld(t)
	th, err := svc.Threads.CreateThread(as(t, svc, "sam"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer,
		Topic: "invoice", Body: "Hola Ana, te enviamos hoy mismo la factura de tu pedido."})
	if err != nil {
		t.Fatal(err)
	}
	m := th.Messages[len(th.Messages)-1]
	if m.Language != "es" {
		t.Errorf("Sam's Spanish message is in %q, want es", m.Language)
	}
	if _, ok := m.Translations["es"]; ok {
		t.Errorf("Ana would read Sam's Spanish as machine-translated: %+v", m.Translations)
	}
	if m.Translations["en"].Status != domain.TranslationPending {
		t.Errorf("customer care (English) gets no translation of Sam's Spanish: %+v", m.Translations)
	}
}
