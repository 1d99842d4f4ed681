//go:build !unix

package postgres_test

import "time"

// selfCPU is not measured here.
func selfCPU() time.Duration { return 0 }
