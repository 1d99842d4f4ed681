package bolt

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.CannedReplies = (*CannedReplies)(nil)

// bucketCanned holds the shops' canned replies: shop id, 0x00, reply id →
// JSON domain.CannedReply. A shop's replies are contiguous: a list reads
// one prefix, never every shop's.
var bucketCanned = []byte("canned_replies.v1")

// cannedMigration creates the canned replies' bucket. It has not shipped
// yet: edit it freely until it does, then only append new migrations.
func cannedMigration(tx kv.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketCanned)
	return err
}

// CannedReplies stores canned replies in a DB.
type CannedReplies struct {
	db *DB
}

// NewCannedReplies returns the canned-reply store on db.
func NewCannedReplies(db *DB) *CannedReplies { return &CannedReplies{db: db} }

// cannedBucket is the replies' bucket; a file the migration has not run on
// yet gets it created by the first write (reads see none).
func cannedBucket(t *txn, write bool) (kv.Bucket, error) {
	if b := t.tx.Bucket(bucketCanned); b != nil || !write {
		return b, nil
	}
	return t.tx.CreateBucketIfNotExists(bucketCanned)
}

func shopReplies(b kv.Bucket, shopID string) ([]domain.CannedReply, error) {
	out := []domain.CannedReply{}
	if b == nil {
		return out, nil
	}
	prefix := compositeKey([]byte(shopID), nil)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r domain.CannedReply
		if _, err := getJSON(b, k, &r); err != nil {
			return nil, err
		}
		_ = v
		out = append(out, r)
	}
	return out, nil
}

// ListCannedReplies implements domain.CannedReplies.
func (s *CannedReplies) ListCannedReplies(ctx context.Context) ([]domain.CannedReply, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.CanManageCanned(a); err != nil {
		return nil, err
	}
	var out []domain.CannedReply
	err := s.db.view(ctx, func(t *txn) error {
		b, _ := cannedBucket(t, false)
		var err error
		out, err = shopReplies(b, a.ShopID)
		return err
	})
	slices.SortStableFunc(out, func(x, y domain.CannedReply) int {
		return strings.Compare(strings.ToLower(x.Title), strings.ToLower(y.Title))
	})
	return out, err
}

// FindCannedReply implements domain.CannedReplies.
func (s *CannedReplies) FindCannedReply(ctx context.Context, id string) (*domain.CannedReply, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.CanManageCanned(a); err != nil {
		return nil, err
	}
	var r domain.CannedReply
	err := s.db.view(ctx, func(t *txn) error {
		b, _ := cannedBucket(t, false)
		if b == nil {
			return domain.ErrNotFound("Canned reply " + id)
		}
		ok, err := getJSON(b, compositeKey([]byte(a.ShopID), []byte(id)), &r)
		if err == nil && !ok {
			err = domain.ErrNotFound("Canned reply " + id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// SaveCannedReply implements domain.CannedReplies.
func (s *CannedReplies) SaveCannedReply(ctx context.Context, in *domain.CannedReply) (*domain.CannedReply, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.CanManageCanned(a); err != nil {
		return nil, err
	}
	r := domain.CannedReply{ID: in.ID, Title: in.Title, Body: in.Body}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	err := s.db.update(ctx, func(t *txn) error {
		b, err := cannedBucket(t, true)
		if err != nil {
			return err
		}
		action := "canned.updated"
		if r.ID == "" {
			all, err := shopReplies(b, a.ShopID)
			if err != nil {
				return err
			}
			if err := domain.CheckCannedRoom(len(all)); err != nil {
				return err
			}
			if r.ID, err = t.newID(); err != nil {
				return err
			}
			r.CreatedBy, r.CreatedAt, action = t.actorID(), t.now, "canned.created"
		} else {
			var prev domain.CannedReply
			ok, err := getJSON(b, compositeKey([]byte(a.ShopID), []byte(r.ID)), &prev)
			if err != nil {
				return err
			}
			if !ok {
				return domain.ErrNotFound("Canned reply " + r.ID)
			}
			r.CreatedBy, r.CreatedAt = prev.CreatedBy, prev.CreatedAt
		}
		r.ShopID, r.UpdatedAt = a.ShopID, t.now
		if err := putJSON(b, compositeKey([]byte(a.ShopID), []byte(r.ID)), r); err != nil {
			return err
		}
		return t.audit("canned:"+r.ID, action, "", map[string]string{"title": r.Title})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DeleteCannedReply implements domain.CannedReplies.
func (s *CannedReplies) DeleteCannedReply(ctx context.Context, id string) error {
	a := domain.ActorFrom(ctx)
	if err := domain.CanManageCanned(a); err != nil {
		return err
	}
	return s.db.update(ctx, func(t *txn) error {
		b, err := cannedBucket(t, true)
		if err != nil {
			return err
		}
		key := compositeKey([]byte(a.ShopID), []byte(id))
		if b.Get(key) == nil {
			return domain.ErrNotFound("Canned reply " + id)
		}
		if err := b.Delete(key); err != nil {
			return err
		}
		return t.audit("canned:"+id, "canned.deleted", "", nil)
	})
}
