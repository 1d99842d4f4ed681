package bench

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/content/synth"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
)

// heldEngine keeps the last benchmark's engine, so that a heap profile
// (-memprofile, taken after the benchmarks) shows what its caches hold.
var heldEngine *search.Engine

var (
	distinct10kOnce sync.Once
	distinct10kIx   *index.Index
	distinct10kQs   []benchQuery
	distinct10kErr  error
)

// setupDistinct10k builds the index of the bench's 10,000-article corpus
// and the never-repeating stream as the bench makes it (the dev, train and
// Spanish dev questions, the bench's own, then generated ones).
func setupDistinct10k(b *testing.B) (*index.Index, []benchQuery) {
	distinct10kOnce.Do(func() {
		fsys, err := synth.Corpus(10000, 1)
		if err != nil {
			distinct10kErr = err
			return
		}
		dir, err := os.MkdirTemp("", "hc-distinct-")
		if err != nil {
			distinct10kErr = err
			return
		}
		if distinct10kIx, err = index.Open(context.Background(), dir, fsys, nil); err != nil {
			distinct10kErr = err
			return
		}
		warn := func(s string) { b.Log(s) }
		dev, err := loadQueries("../../search/testdata/bitext/queries_dev.jsonl", warn)
		if err != nil {
			distinct10kErr = err
			return
		}
		extra, err := loadExtraQueries([]string{"../../search/testdata/bitext/queries_train.jsonl", "../../search/testdata/es/queries_dev.jsonl"}, warn)
		if err != nil {
			distinct10kErr = err
			return
		}
		distinct10kQs, distinct10kErr = distinctStream(append(searchStream(dev), extra...), 40000, 1)
	})
	if distinct10kErr != nil {
		b.Fatal(distinct10kErr)
	}
	return distinct10kIx, distinct10kQs
}

// BenchmarkSearchDistinct10k runs the never-repeating stream in process, as
// the API searches (top 10 with snippets, reasons and the category facet),
// each question once until the stream runs out (40,000 questions): what
// the bench's distinct phase costs the engine, without HTTP. Profile it
// with -cpuprofile / -memprofile.
func BenchmarkSearchDistinct10k(b *testing.B) {
	ix, qs := setupDistinct10k(b)
	e := search.New(ix, search.DefaultOptions())
	heldEngine = e // its caches, in a -memprofile
	ctx := context.Background()
	i := 0
	cpu0 := processCPU()
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		if _, err := e.Search(ctx, search.Request{Query: q.q, Locale: q.locale, PerPage: 10, Facets: true}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	reportHeap(b)
}

// BenchmarkSearchCycled10k is the same on the cycled stream (the dev
// questions and the bench's own, over and over).
func BenchmarkSearchCycled10k(b *testing.B) {
	ix, _ := setupDistinct10k(b)
	dev, err := loadQueries("../../search/testdata/bitext/queries_dev.jsonl", func(string) {})
	if err != nil {
		b.Fatal(err)
	}
	qs := searchStream(dev)
	e := search.New(ix, search.DefaultOptions())
	ctx := context.Background()
	i := 0
	defer reportCPU(b, processCPU())
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		if _, err := e.Search(ctx, search.Request{Query: q.q, Locale: q.locale, PerPage: 10, Facets: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the process's CPU time per iteration since cpu0: on a
// shared machine wall time measures the neighbours as much as the search.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric((processCPU()-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/op")
}

// processCPU is the CPU time (user and system) the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportHeap reports, after a forced collection, the live heap and the
// part of it the collector must scan (runtime/metrics /gc/scan/heap: the
// objects that hold pointers), and how long that collection took: the mark
// work every cycle repeats, which is what the tail at half saturation waits
// on (README Benchmarks). Not noise-proof for the time; the bytes are.
func reportHeap(b *testing.B) {
	b.StopTimer()
	runtime.GC()
	t0 := time.Now()
	runtime.GC()
	took := time.Since(t0)
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}, {Name: "/gc/heap/objects:objects"}}
	metrics.Read(s)
	b.ReportMetric(float64(s[0].Value.Uint64())/(1<<20), "live-MB")
	b.ReportMetric(float64(s[1].Value.Uint64())/(1<<20), "scan-MB")
	b.ReportMetric(float64(s[2].Value.Uint64())/1e3, "kobjects")
	b.ReportMetric(float64(took.Microseconds())/1e3, "gc-ms")
}
