package bolt

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.DeflectionService = (*DeflectionService)(nil)

// Defaults of DeflectionService.
const (
	// DefaultDeflectFlush is how often queued events are written: well
	// within the second the issue allows, in one transaction per flush.
	DefaultDeflectFlush = 250 * time.Millisecond
	// DefaultDeflectBatch is how many queued events start a flush before
	// the interval is up. A flush costs ~18 µs of CPU per event (bbolt
	// and JSON); at 2,000 deflections a second a 250 ms batch was a 12 ms
	// burst on one of two cores, which requests arriving then waited out
	// (deflect's p99 in helpcentre bench). Batches of 128 are ~2 ms.
	DefaultDeflectBatch = 128
	// DefaultDeflectQueue is how many events may wait; beyond it the oldest
	// are written at once by the recording request (back-pressure, not loss).
	DefaultDeflectQueue = 50_000
	// maxSpareEvents is the largest written batch whose array the queue
	// reuses: a burst's large array is left to the collector, not held.
	maxSpareEvents = 1024
)

// DeflectionService stores help-centre sessions. Events wait in memory and
// a background loop (Run) writes them every FlushInterval, or as soon as
// BatchSize are waiting, in one synced transaction, so that recording never
// waits for the disk; a hand-off is written at once with every event queued
// before it.
type DeflectionService struct {
	db        *DB
	policy    domain.Policy
	followUps domain.FollowUpFinder // nil: no follow-ups known (strict = opened and no hand-off)

	// FlushInterval, MaxQueue and Retention may be changed before Run
	// starts. Retention is how long what customers typed is kept: Run
	// purges older text hourly (0: kept for ever).
	FlushInterval time.Duration
	BatchSize     int // queued events that start a flush at once (0: only the interval)
	MaxQueue      int
	Retention     time.Duration

	// queue holds the events not written yet; a queue that grew anew every
	// batch was ~300 bytes of garbage a session.
	queue batchQueue[domain.Event]
	kick  chan struct{} // a batch is waiting: Run flushes it now
	// writing is held while events taken from the queue are being written:
	// a reader holding it sees every event either in the file or queued.
	writing sync.Mutex
	enc     jsonBatch // the sessions written (writing held)
}

// NewDeflectionService returns the service on db. followUps tells when
// threads, incidents and claims were opened on an order (for the strict
// deflection rate); nil counts none.
func NewDeflectionService(db *DB, p domain.Policy, followUps domain.FollowUpFinder) *DeflectionService {
	return &DeflectionService{db: db, policy: p, followUps: followUps, FlushInterval: DefaultDeflectFlush,
		BatchSize: DefaultDeflectBatch, MaxQueue: DefaultDeflectQueue, kick: make(chan struct{}, 1)}
}

// RecordEvents queues events for the next flush.
func (s *DeflectionService) RecordEvents(ctx context.Context, events ...domain.Event) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	n := s.queue.add(events...)
	if n >= s.MaxQueue {
		return s.Flush(ctx)
	}
	if s.BatchSize > 0 && n >= s.BatchSize {
		select {
		case s.kick <- struct{}{}:
		default: // Run has been told already
		}
	}
	return nil
}

// Run writes the queued events every FlushInterval until ctx ends, then
// writes what is left (on shutdown, before the file closes); with a
// Retention it purges older text at start and hourly.
func (s *DeflectionService) Run(ctx context.Context) error {
	var purge func(context.Context) error
	if s.Retention > 0 {
		purge = func(ctx context.Context) error {
			// One process on a shared engine purges at a time.
			return s.db.exclusive(ctx, LockDeflection, func(ctx context.Context) error {
				_, err := s.PurgeText(ctx, s.db.now().Add(-s.Retention))
				return err
			})
		}
	}
	return runBatches(ctx, s.FlushInterval, s.kick, s.Flush, purge)
}

// Flush writes every queued event now, in one transaction. Events that could
// not be written go back to the queue.
func (s *DeflectionService) Flush(ctx context.Context) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	return s.write(ctx, "", nil)
}

// write takes the queue and writes it, with a hand-off mark for session id
// when m is not nil, in one transaction. The caller holds s.writing.
func (s *DeflectionService) write(ctx context.Context, id string, m *domain.HandoffMark) error {
	events := s.queue.take()
	if len(events) == 0 && m == nil {
		return nil
	}
	err := s.db.update(context.WithoutCancel(ctx), func(t *txn) error {
		return s.apply(t, events, id, m)
	})
	if err != nil {
		s.queue.putBack(events)
		return fmt.Errorf("bolt: write %d deflection events: %w", len(events), err)
	}
	s.queue.recycle(events, maxSpareEvents)
	return nil
}

