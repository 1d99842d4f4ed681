package bolt

import "github.com/marketplace/helpcentre/domain/kv"

// Buckets of the payment side's callbacks: the event ids already applied, so
// that a captured callback is never applied twice, kept
// domain.PaymentEventRetention and pruned by time.
var (
	bucketPaymentEvents       = []byte("payment_events.v1")         // event id → JSON paymentEventRecord
	bucketPaymentEventsByTime = []byte("payment_events_by_time.v1") // seen at (timeKey), 0x00, event id → nothing: pruning
)

// paymentEventsMigration creates the buckets of applied callbacks.
func paymentEventsMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketPaymentEvents, bucketPaymentEventsByTime} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}
