package web

import (
	"strings"
	"testing"
)

// FuzzSafeFilename: a download's name never carries what could break the
// Content-Disposition header or name a path: only printable ASCII without
// quotes, backslashes or slashes, never empty.
func FuzzSafeFilename(f *testing.F) {
	for _, s := range []string{"invoice-1001.pdf", `a"b.pdf`, "x\r\nSet-Cookie: a=b", "../../etc/passwd", `..\x`, "", "é.pdf", "\x00", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SafeFilename(name)
		if got == "" {
			t.Fatalf("%q → empty", name)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 || c > 0x7e || strings.IndexByte(`"\/`, c) >= 0 {
				t.Fatalf("%q → %q keeps byte %#x", name, got, c)
			}
		}
	})
}
