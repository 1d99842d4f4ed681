package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is the server under test: this binary re-executed as
// "helpcentre serve", so the CPU time and memory the kernel accounts to it
// are the server's alone, not the load generator's.
type child struct {
	cmd    *exec.Cmd
	addr   string
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid once done is closed
}

// startChild runs exe with args and this process's environment plus env.
// The child is stopped when ctx is done, when stop is called, and (on Linux)
// when this process dies, so no exit path leaves a server running.
func startChild(ctx context.Context, env []string, exe string, args ...string) (*child, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second // then SIGKILL
	c := &child{cmd: cmd, stderr: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	cmd.Stdout = c.stderr
	cmd.Stderr = c.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setDeathSignal(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the child has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop asks the child to shut down, kills it after 5 s, and waits for it.
func (c *child) stop() {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// failure describes why the child is not usable, with the end of its output.
func (c *child) failure(what string) error {
	if c.exited() {
		return fmt.Errorf("bench: %s: the server exited (%v):\n%s", what, c.err, c.stderr)
	}
	return fmt.Errorf("bench: %s; server output:\n%s", what, c.stderr)
}

// cpu is the child's user plus system CPU time so far.
func (c *child) cpu() (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("bench: server CPU time: %w", err)
	}
	return parseProcStat(data)
}

// rss is the child's resident set size in bytes.
func (c *child) rss() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("bench: server RSS: %w", err)
	}
	return parseVmRSS(data)
}

// rssMB is the child's resident set size in MB, rounded to 0.1.
func (c *child) rssMB() (float64, error) {
	n, err := c.rss()
	return round(float64(n)/(1<<20), 1), err
}

// cpuWindow is a moment's CPU accounting: of the whole machine, of this
// process and of the server under test (zero when there is none).
type cpuWindow struct {
	wall                  time.Time
	machine, self, server time.Duration
}

func takeCPUWindow(c *child) (cpuWindow, error) {
	w := cpuWindow{wall: time.Now()}
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return w, fmt.Errorf("bench: machine CPU time: %w", err)
	}
	if w.machine, err = parseMachineStat(data); err != nil {
		return w, err
	}
	if data, err = os.ReadFile("/proc/self/stat"); err != nil {
		return w, fmt.Errorf("bench: own CPU time: %w", err)
	}
	if w.self, err = parseProcStat(data); err != nil {
		return w, err
	}
	if c != nil {
		w.server, err = c.cpu()
	}
	return w, err
}

// others is the CPU time other processes (and interrupts) used between a and
// b: on a shared machine, the noise in every figure measured meanwhile.
func others(a, b cpuWindow) time.Duration {
	return max(0, (b.machine-a.machine)-(b.self-a.self)-(b.server-a.server))
}

// parseMachineStat returns the CPU time all cores spent running processes
// (user, nice, system) or taken by the hypervisor (steal), from the contents
// of /proc/stat. Interrupt time is left out: most of it is the bench's own
// loopback traffic.
func parseMachineStat(data []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	// cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("bench: /proc/stat: first line %.60q is not the cpu total", line)
	}
	var ticks uint64
	for i, s := range f[1:9] {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc/stat: %q: %w", s, err)
		}
		switch i {
		case 0, 1, 2, 7:
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// userHZ is the unit of /proc/<pid>/stat's CPU times: the kernel exports
// them in USER_HZ ticks, 100 per second on every Linux architecture Go
// supports.
const userHZ = 100

// parseProcStat returns utime+stime from the contents of /proc/<pid>/stat.
func parseProcStat(data []byte) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may hold spaces
	// and parentheses itself: count fields after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: /proc stat: no command name in %.40q", data)
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: /proc stat: %d fields after the command name, want at least 13", len(f))
	}
	var ticks uint64
	for _, s := range f[11:13] {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: /proc stat: CPU time %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// parseVmRSS returns the VmRSS line of /proc/<pid>/status in bytes.
func parseVmRSS(data []byte) (int64, error) {
	return procKB(data, "VmRSS:")
}

// procKB finds "key  N kB" in a /proc file and returns N×1024.
func procKB(data []byte, key string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bench: %s %q: want a number of kB", key, rest)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: %s %q: %w", key, rest, err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("bench: no %s line", key)
}

// metricValue returns a sample without labels from a Prometheus text exposition.
func metricValue(text []byte, name string) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil {
			return 0, fmt.Errorf("bench: metric %s %q: %w", name, rest, err)
		}
		return v, nil
	}
	return 0, fmt.Errorf("bench: metric %s not found", name)
}

// diskUsage is what du reports for a folder, in bytes.
func diskUsage(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += allocated(fi)
		return nil
	})
	return n, err
}

// freeLoopbackAddr returns a loopback address with a port that was free a
// moment ago, for the child to listen on.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// machine describes the computer a run was measured on.
type machine struct {
	Cores    int     `json:"cores"`
	CPU      string  `json:"cpu"`
	MemoryGB float64 `json:"memory_gb"`
	OS       string  `json:"os"`
}

func thisMachine() machine {
	m := machine{Cores: runtime.NumCPU(), CPU: "unknown", OS: runtime.GOOS + "/" + runtime.GOARCH}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if n, err := procKB(data, "MemTotal:"); err == nil {
			m.MemoryGB = round(float64(n)/(1<<30), 1)
		}
	}
	return m
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
