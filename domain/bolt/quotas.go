package bolt

import (
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// bucketQuotas holds what each user has used of a quota in its current
// window: kind ("messages", "uploads"), 0x00, user id → JSON domain.Usage.
// It is created on first use.
var bucketQuotas = []byte("quotas.v1")

// takeQuota counts one action of n bytes of the actor against q, in t, or
// refuses it with code (domain.Quota.Take decides).
func takeQuota(t *txn, kind string, q domain.Quota, n int64, code domain.Code, what string) error {
	if q.Max <= 0 && q.MaxBytes <= 0 {
		return nil
	}
	b, err := t.tx.CreateBucketIfNotExists(bucketQuotas)
	if err != nil {
		return err
	}
	key := quotaKey(t, kind)
	var u domain.Usage
	if _, err := getJSON(b, key, &u); err != nil {
		return err
	}
	u, err = q.Take(u, n, t.now, code, what)
	if err != nil {
		return err
	}
	return putJSON(b, key, u)
}

// quotaRead is what takeQuota reads, for kv.Prefetch: nothing when q is
// off (its bucket may not exist, and looking it up would cost a read).
func quotaRead(t *txn, kind string, q domain.Quota) kv.BucketKey {
	if q.Max <= 0 && q.MaxBytes <= 0 {
		return kv.BucketKey{}
	}
	return kv.BucketKey{Bucket: t.tx.Bucket(bucketQuotas), Key: quotaKey(t, kind)}
}

// quotaKey is the key of the actor's usage of a quota kind.
func quotaKey(t *txn, kind string) []byte {
	return compositeKey([]byte(kind), []byte(t.actorID()))
}
