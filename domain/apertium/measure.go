package apertium

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Stats are latency and throughput figures from Measure.
type Stats struct {
	Messages    int           // translated without error
	Errors      int           // failed (the first failure is returned too)
	Bytes       int           // input bytes translated
	Concurrency int           //
	Elapsed     time.Duration // wall time of the whole run
	P50, P90    time.Duration // per message
	P99, Max    time.Duration //
	PerSecond   float64       // messages per second of wall time
}

// Measure translates every text once, from → to, with concurrency callers at
// a time, and reports per-message latency and throughput. It stops at the
// first error (returned with the figures so far) or when ctx ends.
func Measure(ctx context.Context, c *Client, from, to string, texts []string, concurrency int) (Stats, error) {
	if concurrency < 1 {
		concurrency = 1
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, len(texts))
		st        = Stats{Concurrency: concurrency}
		firstErr  error
		next      = make(chan string)
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for text := range next {
				t0 := time.Now()
				_, err := c.Translate(ctx, text, from, to)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					st.Errors++
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				} else {
					st.Messages++
					st.Bytes += len(text)
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, text := range texts {
		select {
		case next <- text:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	st.Elapsed = time.Since(start)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	st.P50, st.P90, st.P99 = quantile(latencies, 0.50), quantile(latencies, 0.90), quantile(latencies, 0.99)
	if n := len(latencies); n > 0 {
		st.Max = latencies[n-1]
	}
	if st.Elapsed > 0 {
		st.PerSecond = float64(st.Messages) / st.Elapsed.Seconds()
	}
	if firstErr == nil {
		firstErr = parent.Err()
	}
	return st, firstErr
}

// quantile of sorted durations, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
