package deflect

import (
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// clientQuota counts actions per client (a hashed address) in memory,
// against a domain.Quota: the public endpoints have no user to count on.
// It forgets everything when it holds maxClients, rather than grow.
type clientQuota struct {
	q  domain.Quota
	mu sync.Mutex
	m  map[string]domain.Usage
}

const maxClients = 100_000

func newClientQuota(q domain.Quota) *clientQuota {
	return &clientQuota{q: q, m: map[string]domain.Usage{}}
}

// take counts one action of client at now, or refuses it with code.
func (c *clientQuota) take(client string, now time.Time, code domain.Code, what string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxClients {
		c.m = map[string]domain.Usage{}
	}
	u, err := c.q.Take(c.m[client], 0, now, code, what)
	if err != nil {
		return err
	}
	c.m[client] = u
	return nil
}
