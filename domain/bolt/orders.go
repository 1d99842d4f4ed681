package bolt

import (
	"bytes"
	"context"
	"encoding/base64"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.OrderService = (*OrderService)(nil)

// OrderService stores the orders the marketplace imports. Other areas read and
// update orders inside their own transactions with getOrder and putOrder.
type OrderService struct {
	db     *DB
	policy domain.Policy
}

// NewOrderService returns an OrderService on db.
func NewOrderService(db *DB, p domain.Policy) *OrderService {
	return &OrderService{db: db, policy: p}
}

// PutOrder implements domain.OrderService: operators import or update an
// order. The customer and the shop must exist.
func (s *OrderService) PutOrder(ctx context.Context, o *domain.Order) (*domain.Order, bool, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, false, err
	}
	next := *o
	if err := next.Validate(); err != nil {
		return nil, false, err
	}
	created := false
	err := s.db.update(ctx, func(t *txn) error {
		cust, err := findUser(t, next.CustomerID)
		if err != nil {
			return err
		}
		shopExists, err := getJSON(t.tx.Bucket(bucketShops), []byte(next.ShopID), &domain.Shop{})
		if err != nil {
			return err
		}
		if err := domain.CheckOrderParties(&next, cust, shopExists); err != nil {
			return err
		}
		prev, err := getOrder(t, next.Number)
		if err != nil {
			return err
		}
		if err := domain.CheckOrderUpdate(prev, &next); err != nil {
			return err
		}
		if next.PlacedAt.IsZero() {
			next.PlacedAt = t.now
		}
		next.PlacedAt = next.PlacedAt.UTC()
		next.UpdatedAt = t.now
		created = prev == nil
		action := "order.updated"
		if created {
			action = "order.imported"
		}
		if err := putOrder(t, prev, &next); err != nil {
			return err
		}
		return t.audit("order:"+next.Number, action, "", map[string]any{"state": next.State})
	})
	if err != nil {
		return nil, false, err
	}
	return &next, created, nil
}

// FindOrder implements domain.OrderService.
func (s *OrderService) FindOrder(ctx context.Context, number string) (*domain.Order, error) {
	var o *domain.Order
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		o, err = findVisibleOrder(t, number)
		return err
	})
	return o, err
}

// ListOrders implements domain.OrderService.
func (s *OrderService) ListOrders(ctx context.Context, cursor string, limit int) ([]domain.Order, string, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, "", err
	}
	var out []domain.Order
	var next string
	err := s.db.view(ctx, func(t *txn) error {
		var b kv.Bucket
		var prefix []byte
		switch sc := domain.ListScopeFor(a); {
		case sc.All:
			b = t.tx.Bucket(bucketOrdersByTime)
		case sc.CustomerID != "":
			b, prefix = t.tx.Bucket(bucketOrdersByCust), compositeKey([]byte(sc.CustomerID), nil)
		case sc.ShopID != "":
			b, prefix = t.tx.Bucket(bucketOrdersByShop), compositeKey([]byte(sc.ShopID), nil)
		default:
			return nil
		}
		keys, n, err := pageKeys(b, prefix, cursor, limit, true)
		if err != nil {
			return err
		}
		next = n
		for _, k := range keys {
			number := k[bytes.LastIndexByte(k, 0)+1:]
			if len(prefix) == 0 {
				number = k[8:]
			}
			o, err := getOrder(t, string(number))
			if err != nil {
				return err
			}
			if o != nil {
				out = append(out, *o)
			}
		}
		return nil
	})
	if out == nil {
		out = []domain.Order{}
	}
	return out, next, err
}

// getOrder reads an order in t, or nil when there is none. It checks nothing:
// callers check what the actor may see (findVisibleOrder).
func getOrder(t *txn, number string) (*domain.Order, error) {
	var o domain.Order
	ok, err := getJSON(t.tx.Bucket(bucketOrders), []byte(number), &o)
	if !ok || err != nil {
		return nil, err
	}
	return &o, nil
}

// findVisibleOrder reads an order the actor may see, or NotFound.
func findVisibleOrder(t *txn, number string) (*domain.Order, error) {
	o, err := getOrder(t, number)
	if err != nil {
		return nil, err
	}
	if o == nil || !domain.CanSeeOrder(t.actor, o) {
		return nil, domain.ErrNotFound("Order " + number)
	}
	return o, nil
}

// putOrder writes o and its index entries; prev is what was stored (nil for
// a new order). Other areas call it to update Frozen, OpenIncidents and
// Refunded in their own transaction: putOrder(t, o, &updated) with o as read.
func putOrder(t *txn, prev, o *domain.Order) error {
	if prev == nil {
		pk := timeKey(o.PlacedAt)
		num := []byte(o.Number)
		if err := t.tx.Bucket(bucketOrdersByCust).Put(compositeKey([]byte(o.CustomerID), pk, num), nil); err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketOrdersByShop).Put(compositeKey([]byte(o.ShopID), pk, num), nil); err != nil {
			return err
		}
		if err := t.tx.Bucket(bucketOrdersByTime).Put(append(pk, num...), nil); err != nil {
			return err
		}
	}
	return putJSON(t.tx.Bucket(bucketOrders), []byte(o.Number), o)
}

// pageKeys returns up to limit keys of b that start with prefix, after the
// cursor (an opaque key from a previous page), newest first when reverse; and
// the cursor of the next page, "" on the last. limit ≤ 0 means the default,
// above the maximum it is capped.
func pageKeys(b kv.Bucket, prefix []byte, cursor string, limit int, reverse bool) ([][]byte, string, error) {
	if limit <= 0 {
		limit = domain.DefaultPageLimit
	}
	limit = min(limit, domain.MaxPageLimit)
	var after []byte
	if cursor != "" {
		k, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || !bytes.HasPrefix(k, prefix) {
			return nil, "", domain.ErrInvalidCursor()
		}
		after = k
	}
	c := b.Cursor()
	var k []byte
	switch {
	case after != nil && reverse:
		// The first key before the cursor.
		k, _ = c.Seek(after)
		if k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, after) >= 0 {
			k, _ = c.Prev()
		}
	case after != nil:
		k, _ = c.Seek(after)
		if k != nil && bytes.Equal(k, after) {
			k, _ = c.Next()
		}
	case reverse:
		k = seekLast(c, prefix)
	default:
		k, _ = c.Seek(prefix)
	}
	var keys [][]byte
	for ; k != nil && bytes.HasPrefix(k, prefix); k = step(c, reverse) {
		if len(keys) == limit {
			return keys, base64.RawURLEncoding.EncodeToString(keys[len(keys)-1]), nil
		}
		keys = append(keys, bytes.Clone(k))
	}
	return keys, "", nil
}

func step(c kv.Cursor, reverse bool) []byte {
	var k []byte
	if reverse {
		k, _ = c.Prev()
	} else {
		k, _ = c.Next()
	}
	return k
}

// seekLast positions c on the last key with prefix (or just before where it
// would be).
func seekLast(c kv.Cursor, prefix []byte) []byte {
	if len(prefix) == 0 {
		k, _ := c.Last()
		return k
	}
	end := kv.PrefixEnd(prefix)
	if end == nil { // (prefixes here end in 0x00: never)
		k, _ := c.Last()
		return k
	}
	k, _ := kv.SeekBefore(c, end) // Seek then Prev, one read on PostgreSQL
	return k
}
