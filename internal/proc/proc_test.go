package proc

import (
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command name with a space and a parenthesis; utime 1234, stime 66.
	stat := "4242 (hc (x) serve) S 1 4242 4242 0 -1 4194560 2786 0 0 0 1234 66 0 0 20 0 9 0 123 1234567 890 18446744073709551615\n"
	got, err := parseProcStat([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if want := 13 * time.Second; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseProcStat([]byte("4242 (short) S 1 2")); err == nil {
		t.Error("a truncated stat line parsed")
	}
}

func TestParseMachineStat(t *testing.T) {
	// user nice system idle iowait irq softirq steal: 270 ticks running
	// processes or stolen.
	stat := "cpu  100 10 150 9000 500 5 25 10 0 0\ncpu0 50 5 75 4500 250 2 12 5 0 0\n"
	got, err := parseMachineStat([]byte(stat))
	if err != nil || got != 2700*time.Millisecond {
		t.Errorf("got %v, %v; want 2.7s", got, err)
	}
	if _, err := parseMachineStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("no cpu line: no error")
	}
	a := CPUWindow{Machine: 10 * time.Second, Self: 2 * time.Second, Server: 3 * time.Second}
	b := CPUWindow{Machine: 14 * time.Second, Self: 3 * time.Second, Server: 5 * time.Second}
	if got := Others(a, b); got != time.Second {
		t.Errorf("Others: got %v, want 1s", got)
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\thelpcentre\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n"
	got, err := parseVmRSS([]byte(status))
	if err != nil || got != 123456<<10 {
		t.Errorf("got %d, %v; want %d", got, err, 123456<<10)
	}
	if _, err := parseVmRSS([]byte("Name:\tx\n")); err == nil {
		t.Error("no VmRSS line: no error")
	}
}
