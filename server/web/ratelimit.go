package web

import (
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// RateLimit lets one client (ClientIP) send max requests a minute to the
// routes it guards, counted under name; more are answered 429.
func RateLimit(name string, max int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          max,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return name + ":" + ClientIP(c) },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}

// TokenBucket lets each client (ClientIP; an IPv6 client by its /64) make
// perMinute requests a minute to the routes it guards, refilled evenly, in
// bursts of at most a tenth of that (six seconds' worth; at least 1): a long
// misspelt query costs ~0.1 s of CPU, so a full minute's budget at once
// would take both cores of a small machine for seconds. A request over it is
// answered 429 (problem rate_limited) with Retry-After: the seconds until
// the next token. perMinute <= 0 lets everything through.
func TokenBucket(perMinute int) fiber.Handler {
	if perMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	b := newBuckets(float64(perMinute)/60, float64(max(1, perMinute/10)), time.Now)
	return func(c *fiber.Ctx) error {
		if wait, ok := b.take(bucketKey(ClientIP(c))); !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return fiber.ErrTooManyRequests
		}
		return c.Next()
	}
}

func bucketKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	return addrKey(a.Unmap()).String()
}

// buckets are the token buckets of every client seen lately.
type buckets struct {
	rate, burst float64 // tokens a second; the most a bucket holds
	now         func() time.Time

	mu        sync.Mutex
	m         map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func newBuckets(rate, burst float64, now func() time.Time) *buckets {
	return &buckets{rate: rate, burst: burst, now: now, m: map[string]*bucket{}, lastSweep: now()}
}

// take spends a token of key's bucket, or says how long until there is one.
func (b *buckets) take(key string) (wait time.Duration, ok bool) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweep(now)
	bk := b.m[key]
	if bk == nil {
		bk = &bucket{tokens: b.burst, at: now}
		b.m[key] = bk
	}
	bk.tokens = min(b.burst, bk.tokens+now.Sub(bk.at).Seconds()*b.rate)
	bk.at = now
	if bk.tokens >= 1 {
		bk.tokens--
		return 0, true
	}
	return time.Duration((1 - bk.tokens) / b.rate * float64(time.Second)), false
}

// sweep forgets, once a minute, the buckets that have filled up again: a
// new bucket is full, so forgetting them changes nothing but memory.
func (b *buckets) sweep(now time.Time) {
	if now.Sub(b.lastSweep) < time.Minute {
		return
	}
	b.lastSweep = now
	for k, bk := range b.m {
		if bk.tokens+now.Sub(bk.at).Seconds()*b.rate >= b.burst {
			delete(b.m, k)
		}
	}
}
