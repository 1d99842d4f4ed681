package main

import (
	"regexp"

	"github.com/prometheus/client_golang/prometheus/collectors"
)

// gcMetrics adds the collector's own figures to /metrics, beside the Go
// collector's defaults: the live heap and the part of it each cycle must
// scan (go_gc_heap_live_bytes, go_gc_scan_heap_bytes: the mark work a cycle
// repeats), the cycles so far and the stop-the-world pauses. They are what
// the tail at half saturation waits on (README Benchmarks); the bench reads
// the scan figure after its load.
var gcMetrics = collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/(heap/live|scan/(heap|stack|globals|total)):bytes$|^/gc/cycles/total:gc-cycles$|^/sched/pauses/total/gc:seconds$`)}
