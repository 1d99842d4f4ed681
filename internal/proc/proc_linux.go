package proc

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
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

// processCPU is a process's user plus system CPU time so far.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStat(data)
}

// processRSS is a process's resident set size in bytes.
func processRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(data)
}

// machineCPU is the CPU time all cores spent running processes so far.
func machineCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineStat(data)
}

// selfCPU is this process's user plus system CPU time so far.
func selfCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	return parseProcStat(data)
}
