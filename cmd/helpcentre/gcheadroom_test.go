package main

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		base, want     int
	}{
		{30 * mib, 32 * mib, 100, 100},   // the bundled articles alone: GOGC's rule
		{32 * mib, 32 * mib, 100, 100},   // at the cap
		{85 * mib, 32 * mib, 100, 37},    // 10,000 articles: room capped at 32 MiB
		{440 * mib, 256 * mib, 100, 58},  // 100,000 articles, a 256 MiB cap
		{440 * mib, 32 * mib, 100, 25},   // … a 32 MiB one: never below minGCPercent
		{100 * mib, 256 * mib, 400, 256}, // an operator's GOGC=400, capped too
		{100 * mib, 8 * mib, 20, 20},     // an operator's GOGC under the floor stays
		{440 * mib, 0, 100, 100},         // no cap
		{440 * mib, 256 * mib, -1, -1},   // GOGC=off stays off
		{0, 32 * mib, 100, 100},          // nothing measured yet
	} {
		if got := gcPercentFor(c.live, c.headroom, c.base); got != c.want {
			t.Errorf("gcPercentFor(%d MiB, %d MiB, %d) = %d, want %d", c.live/mib, c.headroom/mib, c.base, got, c.want)
		}
	}
}

func TestGCHeadroomFlag(t *testing.T) {
	cfg, err := parseServe(nil, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GCHeadroom != defaultGCHeadroom || cfg.GCHeadroom.String() != "32MiB" {
		t.Errorf("default headroom %v, want 32MiB", cfg.GCHeadroom.String())
	}
	t.Setenv("HELPCENTRE_GC_HEADROOM", "0")
	if cfg, err = parseServe(nil, &strings.Builder{}); err != nil || cfg.GCHeadroom != 0 {
		t.Errorf("HELPCENTRE_GC_HEADROOM=0: %v, %v; want no cap", cfg.GCHeadroom.String(), err)
	}
	if cfg, err = parseServe([]string{"--gc-headroom", "1GiB"}, &strings.Builder{}); err != nil || cfg.GCHeadroom != 1<<30 {
		t.Errorf("--gc-headroom 1GiB: %v, %v", cfg.GCHeadroom.String(), err)
	}
	t.Setenv("HELPCENTRE_GC_HEADROOM", "lots")
	if _, err := parseServe(nil, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "HELPCENTRE_GC_HEADROOM") {
		t.Errorf("a bad HELPCENTRE_GC_HEADROOM: %v, want an error naming it", err)
	}
}

// The loop lowers the process's GOGC once the live heap outgrows the
// headroom, and GOGC's rule is back once it is small again. The headroom is
// set from the live heap the test starts with (other tests of the package
// leave some), so that only what the test allocates crosses it.
// gogc is the collector's GOGC now.
func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestKeepGCHeadroomLowersGOGC(t *testing.T) {
	defer debug.SetGCPercent(int(gogc()))
	debug.SetGCPercent(100) // whatever GOGC the tests run with
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	headroom := 2*s[0].Value.Uint64() + 32<<20 // room for the others' live heap to move

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	built := make(chan struct{})
	close(built)
	go func() { keepGCHeadroom(ctx, headroom, built, slog.New(slog.DiscardHandler)); close(done) }()
	defer func() { cancel(); <-done }()

	live := make([][]byte, 3*headroom>>20)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	waitFor := func(ok func(uint64) bool) uint64 {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && !ok(gogc()) {
			time.Sleep(50 * time.Millisecond)
		}
		return gogc()
	}
	// live ≥ 3 × headroom: GOGC ≤ 33
	if got := waitFor(func(p uint64) bool { return p <= 40 }); got > 40 {
		t.Errorf("with over 3 times the headroom live, GOGC is %d, want ≤ 40", got)
	}
	runtime.KeepAlive(live)
	live = nil
	runtime.GC()
	if got := waitFor(func(p uint64) bool { return p == 100 }); got != 100 {
		t.Errorf("with the heap small again GOGC is %d, want 100", got)
	}
}

// While the index is built the heap keeps at least buildHeadroom of room; the
// cap applies once the build is over.
func TestKeepGCHeadroomWaitsForTheBuild(t *testing.T) {
	defer debug.SetGCPercent(int(gogc()))
	debug.SetGCPercent(100)
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()

	ctx, cancel := context.WithCancel(context.Background())
	built, done := make(chan struct{}), make(chan struct{})
	go func() { keepGCHeadroom(ctx, 8<<20, built, slog.New(slog.DiscardHandler)); close(done) }()
	defer func() { cancel(); <-done }()

	time.Sleep(2500 * time.Millisecond) // two of its ticks
	if got := gogc(); got != 100 {
		t.Errorf("during the build, with 64 MiB live and an 8 MiB cap, GOGC is %d, want 100 (the build's room)", got)
	}
	close(built)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && gogc() != minGCPercent {
		time.Sleep(50 * time.Millisecond)
	}
	if got := gogc(); got != minGCPercent {
		t.Errorf("after the build, with 64 MiB live and an 8 MiB cap, GOGC is %d, want %d (the floor)", got, minGCPercent)
	}
	runtime.KeepAlive(live)
}
