package web

import "github.com/marketplace/helpcentre/domain"

// Domain holds the after-sales services the server serves. With no Domain
// the after-sales endpoints and pages do not exist (the help centre alone
// still works).
type Domain struct {
	Access      domain.AccessService
	Orders      domain.OrderService
	Threads     domain.ThreadService
	Incidents   domain.IncidentService
	Refunds     domain.RefundService
	Claims      domain.ClaimService
	Work        domain.WorkService
	Outbox      domain.OutboxService
	Attachments domain.AttachmentService
	Audit       domain.AuditService
	Canned      domain.CannedReplies  // sellers' saved answers (pages only)
	Mail        domain.MailService    // mails to send, customers' email preferences; nil: no email
	Privacy     domain.PrivacyService // customers' data: export and erasure
	Policy      domain.Policy         // the deadlines pages show; zero: domain.DefaultPolicy()
}

// PolicyOrDefault returns the configured after-sales policy.
func (d *Domain) PolicyOrDefault() domain.Policy {
	if d == nil || d.Policy == (domain.Policy{}) {
		return domain.DefaultPolicy()
	}
	return d.Policy
}
