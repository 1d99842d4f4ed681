package bolt

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// PurgeExpired implements domain.PrivacyService: hand-off transcripts'
// typed text, anonymous visitors' addresses and feedback comments older
// than their retention are forgotten, each kind in one transaction; then,
// if anything was, the file's free pages are cleared.
func (s *PrivacyService) PurgeExpired(ctx context.Context, r domain.Retention) (*domain.PurgeReport, error) {
	rep := &domain.PurgeReport{}
	now := s.db.now().UTC()
	if before, ok := domain.Cutoff(now, r.Transcripts); ok {
		n, err := s.db.sweepThreads(ctx, func(r *threadRecord) bool {
			return r.Transcript != nil && len(r.Transcript.Typed) > 0 && r.CreatedAt.Before(before)
		}, func(t *txn, r *threadRecord) error {
			domain.EraseTranscript(r.Transcript, nil)
			return putJSON(t.tx.Bucket(bucketThreads), []byte(r.ID), r)
		})
		rep.Transcripts = n
		if err != nil {
			return rep, err
		}
	}
	if before, ok := domain.Cutoff(now, r.ContactEmails); ok {
		n, err := s.db.sweepThreads(ctx, func(r *threadRecord) bool {
			return r.UnverifiedEmail != "" && r.LastMessage.Before(before)
		}, func(t *txn, r *threadRecord) error {
			msgs, err := threadMessages(t, r.ID)
			if err != nil {
				return err
			}
			domain.ForgetContactEmail(&r.Thread, msgs)
			for _, m := range msgs {
				if err := putMessage(t, m); err != nil {
					return err
				}
			}
			return putJSON(t.tx.Bucket(bucketThreads), []byte(r.ID), r)
		})
		rep.ContactEmails = n
		if err != nil {
			return rep, err
		}
	}
	if before, ok := domain.Cutoff(now, r.FeedbackComments); ok {
		old := func(rec *voteRecord) bool { return rec.Comment != "" && rec.CreatedAt.Before(before) }
		// Found in a view, changed sweepChunk at a time (sweepThreads).
		var keys [][]byte
		if err := s.db.view(ctx, func(t *txn) error {
			votes, err := bucket(t.tx, bucketFeedback, bucketVotes)
			if err != nil {
				return err
			}
			return votes.ForEach(func(k, v []byte) error {
				var rec voteRecord
				if err := decodeJSON(v, &rec); err != nil {
					return fmt.Errorf("bolt: vote %q: %w", k, err)
				}
				if old(&rec) {
					keys = append(keys, bytes.Clone(k))
				}
				return nil
			})
		}); err != nil {
			return rep, err
		}
		for start := 0; start < len(keys); start += sweepChunk {
			n := 0
			err := s.db.update(ctx, func(t *txn) error {
				n = 0 // fn may run again (kv.Engine.Update)
				votes, err := bucket(t.tx, bucketFeedback, bucketVotes)
				if err != nil {
					return err
				}
				chunk := keys[start:min(start+sweepChunk, len(keys))]
				for i, v := range kv.GetMany(votes, chunk) {
					var rec voteRecord
					if v == nil {
						continue
					}
					if err := decodeJSON(v, &rec); err != nil {
						return fmt.Errorf("bolt: vote %q: %w", chunk[i], err)
					}
					if !old(&rec) {
						continue
					}
					rec.Comment = ""
					if err := putJSON(votes, chunk[i], rec); err != nil {
						return err
					}
					n++
				}
				return nil
			})
			rep.FeedbackComments += n
			if err != nil {
				return rep, err
			}
		}
	}
	if rep.Transcripts+rep.ContactEmails+rep.FeedbackComments > 0 {
		// Forgotten means gone from the file too, not left in free pages.
		sctx, cancel := context.WithTimeout(ctx, s.ScrubTimeout)
		defer cancel()
		n, err := s.db.ScrubFreePages(sctx)
		rep.PagesScrubbed = n
		if err != nil {
			return rep, fmt.Errorf("bolt: purge: what was due is forgotten, but %w", err)
		}
	}
	return rep, nil
}

// sweepChunk is how many threads one write of a sweep changes.
const sweepChunk = 100

// sweepThreads applies fn to every thread that matches: it finds them in a
// read-only view, then changes them sweepChunk at a time, each write reading
// its threads again and checking match on what it reads. A sweep never
// reads the whole bucket inside a write: on PostgreSQL that would take a
// predicate lock on the whole table and make every concurrent writer
// conflict with it (and bbolt's writer would be held as long).
func (db *DB) sweepThreads(ctx context.Context, match func(*threadRecord) bool, fn func(t *txn, r *threadRecord) error) (int, error) {
	var ids []string
	if err := db.view(ctx, func(t *txn) error {
		rs, err := scanThreads(t, match)
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return err
	}); err != nil {
		return 0, err
	}
	done := 0
	for start := 0; start < len(ids); start += sweepChunk {
		n := 0
		err := db.update(ctx, func(t *txn) error {
			n = 0 // fn may run again (kv.Engine.Update)
			recs, err := getThreads(t, ids[start:min(start+sweepChunk, len(ids))])
			if err != nil {
				return err
			}
			for _, r := range recs {
				if r == nil || !match(r) {
					continue // changed or gone since the view
				}
				if err := fn(t, r); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		done += n
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// scanThreads returns the threads that match.
func scanThreads(t *txn, match func(*threadRecord) bool) ([]*threadRecord, error) {
	var out []*threadRecord
	err := t.tx.Bucket(bucketThreads).ForEach(func(k, v []byte) error {
		var r threadRecord
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("bolt: thread %q: %w", k, err)
		}
		if match(&r) {
			out = append(out, &r)
		}
		return nil
	})
	return out, err
}

// RunRetention applies r at start and every interval until ctx ends,
// telling report (nil: nobody) what each run forgot or why it failed. A
// round another process is running (it holds LockRetention) is skipped.
func (s *PrivacyService) RunRetention(ctx context.Context, r domain.Retention, interval time.Duration, report func(*domain.PurgeReport, error)) {
	if interval <= 0 {
		interval = time.Hour
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		// One process on a shared engine purges at a time; the others skip.
		unlock, ok, err := s.db.TryLock(ctx, LockRetention)
		var rep *domain.PurgeReport
		if ok {
			rep, err = s.PurgeExpired(ctx, r)
			unlock()
		}
		if (ok || err != nil) && report != nil && ctx.Err() == nil {
			report(rep, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
