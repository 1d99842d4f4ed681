package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/translate"
	"github.com/marketplace/helpcentre/server"
)

// tagTranslator "translates" by tagging the text with its pair.
type tagTranslator struct{}

func (tagTranslator) Translate(_ context.Context, text, from, to string) (string, error) {
	return "[" + from + "→" + to + "] " + text, nil
}

// TestCaseDescriptionDisplayOverHTTP: Ana opens an incident in Spanish over
// the API; once translated, Sam (English) reads its description in English,
// marked machine-translated, and Ana reads her own words; Sam's Spanish
// message to her is Spanish, shown to her as it is.
func TestCaseDescriptionDisplayOverHTTP(t *testing.T) {
	var db *bolt.DB
	w := newDomainWorld(t, func(b *bolt.DB, _ *server.Domain) { db = b; b.EnableTranslation() })
	worker := &translate.Worker{Queue: bolt.NewTranslationQueue(db), Translator: tagTranslator{}, Engine: "tag"}
	const desc = "La lámpara llegó rota y la caja estaba aplastada."
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"reason": domain.IncidentDamaged, "line": 1, "description": desc})
	if r.status != http.StatusCreated {
		t.Fatalf("ana's incident: %d %s", r.status, r.body)
	}
	var in struct{ ID string }
	r.decode(t, &in)
	worker.RunOnce(context.Background())

	type display struct {
		Text              string `json:"text"`
		Language          string `json:"language"`
		MachineTranslated bool   `json:"machine_translated"`
	}
	read := func(who string) (display, string) {
		t.Helper()
		r := w.call(t, who, "GET", "/api/v1/incidents/"+in.ID, nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s reads the incident: %d %s", who, r.status, r.body)
		}
		var got struct {
			Description         string  `json:"description"`
			DescriptionLanguage string  `json:"description_language"`
			Display             display `json:"description_display"`
		}
		r.decode(t, &got)
		if got.Description != desc || got.DescriptionLanguage != "es" {
			t.Errorf("%s reads description %q in %q", who, got.Description, got.DescriptionLanguage)
		}
		return got.Display, got.DescriptionLanguage
	}
	if d, _ := read("sam"); !d.MachineTranslated || d.Language != "en" || d.Text != "[es→en] "+desc {
		t.Errorf("sam sees %+v", d)
	}
	if d, _ := read("ana"); d.MachineTranslated || d.Text != desc {
		t.Errorf("ana sees %+v", d)
	}
	// The same on the pages: Sam reads English with the original a click
	// away; Ana her own words.
	sam := w.forms()
	sam.login(t, "sam")
	_, page, _ := sam.get(t, "/seller/incidents/"+in.ID)
	for _, want := range []string{"[es→en] " + desc, "Machine-translated from Spanish · show original", `lang="es">` + desc} {
		if !strings.Contains(page, want) {
			t.Errorf("sam's incident page lacks %q", want)
		}
	}
	ana := w.forms()
	ana.login(t, "ana")
	if _, page, _ := ana.get(t, "/account/orders/1001"); !strings.Contains(page, desc) || strings.Contains(page, "[es→en]") {
		t.Errorf("ana's order page does not show her own words")
	}

	// Sam's account is English; he writes Spanish to Ana.
	r = w.call(t, "sam", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "customer", "topic": "delivery",
		"body": "Hola Ana, te enviamos hoy una lámpara nueva y te devolvemos el envío."})
	if r.status != http.StatusCreated {
		t.Fatalf("sam writes: %d %s", r.status, r.body)
	}
	var th struct{ ID string }
	r.decode(t, &th)
	worker.RunOnce(context.Background())
	r = w.call(t, "ana", "GET", "/api/v1/threads/"+th.ID, nil)
	var got struct {
		Messages []struct {
			Language string  `json:"language"`
			Display  display `json:"display"`
		} `json:"messages"`
	}
	r.decode(t, &got)
	if len(got.Messages) != 1 || got.Messages[0].Language != "es" || got.Messages[0].Display.MachineTranslated {
		t.Errorf("ana reads sam's Spanish as %+v", got.Messages)
	}
}

// TestCustomersSeeNoRouting: the routing (team, rule, why) of Ana's thread
// is customer care's and the seller's business: the API leaves it out for
// her, in the thread and in her list, and gives it to Sam.
func TestCustomersSeeNoRouting(t *testing.T) {
	w := newDomainWorld(t)
	r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "¿Dónde está mi pedido?"})
	if r.status != http.StatusCreated || strings.Contains(string(r.body), `"assignment"`) {
		t.Fatalf("ana writes: %d %s", r.status, r.body)
	}
	var th struct{ ID string }
	r.decode(t, &th)
	for _, path := range []string{"/api/v1/threads/" + th.ID, "/api/v1/threads"} {
		if r := w.call(t, "ana", "GET", path, nil); r.status != http.StatusOK || strings.Contains(string(r.body), `"assignment"`) || strings.Contains(string(r.body), "rule") {
			t.Errorf("ana reads %s: %d %.300s", path, r.status, r.body)
		}
	}
	if r := w.call(t, "sam", "GET", "/api/v1/threads/"+th.ID, nil); !strings.Contains(string(r.body), `"assignment"`) {
		t.Errorf("sam reads no assignment: %.300s", r.body)
	}
}
