package bench

import (
	"net/url"
	"testing"

	"github.com/marketplace/helpcentre/internal/pgtest"
)

// The store URL's pool settings (?pool_max_conns=N, as the README tells
// operators to set) are the pool's, not PostgreSQL's: the bench's probe of
// PostgreSQL's statistics connects with them in the URL, as the store does.
func TestPGProbeTakesPoolSettings(t *testing.T) {
	u, err := url.Parse(pgtest.DB(t, pgtest.NoSync()))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	p, err := newPGProbe(t.Context(), u.String())
	if err != nil {
		t.Fatalf("a store URL with pool_max_conns: %v", err)
	}
	defer p.close()
	if p.sizeMB(t.Context()) <= 0 {
		t.Error("the probe read no database size")
	}
}
