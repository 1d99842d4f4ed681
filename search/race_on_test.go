//go:build race

package search_test

// raceEnabled: under the race detector sync.Pool drops a share of what it
// is given back at random, so allocation counts of pooled code say nothing.
const raceEnabled = true
