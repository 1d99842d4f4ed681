package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDemoBindsLoopback is issue 22's fault 8: `make run` (serve --demo)
// listened on every interface while the demo's tokens and passwords are
// published. The demo binds the loopback interface unless told otherwise;
// without -demo the default is still every interface.
func TestDemoBindsLoopback(t *testing.T) {
	t.Setenv("HELPCENTRE_ADDR", "")
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{nil, "", ":8080"},
		{[]string{"--demo"}, "", "127.0.0.1:8080"},
		{[]string{"--demo", "--addr", ":9000"}, "", ":9000"},
		{[]string{"--demo"}, "0.0.0.0:8081", "0.0.0.0:8081"},
	} {
		t.Setenv("HELPCENTRE_ADDR", c.env)
		cfg, err := parseServe(c.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != c.want {
			t.Errorf("serve %v (HELPCENTRE_ADDR=%q) listens on %q, want %q", c.args, c.env, cfg.Addr, c.want)
		}
	}
}

// TestServingOnMeansAnswering is fault 8's other half: "serving on …" was
// printed before the database opened and the demo was seeded (~3 s), and a
// request sent at once waited that long. Now the line comes once requests
// are answered.
func TestServingOnMeansAnswering(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--poll", "0", "--log-level", "error"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if _, addr, ok := strings.Cut(lines.Text(), "serving on "); ok {
			base = addr
			break
		}
	}
	if base == "" {
		t.Fatalf("no \"serving on\" line; exit %d", <-done)
	}
	go io.Copy(io.Discard, pr)
	c := &http.Client{Timeout: 500 * time.Millisecond}
	start := time.Now()
	res, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz right after \"serving on\": %v (after %v)", err, time.Since(start))
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("healthz %d", res.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
}
