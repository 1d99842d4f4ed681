package bolt

import (
	"bytes"
	"context"
	"fmt"

	"github.com/marketplace/helpcentre/domain"
)

// Services are every after-sales service on one DB, as the program wires them.
type Services struct {
	Access      *AccessService
	Orders      *OrderService
	Threads     *ThreadService
	Attachments *AttachmentService
	Incidents   *IncidentService
	Refunds     *RefundService
	Claims      *ClaimService
	Work        *Work
	Outbox      *OutboxService
	Canned      *CannedReplies
	Audit       *AuditService
	Mail        *MailService // mails waiting to be sent, email preferences (mail.go)
	Privacy     *PrivacyService
}

// NewServices returns every service on db under policy p.
func NewServices(db *DB, p domain.Policy) *Services {
	return &Services{
		Access:      NewAccessService(db),
		Orders:      NewOrderService(db, p),
		Threads:     NewThreadService(db, p),
		Attachments: NewAttachmentService(db, p),
		Incidents:   NewIncidentService(db, p),
		Refunds:     NewRefundService(db, p),
		Claims:      NewClaimService(db, p),
		Work:        &Work{RoutingService: NewRoutingService(db), WorkStats: NewWorkStats(db, p)},
		Outbox:      NewOutboxService(db, p),
		Canned:      NewCannedReplies(db),
		Audit:       &AuditService{db: db},
		Mail:        NewMailService(db),
		Privacy:     NewPrivacyService(db),
	}
}

// Work is domain.WorkService: routing rules and queues with statistics.
type Work struct {
	*RoutingService
	*WorkStats
}

var (
	_ domain.WorkService  = (*Work)(nil)
	_ domain.AuditService = (*AuditService)(nil)
)

// AuditService reads the append-only per-entity logs every command writes.
type AuditService struct {
	db *DB
}

// AuditLog implements domain.AuditService: an entity's log, oldest first,
// for customer care only (the log names who did what, including notes and
// reasons other parties do not see).
func (s *AuditService) AuditLog(ctx context.Context, entity string) ([]domain.AuditEntry, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if err := domain.ValidateAuditEntity(entity); err != nil {
		return nil, err
	}
	out := []domain.AuditEntry{}
	err := s.db.view(ctx, func(t *txn) error {
		prefix := compositeKey([]byte(entity), nil)
		c := t.tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e domain.AuditEntry
			if err := decodeJSON(v, &e); err != nil {
				return fmt.Errorf("bolt: decode audit entry %q: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
