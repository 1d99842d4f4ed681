package index_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/marketplace/helpcentre/index"
)

// bigBody is about n bytes of varied prose: many distinct words, so that
// analysing it and rebuilding the vocabulary take a while.
func bigBody(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Paragraph %d explains refund%d and parcel%d tracking for order%d. ", i, i%5000, i%7919, i)
		if i%12 == 11 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// TestSearchDuringSlowReload is issue 22's fault 5: a reload of a large
// article held the locale's write lock while Bleve analysed it, and a search
// waited the whole time (10 s for a 6 MB article, past the search timeout).
// Searches never wait on a reload: while one runs, every search answers as
// fast as without it, from the old state, and the new article shows once it
// is applied.
func TestSearchDuringSlowReload(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"en/orders/cancel.md": article("Cancel an order", "Press cancel."),
		"en/orders/track.md":  article("Track a parcel", "Open the order page."),
	}
	ix, err := index.Open(ctx, t.TempDir(), fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// The article grows until its reload takes long enough to show a
	// search waiting (without the race detector 384 KB takes ~0.2 s).
	var took, worst time.Duration
	for size := 384 << 10; ; size *= 4 {
		if size > 8<<20 {
			t.Skipf("a reload of a %d KB article took only %v: too fast to show a search waiting", size/4>>10, took)
		}
		fsys["en/orders/huge.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Everything about warranties\n---\n" + bigBody(size) + "\n"), ModTime: time.Now()}
		var searches int
		took, worst, searches = searchWhileReloading(t, ix)
		t.Logf("%d KB: the reload took %v; %d searches meanwhile, the slowest %v", size>>10, took, searches, worst)
		if took >= 500*time.Millisecond {
			break
		}
	}
	if worst > took/4 {
		t.Errorf("a search during the reload took %v of the reload's %v: it waited on the reload", worst, took)
	}
	if got := titleHits(t, ix, "en", "warranties"); len(got) != 1 || got[0] != "huge" {
		t.Errorf("after the reload: warranties finds %v", got)
	}
}

// searchWhileReloading reloads ix while searching it again and again, and
// returns how long the reload took, the slowest search and how many ran.
func searchWhileReloading(t *testing.T, ix *index.Index) (took, worst time.Duration, searches int) {
	t.Helper()
	var reloading atomic.Bool
	reloading.Store(true)
	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		if _, err := ix.Reload(context.Background()); err != nil {
			t.Error(err)
		}
		reloading.Store(false)
		done <- time.Since(start)
	}()
	for reloading.Load() {
		start := time.Now()
		if got := titleHits(t, ix, "en", "cancel"); len(got) != 1 {
			t.Errorf("during the reload: cancel finds %v", got)
			break
		}
		searches++
		worst = max(worst, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
	return <-done, worst, searches
}

// TestReloadLogsNewContentErrors is issue 22's fault 9: a broken front matter
// saved into a live content folder showed only in the content status. Each
// new problem is logged once, with its file and line; one left broken is
// not logged again at the next reload.
func TestReloadLogsNewContentErrors(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"en/orders/cancel.md": article("Cancel an order", "Press cancel."),
	}
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	ix, err := index.Open(ctx, t.TempDir(), fsys, log)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	fsys["en/orders/broken.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Broken\ntags: [unclosed\n---\nBody.\n"), ModTime: time.Now()}
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(logs.String(), "file=en/orders/broken.md")
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := count(); n != 1 {
		t.Fatalf("the broken file is logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "level=ERROR msg=\"content problem\" file=en/orders/broken.md line=") || strings.Contains(out, "line=0 ") {
		t.Errorf("the log line lacks the file and line:\n%s", out)
	}
	fsys["en/orders/track.md"] = article("Track a parcel", "Open the order page.")
	if _, err := ix.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("after another reload the broken file is logged %d times, want still once", n)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
