package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// A process killed while it held claims (a crash mid-delivery) gives them
// back when the file is opened again: on a bbolt file the claims are the
// dead run's, so the outbox and the mail go out at once, not when the
// leases end. A retry scheduled for later stays where it is.
func TestOpenReleasesAPreviousRunsClaims(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "domain.db")
	db, err := Open(path, fastOptions(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	notifyAt(t, db, now, "u-ana", "claimed")
	notifyAt(t, db, now, "u-ana", "retried")
	for _, to := range []string{"a@example.com", "b@example.com"} {
		if err := db.update(ctx, func(t *txn) error { return t.mail(domain.Mail{To: to, Locale: "en"}) }); err != nil {
			t.Fatal(err)
		}
	}
	out, ms := NewOutboxService(db, domain.DefaultPolicy()), NewMailService(db)
	evs, err := out.Due(ctx, now, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("claimed %d events, %v", len(evs), err)
	}
	if evs[0].ClaimedUntil == nil || !evs[0].ClaimedUntil.Equal(now.Add(domain.ClaimLease)) {
		t.Errorf("claimed event: %+v", evs[0])
	}
	// One delivery failed and is retried in a minute: not a claim.
	if err := out.MarkFailed(ctx, evs[1].ID, now, "HTTP 503", now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if mails, err := ms.DueMail(ctx, now, 10); err != nil || len(mails) != 2 {
		t.Fatalf("claimed %d mails, %v", len(mails), err)
	}
	db.Close() // the process dies with its claims

	now = now.Add(10 * time.Second)
	if db, err = Open(path, fastOptions(clock)); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, ms = NewOutboxService(db, domain.DefaultPolicy()), NewMailService(db)
	evs, err = out.Due(ctx, now, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != "claimed" || evs[0].Attempts != 0 {
		t.Fatalf("due after the restart: %+v, %v; want the claimed event only", evs, err)
	}
	if mails, err := ms.DueMail(ctx, now, 10); err != nil || len(mails) != 2 {
		t.Fatalf("mails due after the restart: %d, %v; want both", len(mails), err)
	}
	if evs, _ := out.Due(ctx, now.Add(50*time.Second), 10); len(evs) != 1 || evs[0].Type != "retried" || evs[0].Attempts != 1 {
		t.Errorf("the retry, a minute after its failure: %+v", evs)
	}
}
