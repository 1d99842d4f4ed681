package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealthcheck asks a running server's /healthz (or, with --ready,
// /readyz) and exits 0 when it answers 200, 1 otherwise: the container's
// HEALTHCHECK, in images that have no curl or wget (distroless, scratch).
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fset.SetOutput(stderr)
	addr := fset.String("addr", envOr("ADDR", ":8080"), "the server's listen address; a wildcard host means this machine (HELPCENTRE_ADDR)")
	ready := fset.Bool("ready", false, "ask /readyz (index built, writes working) instead of /healthz (the process answers)")
	timeout := fset.Duration("timeout", 3*time.Second, "give up after this")
	if err := fset.Parse(args); err != nil {
		return exitError{2, ""}
	}
	u := "http://" + localAddr(*addr) + "/healthz"
	if *ready {
		u = "http://" + localAddr(*addr) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return exitError{2, "helpcentre healthcheck: " + err.Error()}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return exitError{1, "helpcentre healthcheck: " + err.Error()}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return exitError{1, fmt.Sprintf("helpcentre healthcheck: %s answered %d", u, res.StatusCode)}
	}
	fmt.Fprintf(stdout, "%s: %d\n", u, res.StatusCode)
	return nil
}

// localAddr is a listen address as this machine reaches it: a wildcard or
// empty host becomes the loopback address.
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
