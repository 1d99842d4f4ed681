package web

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// ListenerConfig limits what one client can hold open.
type ListenerConfig struct {
	// MaxConnsPerIP bounds the open connections of one client address
	// (an IPv6 client: its /64); 0: no bound. Trusted proxies are exempt:
	// every client behind them shares their address.
	MaxConnsPerIP  int
	TrustedProxies []netip.Prefix
	Log            *slog.Logger // nil: no log
}

// Listen wraps ln so that the server survives connection floods: it bounds
// the connections per client address (the excess are answered 429 and
// closed at once), and when accepting fails for want of file descriptors
// (EMFILE, ENFILE) or another temporary reason it waits and tries again,
// backing off from 5 ms to 1 s as net/http's Server.Serve does, instead of
// returning the error, which would end fasthttp's Serve and the process.
// The total of connections is bounded by the server's Concurrency
// (AppConfig.MaxConns).
func Listen(ln net.Listener, cfg ListenerConfig) net.Listener {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &listener{Listener: ln, cfg: cfg, open: map[netip.Prefix]int{}, closed: make(chan struct{})}
}

type listener struct {
	net.Listener
	cfg ListenerConfig

	mu        sync.Mutex
	open      map[netip.Prefix]int // connections per client address
	lastWarn  time.Time            // warnings at most once a minute
	closeOnce sync.Once
	closed    chan struct{} // closed by Close: wakes a backing-off Accept
}

// maxAcceptDelay is the longest wait between failed accepts.
const maxAcceptDelay = time.Second

func (l *listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !temporaryAcceptError(err) {
				return nil, err
			}
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > maxAcceptDelay {
				delay = maxAcceptDelay
			}
			l.warn("accept failed; retrying", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-l.closed:
				return nil, net.ErrClosed
			}
			continue
		}
		delay = 0
		if lc, ok := l.admit(c); ok {
			return lc, nil
		}
	}
}

func (l *listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// temporaryAcceptError is true for errors after which accepting can work
// again: out of file descriptors or buffers, a connection aborted before we
// took it, and whatever the net package calls temporary.
func temporaryAcceptError(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (l *listener) warn(msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.lastWarn) < time.Minute {
		l.mu.Unlock()
		return
	}
	l.lastWarn = now
	l.mu.Unlock()
	l.cfg.Log.Warn(msg, args...)
}

// tooManyConns is written to a client over its connection limit, before
// any request: HTTP/1.1 clients read it as the answer to their first.
const tooManyConns = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nContent-Length: 40\r\nRetry-After: 10\r\nConnection: close\r\n\r\nToo many connections from your address.\n"

// admit counts c against its client's limit, or refuses it.
func (l *listener) admit(c net.Conn) (net.Conn, bool) {
	if l.cfg.MaxConnsPerIP <= 0 {
		return c, true
	}
	key, ok := connKey(c.RemoteAddr())
	if !ok || l.trusted(key.Addr()) {
		return c, true
	}
	l.mu.Lock()
	n := l.open[key]
	if n >= l.cfg.MaxConnsPerIP {
		l.mu.Unlock()
		l.warn("too many connections from one address; refusing the excess", "client", key.String(), "max_conns_per_ip", l.cfg.MaxConnsPerIP)
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.Write([]byte(tooManyConns))
		_ = c.Close()
		return nil, false
	}
	l.open[key] = n + 1
	l.mu.Unlock()
	return &countedConn{Conn: c, release: func() { l.release(key) }}, true
}

func (l *listener) release(key netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] <= 1 {
		delete(l.open, key)
		return
	}
	l.open[key]--
}

func (l *listener) trusted(a netip.Addr) bool {
	for _, p := range l.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// connKey is what connections are counted under: the IPv4 address, or the
// IPv6 /64 (one subscriber's usual allocation).
func connKey(addr net.Addr) (netip.Prefix, bool) {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	return addrKey(a.Unmap()), true
}

// addrKey is a client's key for per-address limits.
func addrKey(a netip.Addr) netip.Prefix {
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// countedConn gives its slot back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
