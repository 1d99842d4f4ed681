package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// loadClient sends GET requests to one server on this machine. It refuses
// any address that is not a loopback IP, so a benchmark can never be
// pointed at someone else's server.
type loadClient struct {
	hc   *fasthttp.HostClient
	base string
}

// newLoadClient returns a client for addr (a loopback IP and port) that keeps
// up to conns connections open. fasthttp's client costs the bench process
// far less CPU per request than net/http's, which matters when load
// generator and server share two cores.
func newLoadClient(addr string, conns int) (*loadClient, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bench: target %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("bench: target %q is not a loopback IP: the load generator only targets this machine", addr)
	}
	return &loadClient{
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

// get sends GET target (a path with its query string) and returns the
// status. The body is read and dropped.
func (c *loadClient) get(target string) (int, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.SetRequestURI(c.base + target)
	if path, body, ok := postTarget(target); ok { // benchdeflect.go
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

// fetch is get with the body, for the bench's own control requests; header
// holds name, value pairs.
func (c *loadClient) fetch(target string, timeout time.Duration, header ...string) (int, []byte, error) {
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

// closeIdle closes the client's idle connections.
func (c *loadClient) closeIdle() { c.hc.CloseIdleConnections() }

// loadResult is one load phase: how many requests were answered, how many
// failed (transport errors and non-200 answers), over how long, and the
// latency of every request in milliseconds, sorted.
type loadResult struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	Lat      []float64
}

// QPS is the rate of successful answers.
func (r loadResult) QPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
}

// recorder collects one worker's latencies; merged at the end of a phase so
// workers never contend on a lock.
type recorder struct {
	lat      []float64
	requests int
	errors   int
}

func (r *recorder) record(status int, err error, took time.Duration) {
	r.requests++
	if err != nil || status != 200 {
		r.errors++
	}
	r.lat = append(r.lat, float64(took.Microseconds())/1000)
}

func merge(recs []*recorder, elapsed time.Duration) loadResult {
	out := loadResult{Elapsed: elapsed}
	for _, r := range recs {
		out.Requests += r.requests
		out.Errors += r.errors
		out.Lat = append(out.Lat, r.lat...)
	}
	sort.Float64s(out.Lat)
	return out
}

// errNoTargets is returned when a phase has nothing to send.
var errNoTargets = errors.New("bench: no request targets")

// closedLoop keeps conc requests in flight, each worker sending the next
// target as soon as its previous answer arrived, until d has passed or
// maxReq requests were sent. Its rate is the server's saturation rate; its
// latencies are mostly queueing and are not reported.
func closedLoop(ctx context.Context, c *loadClient, targets []string, conc int, d time.Duration, maxReq int) (loadResult, error) {
	if len(targets) == 0 {
		return loadResult{}, errNoTargets
	}
	phase, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next atomic.Int64
	recs := make([]*recorder, max(conc, 1))
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

// openLoop sends requests on a fixed schedule, rate per second, for d or
// until maxReq were sent, whatever the server's answers do. A request's
// latency counts from its scheduled send time, so time spent waiting for a
// free worker or connection is included (no coordinated omission).
func openLoop(ctx context.Context, c *loadClient, targets []string, rate float64, d time.Duration, maxReq, workers int) (loadResult, error) {
	if len(targets) == 0 {
		return loadResult{}, errNoTargets
	}
	if rate <= 0 {
		return loadResult{}, fmt.Errorf("bench: open-loop rate %.1f/s", rate)
	}
	n := min(int(rate*d.Seconds()), maxReq)
	interval := time.Duration(float64(time.Second) / rate)
	jobs := make(chan int, 4096)
	recs := make([]*recorder, max(workers, 1))
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
				rec.record(status, err, time.Since(scheduled))
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
