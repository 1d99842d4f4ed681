package proc

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A child started through Niced runs at the lower priority, under its own
// pid (what the bench reads CPU time and memory from).
func TestNicedChildRunsAtLowerPriority(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the priority from Linux's /proc")
	}
	exe, args, ok := Niced(7, "sleep", []string{"30"})
	if !ok {
		t.Fatal("nice(1) not found: it is part of coreutils")
	}
	c, err := Start(context.Background(), nil, exe, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	var stat string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(c.Pid()) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		if stat = string(b); strings.Contains(stat, "(sleep)") {
			break
		}
	}
	// after "(comm) ", field 19 of stat is the nice value
	f := strings.Fields(stat[strings.LastIndexByte(stat, ')')+2:])
	own := 0
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		s := string(b)
		own, _ = strconv.Atoi(strings.Fields(s[strings.LastIndexByte(s, ')')+2:])[16])
	}
	if !strings.Contains(stat, "(sleep)") || f[16] != strconv.Itoa(min(own+7, 19)) {
		t.Fatalf("child %q: nice %s, want %d", stat[:strings.IndexByte(stat, ')')+1], f[16], min(own+7, 19))
	}
	if exe, args, ok := Niced(0, "sleep", []string{"1"}); ok || exe != "sleep" || len(args) != 1 {
		t.Errorf("Niced(0) = %q %q %v, want the command unchanged", exe, args, ok)
	}
}
