package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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
	return &Signer{secret: secret}, nil
}

// Sign is the signature of msg.
func (s *Signer) Sign(msg string) string {
	return base64.RawURLEncoding.EncodeToString(s.Key(msg))
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
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}
