package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

// BenchmarkPostMessageHTTP posts messages durably (fsync on) through the
// HTTP API from 64 concurrent clients with keep-alive, each on its own
// thread, and reports messages per second.
func BenchmarkPostMessageHTTP(b *testing.B) {
	const clients = 64
	w := newDomainWorld(b, plugThreads)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go w.srv.Serve(ln)
	b.Cleanup(func() { w.srv.Shutdown(b.Context()) })
	base := "http://" + ln.Addr().String() + "/api/v1"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}, Timeout: 30 * time.Second}
	do := func(method, url string, body any) ([]byte, error) {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, url, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+demo.Token("ana"))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			return nil, fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, out)
		}
		return out, nil
	}
	ids := make([]string, clients)
	for i := range ids {
		out, err := do("POST", base+"/orders/1001/threads", map[string]any{"recipient": "seller", "topic": "delivery", "body": "start"})
		if err != nil {
			b.Fatal(err)
		}
		var th domain.Thread
		json.Unmarshal(out, &th)
		ids[i] = th.ID
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	msg := map[string]any{"to": []string{"seller"}, "body": "Any news about my order? It has been a while."}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if _, err := do("POST", base+"/threads/"+ids[i]+"/messages", msg); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
