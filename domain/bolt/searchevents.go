package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// Buckets of the search log and of what was learned from it.
var (
	bucketSearchEvents = []byte("search_events.v1") // at (8 bytes, Unix ns), sequence (8 bytes) → JSON domain.SearchEvent
	bucketLearned      = []byte("learned.v1")       // locale|key|article → JSON domain.Association
)

// searchEventsMigration creates the buckets of the search log and learning.
// It has not shipped yet: edit it freely until it does.
func searchEventsMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketSearchEvents, bucketLearned} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

var _ domain.SearchEvents = (*SearchEvents)(nil)

// Defaults of SearchEvents.
const (
	DefaultEventsFlush = 250 * time.Millisecond
	// DefaultEventsBatch starts a flush before the interval: an entry costs
	// ~3 µs to write (JSON and an append at the end of the B+tree), so a
	// batch of 4,096 is a ~12 ms transaction. Fewer, larger commits keep
	// the file's pages out of the process: each commit's first read of the
	// B+tree's last leaf, written by the commit before, maps the pages the
	// kernel has around it (fault-around, 64 KiB), so every commit added
	// ~60 KiB to the process's mapped file pages. 770,000 events (the
	// bench's events phase) in batches of 1,024 left 45 MB of the file
	// mapped, of 4,096 14 MB, for ~3 MB more heap at the peak.
	DefaultEventsBatch = 4096
	// DefaultEventsQueue is how many entries may wait; beyond it the
	// recording request writes the queue itself (back-pressure, not loss).
	// An entry waiting costs ~250 bytes and its batch's JSON and bbolt
	// pages as much again while it is written: 100,000 let a burst the
	// writer could not keep up with hold ~100 MB of heap (in process,
	// 16 writers at full speed), 16,384 hold ~35 MB.
	DefaultEventsQueue = 16_384
	scanChunk          = 5000 // entries read per read transaction
)

// SearchEvents is the search log in bbolt. Entries wait in memory and Run
// writes them every FlushInterval, or as soon as BatchSize wait, in one
// transaction: recording never waits for the disk. Keys are the entry's
// time and a sequence, so the log is read and purged as key ranges.
type SearchEvents struct {
	db *DB

	// FlushInterval, BatchSize, MaxQueue and Retention may be changed
	// before Run starts. Run purges entries older than Retention at start
	// and hourly (0: kept for ever).
	FlushInterval time.Duration
	BatchSize     int
	MaxQueue      int
	Retention     time.Duration

	queue   batchQueue[domain.SearchEvent]
	kick    chan struct{}
	writing sync.Mutex // held while a batch is written: Scan sees it whole
	enc     jsonBatch  // the batch's values (writing held)
	written atomic.Int64
}

// NewSearchEvents returns the search log on db.
func NewSearchEvents(db *DB) *SearchEvents {
	return &SearchEvents{db: db, FlushInterval: DefaultEventsFlush, BatchSize: DefaultEventsBatch,
		MaxQueue: DefaultEventsQueue, Retention: domain.DefaultEventsRetain, kick: make(chan struct{}, 1)}
}

// Written is how many entries have been stored since the process started.
func (s *SearchEvents) Written() int64 { return s.written.Load() }

// Record queues entries for the next flush.
func (s *SearchEvents) Record(ctx context.Context, events ...domain.SearchEvent) error {
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return err
		}
	}
	n := s.queue.add(events...)
	if n >= s.MaxQueue {
		return s.flushFull(ctx)
	}
	if s.BatchSize > 0 && n >= s.BatchSize {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Run writes queued entries until ctx ends, then what is left; it purges
// entries older than Retention at start and hourly.
func (s *SearchEvents) Run(ctx context.Context) error {
	var purge func(context.Context) error
	if s.Retention > 0 {
		purge = func(ctx context.Context) error {
			// One process on a shared engine purges at a time.
			return s.db.exclusive(ctx, LockSearchEvents, func(ctx context.Context) error {
				_, err := s.Purge(ctx, s.db.now().Add(-s.Retention))
				return err
			})
		}
	}
	return runBatches(ctx, s.FlushInterval, s.kick, s.Flush, purge)
}

// flushFull is Record's back-pressure: it waits for the batch being written
// and writes the queue if it is still full. Requests that found it full
// together write it once, not each a small batch after the other.
func (s *SearchEvents) flushFull(ctx context.Context) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	if s.queue.len() < s.MaxQueue {
		return nil
	}
	return s.flush(ctx)
}

