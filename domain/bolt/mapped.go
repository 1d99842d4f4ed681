package bolt

import (
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
)

// mappedPages gives back to the kernel the file pages that a write-heavy
// store leaves mapped in the process.
//
// bbolt reads its file through a shared read-only mapping and writes it with
// pwrite. A commit's first read of a page the commit before wrote (the last
// leaf of an appended log, the free list's neighbours) maps that page and,
// by the kernel's fault-around, the 64 KiB of cached pages around it: so the
// file's written pages pile up in the process's resident set though they are
// seldom read again. Measured at 10,000 articles: the bench's events phase
// (a million search events in ~250 commits) left 62 MB of the database file
// mapped, a fifth of the server's RSS after load; the deflection sessions'
// commits another 5 MB.
//
// After every releaseEvery bytes written (and no more often than
// releaseGap), a background read transaction tells the kernel the mapped
// range is not needed (madvise MADV_DONTNEED). That drops only the process's
// page-table entries: the pages stay in the kernel's page cache, unchanged,
// and the next read of one is a minor fault, not a disk read; the pages
// still count against a container's memory as page cache, as they did
// before. The read transaction holds bbolt's mapping lock, so the file
// cannot be remapped (moved) while the advice is given.
type mappedPages struct {
	db       *bbolt.DB
	released atomic.Int64 // bytes written when the last release started
	last     atomic.Int64 // when it started, Unix ns
	running  atomic.Bool
}

const (
	// releaseEvery is the bytes written between releases: 16 MiB is some
	// 60,000 search events, or 4,000 deflection sessions.
	releaseEvery = 16 << 20
	// releaseGap keeps a burst of writes from releasing more than once a
	// second (each release costs the next reads their minor faults).
	releaseGap = time.Second
)

func newMappedPages(db *bbolt.DB) *mappedPages {
	p := &mappedPages{db: db}
	p.last.Store(time.Now().UnixNano())
	return p
}

// afterWrite is called after each write transaction: it starts a release in
// the background when enough was written since the last one.
func (p *mappedPages) afterWrite() {
	if p == nil || !canRelease {
		return
	}
	st := p.db.Stats()
	written := st.TxStats.GetPageAlloc()
	if written-p.released.Load() < releaseEvery || time.Now().UnixNano()-p.last.Load() < int64(releaseGap) {
		return
	}
	if !p.running.CompareAndSwap(false, true) {
		return
	}
	p.released.Store(written)
	p.last.Store(time.Now().UnixNano())
	go func() {
		defer p.running.Store(false)
		// A release that fails leaves the pages mapped, as they were
		// before it: nothing for the writer, whose commit is done.
		_ = p.release()
	}()
}

// release drops the whole file's mapped pages from the process now.
func (p *mappedPages) release() error {
	return p.db.View(func(tx *bbolt.Tx) error {
		return dropMapped(tx.DB().Info().Data, uintptr(tx.Size()))
	})
}
