package main

import (
	"io"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "0": 0, "400MiB": 400 << 20, "1GiB": 1 << 30, "67108864": 64 << 20, "65536KiB": 64 << 20, "33554432B": 32 << 20} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"x", "400MB", "-1GiB", "1MiB", "9999999TiB", "1.5GiB"} {
		if _, err := parseMemoryLimit(in); err == nil {
			t.Errorf("parseMemoryLimit(%q) took it", in)
		}
	}
}

func TestServeMemoryLimitFlag(t *testing.T) {
	cfg, err := parseServe([]string{"--memory-limit", "300MiB"}, io.Discard)
	if err != nil || cfg.MemoryLimit != 300<<20 {
		t.Fatalf("--memory-limit 300MiB: %d, %v", cfg.MemoryLimit, err)
	}
	t.Setenv("HELPCENTRE_MEMORY_LIMIT", "1GiB")
	if cfg, err = parseServe(nil, io.Discard); err != nil || cfg.MemoryLimit != 1<<30 {
		t.Fatalf("HELPCENTRE_MEMORY_LIMIT=1GiB: %d, %v", cfg.MemoryLimit, err)
	}
	if _, err = parseServe([]string{"--memory-limit", "lots"}, io.Discard); err == nil {
		t.Fatal("--memory-limit lots was taken")
	}
}
