package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimit is --memory-limit: a soft limit on the Go runtime's memory
// (debug.SetMemoryLimit, the same as GOMEMLIMIT), in bytes; 0 leaves the
// runtime's own (GOMEMLIMIT, else none).
type memoryLimit int64

func (m *memoryLimit) String() string {
	if m == nil || *m == 0 {
		return "0"
	}
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n := int64(*m); n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*m), 10)
}

// Set reads GOMEMLIMIT's syntax: a number of bytes with an optional unit
// B, KiB, MiB, GiB or TiB ("400MiB"); 0 or empty for none.
func (m *memoryLimit) Set(s string) error {
	n, err := parseMemoryLimit(s)
	if err != nil {
		return err
	}
	*m = memoryLimit(n)
	return nil
}

func parseMemoryLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	num, mult := s, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = v, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a memory size (e.g. 400MiB, 1GiB)", s)
	}
	if n*mult < 32<<20 {
		return 0, fmt.Errorf("%q is below 32MiB: the collector would run without pause", s)
	}
	return n * mult, nil
}

// apply sets the limit, when one was given.
func (m memoryLimit) apply() {
	if m > 0 {
		debug.SetMemoryLimit(int64(m))
	}
}
