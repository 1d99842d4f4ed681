// Package proc runs a helpcentre server as a child process for the bench and
// the crash test, and reads the CPU time and memory the kernel accounts to it.
package proc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
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

// ErrNotAvailable is returned (wrapped) by the measurements this operating
// system does not offer: CPU time and memory are read from Linux's /proc.
var ErrNotAvailable = errors.New("not available on " + runtime.GOOS + " (measured from Linux's /proc)")

// Child is the server under test: a helpcentre binary run as
// "helpcentre serve", so the CPU time and memory the kernel accounts to it
// are the server's alone, not the load generator's.
type Child struct {
	cmd    *exec.Cmd
	stderr *tailBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid once done is closed
}

// Start runs exe with args and this process's environment plus env.
// The child is stopped when ctx is done, when Stop is called, and (on Linux)
// when this process dies, so no exit path leaves a server running.
func Start(ctx context.Context, env []string, exe string, args ...string) (*Child, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), env...)
	c := &Child{cmd: cmd, stderr: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	cmd.Cancel = c.terminate
	cmd.WaitDelay = 5 * time.Second // then SIGKILL
	var out io.Writer = c.stderr
	var copyTo *os.File
	// HELPCENTRE_BENCH_SERVER_OUTPUT names a file that gets all the child
	// writes as well (e.g. its GODEBUG=gctrace=1 lines): the tail buffer
	// keeps only the end, for error messages.
	if name := os.Getenv("HELPCENTRE_BENCH_SERVER_OUTPUT"); name != "" {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("bench: HELPCENTRE_BENCH_SERVER_OUTPUT: %w", err)
		}
		copyTo, out = f, io.MultiWriter(c.stderr, f)
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setDeathSignal(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		if copyTo != nil {
			copyTo.Close()
		}
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	go func() {
		c.err = cmd.Wait()
		if copyTo != nil {
			copyTo.Close()
		}
		close(c.done)
	}()
	return c, nil
}

// terminate asks the child to shut down: SIGTERM, or on Windows, which has
// no such signal, a kill.
func (c *Child) terminate() error {
	if runtime.GOOS == "windows" {
		return c.cmd.Process.Kill()
	}
	return c.cmd.Process.Signal(syscall.SIGTERM)
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Exited reports whether the child has exited.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Stop asks the child to shut down, kills it after 5 s, and waits for it.
func (c *Child) Stop() {
	if c.Exited() {
		return
	}
	_ = c.terminate()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// Kill kills the child at once (SIGKILL, as a crash would) and waits for it.
func (c *Child) Kill() error {
	if err := c.cmd.Process.Kill(); err != nil {
		return err
	}
	<-c.done
	return nil
}

// Output is the end of what the child wrote to stdout and stderr.
func (c *Child) Output() string { return c.stderr.String() }

// Failure describes why the child is not usable, with the end of its output.
func (c *Child) Failure(what string) error {
	if c.Exited() {
		return fmt.Errorf("bench: %s: the server exited (%v):\n%s", what, c.err, c.stderr)
	}
	return fmt.Errorf("bench: %s; server output:\n%s", what, c.stderr)
}

// CPU is the child's user plus system CPU time so far.
func (c *Child) CPU() (time.Duration, error) {
	d, err := processCPU(c.cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("bench: server CPU time: %w", err)
	}
	return d, nil
}

// RSS is the child's resident set size in bytes.
func (c *Child) RSS() (int64, error) {
	n, err := processRSS(c.cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("bench: server RSS: %w", err)
	}
	return n, nil
}

// CPUWindow is a moment's CPU accounting: of the whole machine, of this
// process and of the server under test (zero when there is none).
type CPUWindow struct {
	Wall                  time.Time
	Machine, Self, Server time.Duration
}

// TakeCPUWindow reads the CPU accounting now; c may be nil.
func TakeCPUWindow(c *Child) (CPUWindow, error) {
	w := CPUWindow{Wall: time.Now()}
	var err error
	if w.Machine, err = machineCPU(); err != nil {
		return w, fmt.Errorf("bench: machine CPU time: %w", err)
	}
	if w.Self, err = selfCPU(); err != nil {
		return w, fmt.Errorf("bench: own CPU time: %w", err)
	}
	if c != nil {
		w.Server, err = c.CPU()
	}
	return w, err
}

// Others is the CPU time other processes (and interrupts) used between a and
// b: on a shared machine, the noise in every figure measured meanwhile.
func Others(a, b CPUWindow) time.Duration {
	return max(0, (b.Machine-a.Machine)-(b.Self-a.Self)-(b.Server-a.Server))
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

// DiskUsage is what du reports for a folder, in bytes (on Linux; elsewhere
// the sum of the file sizes).
func DiskUsage(dir string) (int64, error) {
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

// FreeLoopbackAddr returns a loopback address with a port that was free a
// moment ago, for the child to listen on.
func FreeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Machine describes the computer a run was measured on.
type Machine struct {
	Cores    int     `json:"cores"`
	CPU      string  `json:"cpu"`
	MemoryGB float64 `json:"memory_gb"`
	OS       string  `json:"os"`
}

// ThisMachine describes this computer; the CPU model and memory come from
// /proc ("unknown" and 0 where there is none).
func ThisMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), CPU: "unknown", OS: runtime.GOOS + "/" + runtime.GOARCH}
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
			m.MemoryGB = math.Round(float64(n)/(1<<30)*10) / 10
		}
	}
	return m
}

// tailBuffer keeps the first and the last max/2 bytes a child writes: the
// start holds a panic's first line and the goroutine that panicked, the end
// what happened last; the middle of a long goroutine dump is dropped.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	head    []byte
	buf     []byte
	dropped int64
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if room := b.max/2 - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max/2; over > 0 {
		b.dropped += int64(over)
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return n, nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped == 0 {
		return string(b.head) + string(b.buf)
	}
	return fmt.Sprintf("%s\n[… %d bytes left out …]\n%s", b.head, b.dropped, b.buf)
}
