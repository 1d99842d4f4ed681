//go:build !linux

package bench

import (
	"fmt"
	"io"
	"runtime"
)

// startEngine is not available here: the bench starts Debian's apertium-apy
// on Linux only. Elsewhere, start an engine yourself and pass its URL.
func startEngine(io.Writer) (url string, stop func(), err error) {
	return "", nil, fmt.Errorf("bench --translate: starting apertium-apy is not available on %s: start it yourself and pass --translator URL", runtime.GOOS)
}
