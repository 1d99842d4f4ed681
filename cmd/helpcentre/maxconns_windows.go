package main

// defaultMaxConns on Windows, which has no RLIMIT_NOFILE: fasthttp's
// connections are bounded by memory, not a descriptor table.
func defaultMaxConns() int { return 4096 }
