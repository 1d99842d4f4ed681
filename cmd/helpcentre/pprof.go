package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves Go's profiles (net/http/pprof: /debug/pprof/heap,
// /debug/pprof/profile, …) on addr when HELPCENTRE_PPROF_ADDR names one, for
// measuring the server under load (helpcentre bench passes its environment
// on to the server it starts). The address must be a loopback one: the
// profiles show internals and cost CPU, so they are never on the public
// listener nor on another interface.
func startPprof(addr string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("HELPCENTRE_PPROF_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("HELPCENTRE_PPROF_ADDR %q: the profiles are served on a loopback address only (127.0.0.1:PORT, [::1]:PORT)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("HELPCENTRE_PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("profiles on loopback", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return nil
}
