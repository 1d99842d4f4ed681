package bolt

import (
	"fmt"

	"github.com/marketplace/helpcentre/domain/kv"
)

// Buckets of threads, attachments and routing.
var (
	bucketThreads  = []byte("threads.v1")  // thread id → JSON threadRecord
	bucketMessages = []byte("messages.v1") // thread id, 0x00, message id → JSON domain.Message

	// bucketThreadIndex holds every inbox list: scope, 0x00, sort, 0x00,
	// dimension, 0x00, value, 0x00, sort key (8 bytes), thread id → empty.
	// Scopes: "*" (customer care: all), "s:"+shop id (threads the shop takes
	// part in), "c:"+customer id (threads the customer takes part in). Sorts:
	// "l" by last message (timeKey, read newest first), "d" by the seller's
	// reply due time (timeKey, read soonest first; threads without a running
	// clock carry noDue and sort last). Dimensions: "a" (all, value ""),
	// "t" (topic, NormalTopic), "s" (status), "u" (unread for the scope's
	// party, value "").
	bucketThreadIndex = []byte("thread_index.v1")

	bucketThreadsByOrder    = []byte("threads_by_order.v1")    // order number, 0x00, thread id → empty
	bucketThreadsByCustomer = []byte("threads_by_customer.v1") // NormalName(display or login) and each of its words, 0x00, thread id → empty

	bucketAttachments       = []byte("attachments.v1")        // sha256 (hex) → JSON domain.Attachment
	bucketAttachmentOwners  = []byte("attachment_owners.v1")  // sha256, 0x00, user id → empty: who uploaded it
	bucketAttachmentThreads = []byte("attachment_threads.v1") // sha256, 0x00, thread id → empty: threads whose messages name it

	bucketRoutingRules = []byte("routing_rules.v1") // rule id → JSON domain.RoutingRule
	bucketAgentLoad    = []byte("agent_load.v1")    // agent user id → open threads assigned (8 bytes, big-endian)
)

// threadsMigration creates this area's buckets. It has not shipped yet: edit it freely
// until it does, then only append new migrations.
func threadsMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketThreads, bucketMessages, bucketThreadIndex, bucketThreadsByOrder, bucketThreadsByCustomer,
		bucketAttachments, bucketAttachmentOwners, bucketAttachmentThreads, bucketRoutingRules, bucketAgentLoad} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// customerWordsMigration indexes each thread under every word of its
// customer's names as well as the whole names, so the customer filter finds
// "Ana García" by "garc" (0018).
func customerWordsMigration(tx kv.Tx) error {
	t := &txn{tx: tx}
	idx := tx.Bucket(bucketThreadsByCustomer)
	return tx.Bucket(bucketThreads).ForEach(func(k, v []byte) error {
		var r threadRecord
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("bolt: decode thread %q: %w", k, err)
		}
		for _, n := range threadCustomerNames(t, &r.Thread) {
			if err := idx.Put(compositeKey([]byte(n), k), nil); err != nil {
				return err
			}
		}
		return nil
	})
}
