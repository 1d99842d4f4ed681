package storetest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

var attachmentCases = []testCase{
	{"upload_and_open", testAttachments},
	{"refusals", testAttachmentRefusals},
}

func testAttachments(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, sue := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "sue")
	body := "Invoice 1001: 74.35 EUR\n"
	att, err := w.Attachments.PutAttachment(ana, "../invoice 1001.txt", strings.NewReader(body))
	if err != nil || len(att.SHA256) != 64 || att.Size != int64(len(body)) || !strings.HasPrefix(att.Type, "text/plain") {
		t.Fatalf("put: %+v %v", att, err)
	}
	if strings.ContainsAny(att.Name, "/\\") {
		t.Errorf("name keeps a path: %q", att.Name)
	}
	again, err := w.Attachments.PutAttachment(sam, "copy.txt", strings.NewReader(body))
	if err != nil || again.SHA256 != att.SHA256 {
		t.Fatalf("the same content again: %+v %v", again, err)
	}
	get := func(who string) (string, error) {
		_, rc, err := w.Attachments.OpenAttachment(w.as(t, who), att.SHA256)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return string(b), err
	}
	// The uploader and customer care open it; nobody else until a message names it.
	for _, who := range []string{"ana", "olga"} {
		if got, err := get(who); err != nil || got != body {
			t.Errorf("%s opens: %q %v", who, got, err)
		}
	}
	if _, err := get("ben"); code(err) != domain.CodeNotFound {
		t.Errorf("ben opens an upload of ana's: %v", err)
	}
	th, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "Here it is",
		Attachments: []domain.AttachmentRef{{SHA256: att.SHA256}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.Threads.FindThread(sam, th.ID, domain.MessagePage{}); err != nil || len(got.Messages[0].Attachments) != 1 || got.Messages[0].Attachments[0].SHA256 != att.SHA256 {
		t.Fatalf("the message's attachment: %+v %v", got, err)
	}
	if got, err := get("sam"); err != nil || got != body {
		t.Errorf("sam, a participant, opens: %q %v", got, err)
	}
	if _, _, err := w.Attachments.OpenAttachment(sue, att.SHA256); code(err) != domain.CodeNotFound {
		t.Errorf("sue opens: %v", err)
	}
}

func testAttachmentRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, ben := w.as(t, "ana"), w.as(t, "ben")
	att, err := w.Attachments.PutAttachment(ana, "a.txt", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string, r io.Reader) func() error {
		return func() error { _, err := w.Attachments.PutAttachment(ana, name, r); return err }
	}
	w.refuseAll(t, []refusal{
		{"put anonymous", domain.CodeUnauthorized, func() error { _, err := w.Attachments.PutAttachment(anon, "a.txt", strings.NewReader("x")); return err }},
		{"put too large", domain.CodeAttachmentTooLarge, put("big.txt", io.LimitReader(repeatReader('a'), domain.MaxAttachmentBytes+1))},
		{"put a binary", domain.CodeAttachmentType, put("a.exe", bytes.NewReader([]byte{0x4d, 0x5a, 0, 1, 2, 3, 0xff}))},
		{"put empty", domain.CodeInvalidAttachment, put("empty.txt", strings.NewReader(""))},
		{"open anonymous", domain.CodeUnauthorized, func() error { _, _, err := w.Attachments.OpenAttachment(anon, att.SHA256); return err }},
		{"open another's", domain.CodeNotFound, func() error { _, _, err := w.Attachments.OpenAttachment(ben, att.SHA256); return err }},
		{"open unknown", domain.CodeNotFound, func() error { _, _, err := w.Attachments.OpenAttachment(ana, strings.Repeat("0", 64)); return err }},
		{"open a bad name", domain.CodeNotFound, func() error { _, _, err := w.Attachments.OpenAttachment(ana, "../../etc/passwd"); return err }},
	})
}

// repeatReader reads c forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