// Flush writes every queued entry now, in one transaction; on failure they
// go back to the queue.
func (s *SearchEvents) Flush(ctx context.Context) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.flush(ctx)
}

// flush is Flush with s.writing held.
func (s *SearchEvents) flush(ctx context.Context) error {
	events := s.queue.take()
	if len(events) == 0 {
		return nil
	}
	err := s.db.update(context.WithoutCancel(ctx), func(t *txn) error {
		s.enc.reset()
		return putSearchEvents(t.tx.Bucket(bucketSearchEvents), events, &s.enc)
	})
	if err != nil {
		s.queue.putBack(events)
		return fmt.Errorf("bolt: write %d search events: %w", len(events), err)
	}
	s.written.Add(int64(len(events)))
	// Not a burst's array: a full queue's (16,384 entries, 4 MB of pointer
	// slots) was kept for the life of the process after one burst.
	s.queue.recycle(events, 2*max(s.BatchSize, 1024))
	return nil
}

func putSearchEvents(b kv.Bucket, events []domain.SearchEvent, enc *jsonBatch) error {
	// Keys mostly grow: bbolt fills pages fully when appending.
	b.SetFillPercent(0.9)
	key := make([]byte, 16)
	for i := range events {
		if i%256 == 255 {
			// A batch of 4,096 is ~10 ms of encoding on one processor:
			// requests queued behind it on that processor would wait
			// for the scheduler's 10 ms slice (search's p99).
			runtime.Gosched()
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		copy(key, timeKey(events[i].At))
		binary.BigEndian.PutUint64(key[8:], seq)
		if err := enc.put(b, key, &events[i]); err != nil {
			return err
		}
	}
	return nil
}

// Scan calls fn with the entries in [from, to), oldest first, reading a
// chunk per read transaction (no long readers).
func (s *SearchEvents) Scan(ctx context.Context, from, to time.Time, fn func(domain.SearchEvent) error) error {
	if !to.After(from) {
		return domain.Errorf(domain.CodeInvalidRange, "from must be before to.")
	}
	if err := s.Flush(ctx); err != nil {
		return err
	}
	start, end := timeKey(from), timeKey(to)
	for start != nil {
		var chunk []domain.SearchEvent
		var next []byte
		err := s.db.view(ctx, func(t *txn) error {
			c := t.tx.Bucket(bucketSearchEvents).Cursor()
			for k, v := c.Seek(start); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
				if len(chunk) == scanChunk {
					next = append([]byte{}, k...)
					return nil
				}
				var e domain.SearchEvent
				if err := decodeJSON(v, &e); err != nil {
					return fmt.Errorf("bolt: decode search event %x: %w", k, err)
				}
				chunk = append(chunk, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range chunk {
			if err := fn(e); err != nil {
				return err
			}
		}
		start = next
	}
	return nil
}

// Purge deletes the entries before before, ten thousand per transaction.
func (s *SearchEvents) Purge(ctx context.Context, before time.Time) (int, error) {
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	end := timeKey(before)
	n := 0
	for {
		deleted := 0
		err := s.db.update(ctx, func(t *txn) error {
			deleted = 0 // fn may run again (kv.Engine.Update)
			// The keys first, in one walk, then their deletes: seeking
			// the first key again after each delete is a statement per
			// key on PostgreSQL.
			b := t.tx.Bucket(bucketSearchEvents)
			var keys [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0 && len(keys) < 10_000; k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
				deleted++
			}
			return nil
		})
		n += deleted
		if err != nil || deleted < 10_000 {
			return n, err
		}
	}
}
