package bolt

import (
	"context"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// TestQueueStats: the outbox's backlog by event type (pending, retrying,
// dead, the oldest pending), what the metrics show the operator.
func TestQueueStats(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, &now)
	s := NewOutboxService(db, domain.DefaultPolicy())
	ctx := context.Background()
	notifyAt(t, db, now.Add(-3*time.Minute), "u-ana", "refund.issued")
	notifyAt(t, db, now.Add(-2*time.Minute), "u-ana", "thread.message")
	notifyAt(t, db, now.Add(-1*time.Minute), "u-sam", "thread.message")
	notifyAt(t, db, now.Add(-30*time.Second), "u-sam", "thread.message")
	due, err := s.Due(ctx, now, 10)
	if err != nil || len(due) != 4 {
		t.Fatalf("due %d, %v", len(due), err)
	}
	if err := s.MarkDelivered(ctx, due[0].ID, now); err != nil { // the refund
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, due[1].ID, now, "HTTP 500", now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, due[2].ID, now, "HTTP 410", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	st, err := db.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := st.Outbox["refund.issued"]; r.Pending != 0 || r.Dead != 0 {
		t.Errorf("refund.issued (delivered): %+v", r)
	}
	m := st.Outbox["thread.message"]
	if m.Pending != 2 || m.Retrying != 1 || m.Dead != 1 || !m.Oldest.Equal(now.Add(-2*time.Minute)) {
		t.Errorf("thread.message: %+v, want 2 pending (1 retrying, the oldest 2 minutes old), 1 dead", m)
	}
	if st.Translations != 0 {
		t.Errorf("translations %d", st.Translations)
	}

	// Mails: two queued, one of them failed once, then one sent.
	for _, to := range []string{"ana@example.com", "visitor@example.com"} {
		if err := db.update(ctx, func(t *txn) error { return t.mail(domain.Mail{To: to, Locale: "en"}) }); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	ms := NewMailService(db)
	mails, err := ms.DueMail(ctx, now, 10)
	if err != nil || len(mails) != 2 {
		t.Fatalf("due mail %d, %v", len(mails), err)
	}
	if err := ms.MarkMailFailed(ctx, mails[0].ID, now, "451 try later", now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if st, err = db.QueueStats(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Mail.Pending != 2 || st.Mail.Retrying != 1 || !st.Mail.Oldest.Equal(mails[0].CreatedAt) {
		t.Errorf("mail: %+v, want 2 waiting, 1 retrying, the oldest queued at %v", st.Mail, mails[0].CreatedAt)
	}
	if err := ms.MarkMailSent(ctx, mails[1].ID, now); err != nil {
		t.Fatal(err)
	}
	if st, err = db.QueueStats(ctx); err != nil || st.Mail.Pending != 1 {
		t.Errorf("after one was sent: %+v, %v", st.Mail, err)
	}
}
