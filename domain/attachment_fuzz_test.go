package domain_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/domain"
)

// FuzzCleanAttachmentName: whatever a client calls a file, the stored name
// is a base name of valid UTF-8, without control characters or path
// separators, not "." or "..", non-empty and bounded.
func FuzzCleanAttachmentName(f *testing.F) {
	for _, s := range []string{"invoice-1001.pdf", "../invoice 1001.txt", `..\..\windows\system32`, "a/b/c/..", "..", ".", "",
		"   ", "\x00\x1f\x7f", "bad\xffutf8.pdf", "name\r\nX-Injected: 1", "\u202egnp.exe", strings.Repeat("é", 300), "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := domain.CleanAttachmentName(name)
		switch {
		case got == "" || got == "." || got == "..":
			t.Fatalf("%q → %q", name, got)
		case !utf8.ValidString(got) || utf8.RuneCountInString(got) > domain.MaxAttachmentNameRunes:
			t.Fatalf("%q → %q: invalid or too long", name, got)
		case strings.ContainsAny(got, `/\`):
			t.Fatalf("%q → %q keeps a path", name, got)
		case strings.IndexFunc(got, unicode.IsControl) >= 0:
			t.Fatalf("%q → %q keeps a control character", name, got)
		case got != strings.TrimSpace(got):
			t.Fatalf("%q → %q has surrounding space", name, got)
		}
		if again := domain.CleanAttachmentName(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", name, got, again)
		}
	})
}

// FuzzValidateAttachment: any size and detected type is accepted only
// when within the limit, non-empty and of an accepted type; a refusal is
// an invalid-kind error about the files field.
func FuzzValidateAttachment(f *testing.F) {
	f.Add(int64(1), "application/pdf")
	f.Add(int64(0), "text/plain; charset=utf-8")
	f.Add(int64(domain.MaxAttachmentBytes+1), "image/png")
	f.Add(int64(-1), "image/png")
	f.Add(int64(10), "application/x-msdownload")
	f.Add(int64(10), ";;;")
	f.Fuzz(func(t *testing.T, size int64, typ string) {
		err := domain.ValidateAttachment(size, typ)
		ok := size > 0 && size <= domain.MaxAttachmentBytes && slices.Contains(domain.AttachmentTypes(), typ)
		if (err == nil) != ok {
			t.Fatalf("size %d type %q: %v", size, typ, err)
		}
		if err != nil && domain.ErrorKind(err) != domain.Invalid {
			t.Fatalf("kind %s", domain.ErrorKind(err))
		}
	})
}
