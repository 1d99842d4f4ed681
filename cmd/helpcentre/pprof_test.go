package main

import (
	"io"
	"log/slog"
	"testing"
)

func TestPprofLoopbackOnly(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := startPprof("", log); err != nil {
		t.Fatalf("no address: %v", err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:6060", "example.com:6060", "6060"} {
		if err := startPprof(addr, log); err == nil {
			t.Errorf("HELPCENTRE_PPROF_ADDR=%s was served", addr)
		}
	}
	if err := startPprof("127.0.0.1:0", log); err != nil {
		t.Errorf("127.0.0.1:0: %v", err)
	}
}
