package domain

import "time"

// ClaimLease is how long a worker holds the queue items it claimed (the
// outbox's events, the mails, the translation jobs: OutboxService.Due,
// MailService.DueMail, TranslationQueue.DueTranslations). Several replicas
// work the same queues on one database: a claim moves each item's next
// attempt to the lease's end (and marks it: OutboxEvent.ClaimedUntil,
// Mail.ClaimedUntil, TranslationJob.Claimed, which the admin lists show),
// so that no other replica takes it meanwhile, and the worker settles it
// (delivered, failed with its next attempt, given up) before the lease
// ends. An item whose worker died with it comes back
// when the lease ends and is tried again: delivery is at least once, and a
// webhook receiver deduplicates on the event's id (the webhook-id header of
// Standard Webhooks), a mail's Message-ID is the same on every attempt. A
// store only one process opens (the bbolt file) makes a previous run's
// claims due again when it opens, rather than waiting out the leases.
//
// The lease is longer than one attempt's timeout (webhook 10 s, SMTP 20 s,
// a translation 10 s), and a worker does not start an attempt that could
// outlive its claim (ClaimCovers): the rest of its batch comes back when the
// lease ends, to it or to another replica.
const ClaimLease = 2 * time.Minute

// ClaimCovers reports whether an attempt started at now, which may take up to
// timeout, ends before the claim that ends at leaseEnd: only then may a
// worker start it. An item another replica may claim again once leaseEnd has
// passed must not be being worked on here by then.
func ClaimCovers(leaseEnd, now time.Time, timeout time.Duration) bool {
	return now.Add(timeout).Before(leaseEnd)
}
