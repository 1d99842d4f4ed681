// Command helpcentre serves the after-sales help centre and checks, evaluates
// and benchmarks its content. Run "helpcentre help" for the subcommands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/marketplace/helpcentre/search"
)

func main() {
	search.ConfigureBleve()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a process exit code.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }
