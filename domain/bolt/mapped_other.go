//go:build !linux

package bolt

// canRelease is false where the pages a shared mapping holds are not worth
// the platform code: the release is a Linux measure for servers.
const canRelease = false

func dropMapped(addr, n uintptr) error { return nil }
