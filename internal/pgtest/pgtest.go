//go:build unix

// Package pgtest starts a throwaway PostgreSQL cluster for tests, as the
// translation tests start Apertium: initdb in a temporary folder (as the
// unprivileged user nobody when the tests run as root, since initdb and
// postgres refuse root), postgres on a free loopback port and a unix socket in
// that folder, stopped and removed when the test binary ends.
//
// One cluster per test binary, started on first use; every test gets its own
// database, so tests can run in parallel:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		url := pgtest.DB(t) // postgres://postgres@127.0.0.1:port/t_3?sslmode=disable
//		...
//	}
//
// When PostgreSQL is not installed DB skips the test, unless
// HELPCENTRE_REQUIRE_POSTGRES=1 (CI sets it): then a missing PostgreSQL fails
// the test, so the suite can never be skipped silently there. A PostgreSQL that
// is installed but does not start always fails.
//
// The binaries are looked up as HELPCENTRE_POSTGRES_BIN (a folder holding
// initdb and postgres), then initdb on PATH, then Debian's
// /usr/lib/postgresql/<version>/bin (the newest).
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv is the environment variable that turns a missing PostgreSQL
// from a skip into a failure.
const RequireEnv = "HELPCENTRE_REQUIRE_POSTGRES"

// ErrNotInstalled is returned (wrapped) by Find when no PostgreSQL binaries
// are found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/deps installs it)")

// Find returns the folder holding initdb and postgres.
func Find() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("HELPCENTRE_POSTGRES_BIN"); dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("HELPCENTRE_POSTGRES_BIN=%s holds no initdb and postgres", dir)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if dir := filepath.Dir(p); has(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	return "", ErrNotInstalled
}

// version is the major version in /usr/lib/postgresql/<v>/bin, 0 if none.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// Cluster is a running throwaway PostgreSQL.
type Cluster struct {
	Dir     string // the temporary folder: data/, sock/
	Host    string // 127.0.0.1
	Port    int
	Socket  string // the unix socket folder
	Startup time.Duration

	bin  string
	attr *syscall.SysProcAttr
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	out  bytes.Buffer
}

func (c *Cluster) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out.Len() > 64<<10 { // keep the tail
		tail := append([]byte(nil), c.out.Bytes()[c.out.Len()-32<<10:]...)
		c.out.Reset()
		c.out.Write(tail)
	}
	return c.out.Write(p)
}

// Output is what initdb and postgres printed (the last 64 KiB or so).
func (c *Cluster) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// URL is the address of database db as the superuser postgres over TCP.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Start runs initdb in a new temporary folder and starts postgres there with
// durable settings (fsync on), listening on a free loopback port and a unix
// socket in the folder. Stop ends it and removes the folder.
func Start(bin string) (*Cluster, error) {
	sweep(os.TempDir(), time.Hour)
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{Dir: dir, Host: "127.0.0.1", Socket: filepath.Join(dir, "sock")}
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Mkdir(c.Socket, 0o700); err != nil {
		return fail(fmt.Errorf("pgtest: %w", err))
	}
	// initdb and postgres refuse to run as root: run them as nobody, owner
	// of the folder.
	attr, err := sysProcAttr(dir, c.Socket)
	if err != nil {
		return fail(err)
	}
	c.attr, c.bin = attr, bin
	t0 := time.Now()
	// --no-sync: the files initdb writes are thrown away with the folder;
	// the server itself runs with fsync on.
	initdb := c.command("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	if err := initdb.Run(); err != nil {
		return fail(fmt.Errorf("pgtest: initdb: %w: %s", err, c.Output()))
	}
	port, err := freePort()
	if err != nil {
		return fail(fmt.Errorf("pgtest: %w", err))
	}
	c.Port = port
	if err := c.start(t0); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.Dir
	cmd.Env = []string{"LC_ALL=C", "PATH=" + c.bin + ":/usr/bin:/bin", "HOME=" + c.Dir, "TZ=UTC"}
	cmd.Stdout, cmd.Stderr = c, c
	cmd.SysProcAttr = c.attr
	return cmd
}

