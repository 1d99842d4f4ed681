//go:build linux

package apertium

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain/apertium/apytest"
)

// The tests below run the real engine: TestMain starts Debian's apertium-apy
// (HELPCENTRE_APY names another binary, HELPCENTRE_APY_MODES another modes
// folder) on a free port and stops it at the end. Without it they fail under
// CI and skip elsewhere. HELPCENTRE_APY_URL points them at a running engine
// instead (to benchmark one started with other options).

var (
	apyURL  string // base URL of the shared engine, "" when not running
	apySkip string // why the real-engine tests skip
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if u := os.Getenv("HELPCENTRE_APY_URL"); u != "" {
		apyURL = u
		return m.Run()
	}
	bin, modes, err := apytest.Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "apertium: %v; CI must install it with .ci/deps\n", err)
			return 1
		}
		apySkip = fmt.Sprintf("%v: install it with .ci/deps (or set HELPCENTRE_APY)", err)
		return m.Run()
	}
	e, err := apytest.Start(bin, modes)
	if err != nil {
		fmt.Fprintf(os.Stderr, "apertium: %v\n", err)
		return 1
	}
	defer e.Stop()
	apyURL = e.URL
	// The first translation starts the pair's pipeline (eleven processes).
	t0 := time.Now()
	c, err := New(e.URL, Options{})
	if err == nil {
		_, err = c.Translate(context.Background(), "Where is my refund?", "en", "es")
		c.Close()
	}
	fmt.Fprintf(os.Stderr, "apertium: %s answering at %s in %v, first translation %v later (err %v)\n",
		bin, e.URL, e.Startup.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), err)
	code := m.Run()
	if code != 0 {
		out := e.Output()
		if len(out) > 4000 {
			out = "…" + out[len(out)-4000:]
		}
		fmt.Fprintf(os.Stderr, "apertium: APY output (tail):\n%s\n", out)
	}
	return code
}

// realClient returns a client of the shared engine or skips.
func realClient(t testing.TB) *Client {
	t.Helper()
	if apyURL == "" {
		t.Skip(apySkip)
	}
	c, err := New(apyURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
