package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The folder of a cluster whose postgres is gone is removed; one whose
// postgres runs, or which initdb may still be filling, stays.
func TestSweep(t *testing.T) {
	tmp := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	mk := func(name string, pid int) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if pid > 0 {
			os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(strconv.Itoa(pid)+"\n/x/data\n"), 0o600)
		}
		return dir
	}
	gone := mk("pgtest-gone", dead.ProcessState.Pid())
	alive := mk("pgtest-alive", os.Getpid())
	young := mk("pgtest-initdb", 0)
	other := mk("other-gone", dead.ProcessState.Pid())
	sweep(tmp, time.Hour)
	for dir, want := range map[string]bool{gone: false, alive: true, young: true, other: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
}
