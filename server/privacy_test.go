package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

// wideClaimWindow takes claims on Ana's order 1002, shipped long ago, as
// anaWrites opens one.
func wideClaimWindow(db *bolt.DB, d *server.Domain) {
	p := d.Policy
	p.ClaimWindow = 400 * 24 * time.Hour
	d.Claims = bolt.NewClaimService(db, p)
}

// anaWrites makes Ana write, through the API, everywhere the product keeps
// what customers write: a thread with a file (the seller answers), an
// incident, a claim the seller answers with a return, a refund, a
// help-centre question handed off to a person with a vote on the way.
// It returns the file's bytes and her words.
func anaWrites(t *testing.T, w *domainWorld) (pdf []byte, words []string) {
	t.Helper()
	must := func(r response, want int, what string) response {
		t.Helper()
		if r.status != want {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
		return r
	}
	pdf = []byte("%PDF-1.4\nfactura de Ana García 1001\n")
	var att struct{ SHA256 string }
	must(w.call(t, "ana", "POST", "/api/v1/attachments", pdf, "X-Filename", "factura.pdf", "Content-Type", "application/pdf"), http.StatusCreated, "upload").decode(t, &att)
	words = []string{"Mi lámpara llegó con el cristal roto en tres pedazos", "La caja estaba aplastada y mojada por un lado",
		"El color del sofá no se parece nada a la foto", "No encuentro cómo cambiar la dirección de entrega"}
	var th struct{ ID string }
	must(w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "product", "body": words[0],
		"attachments": []map[string]any{{"sha256": att.SHA256, "name": "factura.pdf"}}}), http.StatusCreated, "thread").decode(t, &th)
	must(w.call(t, "sam", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"customer"}, "body": "Hola Ana García, enviamos otra lámpara hoy"}),
		http.StatusCreated, "seller's reply")
	must(w.call(t, "ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"line": 1, "reason": "damaged", "description": words[1]}), http.StatusCreated, "incident")
	var cl struct{ ID string }
	must(w.call(t, "ana", "POST", "/api/v1/orders/1002/claims", map[string]any{"reason": "different_product", "description": words[2]}), http.StatusCreated, "claim").decode(t, &cl)
	must(w.call(t, "sue", "POST", "/api/v1/claims/"+cl.ID+"/return", nil), http.StatusCreated, "return")
	must(w.call(t, "sam", "POST", "/api/v1/orders/1001/refunds", map[string]any{"kind": "partial", "lines": []map[string]any{{"line": 1, "units": 1}}}, "Idempotency-Key", "privacy-1"),
		http.StatusCreated, "refund")
	var d struct {
		Session     string
		Suggestions []struct{ ID string }
	}
	must(w.call(t, "ana", "POST", "/api/v1/deflect", map[string]any{"subject": "how do returns work", "body": words[3], "locale": "en"}), http.StatusOK, "deflect").decode(t, &d)
	if len(d.Suggestions) > 0 {
		must(w.call(t, "ana", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "not_helpful", "article": d.Suggestions[0].ID, "reason": "didnt_apply"}),
			http.StatusAccepted, "vote")
	}
	must(w.call(t, "ana", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "handoff", "subject": "how do returns work", "body": words[3]}),
		http.StatusCreated, "hand-off")
	return pdf, words
}

