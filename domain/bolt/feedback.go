package bolt

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.FeedbackService = (*FeedbackService)(nil)

// FeedbackService stores votes and view counts in a DB.
//
// Votes live in feedback.v1/votes under "article id, 0x00, ULID" keys, so one
// article's votes are contiguous and in time order (article ids never contain
// 0x00). feedback.v1/counts keeps each article's totals, updated in the same
// transaction as the vote, so a summary reads one value and the 20 newest
// votes instead of every vote.
type FeedbackService struct {
	db *DB
}

// NewFeedbackService returns a FeedbackService on db.
func NewFeedbackService(db *DB) *FeedbackService {
	return &FeedbackService{db: db}
}

// voteRecord is a vote as stored: its own type, so that changing the API's JSON
// never changes the file's.
type voteRecord struct {
	ID        string    `json:"id"`
	ArticleID string    `json:"article_id"`
	Locale    string    `json:"locale"`
	Helpful   bool      `json:"helpful"`
	Reason    string    `json:"reason,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	Session   string    `json:"session,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// countsRecord is an article's totals per locale. Reasons are kept per locale
// too, although the summary only shows them summed, so that a per-locale view
// needs no migration.
type countsRecord struct {
	Locales map[string]*localeCounts `json:"locales"`
}

type localeCounts struct {
	Helpful    int            `json:"helpful"`
	NotHelpful int            `json:"not_helpful"`
	Reasons    map[string]int `json:"reasons,omitempty"`
}

// RecordVote implements domain.FeedbackService. v gets its ID and CreatedAt
// only once the vote is stored.
func (s *FeedbackService) RecordVote(ctx context.Context, v *domain.Vote) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := v.Validate(); err != nil {
		return err
	}
	createdAt := v.CreatedAt
	if createdAt.IsZero() {
		createdAt = s.db.now()
	}
	createdAt = createdAt.UTC()
	var id ulid.ULID
	if v.ID != "" {
		var err error
		if id, err = ulid.ParseStrict(v.ID); err != nil {
			return domain.ErrInvalidVoteID()
		}
	} else {
		var err error
		if id, err = s.db.newID(createdAt); err != nil {
			return domain.ErrInvalidVoteTime()
		}
	}
	rec := voteRecord{
		ID:        id.String(),
		ArticleID: v.ArticleID,
		Locale:    v.Locale,
		Helpful:   v.Helpful,
		Reason:    v.Reason,
		Comment:   v.Comment,
		Session:   v.Session,
		CreatedAt: createdAt,
	}
	if err := s.db.write("update", s.db.eng.Update, func(tx kv.Tx) error {
		return createVote(tx, id, &rec)
	}); err != nil {
		return err
	}
	v.ID, v.CreatedAt = rec.ID, rec.CreatedAt
	return nil
}

func voteKey(articleID string, id ulid.ULID) []byte {
	k := make([]byte, 0, len(articleID)+1+len(id))
	k = append(k, articleID...)
	k = append(k, 0)
	return append(k, id[:]...)
}

func createVote(tx kv.Tx, id ulid.ULID, rec *voteRecord) error {
	votes, err := bucket(tx, bucketFeedback, bucketVotes)
	if err != nil {
		return err
	}
	key := voteKey(rec.ArticleID, id)
	if votes.Get(key) != nil {
		return domain.ErrVoteExists()
	}
	buf, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("bolt: encode vote: %w", err)
	}
	if err := votes.Put(key, buf); err != nil {
		return fmt.Errorf("bolt: put vote: %w", err)
	}

	counts, err := bucket(tx, bucketFeedback, bucketCounts)
	if err != nil {
		return err
	}
	c, err := getCounts(counts, rec.ArticleID)
	if err != nil {
		return err
	}
	lc := c.Locales[rec.Locale]
	if lc == nil {
		lc = &localeCounts{}
		c.Locales[rec.Locale] = lc
	}
	if rec.Helpful {
		lc.Helpful++
	} else {
		lc.NotHelpful++
		if rec.Reason != "" {
			if lc.Reasons == nil {
				lc.Reasons = map[string]int{}
			}
			lc.Reasons[rec.Reason]++
		}
	}
	if buf, err = json.Marshal(c); err != nil {
		return fmt.Errorf("bolt: encode counts: %w", err)
	}
	if err := counts.Put([]byte(rec.ArticleID), buf); err != nil {
		return fmt.Errorf("bolt: put counts: %w", err)
	}
	return nil
}

