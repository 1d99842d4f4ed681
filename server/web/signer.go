package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
)

// Signer is the one keeper of the server's secret: it signs what the server
// hands out and checks later (CSRF tokens, customer tokens, deflection
// session ids) and derives the keys of other uses (the payment callback key,
// the address salt), each under its own label.
//
// Every signature is the unpadded base64url HMAC-SHA256 of a message. The
// messages keep the shapes they had before there was one signer, as each is
// held outside the process: customer tokens are minted by host pages
// ("hcc1.<user>.<expiry>"), session ids are stored with their sessions and
// in open widgets ("deflect:session:<ulid>", the first 16 characters), and
// CSRF tokens sit in open forms ("csrf:session:<token id>",
// "csrf:pre:<cookie>"). Changing one would invalidate those.
type Signer struct {
	secret []byte
	// macs holds keyed HMACs ready for a message: the key's pads are
	// hashed once, not on every signature (a search's query id and a
	// deflection's session are signed on every request; hmac.New made
	// ~0.5 KB of garbage each time).
	macs sync.Pool
}

// NewSigner signs with secret; with none, a random one for this process
// (forms open across a restart then expire).
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	s := &Signer{secret: secret}
	s.macs.New = func() any { return hmac.New(sha256.New, s.secret) }
	return s, nil
}

// Sign is the signature of msg.
func (s *Signer) Sign(msg string) string {
	var sum [sha256.Size]byte
	var out [43]byte // base64url of 32 bytes, unpadded
	base64.RawURLEncoding.Encode(out[:], s.mac(sum[:0], msg))
	return string(out[:])
}

// mac appends msg's HMAC to b.
func (s *Signer) mac(b []byte, msg string) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(msg))
	b = m.Sum(b)
	s.macs.Put(m)
	return b
}

// Verify reports, in constant time, whether sig is msg's signature; a
// signature cut to its first n > 0 characters is checked as such.
func (s *Signer) Verify(msg, sig string) bool {
	want := s.Sign(msg)
	if len(sig) > 0 && len(sig) < len(want) {
		want = want[:len(sig)]
	}
	return sig != "" && hmac.Equal([]byte(sig), []byte(want))
}

// Key derives the key of one use, named by label, from the secret.
func (s *Signer) Key(label string) []byte {
	return s.mac(nil, label)
}
