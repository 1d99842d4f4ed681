// Package loadgen sends HTTP load to a server on this machine and measures it:
// closed loops for saturation rates, open loops for latency at a fixed rate.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Client sends requests to one server on this machine. It refuses any
// address that is not a loopback IP, so a benchmark can never be pointed at
// someone else's server.
type Client struct {
	hc   *fasthttp.HostClient
	base string
}

// NewClient returns a client for addr (a loopback IP and port) that keeps
// up to conns connections open. fasthttp's client costs the bench process
// far less CPU per request than net/http's, which matters when load
// generator and server share two cores.
func NewClient(addr string, conns int) (*Client, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("bench: target %q is not a loopback IP: the load generator only targets this machine", addr)
	}
	return &Client{
		hc: &fasthttp.HostClient{
			Addr:                     addr,
			MaxConns:                 max(conns, 1),
			MaxConnWaitTimeout:       10 * time.Second,
			MaxIdleConnDuration:      time.Minute,
			ReadTimeout:              30 * time.Second,
			WriteTimeout:             10 * time.Second,
			NoDefaultUserAgentHeader: true,
			DisablePathNormalizing:   true,
		},
		base: "http://" + addr,
	}, nil
}

// get sends target, a path with its query string (GET) or a PostTarget,
// and returns the status. The body is read and dropped.
func (c *Client) get(target string) (int, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(c.base + target)
	if path, body, ok := postTarget(target); ok {
		req.SetRequestURI(c.base + path)
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/json")
		req.SetBody(body)
	}
	if err := c.hc.Do(req, res); err != nil {
		return 0, err
	}
	return res.StatusCode(), nil
}

// Fetch sends GET target and returns the status and the body, for a
// bench's own control requests; header holds name, value pairs.
func (c *Client) Fetch(target string, timeout time.Duration, header ...string) (int, []byte, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(c.base + target)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if err := c.hc.DoTimeout(req, res, timeout); err != nil {
		return 0, nil, err
	}
	return res.StatusCode(), append([]byte(nil), res.Body()...), nil
}

// CloseIdle closes the client's idle connections.
func (c *Client) CloseIdle() { c.hc.CloseIdleConnections() }

// Result is one load phase: how many requests were answered, how many
// failed (transport errors and non-200 answers), over how long, and the
// latency of every request in milliseconds, sorted.
type Result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	Lat      []float64
	// Sent, with Phase.Trace, is each request's scheduled send time and
	// latency in ms, in the order of the schedule.
	Sent []Sent
}

// Sent is one request of a traced open loop.
type Sent struct {
	At time.Time
	Ms float64
}

// QPS is the rate of successful answers.
func (r Result) QPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
}

// recorder collects one worker's latencies; merged at the end of a phase so
// workers never contend on a lock.
type recorder struct {
	lat      []float64
	sent     []Sent
	requests int
	errors   int
}

func (r *recorder) record(status int, err error, took time.Duration) {
	r.requests++
	if err != nil || status < 200 || status > 299 { // 202: events accepted
		r.errors++
	}
	r.lat = append(r.lat, float64(took.Microseconds())/1000)
}

func merge(recs []*recorder, elapsed time.Duration) Result {
	out := Result{Elapsed: elapsed}
	for _, r := range recs {
		out.Requests += r.requests
		out.Errors += r.errors
		out.Lat = append(out.Lat, r.lat...)
		out.Sent = append(out.Sent, r.sent...)
	}
	sort.Float64s(out.Lat)
	sort.Slice(out.Sent, func(i, j int) bool { return out.Sent[i].At.Before(out.Sent[j].At) })
	return out
}

// errNoTargets is returned when a phase has nothing to send.
var errNoTargets = errors.New("bench: no request targets")

// Phase is the shape of one load phase.
type Phase struct {
	Duration    time.Duration // how long it lasts at most
	MaxRequests int           // at most this many requests are sent; 0: no limit
	Concurrency int           // Closed, ClosedCalls: requests in flight
	Rate        float64       // Open: requests per second
	// Workers bounds the requests Open has in flight: enough that a slow
	// answer does not delay the schedule (if it does, the wait is counted
	// in the latency).
	Workers int
	// Trace makes Open keep each request's scheduled send time beside its
	// latency (Result.Sent), to line slow answers up with what the server
	// did then (e.g. its collector's cycles).
	Trace bool
}

func (p Phase) maxRequests() int {
	if p.MaxRequests <= 0 {
		return math.MaxInt
	}
	return p.MaxRequests
}