// start starts postgres on the cluster's folder and port and waits until it
// accepts connections.
func (c *Cluster) start(t0 time.Time) error {
	c.done = make(chan struct{})
	c.cmd = c.command("postgres", "-D", c.data(),
		"-c", "listen_addresses="+c.Host, "-p", strconv.Itoa(c.Port),
		"-c", "unix_socket_directories="+c.Socket,
		"-c", "max_connections=300",
		"-c", "fsync=on", "-c", "synchronous_commit=on",
		"-c", "logging_collector=off", "-c", "log_min_messages=warning")
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	done := c.done
	go func() { c.cmd.Wait(); close(done) }()
	deadline := t0.Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			c.Startup = time.Since(t0)
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("pgtest: postgres exited before accepting connections: %s", c.Output())
		default:
		}
		if time.Now().After(deadline) {
			c.Stop()
			return fmt.Errorf("pgtest: postgres not accepting connections after 30s: %v: %s", err, c.Output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill kills postgres and every process it started with SIGKILL, as a
// power cut would (what was committed must survive Restart).
func (c *Cluster) Kill() {
	pid := c.cmd.Process.Pid
	children := childrenOf(pid)
	c.cmd.Process.Kill()
	for _, p := range children {
		syscall.Kill(p, syscall.SIGKILL)
	}
	<-c.done
	// The backends go with their postmaster; wait until none is left so
	// that the next postmaster finds the shared memory free.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		alive := false
		for _, p := range children {
			if syscall.Kill(p, 0) == nil {
				alive = true
			}
		}
		if !alive {
			return
		}
	}
}

// Restart starts postgres again on the same folder and port (after Kill:
// crash recovery).
func (c *Cluster) Restart() error { return c.start(time.Now()) }

// CPU is the processor time PostgreSQL has used so far: the postmaster, its
// live processes and those it has reaped (from Linux's /proc), to tell the
// server's share of a benchmark from the client's.
func (c *Cluster) CPU() (time.Duration, error) {
	pid := c.cmd.Process.Pid
	var ticks int64
	for i, p := range append([]int{pid}, childrenOf(pid)...) {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if err != nil {
			if i == 0 {
				return 0, err
			}
			continue // gone since
		}
		j := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[j+1:]))
		// utime stime cutime cstime are fields 14-17, f[11:15] here.
		if len(f) < 15 {
			return 0, fmt.Errorf("pgtest: short /proc/%d/stat", p)
		}
		for _, x := range f[11:15] {
			n, _ := strconv.ParseInt(x, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / 100, nil // USER_HZ
}

// sweep removes the folders of clusters whose test binary died without
// stopping them (a timeout's panic, a kill: postgres dies with it, the folder
// stays): those whose postmaster.pid names a process that is gone, and
// those older than maxAge with no postmaster.pid (initdb never finished).
func sweep(tmp string, maxAge time.Duration) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "pgtest-*"))
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && time.Since(fi.ModTime()) > maxAge {
				os.RemoveAll(dir)
			}
			continue
		}
		line, _, _ := strings.Cut(string(data), "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

// childrenOf lists the processes whose parent is pid (from /proc).
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

// Stop shuts postgres down (fast shutdown: SIGINT, then SIGKILL after 10 s)
// and removes the folder.
func (c *Cluster) Stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
		}
	}
	os.RemoveAll(c.Dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// The test binary's cluster.
var (
	mainUsed atomic.Bool
	once     sync.Once
	shared   *Cluster
	startErr error
	seq      atomic.Int64
)

// Main runs the tests and then stops the cluster if one was started: call it
// from TestMain. DB refuses to start a cluster without it, so no test binary
// leaves one behind.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with work of its own after the tests: it runs
// them, stops the cluster and returns m.Run's code.
func Run(m *testing.M) int {
	mainUsed.Store(true)
	code := m.Run()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Shared returns the test binary's cluster, starting it on first use, or
// skips t when PostgreSQL is not installed (fails it when
// HELPCENTRE_REQUIRE_POSTGRES=1).
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if !mainUsed.Load() {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain, so the cluster is stopped when the tests end")
	}
	once.Do(func() {
		bin, err := Find()
		if err != nil {
			startErr = err
			return
		}
		shared, startErr = Start(bin)
	})
	if startErr != nil {
		unavailable(t, startErr)
	}
	return shared
}

// New starts a cluster of t's own (for a test that kills or restarts it),
// stopped and removed when t ends; skips or fails as Shared does.
func New(t testing.TB) *Cluster {
	t.Helper()
	bin, err := Find()
	if err != nil {
		unavailable(t, err)
	}
	c, err := Start(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// unavailable skips or fails t for err, as Skip decides.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if Skip(err) {
		t.Skipf("pgtest: %v (set %s=1 to make this a failure)", err, RequireEnv)
	}
	t.Fatalf("pgtest: %v", err)
}

// Skip reports whether a test that cannot have PostgreSQL because of err
// is skipped rather than failed: only when PostgreSQL is not installed and
// HELPCENTRE_REQUIRE_POSTGRES is not 1. A PostgreSQL that is installed but
// does not start always fails.
func Skip(err error) bool {
	return errors.Is(err, ErrNotInstalled) && os.Getenv(RequireEnv) != "1"
}

// Option changes a database made by DB.
type Option func(*dbOptions)

type dbOptions struct{ noSync bool }

// NoSync makes commits in the database return before their WAL is flushed
// (synchronous_commit=off, set on the database): for tests that check logic,
// not durability. The cluster itself keeps fsync on.
func NoSync() Option { return func(o *dbOptions) { o.noSync = true } }

// DB creates a new database on the shared cluster for t, dropped when t ends,
// and returns its URL.
func DB(t testing.TB, opts ...Option) string {
	t.Helper()
	c := Shared(t)
	var o dbOptions
	for _, f := range opts {
		f(&o)
	}
	name := fmt.Sprintf("t_%d", seq.Add(1))
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin("CREATE DATABASE " + name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	if o.noSync {
		if err := admin("ALTER DATABASE " + name + " SET synchronous_commit = off"); err != nil {
			t.Fatalf("pgtest: %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		if err := admin("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.URL(name)
}
