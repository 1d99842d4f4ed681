package bolt

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.LearningService = (*LearningService)(nil)

// LearningService learns query → article associations from a search log
// (domain.Learn) and stores them, with editors' reviews, in learned.v1.
// The applying table is kept in memory as one snapshot, swapped whole, so
// that Associations is a map read.
type LearningService struct {
	db        *DB
	events    domain.SearchEvents
	normalise domain.Normaliser
	params    domain.LearnParams
	// Window is how much of the log a run reads (the retention).
	Window time.Duration

	run   sync.Mutex // one run or review at a time
	table atomic.Pointer[map[string]map[string]map[string]float64]
}

// NewLearningService returns the service, its table loaded from db.
func NewLearningService(ctx context.Context, db *DB, events domain.SearchEvents, normalise domain.Normaliser, p domain.LearnParams) (*LearningService, error) {
	s := &LearningService{db: db, events: events, normalise: normalise, params: p, Window: domain.DefaultEventsRetain}
	as, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	t := domain.LearnedTable(as)
	s.table.Store(&t)
	return s, nil
}

// Associations implements domain.Learned.
func (s *LearningService) Associations(locale string) map[string]map[string]float64 {
	return (*s.table.Load())[locale]
}

// DefaultLearnEvery is how often Run learns when not told.
const DefaultLearnEvery = 10 * time.Minute

// Run learns every interval (0: DefaultLearnEvery) until ctx ends. Of
// several processes on one engine (replicas), one learns each round, under
// the lock LockLearning; the others take up the table it stored.
func (s *LearningService) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	if every <= 0 {
		every = DefaultLearnEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	sys := domain.WithActor(ctx, domain.SystemActor)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.round(sys); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// round learns now, unless another process holds LockLearning: then it
// reloads the table that process stores, so that every replica applies
// the same associations (reviews made on another replica included).
func (s *LearningService) round(ctx context.Context) error {
	unlock, ok, err := s.db.TryLock(ctx, LockLearning)
	if err != nil {
		return err
	}
	if !ok {
		as, err := s.load(ctx)
		if err != nil {
			return err
		}
		table := domain.LearnedTable(as)
		s.table.Store(&table)
		return nil
	}
	defer unlock()
	_, err = s.Apply(ctx)
	return err
}

// Apply learns from the log now and stores the result.
func (s *LearningService) Apply(ctx context.Context) (*domain.LearnChange, error) {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	s.run.Lock()
	defer s.run.Unlock()
	now := s.db.now().UTC()
	var log []domain.SearchEvent
	if err := s.events.Scan(ctx, now.Add(-s.Window), now.Add(time.Minute), func(e domain.SearchEvent) error {
		log = append(log, e)
		return nil
	}); err != nil {
		return nil, err
	}
	learned := domain.Learn(log, s.normalise, s.params, now)
	var before, after []domain.Association
	err := s.db.update(ctx, func(t *txn) error {
		// The reviews are read in the transaction that replaces the table:
		// one an editor makes meanwhile (on another replica) is kept.
		var err error
		if before, err = loadLearned(t); err != nil {
			return err
		}
		after = domain.MergeReviews(learned, before)
		if err := t.tx.DeleteBucket(bucketLearned); err != nil {
			return err
		}
		b, err := t.tx.CreateBucket(bucketLearned)
		if err != nil {
			return err
		}
		for i := range after {
			if err := putJSON(b, []byte(after[i].ID()), &after[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	table := domain.LearnedTable(after)
	s.table.Store(&table)
	change := domain.DiffLearned(before, after, now)
	return &change, nil
}

// List returns every stored association, by id.
func (s *LearningService) List(ctx context.Context) ([]domain.Association, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	return s.load(ctx)
}

func (s *LearningService) load(ctx context.Context) ([]domain.Association, error) {
	var out []domain.Association
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		out, err = loadLearned(t)
		return err
	})
	return out, err
}

// loadLearned reads every stored association, by id.
func loadLearned(t *txn) ([]domain.Association, error) {
	out := []domain.Association{}
	err := t.tx.Bucket(bucketLearned).ForEach(func(k, v []byte) error {
		var a domain.Association
		if _, err := getJSON(t.tx.Bucket(bucketLearned), k, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Review records an editor's decision; a rejected association stops
// applying at once.
func (s *LearningService) Review(ctx context.Context, id string, state domain.ReviewState) (*domain.Association, error) {
	if err := domain.RequireAdmin(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if err := domain.ValidReview(state); err != nil {
		return nil, err
	}
	if _, _, _, err := domain.ParseAssociationID(id); err != nil {
		return nil, err
	}
	s.run.Lock()
	defer s.run.Unlock()
	var a domain.Association
	err := s.db.update(ctx, func(t *txn) error {
		b := t.tx.Bucket(bucketLearned)
		found, err := getJSON(b, []byte(id), &a)
		if err != nil {
			return err
		}
		if !found {
			return domain.ErrAssociationNotFound(id)
		}
		a.Review = state
		if state == domain.ReviewRejected {
			a.Applies = false
		}
		a.Updated = t.now
		return putJSON(b, []byte(id), &a)
	})
	if err != nil {
		return nil, err
	}
	as, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	table := domain.LearnedTable(as)
	s.table.Store(&table)
	return &a, nil
}