// unzip returns the archive's files by name.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP (%v): %.200s", err, b)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestPrivacyExportAndErasureThroughTheAPI(t *testing.T) {
	w := newDomainWorld(t, wideClaimWindow)
	pdf, words := anaWrites(t, w)
	ana := w.world.Users["ana"].ID

	// Her own copy, and the admin's, hold every kind of record and the file.
	for _, who := range []struct{ name, path string }{{"adam", "/api/v1/admin/customers/" + ana + "/export"}} {
		r := w.call(t, who.name, "GET", who.path, nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" || !strings.Contains(r.header.Get("Content-Disposition"), "helpcentre-data-ana-") {
			t.Fatalf("%s export: %d %v %.200s", who.name, r.status, r.header, r.body)
		}
		files := unzip(t, r.body)
		for _, name := range []string{"orders.json", "threads.json", "incidents.json", "claims.json", "returns.json", "refunds.json",
			"help_centre_sessions.json", "feedback.json", "notifications.json", "attachments.json"} {
			var list []json.RawMessage
			if err := json.Unmarshal(files[name], &list); err != nil || len(list) == 0 {
				t.Errorf("%s: %s is empty or no JSON list (%v): %.200s", who.name, name, err, files[name])
			}
		}
		var acct struct{ Name, Email string }
		json.Unmarshal(files["account.json"], &acct)
		if acct.Name != "ana" || acct.Email != "ana@demo.example" {
			t.Errorf("account.json: %s", files["account.json"])
		}
		for _, s := range words {
			all := string(files["threads.json"]) + string(files["incidents.json"]) + string(files["claims.json"]) + string(files["help_centre_sessions.json"])
			if !strings.Contains(all, s) {
				t.Errorf("the export lacks her words %q", s)
			}
		}
		if !strings.Contains(string(files["threads.json"]), "enviamos otra lámpara") {
			t.Error("the export lacks the seller's reply to her")
		}
		var got []byte
		for name, b := range files {
			if strings.HasPrefix(name, "attachments/") && strings.HasSuffix(name, "factura.pdf") {
				got = b
			}
		}
		if !bytes.Equal(got, pdf) {
			t.Errorf("the attachment in the archive: %q, want %q", got, pdf)
		}
	}
	for _, who := range []string{"ben", "sam", "olga"} {
		if r := w.call(t, who, "GET", "/api/v1/admin/customers/"+ana+"/export", nil); r.status != http.StatusForbidden {
			t.Errorf("%s exporting Ana: %d", who, r.status)
		}
	}

	// Erasure: refused without the confirmation, then done.
	if r := w.call(t, "adam", "POST", "/api/v1/admin/customers/"+ana+"/erase", map[string]any{"confirm": "ben"}); r.status != http.StatusBadRequest || r.code() != "erasure_confirmation" {
		t.Fatalf("erase, wrong confirmation: %d %s", r.status, r.body)
	}
	if r := w.call(t, "adam", "POST", "/api/v1/admin/customers/"+w.world.Users["sam"].ID+"/erase", map[string]any{"confirm": "sam"}); r.code() != "not_a_customer" {
		t.Errorf("erase a seller: %d %s", r.status, r.body)
	}
	r := w.call(t, "adam", "POST", "/api/v1/admin/customers/"+ana+"/erase", map[string]any{"confirm": "ana"})
	var rep struct {
		Erasure struct {
			Pseudonym                        string
			Messages, FilesDeleted, Sessions int
			PagesScrubbed                    int `json:"pages_scrubbed"`
		}
		Warning string
	}
	r.decode(t, &rep)
	if r.status != http.StatusOK || rep.Warning != "" || !strings.HasPrefix(rep.Erasure.Pseudonym, "erased-") || rep.Erasure.PagesScrubbed == 0 {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	if r := w.call(t, "ana", "GET", "/api/v1/me", nil); r.status != http.StatusUnauthorized {
		t.Errorf("her token after erasure: %d", r.status)
	}
	// What is left of her: a pseudonym, the seller's words, none of hers.
	r = w.call(t, "adam", "GET", "/api/v1/admin/customers/"+ana+"/export", nil)
	files := unzip(t, r.body)
	var all []byte
	for _, b := range files {
		all = append(all, b...)
	}
	for _, s := range append(words, "Ana García", "ana@demo.example", string(pdf)) {
		if bytes.Contains(all, []byte(s)) {
			t.Errorf("after erasure the export still holds %q", s)
		}
	}
	if !bytes.Contains(files["threads.json"], []byte("enviamos otra lámpara hoy")) {
		t.Errorf("the seller's reply lost its words: %s", files["threads.json"])
	}
	if r := w.call(t, "adam", "GET", "/api/v1/audit?entity=user:"+ana, nil); !bytes.Contains(r.body, []byte(`"customer.erased"`)) {
		t.Errorf("audit log: %s", r.body)
	}
	// And the server's data folder (database, attachments), byte for byte.
	dir := filepath.Dir(w.db.Path())
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		for _, s := range append(words, "Ana García", "ana@demo.example", "factura de Ana") {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("after erasure %s holds %q", path, s)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
