//go:build !linux

package proc

import (
	"io/fs"
	"syscall"
	"time"
)

// setDeathSignal: only Linux can tie a child's life to its parent's.
func setDeathSignal(*syscall.SysProcAttr) {}

// allocated is a file's size (block counts are not portable).
func allocated(fi fs.FileInfo) int64 { return fi.Size() }

// The CPU and memory accounting below is read from Linux's /proc: elsewhere
// it is ErrNotAvailable, and the measurements that need it fail with it.

func processCPU(int) (time.Duration, error) { return 0, ErrNotAvailable }
func processRSS(int) (int64, error)         { return 0, ErrNotAvailable }
func machineCPU() (time.Duration, error)    { return 0, ErrNotAvailable }
func selfCPU() (time.Duration, error)       { return 0, ErrNotAvailable }
