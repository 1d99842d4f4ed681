package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

const usage = `helpcentre: the after-sales help centre

Usage:
  helpcentre serve [flags]   serve the help centre (flags also as HELPCENTRE_* variables)
  helpcentre check DIR       report every problem in a content folder, like a compiler
  helpcentre check --db FILE verify a database file offline (every page); exit 1 when damaged
  helpcentre eval [flags]    score search quality against a queries file
  helpcentre bench [flags]   measure build, reload, query latency and HTTP throughput at several corpus sizes
                  --domain   … or the after-sales domain: durable message posts, the seller inbox over 100,000 threads
                  --translate … or machine translation: engine latency and throughput, post → translation delay
  helpcentre backup --data DIR --out FILE   copy the database, through the running server if there is one
  helpcentre restore --from FILE --data DIR put a checked backup in place (no server running)
  helpcentre compact --data DIR             rewrite the database without its free pages (no server running)
  helpcentre migrate-store --from FILE --to postgres://…  copy a bbolt store into PostgreSQL, verify it (no server on FILE)
  helpcentre version         the build: version, commit, Go and Bleve versions
  helpcentre healthcheck [--ready]          exit 0 if the server on HELPCENTRE_ADDR answers /healthz (/readyz) 200 (Docker's HEALTHCHECK)
  helpcentre help            this text

Run "helpcentre COMMAND -h" for a command's flags.
`

// Run runs one subcommand and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr)
	case "check":
		err = runCheck(rest, stdout, stderr)
	case "eval":
		err = runEval(ctx, rest, stdout, stderr)
	case "bench":
		err = runBench(ctx, rest, stdout, stderr)
	case "bench-anchor": // hidden: the bench's plain Bleve anchor, started by the bench
		err = runBenchAnchor(ctx, rest, stderr)
	case "backup":
		err = runBackup(ctx, rest, stdout, stderr)
	case "restore":
		err = runRestore(rest, stdout, stderr)
	case "compact":
		err = runCompact(rest, stdout, stderr)
	case "migrate-store":
		err = runMigrateStore(ctx, rest, stdout, stderr)
	case "version":
		err = runVersion(stdout)
	case "healthcheck":
		err = runHealthcheck(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "helpcentre: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "helpcentre: %v\n", err)
	return 1
}
