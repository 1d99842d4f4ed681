package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/internal/proc"
)

var (
	exeOnce sync.Once
	exePath string
	exeErr  error
)

// binary builds the real helpcentre once for the tests that run it.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	exeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "helpcentre-ops-")
		if err != nil {
			exeErr = err
			return
		}
		exePath = filepath.Join(dir, "helpcentre")
		if out, err := exec.Command("go", "build", "-o", exePath, ".").CombinedOutput(); err != nil {
			exeErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if exeErr != nil {
		t.Fatal(exeErr)
	}
	return exePath
}

// serveExe starts the binary's serve on dataDir and waits until /readyz
// says 200.
func serveExe(t *testing.T, exe, dataDir string, env []string, args ...string) (*proc.Child, string) {
	t.Helper()
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	c, err := proc.Start(context.Background(), env, exe, append([]string{"serve", "--addr", addr, "--data", dataDir, "--poll", "0", "--log-level", "info"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	base := "http://" + addr
	for deadline := time.Now().Add(90 * time.Second); ; {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return c, base
			}
		}
		if c.Exited() || time.Now().After(deadline) {
			t.Fatal(c.Failure("waiting for /readyz"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func brokenDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(dataDir, "index"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.Contains(d.Name(), ".broken-") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestSecondServeIsRefusedAtOnce: a second serve on the same data folder
// exits at once with a clear message, touching nothing of the first one's,
// which goes on serving and reloading.
func TestSecondServeIsRefusedAtOnce(t *testing.T) {
	exe := binary(t)
	dataDir := t.TempDir()
	env := []string{"HELPCENTRE_ADMIN_TOKEN=" + testAdminToken}
	first, base := serveExe(t, exe, dataDir, env)

	addr, _ := proc.FreeLoopbackAddr()
	start := time.Now()
	cmd := exec.Command(exe, "serve", "--addr", addr, "--data", dataDir, "--poll", "0")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil {
		t.Fatalf("the second serve exited 0:\n%s", out)
	}
	want := fmt.Sprintf("another helpcentre serve is using %s (pid %d)", dataDir, first.Pid())
	if !strings.Contains(string(out), want) {
		t.Errorf("second serve said:\n%s\nwant %q", out, want)
	}
	if took > 3*time.Second {
		t.Errorf("the second serve took %v to give up", took)
	}
	if b := brokenDirs(t, dataDir); len(b) > 0 {
		t.Errorf("the second serve moved the first one's index aside: %v", b)
	}
	// The first goes on: reload and search.
	req, _ := http.NewRequest("POST", base+"/api/v1/admin/reload", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("reload on the first server: %d", res.StatusCode)
	}
	if ids := searchIDs(t, base, "where is my invoice"); len(ids) == 0 {
		t.Error("the first server finds nothing after the second start")
	}
	if first.Exited() {
		t.Fatalf("the first server died:\n%s", first.Output())
	}
}

// TestCorruptIndexIsRebuilt: random bytes in a segment and a truncated
// root.bolt make the index be moved aside and rebuilt, not a panic; old
// broken copies are pruned to two.
func TestCorruptIndexIsRebuilt(t *testing.T) {
	exe := binary(t)
	dataDir := t.TempDir()
	c, _ := serveExe(t, exe, dataDir, nil)
	c.Stop()

	damage := []struct {
		name string
		do   func(path string) error
	}{
		{"random bytes in segments", func(p string) error {
			if filepath.Ext(p) != ".zap" {
				return nil
			}
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			st, _ := f.Stat()
			junk := make([]byte, min(st.Size()/2, 64<<10))
			rand.Read(junk)
			_, err = f.WriteAt(junk, st.Size()/4)
			return err
		}},
		{"root.bolt truncated", func(p string) error {
			if filepath.Base(p) != "root.bolt" {
				return nil
			}
			st, _ := os.Stat(p)
			return os.Truncate(p, st.Size()/2)
		}},
		{"segment truncated", func(p string) error {
			if filepath.Ext(p) != ".zap" {
				return nil
			}
			st, _ := os.Stat(p)
			return os.Truncate(p, st.Size()/3)
		}},
	}
	for _, d := range damage {
		n := 0
		_ = filepath.WalkDir(filepath.Join(dataDir, "index"), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || strings.Contains(p, ".broken-") {
				return nil
			}
			before, _ := os.Stat(p)
			if derr := d.do(p); derr != nil {
				t.Fatal(derr)
			}
			if after, _ := os.Stat(p); after.ModTime() != before.ModTime() || after.Size() != before.Size() {
				n++
			}
			return nil
		})
		if n == 0 {
			t.Fatalf("%s: nothing to damage", d.name)
		}
		c, base := serveExe(t, exe, dataDir, nil)
		if ids := searchIDs(t, base, "where is my invoice"); len(ids) == 0 {
			t.Errorf("%s: nothing found after the rebuild", d.name)
		}
		if !strings.Contains(c.Output(), "moved aside and rebuilt") {
			t.Errorf("%s: the log does not say the index was rebuilt:\n%s", d.name, c.Output())
		}
		c.Stop()
	}
	perLocale := map[string]int{}
	for _, b := range brokenDirs(t, dataDir) {
		perLocale[filepath.Dir(b)]++
	}
	for dir, n := range perLocale {
		if n > 2 {
			t.Errorf("%s keeps %d broken index folders, want at most 2", dir, n)
		}
	}
}

// TestListensWhileTheIndexBuilds: /healthz answers and /readyz says 503
// with the build's progress while a large corpus is indexed, and search
// answers not_ready; then both are ready.
func TestListensWhileTheIndexBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a few thousand articles")
	}
	contentDir, dataDir := t.TempDir(), t.TempDir()
	corpus, err := synth.Corpus(6000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteDir(corpus, contentDir); err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Config{Content: contentDir, Data: dataDir, Poll: time.Minute, Shutdown: 5 * time.Second}, ln, slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Timeout: 2 * time.Second}

	var sawBuilding, sawNotReady bool
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("not ready in 2 minutes")
		}
		res, err := hc.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("/readyz did not answer: %v", err)
		}
		var body struct {
			Status      string
			Done, Total int
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode == 200 {
			break
		}
		if res.StatusCode != 503 || body.Status != "building index" {
			t.Fatalf("/readyz while building: %d %+v", res.StatusCode, body)
		}
		if body.Total > 0 {
			sawBuilding = true
		}
		if !sawNotReady {
			if res, err := hc.Get(base + "/healthz"); err != nil || res.StatusCode != 200 {
				t.Fatalf("/healthz while building: %v %v", res, err)
			}
			res, err := hc.Get(base + "/api/v1/search?q=refund")
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 503 {
				if !bytes.Contains(data, []byte(`"not_ready"`)) || res.Header.Get("Retry-After") == "" {
					t.Errorf("search while building: %d %s (Retry-After %q)", res.StatusCode, data, res.Header.Get("Retry-After"))
				}
				sawNotReady = true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !sawBuilding || !sawNotReady {
		t.Errorf("never saw the build under way: readyz progress %v, search not_ready %v", sawBuilding, sawNotReady)
	}
	if ids := searchIDs(t, base, "refund"); len(ids) == 0 {
		t.Error("nothing found once ready")
	}
}

// TestDamagedDatabaseIsRefused: serve refuses a database file that was
// emptied or cut, saying how to restore; check --db reports the damage.
func TestDamagedDatabaseIsRefused(t *testing.T) {
	for _, cut := range []struct {
		name string
		size func(int64) int64
	}{{"empty", func(int64) int64 { return 0 }}, {"half", func(n int64) int64 { return n / 2 }}} {
		t.Run(cut.name, func(t *testing.T) {
			dataDir := t.TempDir()
			path := filepath.Join(dataDir, dbName)
			db, err := bolt.Open(path, bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			// A file with its slack cut off, as compact leaves it.
			st, _ := os.Stat(path)
			size := st.Size()
			if cut.name == "half" {
				size = usedBytes(t, path)
			}
			if err := os.Truncate(path, cut.size(size)); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--poll", "0"}, &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), "helpcentre restore --from") {
				t.Errorf("serve on a damaged database: exit %d:\n%s", code, errb.String())
			}
			out.Reset()
			if code := Run(context.Background(), []string{"check", "--db", path}, &out, &errb); code != 1 {
				t.Errorf("check --db: exit %d:\n%s", code, out.String())
			}
		})
	}
}

// usedBytes is the size of the pages a database uses.
func usedBytes(t *testing.T, path string) int64 {
	t.Helper()
	var buf bytes.Buffer
	n, err := bolt.CopyFile(path, &buf, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupUnderLoadAndRestore backs up through the running server while
// writers post messages, restores the backup into the data folder and
// finds every message acknowledged before the backup began.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	exe := binary(t)
	dataDir := t.TempDir()
	env := []string{"HELPCENTRE_ADMIN_TOKEN=" + testAdminToken}
	c, base := serveExe(t, exe, dataDir, env, "--demo", "--log-level", "warn", "--messages-per-minute", "0") // four writers as fast as they can
	api := &crashClient{base: base, hc: &http.Client{Timeout: 10 * time.Second}}

	var (
		mu      sync.Mutex
		acked   = map[string][]string{} // thread → message ids
		ackN    atomic.Int64
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			var th domain.Thread
			if status := api.do("ana", "POST", "/api/v1/orders/1001/threads", map[string]any{
				"recipient": "seller", "topic": "delivery", "subject": fmt.Sprintf("Backup writer %d", w), "body": "starts",
			}, &th); status != 201 {
				t.Errorf("writer %d: start a thread: %d", w, status)
				return
			}
			for i := 0; !stopped.Load(); i++ {
				var m domain.Message
				if status := api.do("ana", "POST", "/api/v1/threads/"+th.ID+"/messages", map[string]any{"to": []string{"seller"}, "body": fmt.Sprintf("writer %d message %d", w, i)}, &m); status != 201 {
					t.Errorf("writer %d: post: %d", w, status)
					return
				}
				mu.Lock()
				acked[th.ID] = append(acked[th.ID], m.ID)
				mu.Unlock()
				ackN.Add(1)
			}
		})
	}
	for deadline := time.Now().Add(20 * time.Second); ackN.Load() < 100 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := map[string][]string{}
	n := 0
	for id, ms := range acked {
		before[id] = append([]string(nil), ms...)
		n += len(ms)
	}
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "helpcentre-backup.db")
	cmd := exec.Command(exe, "backup", "--data", dataDir, "--out", backup)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	during := ackN.Load()
	time.Sleep(100 * time.Millisecond)
	stopped.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Logf("%d messages acknowledged before the backup, %d when it ended, %d in all: %s", n, during, ackN.Load(), out)
	if during == int64(n) {
		t.Log("no write landed during the backup")
	}

	// Restore refuses while the server runs.
	cmd = exec.Command(exe, "restore", "--from", backup, "--data", dataDir)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "another helpcentre serve is using") {
		t.Errorf("restore with the server running: %v\n%s", err, out)
	}
	c.Stop()
	if out, err := exec.Command(exe, "check", "--db", backup).CombinedOutput(); err != nil {
		t.Fatalf("check --db on the backup: %v\n%s", err, out)
	}
	if out, err := exec.Command(exe, "restore", "--from", backup, "--data", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	kept, _ := filepath.Glob(filepath.Join(dataDir, dbName+".before-restore-*"))
	if len(kept) != 1 {
		t.Errorf("the replaced file is not kept: %v", kept)
	}
	if out, err := exec.Command(exe, "compact", "--data", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("compact: %v\n%s", err, out)
	}

	_, base = serveExe(t, exe, dataDir, env, "--demo", "--log-level", "warn")
	api.base = base
	for id, msgs := range before {
		// Every page of the thread's messages, newest first.
		got := map[string]bool{}
		for cursor, pages := "", 0; pages == 0 || cursor != ""; pages++ {
			var th struct {
				Messages []domain.Message `json:"messages"`
				Next     string           `json:"next"`
			}
			if status := api.do("ana", "GET", "/api/v1/threads/"+id+"?limit=100&cursor="+cursor, nil, &th); status != 200 {
				t.Fatalf("thread %s after the restore: %d", id, status)
			}
			for _, m := range th.Messages {
				got[m.ID] = true
			}
			cursor = th.Next
		}
		for _, m := range msgs {
			if !got[m] {
				t.Errorf("thread %s: message %s, acknowledged before the backup, is not in it", id, m)
			}
		}
	}
}

func TestVersionCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "bleve v2.") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("version says:\n%s", out.String())
	}
}
