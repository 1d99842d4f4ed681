package search

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
)

// dictionary is a translator for tests: fixed sentences, else an error.
type dictionary map[string]string

func (d dictionary) Translate(_ context.Context, text, from, to string) (string, error) {
	if out, ok := d[from+">"+to+":"+text]; ok {
		return out, nil
	}
	return "", errors.New("engine unavailable")
}

func translateCorpus() fstest.MapFS {
	return fstest.MapFS{
		"en/d/damaged.md":  article("delivery-damaged", "My parcel arrived damaged", `"broken item in the box"`, "Take photos of the damaged parcel and report it from the order page."),
		"en/d/payments.md": article("payment-methods", "Which payment methods can I use?", "", "Cards and bank transfer."),
		"es/p/pagos.md":    article("metodos-de-pago", "¿Qué métodos de pago puedo usar?", "", "Tarjetas y transferencia bancaria."),
	}
}

// TestSpanishQuestionAnsweredByTranslatedQuery: no Spanish article answers
// "paquete dañado"; translated, the English one does, and the answer says so.
func TestSpanishQuestionAnsweredByTranslatedQuery(t *testing.T) {
	e := testEngine(t, translateCorpus())
	ctx := context.Background()
	q := "mi paquete llegó dañado"

	// Without a translator: nothing in Spanish, and the Spanish words find
	// nothing in English either.
	res, err := e.Search(ctx, Request{Query: q, Locale: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Fatalf("untranslated: %d hits", res.Total)
	}

	e.SetTranslator(dictionary{"es>en:" + q: "my parcel arrived damaged"})
	res, err = e.Search(ctx, Request{Query: q, Locale: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || res.Hits[0].Article.ID != "delivery-damaged" || res.FallbackFrom != "es" || res.Translated != "my parcel arrived damaged" {
		t.Fatalf("translated search: total %d, fallback %q, translated %q", res.Total, res.FallbackFrom, res.Translated)
	}

	d, err := e.Deflect(ctx, DeflectRequest{Subject: q, Locale: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Suggestions) == 0 || d.Suggestions[0].ID != "delivery-damaged" || d.Translated == "" || d.Locale != "en" {
		t.Fatalf("translated deflection: %+v", d)
	}

	// A dead engine costs nothing but the translation: Spanish answers stand.
	res, err = e.Search(ctx, Request{Query: "métodos de pago", Locale: "es"})
	if err != nil || res.Total == 0 || res.Translated != "" || res.Locale != "es" {
		t.Fatalf("Spanish answer with the engine down: %+v %v", res, err)
	}
}