// getCounts decodes an article's totals; decoding copies them out of the
// transaction's memory.
func getCounts(counts kv.Bucket, articleID string) (*countsRecord, error) {
	c := &countsRecord{}
	if buf := counts.Get([]byte(articleID)); buf != nil {
		if err := decodeJSON(buf, c); err != nil {
			return nil, fmt.Errorf("bolt: decode counts of %q: %w", articleID, err)
		}
	}
	if c.Locales == nil {
		c.Locales = map[string]*localeCounts{}
	}
	return c, nil
}

// FeedbackSummary implements domain.FeedbackService.
func (s *FeedbackService) FeedbackSummary(ctx context.Context, articleID string) (*domain.FeedbackSummary, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := domain.ValidateArticleID(articleID); err != nil {
		return nil, err
	}
	var sum *domain.FeedbackSummary
	err := s.db.read(func(tx kv.Tx) (err error) {
		sum, err = findFeedbackSummary(tx, articleID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

func findFeedbackSummary(tx kv.Tx, articleID string) (*domain.FeedbackSummary, error) {
	sum := &domain.FeedbackSummary{
		ArticleID: articleID,
		Reasons:   map[string]int{},
		Locales:   map[string]domain.LocaleFeedback{},
		Recent:    []domain.Vote{},
	}
	counts, err := bucket(tx, bucketFeedback, bucketCounts)
	if err != nil {
		return nil, err
	}
	c, err := getCounts(counts, articleID)
	if err != nil {
		return nil, err
	}
	for locale, lc := range c.Locales {
		sum.Locales[locale] = domain.LocaleFeedback{Helpful: lc.Helpful, NotHelpful: lc.NotHelpful}
		sum.Helpful += lc.Helpful
		sum.NotHelpful += lc.NotHelpful
		for r, n := range lc.Reasons {
			sum.Reasons[r] += n
		}
	}

	votes, err := bucket(tx, bucketFeedback, bucketVotes)
	if err != nil {
		return nil, err
	}
	// The article's keys are "id\x00…": seek just past them and walk back.
	prefix := append([]byte(articleID), 0)
	end := append([]byte(articleID), 1)
	cur := votes.Cursor()
	k, _ := cur.Seek(end)
	var v []byte
	if k == nil {
		k, v = cur.Last()
	} else {
		k, v = cur.Prev()
	}
	for ; k != nil && len(sum.Recent) < domain.RecentVotesLimit && bytes.HasPrefix(k, prefix); k, v = cur.Prev() {
		var rec voteRecord
		if err := decodeJSON(v, &rec); err != nil {
			return nil, fmt.Errorf("bolt: decode vote %x: %w", k, err)
		}
		sum.Recent = append(sum.Recent, domain.Vote(rec))
	}
	return sum, nil
}

// AddViews implements domain.FeedbackService.
func (s *FeedbackService) AddViews(ctx context.Context, views []domain.ArticleViews) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	todo := make([]domain.ArticleViews, 0, len(views))
	for i := range views {
		if err := views[i].Validate(); err != nil {
			return err
		}
		if views[i].Views > 0 {
			todo = append(todo, views[i])
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// Key order keeps the writes to one locale's pages together.
	sort.Slice(todo, func(i, j int) bool {
		if todo[i].Locale != todo[j].Locale {
			return todo[i].Locale < todo[j].Locale
		}
		return todo[i].ArticleID < todo[j].ArticleID
	})
	return s.db.write("update", s.db.eng.Update, func(tx kv.Tx) error {
		return addViews(tx, todo)
	})
}

func addViews(tx kv.Tx, views []domain.ArticleViews) error {
	root, err := bucket(tx, bucketViews)
	if err != nil {
		return err
	}
	var b kv.Bucket
	locale := ""
	for _, av := range views {
		if b == nil || av.Locale != locale {
			if b, err = root.CreateBucketIfNotExists([]byte(av.Locale)); err != nil {
				return fmt.Errorf("bolt: views bucket %q: %w", av.Locale, err)
			}
			locale = av.Locale
		}
		key := []byte(av.ArticleID)
		n, err := decodeCount(b.Get(key))
		if err != nil {
			return fmt.Errorf("bolt: views of %s/%s: %w", av.Locale, av.ArticleID, err)
		}
		if n > math.MaxInt64-uint64(av.Views) {
			n = math.MaxInt64 // saturate: ArticleViews.Views is an int64
		} else {
			n += uint64(av.Views)
		}
		// A fresh buffer for every Put: bbolt keeps the slice until commit.
		val := make([]byte, 8)
		binary.BigEndian.PutUint64(val, n)
		if err := b.Put(key, val); err != nil {
			return fmt.Errorf("bolt: put views: %w", err)
		}
	}
	return nil
}

func decodeCount(v []byte) (uint64, error) {
	switch len(v) {
	case 0:
		return 0, nil
	case 8:
		return binary.BigEndian.Uint64(v), nil
	}
	return 0, fmt.Errorf("counter of %d bytes, want 8", len(v))
}

// PopularArticles implements domain.FeedbackService.
//
// It reads every counter of the locale (none of other locales) and keeps the
// best n in a heap, so it allocates only for articles that enter the top n. At
// the tens of thousands of articles a help centre has per locale this is a few
// milliseconds; an index ordered by count would cost a delete and a put on
// every view flush instead. Keep the read short: callers cache the result.
func (s *FeedbackService) PopularArticles(ctx context.Context, locale string, n int) ([]domain.ArticleViews, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := domain.ValidateLocale(locale); err != nil {
		return nil, err
	}
	n, err := domain.PopularLimit(n)
	if err != nil {
		return nil, err
	}
	var top viewsHeap
	err = s.db.read(func(tx kv.Tx) (err error) {
		top, err = findPopular(tx, locale, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]domain.ArticleViews, len(top))
	copy(out, top)
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out, nil
}

func findPopular(tx kv.Tx, locale string, n int) (viewsHeap, error) {
	root, err := bucket(tx, bucketViews)
	if err != nil {
		return nil, err
	}
	b := root.Bucket([]byte(locale))
	if b == nil {
		return viewsHeap{}, nil
	}
	top := make(viewsHeap, 0, n)
	err = b.ForEach(func(k, v []byte) error {
		c, err := decodeCount(v)
		if err != nil {
			return fmt.Errorf("bolt: views of %s/%s: %w", locale, k, err)
		}
		views := int64(min(c, math.MaxInt64))
		if len(top) == n {
			worst := top[0]
			// string(k) in a comparison does not allocate.
			if views < worst.Views || views == worst.Views && string(k) > worst.ArticleID {
				return nil
			}
			top[0] = domain.ArticleViews{ArticleID: string(k), Locale: locale, Views: views}
			heap.Fix(&top, 0)
			return nil
		}
		heap.Push(&top, domain.ArticleViews{ArticleID: string(k), Locale: locale, Views: views})
		return nil
	})
	return top, err
}

// better orders popular articles: more views first, then by article id.
func better(a, b domain.ArticleViews) bool {
	if a.Views != b.Views {
		return a.Views > b.Views
	}
	return a.ArticleID < b.ArticleID
}

// viewsHeap is a min-heap with the worst of the best n at its root.
type viewsHeap []domain.ArticleViews

func (h viewsHeap) Len() int           { return len(h) }
func (h viewsHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h viewsHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *viewsHeap) Push(x any)        { *h = append(*h, x.(domain.ArticleViews)) }
func (h *viewsHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
