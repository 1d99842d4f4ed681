package bolt

import "github.com/marketplace/helpcentre/domain/kv"

// Buckets of incidents, refunds, claims and returns. Index values carry the
// record's state where a list filters on it, so that a list reads the index
// and only the records it shows.
var (
	bucketIncidents           = []byte("incidents.v1")             // id → JSON domain.Incident
	bucketIncidentsByOrder    = []byte("incidents_by_order.v1")    // order number, 0x00, id → state
	bucketIncidentsByShop     = []byte("incidents_by_shop.v1")     // shop id, 0x00, opened at (timeKey), id → state: lists and statistics
	bucketIncidentsByCustomer = []byte("incidents_by_customer.v1") // customer id, 0x00, id → state
	bucketIncidentsActive     = []byte("incidents_active.v1")      // shop id, 0x00, opened at (timeKey), id → state: open or resolved_by_seller only (queues)

	bucketRefunds        = []byte("refunds.v1")          // id → JSON domain.Refund (with its idempotency key)
	bucketRefundsByOrder = []byte("refunds_by_order.v1") // order number, 0x00, id → state
	bucketRefundsByShop  = []byte("refunds_by_shop.v1")  // shop id, 0x00, created at (timeKey), id → state: statistics
	bucketRefundKeys     = []byte("refund_keys.v1")      // order number, 0x00, caller id, 0x00, Idempotency-Key → refund id

	bucketClaims           = []byte("claims.v1")             // id → JSON domain.Claim
	bucketClaimsByOrder    = []byte("claims_by_order.v1")    // order number, 0x00, id → state
	bucketClaimsByShop     = []byte("claims_by_shop.v1")     // shop id, 0x00, opened at (timeKey), id → state: statistics
	bucketClaimsByCustomer = []byte("claims_by_customer.v1") // customer id, 0x00, id → state
	bucketClaimsActive     = []byte("claims_active.v1")      // shop id, 0x00, opened at (timeKey), id → state: open or returning only (queues)

	bucketReturns      = []byte("returns.v1")       // id → JSON domain.Return
	bucketReturnLabels = []byte("return_labels.v1") // return id → the label document (text/plain)
)

// casesMigration creates this area's buckets. It has not shipped yet: edit it freely
// until it does, then only append new migrations.
func casesMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketIncidents, bucketIncidentsByOrder, bucketIncidentsByShop, bucketIncidentsByCustomer, bucketIncidentsActive,
		bucketRefunds, bucketRefundsByOrder, bucketRefundsByShop, bucketRefundKeys,
		bucketClaims, bucketClaimsByOrder, bucketClaimsByShop, bucketClaimsByCustomer, bucketClaimsActive,
		bucketReturns, bucketReturnLabels} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}
