//go:build !linux

package main

import (
	"io/fs"
	"syscall"
)

// setDeathSignal: only Linux can tie a child's life to its parent's.
func setDeathSignal(*syscall.SysProcAttr) {}

// allocated is a file's size (block counts are not portable).
func allocated(fi fs.FileInfo) int64 { return fi.Size() }
