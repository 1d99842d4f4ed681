//go:build !windows

package main

import "syscall"

// defaultMaxConns is the connections the process can hold open without
// running out of file descriptors: RLIMIT_NOFILE (which Go raises to its
// hard limit at start) less a tenth, at least fdHeadroom, for everything
// else; never more than fasthttp's default of 262,144, never less than 64.
func defaultMaxConns() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 4096
	}
	n := min(rl.Cur, 1<<20)
	return int(max(64, min(n-max(fdHeadroom, n/10), 256*1024)))
}