// Closed keeps p.Concurrency requests in flight, each worker sending the
// next target as soon as its previous answer arrived, until p.Duration has
// passed or p.MaxRequests were sent. Its rate is the server's saturation
// rate; its latencies are mostly queueing.
func Closed(ctx context.Context, c *Client, targets []string, p Phase) (Result, error) {
	if len(targets) == 0 {
		return Result{}, errNoTargets
	}
	maxReq := p.maxRequests()
	phase, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	var next atomic.Int64
	recs := make([]*recorder, max(p.Concurrency, 1))
	var wg sync.WaitGroup
	start := time.Now()
	for w := range recs {
		rec := &recorder{}
		recs[w] = rec
		wg.Go(func() {
			for phase.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= maxReq {
					return
				}
				t0 := time.Now()
				status, err := c.get(targets[i%len(targets)])
				rec.record(status, err, time.Since(t0))
			}
		})
	}
	wg.Wait()
	return merge(recs, time.Since(start)), ctx.Err()
}

// Open sends requests on a fixed schedule, p.Rate per second, for
// p.Duration or until p.MaxRequests were sent, whatever the server's answers
// do. A request's latency counts from its scheduled send time, so time spent
// waiting for a free worker or connection is included (no coordinated
// omission).
func Open(ctx context.Context, c *Client, targets []string, p Phase) (Result, error) {
	if len(targets) == 0 {
		return Result{}, errNoTargets
	}
	rate := p.Rate
	if rate <= 0 {
		return Result{}, fmt.Errorf("bench: open-loop rate %.1f/s", rate)
	}
	n := min(int(rate*p.Duration.Seconds()), p.maxRequests())
	interval := time.Duration(float64(time.Second) / rate)
	jobs := make(chan int, 4096)
	recs := make([]*recorder, max(p.Workers, 1))
	var wg sync.WaitGroup
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	start := time.Now()
	for w := range recs {
		rec := &recorder{}
		recs[w] = rec
		wg.Go(func() {
			for i := range jobs {
				scheduled := start.Add(time.Duration(i) * interval)
				status, err := c.get(targets[i%len(targets)])
				took := time.Since(scheduled)
				rec.record(status, err, took)
				if p.Trace {
					rec.sent = append(rec.sent, Sent{scheduled, float64(took.Microseconds()) / 1000})
				}
			}
		})
	}
dispatch:
	for i := 0; i < n; {
		// Release every request whose time has come; after an oversleep
		// that is a burst, as the schedule demands.
		due := min(int(time.Since(start)/interval)+1, n)
		for ; i < due; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				break dispatch
			}
		}
		if i < n {
			timer.Reset(time.Until(start.Add(time.Duration(i) * interval)))
			select {
			case <-timer.C:
			case <-ctx.Done():
				break dispatch
			}
		}
	}
	close(jobs)
	wg.Wait()
	return merge(recs, time.Since(start)), ctx.Err()
}

// ClosedCalls is Closed with calls instead of targets: p.Concurrency
// workers, each with the call newRun made for it, call on for p.Duration;
// a call reports whether its request succeeded.
func ClosedCalls(ctx context.Context, p Phase, newRun func() func(i int) (ok bool, err error)) (Result, error) {
	phase, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	recs := make([]*recorder, max(p.Concurrency, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range recs {
		rec := &recorder{}
		recs[w] = rec
		run := newRun()
		wg.Go(func() {
			for phase.Err() == nil {
				i := int(next.Add(1) - 1)
				t0 := time.Now()
				ok, err := run(i)
				status := 200
				if !ok {
					status = 0
				}
				rec.record(status, err, time.Since(t0))
			}
		})
	}
	wg.Wait()
	return merge(recs, time.Since(start)), ctx.Err()
}

// Send is one API request with a bearer token and an optional JSON body; it
// returns the status and the body.
func (c *Client) Send(method, target, token string, body []byte) (int, []byte, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.Header.SetMethod(method)
	req.SetRequestURI(c.base + target)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBody(body)
	}
	if err := c.hc.DoTimeout(req, res, 30*time.Second); err != nil {
		return 0, nil, err
	}
	return res.StatusCode(), append([]byte(nil), res.Body()...), nil
}

// PostTarget is a target that Closed and Open send as POST path with a JSON
// body; plain targets are sent as GET.
func PostTarget(path string, body []byte) string {
	return "POST " + path + "\n" + string(body)
}

// postTarget splits a target made by PostTarget.
func postTarget(target string) (path string, body []byte, ok bool) {
	rest, ok := strings.CutPrefix(target, "POST ")
	if !ok {
		return "", nil, false
	}
	path, b, ok := strings.Cut(rest, "\n")
	return path, []byte(b), ok
}
