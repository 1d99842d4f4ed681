package index

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchOptions tune Watch.
type WatchOptions struct {
	// Debounce gathers a burst of events (a git checkout touches many files)
	// into one reload.
	Debounce time.Duration
	// Poll reloads on a timer as well, for file systems whose events do not
	// arrive (network mounts, some container volumes). 0 disables it.
	Poll time.Duration
}

// Watch reloads the index whenever something under root changes, until ctx
// is done. A reload that finds nothing changed costs one stat per file.
func (ix *Index) Watch(ctx context.Context, root string, opt WatchOptions) error {
	if opt.Debounce <= 0 {
		opt.Debounce = 100 * time.Millisecond
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	addTree := func(dir string) {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if p != dir && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if err := w.Add(p); err != nil {
					ix.log.Warn("cannot watch folder", "dir", p, "err", err)
				}
			}
			return nil
		})
	}
	addTree(root)

	var pollC <-chan time.Time
	if opt.Poll > 0 {
		t := time.NewTicker(opt.Poll)
		defer t.Stop()
		pollC = t.C
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	reload := func(why string) {
		if _, err := ix.Reload(ctx); err != nil {
			ix.log.Warn("reload after change failed", "trigger", why, "err", err)
		}
	}
	// Anything written between the index build and the watches being in
	// place raised no event: one reload (a stat per file) catches it.
	reload("watch start")
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					addTree(ev.Name)
				}
			}
			timer.Reset(opt.Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			ix.log.Warn("file watcher error; the poll keeps the index in step", "err", err)
			timer.Reset(opt.Debounce)
		case <-timer.C:
			reload("file change")
		case <-pollC:
			reload("poll")
		}
	}
}
