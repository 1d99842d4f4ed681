package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultGCHeadroom is --gc-headroom's default: the most the Go heap grows
// above its live data between two collections (but see minGCPercent).
//
// GOGC's rule lets the heap grow by its own live size (100 %) before the
// next collection, which suits a small index; but how much room the
// collector needs is set by how fast the server makes garbage, and that is
// bounded by the processors, not by the corpus. At 10,000 articles the live
// heap is 80–90 MB after the bench's load, and GOGC's rule kept the heap at
// ~2.2 times that (RSS after load 262–323 MB, 216–236 of it anonymous); a
// search made ~16 KB of garbage then, ~26 MB a second at half saturation
// (~3 KB through the API since its page is made in an arena). With
// 32 MiB of room the collector ran about every 1.2 s instead of 3.3 and
// RSS after load was 186.8–201.3 MB (anonymous 147–160) in six runs, for no
// CPU per search the bench could see, at the cost of the tail at half
// saturation (README, Memory at 10,000, third round). At 100,000 (live
// ~390 MB) the floor below sets the room.
const defaultGCHeadroom = 32 << 20

// minGCPercent is the least GOGC the cap sets: a collection's cost grows
// with the live heap, so below this its share of the processors would grow
// without bound as the corpus does (at 100,000 articles and GOGC=10 the
// collector ran every half second).
const minGCPercent = 25

// gcPercentFor is the GOGC that lets a heap of live bytes grow by at most
// headroom: base (the process's GOGC) while live*base/100 fits, lower in
// proportion beyond, never under minGCPercent (nor above base).
func gcPercentFor(live, headroom uint64, base int) int {
	if base <= 0 || headroom == 0 || live == 0 || live*uint64(base)/100 <= headroom {
		return base
	}
	return min(base, max(minGCPercent, int(headroom*100/live)))
}

// buildHeadroom is the least room the heap has while the index is built: a
// build makes garbage many times faster than serving does (every article
// analysed, segments merged), and a small room there made the collector run
// back to back (at 10,000 articles and a 32 MiB cap from the start, the
// build took 8.7 s instead of 3.9). The build's garbage is returned to the OS when it ends.
const buildHeadroom = 256 << 20

// keepGCHeadroom sets GOGC from the live heap every second until ctx is
// done (see defaultGCHeadroom); until built is closed the room is at least
// buildHeadroom. GOGC=off, or a headroom of 0, leaves the collector as it is.
func keepGCHeadroom(ctx context.Context, headroom uint64, built <-chan struct{}, log *slog.Logger) {
	if headroom == 0 {
		return
	}
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
	metrics.Read(samples[1:])
	if samples[1].Value.Kind() != metrics.KindUint64 {
		return
	}
	base := int(samples[1].Value.Uint64()) // GOGC, or the default 100
	if base <= 0 {
		return
	}
	cur := base
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		metrics.Read(samples[:1])
		if samples[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		room := headroom
		select {
		case <-built:
		default:
			room = max(room, buildHeadroom)
		}
		want := gcPercentFor(samples[0].Value.Uint64(), room, base)
		// a change under a twentieth is noise in the live heap
		if want != cur && (want == base || 20*abs(want-cur) > cur) {
			debug.SetGCPercent(want)
			log.Debug("collector's pace set from the live heap", "gogc", want, "live_mb", samples[0].Value.Uint64()>>20, "headroom_mb", room>>20)
			cur = want
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
