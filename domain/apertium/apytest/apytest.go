//go:build linux

// Package apytest starts Apertium's APY on a free loopback port for tests
// (and benchmarks) that need the real engine, and stops it with all the
// translation pipelines it forked.
package apytest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Find locates APY (HELPCENTRE_APY or apertium-apy on PATH) and its modes
// (HELPCENTRE_APY_MODES or Debian's /usr/share/apertium/modes), which must
// include eng-spa.
func Find() (bin, modes string, err error) {
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

// Engine is an APY process started by Start.
type Engine struct {
	cmd     *exec.Cmd
	URL     string        // base URL, e.g. http://127.0.0.1:41234
	Startup time.Duration // until /listPairs answered
	mu      sync.Mutex
	out     bytes.Buffer
	done    chan struct{}
}

func (e *Engine) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.Write(p)
}

func (e *Engine) Output() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.String()
}

// Start starts APY on a free port and waits until /listPairs answers.
// APY 0.11.7 has no listen-address option: it binds every interface.
func Start(bin, modes string) (*Engine, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	e := &Engine{URL: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
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
			return nil, fmt.Errorf("%s exited before answering: %s", bin, e.Output())
		default:
		}
		res, err := client.Get(e.URL + "/listPairs")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				e.Startup = time.Since(t0)
				return e, nil
			}
		}
		if time.Now().After(deadline) {
			e.Stop()
			return nil, fmt.Errorf("%s not answering /listPairs after 15s: %s", bin, e.Output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop sends SIGTERM to the group, then SIGKILL after 3 s.
func (e *Engine) Stop() {
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

// FreePort returns a loopback port nobody listens on (as of now).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
