package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"testing"
)

// The pooled HMACs sign as a fresh HMAC does, from many goroutines at once,
// and the salted hash is SHA-256 of salt and text together.
func TestSignerSignsAsHMACDoes(t *testing.T) {
	s, err := NewSigner([]byte("a secret of some length, 32 bytes+"))
	if err != nil {
		t.Fatal(err)
	}
	want := func(msg string) string {
		m := hmac.New(sha256.New, []byte("a secret of some length, 32 bytes+"))
		m.Write([]byte(msg))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				msg := "insights:query:" + string(rune('a'+g)) + string(rune('a'+i%26))
				if got := s.Sign(msg); got != want(msg) {
					t.Errorf("Sign(%q) = %q, want %q", msg, got, want(msg))
					return
				}
			}
		})
	}
	wg.Wait()
	if k := s.Key("label"); base64.RawURLEncoding.EncodeToString(k) != want("label") {
		t.Errorf("Key differs from the HMAC of its label")
	}
	for _, text := range []string{"ip:127.0.0.1", string(make([]byte, 300))} {
		salt := []byte("salt")
		sum := sha256.Sum256(append(append([]byte(nil), salt...), text...))
		if got := SaltedHash(salt, text, 12); got != hex.EncodeToString(sum[:12]) {
			t.Errorf("SaltedHash of %d bytes = %s, want %s", len(text), got, hex.EncodeToString(sum[:12]))
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := NewSigner([]byte("a secret of some length, 32 bytes+"))
	b.ReportAllocs()
	for b.Loop() {
		s.Sign("insights:query:01JBENCH000000000000000000")
	}
}
