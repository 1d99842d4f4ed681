package main

import (
	"io/fs"
	"syscall"
)

// setDeathSignal has the kernel kill the server under test if the bench
// process dies without stopping it (SIGKILL, a crash).
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// allocated is the disk space a file occupies, as du counts it.
func allocated(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}
