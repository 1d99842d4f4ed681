package bolt

import "golang.org/x/sys/unix"

const canRelease = true

// dropMapped advises the kernel that the n mapped bytes from addr are not
// needed (MADV_DONTNEED): for a shared file mapping, their page-table
// entries go, the page cache keeps the pages.
func dropMapped(addr, n uintptr) error {
	if n == 0 {
		return nil
	}
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, n, unix.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
