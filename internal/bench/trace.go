package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/internal/loadgen"
)

// benchStarted is about when this process started (its gctrace clock).
var benchStarted = time.Now()

// writeTrace writes one open-loop phase's requests to dir (the
// HELPCENTRE_BENCH_TRACE variable), one file per phase: each request's
// scheduled send time in seconds since the server process started (the
// clock of its GODEBUG=gctrace=1 lines, "@12.345s", to within the few
// milliseconds the process takes to start) and its latency in ms. It is how
// the README's account of the tail lines slow answers up with the
// collector's cycles.
func writeTrace(dir, label string, started time.Time, sent []loadgen.Sent) error {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, label)
	f, err := os.Create(filepath.Join(dir, name+".tsv"))
	if err != nil {
		return fmt.Errorf("bench: HELPCENTRE_BENCH_TRACE: %w", err)
	}
	w := bufio.NewWriter(f)
	// the bench's own collector counts from this process's start
	fmt.Fprintf(w, "# bench process started at %.4f s\n", benchStarted.Sub(started).Seconds())
	fmt.Fprintln(w, "at_s\tms")
	for _, s := range sent {
		fmt.Fprintf(w, "%.4f\t%.3f\n", s.At.Sub(started).Seconds(), s.Ms)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
