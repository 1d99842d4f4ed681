package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// TestErasureLeavesNoTraceInTheDataFolder: the real binary, the demo world;
// Ana writes (a message with a file, a reply the seller answers naming her,
// an incident, a help-centre question handed off); the admin erases her;
// then no file of the data folder (database, attachments, indexes, the
// rest) holds her name, email, words or file, while the server runs and
// after it stops.
func TestErasureLeavesNoTraceInTheDataFolder(t *testing.T) {
	exe := binary(t)
	dataDir := t.TempDir()
	c, base := serveExe(t, exe, dataDir, []string{"HELPCENTRE_ADMIN_TOKEN=" + testAdminToken}, "--demo", "--log-level", "warn")
	api := &crashClient{base: base, hc: &http.Client{Timeout: 10 * time.Second}}
	words := []string{"Mi lámpara llegó con el cristal roto en tres pedazos", "Sigo esperando una respuesta sobre el cristal",
		"La caja estaba aplastada y mojada por un lado", "No encuentro cómo cambiar la dirección de entrega"}
	file := "%PDF-1.4\nfactura de Ana García, calle Mayor 5\n"

	req, _ := http.NewRequest("POST", base+"/api/v1/attachments", strings.NewReader(file))
	req.Header.Set("Authorization", "Bearer demo-ana")
	req.Header.Set("Content-Type", "application/pdf")
	req.Header.Set("X-Filename", "factura.pdf")
	res, err := api.hc.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %v %v", res, err)
	}
	var att domain.Attachment
	err = json.NewDecoder(res.Body).Decode(&att)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	sha := att.SHA256
	var th domain.Thread
	if s := api.do("ana", "POST", "/api/v1/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "product", "body": words[0],
		"attachments": []map[string]any{{"sha256": sha, "name": "factura.pdf"}}}, &th); s != http.StatusCreated {
		t.Fatalf("thread: %d", s)
	}
	for _, m := range []struct {
		who, to, body string
	}{{"sam", "customer", "Hola Ana García, enviamos otra lámpara hoy"}, {"ana", "seller", words[1]}} {
		if s := api.do(m.who, "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{m.to}, "body": m.body}, nil); s != http.StatusCreated {
			t.Fatalf("%s's message: %d", m.who, s)
		}
	}
	if s := api.do("ana", "POST", "/api/v1/orders/1001/incidents", map[string]any{"line": 1, "reason": "damaged", "description": words[2]}, nil); s != http.StatusCreated {
		t.Fatalf("incident: %d", s)
	}
	var d struct{ Session string }
	if s := api.do("ana", "POST", "/api/v1/deflect", map[string]any{"subject": "cambiar dirección de entrega", "body": words[3], "locale": "es"}, &d); s != http.StatusOK {
		t.Fatalf("deflect: %d", s)
	}
	if s := api.do("ana", "POST", "/api/v1/deflect/"+d.Session+"/events", map[string]any{"type": "handoff", "subject": "Dirección", "body": words[3]}, nil); s != http.StatusCreated {
		t.Fatalf("hand-off: %d", s)
	}

	needles := append(words, "Ana García", "ana@demo.example", "calle Mayor 5")
	scan := func(when string) (hits []string) {
		t.Helper()
		err := filepath.WalkDir(dataDir, func(path string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			for _, n := range needles {
				if bytes.Contains(b, []byte(n)) {
					hits = append(hits, when+": "+n+" in "+strings.TrimPrefix(path, dataDir))
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	if hits := scan("before"); len(hits) < len(needles) {
		t.Fatalf("before the erasure the data folder holds only %v", hits)
	}

	var users struct{ Users []domain.User }
	if s := api.do("adam", "GET", "/api/v1/admin/users", nil, &users); s != http.StatusOK {
		t.Fatalf("users: %d", s)
	}
	ana := ""
	for _, u := range users.Users {
		if u.Name == "ana" {
			ana = u.ID
		}
	}
	var out struct {
		Erasure domain.ErasureReport
		Warning string
	}
	if s := api.do("adam", "POST", "/api/v1/admin/customers/"+ana+"/erase", map[string]any{"confirm": "ana"}, &out); s != http.StatusOK || out.Warning != "" {
		t.Fatalf("erase: %d %+v", s, out)
	}
	for _, h := range scan("serving") {
		t.Error(h)
	}
	c.Stop()
	for _, h := range scan("stopped") {
		t.Error(h)
	}
}
