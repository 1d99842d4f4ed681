package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain/demo"
)

// TestBodyLimits: a JSON body over 256 KiB is refused before it is read;
// an attachment of a few MB is accepted; a chunked JSON body is refused.
func TestBodyLimits(t *testing.T) {
	w := newDomainWorld(t)
	big := `{"recipient":"seller","topic":"other","body":"` + strings.Repeat("a", 1<<20) + `"}`
	if r := w.call(t, "ana", "POST", "/api/v1/orders/1001/threads", big); r.status != http.StatusRequestEntityTooLarge || r.code() != "body_too_large" {
		t.Errorf("1 MB JSON: %d %s", r.status, r.body[:min(len(r.body), 200)])
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789\n"), 300_000)...) // ~3.3 MB
	if r := w.call(t, "ana", "POST", "/api/v1/attachments", pdf, "X-Filename", "scan.pdf", "Content-Type", "application/pdf"); r.status != http.StatusCreated {
		t.Errorf("3 MB attachment: %d %s", r.status, r.body)
	}
	req := httptest.NewRequest("POST", "/api/v1/orders/1001/threads", strings.NewReader(`{"recipient":"seller","topic":"other","body":"hi"}`))
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	req.Header.Set("Authorization", "Bearer "+demo.Token("ana"))
	req.Header.Set("Content-Type", "application/json")
	res, err := w.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// app.Test adds "Content-Length: -1" to a chunked request, so this one
	// is framed both ways: 400 (TestUploadWithContentLengthAndChunked sends
	// a chunked-only body over TCP, which gets 411).
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("chunked JSON: %d", res.StatusCode)
	}
}
