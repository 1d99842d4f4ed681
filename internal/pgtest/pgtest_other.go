//go:build unix && !linux

package pgtest

import "syscall"

// sysProcAttr: elsewhere than Linux, no death signal and no dropping from
// root to nobody (PostgreSQL then refuses to start: run the tests as a user).
func sysProcAttr(chown ...string) (*syscall.SysProcAttr, error) { return nil, nil }