func (s *DeflectionService) apply(t *txn, events []domain.Event, id string, m *domain.HandoffMark) error {
	s.enc.reset()
	b := t.tx.Bucket(bucketDeflectSessions)
	sessions := map[string]*domain.Session{}
	isNew := map[string]bool{}
	load := func(sid string) (*domain.Session, error) {
		if ss, ok := sessions[sid]; ok {
			return ss, nil
		}
		ss := &domain.Session{}
		found, err := getJSON(b, []byte(sid), ss)
		if err != nil {
			return nil, err
		}
		isNew[sid] = !found
		sessions[sid] = ss
		return ss, nil
	}
	for _, e := range events {
		ss, err := load(e.Session)
		if err != nil {
			return err
		}
		started := ss.StartedAt
		ss.Apply(e)
		if !isNew[e.Session] {
			ss.StartedAt = started // indexed under it
		}
	}
	if m != nil {
		ss, err := load(id)
		if err != nil {
			return err
		}
		if isNew[id] && ss.ID == "" {
			return domain.ErrSessionNotFound(id)
		}
		mark := *m
		ss.Handoff = &mark
		if mark.At.After(ss.LastAt) {
			ss.LastAt = mark.At
		}
	}
	n := 0
	for sid, ss := range sessions {
		if ss.ID == "" {
			continue
		}
		if n++; n%32 == 0 {
			runtime.Gosched() // as putSearchEvents does, for the requests behind it
		}
		if err := s.enc.put(b, []byte(sid), ss); err != nil {
			return err
		}
		if isNew[sid] {
			if err := indexDeflectSession(t.tx, ss); err != nil {
				return err
			}
		}
	}
	return nil
}

// deflectIndexKeys are a session's keys in the index buckets, in their
// order, in one array.
func deflectIndexKeys(ss *domain.Session) [2][]byte {
	at, id := timeKey(ss.StartedAt), ss.ID
	b := make([]byte, 0, 2*(len(at)+len(id))+len(ss.Locale)+len(ss.Entry)+2)
	b = append(append(b, at...), id...)
	byTime := b[:len(b):len(b)]
	b = append(append(append(append(b, ss.Locale...), 0), ss.Entry...), 0)
	b = append(append(b, at...), id...)
	return [2][]byte{byTime, b[len(byTime):]}
}

