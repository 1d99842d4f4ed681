package web

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Edge is what the server knows about the network in front of it: which
// peers are reverse proxies whose X-Forwarded-For and X-Forwarded-Proto it
// believes, and the public URL its absolute links use. Every handler reads
// the client's address and scheme through ClientIP and Scheme, never from
// the connection or the headers directly.
type Edge struct {
	// TrustedProxies are the reverse proxies' addresses; empty: none, the
	// peer is the client and forwarding headers are ignored.
	TrustedProxies []netip.Prefix
	// PublicURL is the origin absolute links are built from (sitemap,
	// robots.txt, canonical links), e.g. https://help.example; never the
	// request's Host header, which any client may forge.
	PublicURL string
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.168.1.7, ::1").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is not an address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ParsePublicURL checks a public URL: http or https, a host, no path beyond
// "/", no query. It returns it without the trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL: want an origin like https://help.example, got %q", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// trusted reports whether a is one of the proxies.
func (e *Edge) trusted(a netip.Addr) bool {
	for _, p := range e.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client is what Edge resolved for one request.
type client struct {
	ip     string
	scheme string
	edge   *Edge
}

const clientKey = "web.client"

// Resolve is the middleware that works out, once per request, the client's
// address and scheme (see ClientIP and Scheme), and sends
// Strict-Transport-Security when the public URL is https.
func (e *Edge) Resolve(c *fiber.Ctx) error {
	peer := peerAddr(c)
	cl := &client{ip: peer.String(), scheme: "http", edge: e}
	if c.Context().IsTLS() {
		cl.scheme = "https"
	}
	if peer.IsValid() && e.trusted(peer) {
		cl.ip = e.forwardedFor(c, peer).String()
		if p := lastToken(c.Get(fiber.HeaderXForwardedProto)); p == "http" || p == "https" {
			cl.scheme = p
		}
	}
	c.Locals(clientKey, cl)
	if strings.HasPrefix(e.PublicURL, "https://") {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}

// peerAddr is the address of the connection's other end (never one a
// header claims).
func peerAddr(c *fiber.Ctx) netip.Addr {
	var addr net.Addr
	if conn := c.Context().Conn(); conn != nil {
		addr = conn.RemoteAddr()
	} else {
		addr = c.Context().RemoteAddr()
	}
	if ta, ok := addr.(*net.TCPAddr); ok {
		if a, ok := netip.AddrFromSlice(ta.IP); ok {
			return a.Unmap()
		}
	}
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// forwardedFor is the client's address behind trusted proxies: the
// rightmost hop of X-Forwarded-For that is not itself a trusted proxy.
// Hops to its left were written by the client and prove nothing. A hop that
// is not an address stops the walk at the last trusted one.
func (e *Edge) forwardedFor(c *fiber.Ctx, peer netip.Addr) netip.Addr {
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		for _, h := range bytes.Split(v, []byte(",")) {
			hops = append(hops, string(bytes.TrimSpace(h)))
		}
	}
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return last
		}
		if !e.trusted(a) {
			return a
		}
		last = a
	}
	return last
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("203.0.113.9:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// lastToken is the last comma-separated value of a header, lower-cased:
// the one the nearest proxy wrote.
func lastToken(v string) string {
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func clientOf(c *fiber.Ctx) *client {
	cl, _ := c.Locals(clientKey).(*client)
	return cl
}

// ClientIP is the client's address: the peer's, or behind trusted proxies
// the one they forward. Rate limits, sign-in throttles and request logs key
// on it.
func ClientIP(c *fiber.Ctx) string {
	if cl := clientOf(c); cl != nil {
		return cl.ip
	}
	return peerAddr(c).String()
}

// Scheme is "https" when the client reached us over TLS (ours, or a
// trusted proxy's per X-Forwarded-Proto), else "http".
func Scheme(c *fiber.Ctx) string {
	if cl := clientOf(c); cl != nil {
		return cl.scheme
	}
	if c.Context().IsTLS() {
		return "https"
	}
	return "http"
}

// BaseURL is the origin of absolute links: the configured public URL.
func BaseURL(c *fiber.Ctx) string {
	if cl := clientOf(c); cl != nil && cl.edge.PublicURL != "" {
		return cl.edge.PublicURL
	}
	return DefaultPublicURL
}

// DefaultPublicURL is the origin of absolute links when none is configured.
const DefaultPublicURL = "http://localhost:8080"

// SecureCookies reports whether cookies must be Secure: the public URL or
// the request is https.
func SecureCookies(c *fiber.Ctx) bool {
	return strings.HasPrefix(BaseURL(c), "https://") || Scheme(c) == "https"
}
