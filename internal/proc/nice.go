package proc

import (
	"os/exec"
	"runtime"
	"strconv"
)

// Niced returns the command that runs exe with args at a lower scheduling
// priority: nice(1) with the increment n, which sets the priority before
// it executes exe (so every thread the Go runtime starts inherits it, and
// the process keeps its pid). On Windows, with n <= 0, or where there is no
// nice(1), it returns exe and args unchanged and ok=false.
//
// The bench runs its servers so, because the load generator shares the
// machine with them: during a collection a Go server runs mark workers on
// every processor it finds idle (runtime issues 17969 and 20457), which on
// two cores takes the processor the load generator needs to send on time
// and to read the answers, and the delay is counted as the server's
// latency. A client on another machine would not see it; a load generator
// at a higher priority than the server does not either, while the server
// still gets every cycle the generator leaves.
func Niced(n int, exe string, args []string) (string, []string, bool) {
	if n <= 0 || runtime.GOOS == "windows" {
		return exe, args, false
	}
	nice, err := exec.LookPath("nice")
	if err != nil {
		return exe, args, false
	}
	return nice, append([]string{"-n", strconv.Itoa(n), exe}, args...), true
}