func indexDeflectSession(tx kv.Tx, ss *domain.Session) error {
	for i, k := range deflectIndexKeys(ss) {
		if err := tx.Bucket(deflectionIndexedBuckets[i]).Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// Session returns a session with its queued events applied. A session of a
// signed-in customer is theirs (and customer care's) only.
func (s *DeflectionService) Session(ctx context.Context, id string) (*domain.Session, error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	ss := &domain.Session{}
	found := false
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		found, err = getJSON(t.tx.Bucket(bucketDeflectSessions), []byte(id), ss)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.queue.each(func(e *domain.Event) {
		if e.Session == id {
			found = true
			ss.Apply(*e)
		}
	})
	if !found || !domain.CanUseSession(domain.ActorFrom(ctx), ss) {
		return nil, domain.ErrSessionNotFound(id)
	}
	return ss, nil
}

// Handoff writes, in one synced transaction, every queued event and the
// mark that session id was handed to a thread.
func (s *DeflectionService) Handoff(ctx context.Context, id string, m domain.HandoffMark) error {
	if _, err := s.Session(ctx, id); err != nil {
		return err
	}
	s.writing.Lock()
	defer s.writing.Unlock()
	if m.At.IsZero() {
		m.At = s.db.txnTime(ctx)
	}
	return s.write(ctx, id, &m)
}

// Report computes the deflection report over the sessions started in
// [from, to), reading only the index range of the filter.
func (s *DeflectionService) Report(ctx context.Context, from, to time.Time, locale, entry string) (*domain.DeflectionReport, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if err := domain.CheckReportRange(from, to); err != nil {
		return nil, err
	}
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	var sessions []domain.Session
	err := s.db.view(ctx, func(t *txn) error {
		sb := t.tx.Bucket(bucketDeflectSessions)
		read := func(id []byte) error {
			var ss domain.Session
			if ok, err := getJSON(sb, id, &ss); err != nil || !ok {
				return err
			}
			sessions = append(sessions, ss)
			return nil
		}
		if locale == "" && entry == "" {
			return deflectTimeRange(t.tx.Bucket(bucketDeflectByTime).Cursor(), nil, from, to, read)
		}
		return deflectPairs(t.tx.Bucket(bucketDeflectByLocEntry).Cursor(), locale, entry, func(pair []byte) error {
			return deflectTimeRange(t.tx.Bucket(bucketDeflectByLocEntry).Cursor(), pair, from, to, read)
		})
	})
	if err != nil {
		return nil, err
	}
	follow := map[string][]time.Time{}
	if s.followUps != nil {
		for _, ss := range sessions {
			// Only a session that opened something without a hand-off can
			// be strictly deflected: only its order needs looking up.
			if ss.Order == "" || ss.Handoff != nil || len(ss.Opened) == 0 {
				continue
			}
			if _, ok := follow[ss.Order]; ok {
				continue
			}
			ts, err := s.followUps(ctx, ss.Order)
			if err != nil && domain.ErrorKind(err) != domain.NotFound {
				return nil, fmt.Errorf("bolt: follow-ups of order %s: %w", ss.Order, err)
			}
			follow[ss.Order] = ts
		}
	}
	window := s.policy.StrictDeflectionWindow
	rep := &domain.DeflectionReport{From: from, To: to, Locale: locale, Entry: entry, Window: window.String()}
	tot, byEntry, byArticle, byDay := domain.TallyDeflection(sessions, follow, window, s.db.txnTime(ctx))
	rep.Totals = domain.EntryCounts{Entry: entry, DeflectionCounts: tot}
	rep.ByEntry, rep.ByArticle, rep.ByDay = byEntry, byArticle, byDay
	return rep, nil
}

// deflectTimeRange calls read with the session id of every index key
// prefix, started (8 bytes), id with started in [from, to).
func deflectTimeRange(c kv.Cursor, prefix []byte, from, to time.Time, read func(id []byte) error) error {
	lo := append(append([]byte{}, prefix...), timeKey(from)...)
	hi := append(append([]byte{}, prefix...), timeKey(to)...)
	for k, _ := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, _ = c.Next() {
		if err := read(k[len(prefix)+8:]); err != nil {
			return err
		}
	}
	return nil
}

// deflectPairs calls fn with the key prefix (locale, 0x00, entry, 0x00) of
// every locale and entry pair in the by-locale-and-entry index that matches
// locale and entry ("": any), seeking past each pair's keys to the next
// pair: a few seeks, whatever the number of sessions.
func deflectPairs(c kv.Cursor, locale, entry string, fn func(pair []byte) error) error {
	if locale != "" && entry != "" {
		return fn(compositeKey([]byte(locale), []byte(entry), nil))
	}
	var start []byte
	if locale != "" {
		start = compositeKey([]byte(locale), nil)
	}
	k := seekFrom(c, start)
	for k != nil && bytes.HasPrefix(k, start) {
		l, rest, ok1 := bytes.Cut(k, []byte{0})
		e, _, ok2 := bytes.Cut(rest, []byte{0})
		if !ok1 || !ok2 {
			return fmt.Errorf("bolt: malformed deflection index key %q", k)
		}
		pair := compositeKey(l, e, nil)
		if entry == "" || string(e) == entry {
			if err := fn(pair); err != nil {
				return err
			}
		}
		// past every key of the pair: its last byte, the separator 0x00,
		// raised to 0x01
		next := append(pair[:len(pair)-1:len(pair)-1], 1)
		k, _ = c.Seek(next)
	}
	return nil
}

// seekFrom moves c to the first key >= start, or to the first key when
// start is nil, and returns it.
func seekFrom(c kv.Cursor, start []byte) []byte {
	if start == nil {
		k, _ := c.First()
		return k
	}
	k, _ := c.Seek(start)
	return k
}

// PurgeText forgets the text of sessions started before before, a thousand
// per transaction, from where the last purge stopped.
func (s *DeflectionService) PurgeText(ctx context.Context, before time.Time) (int, error) {
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	n := 0
	end := timeKey(before)
	for {
		done, purged := true, 0
		err := s.db.update(ctx, func(t *txn) error {
			done, purged = true, 0 // fn may run again (kv.Engine.Update)
			meta := t.tx.Bucket(bucketDeflectMeta)
			start := meta.Get(deflectPurgedUntilKey)
			sb := t.tx.Bucket(bucketDeflectSessions)
			c := t.tx.Bucket(bucketDeflectByTime).Cursor()
			k := seekFrom(c, start)
			if k != nil && start != nil && bytes.Equal(k, start) {
				k, _ = c.Next() // purged last time
			}
			var last []byte
			for i := 0; k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
				if i == 1000 {
					done = false
					break
				}
				i++
				last = append([]byte{}, k...)
				var ss domain.Session
				if ok, err := getJSON(sb, k[8:], &ss); err != nil || !ok || ss.TextPurged {
					if err != nil {
						return err
					}
					continue
				}
				ss.PurgeText()
				if err := putJSON(sb, k[8:], &ss); err != nil {
					return err
				}
				purged++
			}
			if last == nil {
				return nil
			}
			return meta.Put(deflectPurgedUntilKey, last)
		})
		n += purged
		if err != nil || done {
			return n, err
		}
	}
}
