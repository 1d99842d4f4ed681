package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oklog/ulid/v2"

	"github.com/marketplace/helpcentre/domain"
)

// VisitorCookie holds the anonymous first-party visitor id: 16 random
// bytes in hex, nothing about the person. It lets "the same visitor" be
// told apart from "the same address" in the search log.
const VisitorCookie = "hc_vid"

// visitorCookieAge is how long a browser keeps its visitor id.
const visitorCookieAge = 365 * 24 * time.Hour

// clientIP is the client address the search log hashes and counts floods
// by: the one Edge resolved (X-Forwarded-For only from a trusted proxy).
func clientIP(c *fiber.Ctx) string { return ClientIP(c) }

// Insights gives searches their query ids and logs them, for the search
// analytics and learning (Algolia Insights' model: a query id on every
// answer, events naming it).
type Insights struct {
	// Events stores the log; nil: query ids are still handed out, nothing
	// is logged and POST /api/v1/events answers 503.
	Events domain.SearchEvents
	signer *Signer
	salt   []byte
}

// NewInsights returns the query-id issuer on signer's secret.
func NewInsights(events domain.SearchEvents, signer *Signer) *Insights {
	return &Insights{Events: events, signer: signer, salt: signer.Key("insights:visitor-salt")}
}

// NewQueryID is a ULID (its time is when the search was answered) signed
// with the server's secret: an event's query id is checked without a read.
func (in *Insights) NewQueryID(at time.Time) string {
	id := ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String()
	return id + "-" + in.signer.Sign("insights:query:" + id)[:16]
}

// CheckQueryID reports whether id was handed out here, less than a day
// before now. Errors: query_not_found.
func (in *Insights) CheckQueryID(id string, now time.Time) error {
	u, mac, ok := strings.Cut(id, "-")
	if !ok || len(u) != 26 || len(mac) != 16 || !in.signer.Verify("insights:query:"+u, mac) {
		return domain.Errorf(domain.CodeQueryNotFound, "That query_id was not handed out by this help centre.")
	}
	parsed, err := ulid.ParseStrict(u)
	if err != nil {
		return domain.Errorf(domain.CodeQueryNotFound, "That query_id was not handed out by this help centre.")
	}
	return domain.CheckQueryAge(ulid.Time(parsed.Time()), now)
}

// Visitor returns the salted hashes of the visitor (cookie hc_vid, which
// it sets when missing, or the address when the browser keeps no cookie)
// and of the client address.
func (in *Insights) Visitor(c *fiber.Ctx) (visitor, client string) {
	client = in.hash("ip:" + clientIP(c))
	vid := c.Cookies(VisitorCookie)
	if len(vid) != 32 || strings.Trim(vid, "0123456789abcdef") != "" {
		// No id came (a first request, a cross-origin widget, a client
		// that keeps no cookies): the address stands in, so that dropping
		// cookies never makes one client many visitors.
		if o := c.Get(fiber.HeaderOrigin); o != "" && !strings.EqualFold(o, c.BaseURL()) {
			return client, client // cross-origin (the widget): the API sets no cookies there
		}
		var b [16]byte
		_, _ = rand.Read(b[:])
		c.Cookie(&fiber.Cookie{Name: VisitorCookie, Value: hex.EncodeToString(b[:]), Path: "/", MaxAge: int(visitorCookieAge / time.Second),
			HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
		return client, client
	}
	return in.hash("vid:" + vid), client
}

func (in *Insights) hash(s string) string {
	return SaltedHash(in.salt, s, 12)
}

// SaltedHash is the hex of the first n bytes of SHA-256(salt || s), hashed
// from a buffer on the stack when they fit in one (the hash of every
// request's address and visitor).
func SaltedHash(salt []byte, s string, n int) string {
	var buf [256]byte
	var sum [sha256.Size]byte
	if len(salt)+len(s) <= len(buf) {
		sum = sha256.Sum256(append(append(buf[:0], salt...), s...))
	} else {
		sum = sha256.Sum256(append(append([]byte(nil), salt...), s...))
	}
	return hex.EncodeToString(sum[:n])
}

// LogSearch gives a search its query id and queues it in the log; a failure
// to queue is returned for the caller to log (the answer still goes out).
// Without a log there is no id: pages then send no events.
func (in *Insights) LogSearch(c *fiber.Ctx, source, locale, query string, hits []string, total int) (string, error) {
	if in.Events == nil {
		return "", nil
	}
	now := time.Now().UTC()
	id := in.NewQueryID(now)
	if strings.TrimSpace(query) == "" {
		return id, nil // browsing without a question is not a search
	}
	visitor, client := in.Visitor(c)
	if len(query) > domain.MaxLoggedQuery {
		query = strings.ToValidUTF8(query[:domain.MaxLoggedQuery], "")
	}
	if len(hits) > domain.MaxLoggedHits {
		hits = hits[:domain.MaxLoggedHits]
	}
	err := in.Events.Record(c.UserContext(), domain.SearchEvent{Type: domain.SearchQuery, At: now, QueryID: id,
		Visitor: visitor, Client: client, Locale: locale, Query: strings.Clone(query), Source: source, Hits: hits, Total: total})
	return id, err
}
