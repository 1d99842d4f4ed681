//go:build linux

package apertium

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
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
	bin, modes, err := findAPY()
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "apertium: %v; CI must install it with .ci/deps\n", err)
			return 1
		}
		apySkip = fmt.Sprintf("%v: install it with .ci/deps (or set HELPCENTRE_APY)", err)
		return m.Run()
	}
	e, err := startAPY(bin, modes)
	if err != nil {
		fmt.Fprintf(os.Stderr, "apertium: %v\n", err)
		return 1
	}
	defer e.stop()
	apyURL = e.url
	// The first translation starts the pair's pipeline (eleven processes).
	t0 := time.Now()
	c, err := New(e.url, Options{})
	if err == nil {
		_, err = c.Translate(context.Background(), "Where is my refund?", "en", "es")
		c.Close()
	}
	fmt.Fprintf(os.Stderr, "apertium: %s answering at %s in %v, first translation %v later (err %v)\n",
		bin, e.url, e.startup.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), err)
	code := m.Run()
	if code != 0 {
		out := e.output()
		if len(out) > 4000 {
			out = "…" + out[len(out)-4000:]
		}
		fmt.Fprintf(os.Stderr, "apertium: APY output (tail):\n%s\n", out)
	}
	return code
}

func findAPY() (bin, modes string, err error) {
	bin = os.Getenv("HELPCENTRE_APY")
	if bin == "" {
		bin = "apertium-apy"
	}
	if bin, err = exec.LookPath(bin); err != nil {
		return "", "", fmt.Errorf("APY not found: %w", err)
	}
	modes = os.Getenv("HELPCENTRE_APY_MODES")
	if modes == "" {
		modes = "/usr/share/apertium/modes"
	}
	if _, err := os.Stat(modes + "/eng-spa.mode"); err != nil {
		return "", "", fmt.Errorf("no eng-spa mode in %s (Debian's apertium-eng-spa)", modes)
	}
	return bin, modes, nil
}

// engine is an APY process of ours.
type engine struct {
	cmd     *exec.Cmd
	url     string
	startup time.Duration
	mu      sync.Mutex
	out     bytes.Buffer
	done    chan struct{}
}

func (e *engine) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.Write(p)
}

func (e *engine) output() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.String()
}

// startAPY starts APY on a free port and waits until /listPairs answers.
// APY 0.11.7 has no listen-address option: it binds every interface.
func startAPY(bin, modes string) (*engine, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	e := &engine{url: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	e.cmd = exec.Command(bin, "-p", strconv.Itoa(port), modes)
	e.cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	e.cmd.Stdout, e.cmd.Stderr = e, e
	// Its own process group, so stop also ends the translation pipelines it
	// forks; and killed with us if the test binary dies.
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { e.cmd.Wait(); close(e.done) }()
	client := &http.Client{Timeout: time.Second}
	deadline := t0.Add(15 * time.Second)
	for {
		select {
		case <-e.done:
			return nil, fmt.Errorf("%s exited before answering: %s", bin, e.output())
		default:
		}
		res, err := client.Get(e.url + "/listPairs")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				e.startup = time.Since(t0)
				return e, nil
			}
		}
		if time.Now().After(deadline) {
			e.stop()
			return nil, fmt.Errorf("%s not answering /listPairs after 15s: %s", bin, e.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM to the group, then SIGKILL after 3 s.
func (e *engine) stop() {
	pgid := e.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-e.done
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // pipelines that outlived their parent
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
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
