package bench

import (
	"fmt"
	"io"
	"time"

	"github.com/marketplace/helpcentre/domain/apertium/apytest"
)

// startEngine starts Debian's apertium-apy for the run and returns its URL
// and the function that stops it.
func startEngine(log io.Writer) (url string, stop func(), err error) {
	bin, modes, err := apytest.Find()
	if err != nil {
		return "", nil, fmt.Errorf("bench --translate: %w (install it with .ci/deps, or pass --translator URL)", err)
	}
	e, err := apytest.Start(bin, modes)
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintf(log, "bench: started %s at %s in %v\n", bin, e.URL, e.Startup.Round(time.Millisecond))
	return e.URL, e.Stop, nil
}
