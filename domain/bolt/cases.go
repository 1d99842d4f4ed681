package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// Helpers shared by incidents, refunds and claims.

// setActive adds (active, with state as value) or removes key from an
// index of active cases.
func setActive(t *txn, bucket, key []byte, active bool, state string) error {
	if active {
		return t.tx.Bucket(bucket).Put(key, []byte(state))
	}
	return t.tx.Bucket(bucket).Delete(key)
}

// prefixIDs returns the ids (the part after the last 0x00) of the keys of b
// with prefix, in key order, with the state stored as value.
func prefixIDs(b kv.Bucket, prefix []byte) (ids, states []string) {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		ids = append(ids, string(k[bytes.LastIndexByte(k, 0)+1:]))
		states = append(states, string(v))
	}
	return ids, states
}

// pageIDs is pageKeys returning the ids at the end of the keys.
func pageIDs(b kv.Bucket, prefix []byte, cursor string, limit int, reverse bool) ([]string, string, error) {
	keys, next, err := pageKeys(b, prefix, cursor, limit, reverse)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = string(k[bytes.LastIndexByte(k, 0)+1:])
	}
	return ids, next, nil
}

// mustOrder reads an order a stored case names; its absence is a bug.
func mustOrder(t *txn, number string) (*domain.Order, error) {
	o, err := getOrder(t, number)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("bolt: order %s of a stored case is missing", number)
	}
	return o, nil
}

// saveOrder writes back an order read in t (its indexes do not change).
func saveOrder(t *txn, o *domain.Order) error {
	o.UpdatedAt = t.now
	return putOrder(t, o, o)
}

// notifyShop tells every seller user of shop of a change.
func notifyShop(t *txn, shopID, typ, title, entity, link string, payload any) error {
	for _, id := range shopUsers(t, shopID) {
		if err := t.notify(id, typ, title, entity, link, payload); err != nil {
			return err
		}
	}
	return nil
}

// notifyOperators writes an event for customer care as a team (no one user):
// webhook consumers and the queue pick it up.
func notifyOperators(t *txn, typ, shopID, entity string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return t.enqueue(domain.OutboxEvent{Type: typ, ShopID: shopID, Entity: entity, Payload: raw})
}

// money formats minor units for people: 1234 EUR → "12.34 EUR".
func money(amount int64, currency string) string { return domain.FormatMoney(amount, currency) }
