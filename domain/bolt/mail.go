package bolt

import (
	"context"
	"encoding/json"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

var _ domain.MailService = (*MailService)(nil)

// Buckets of the mail area (0014_mail).
var (
	bucketMail      = []byte("mail.v1")       // ULID → JSON domain.Mail
	bucketMailDue   = []byte("mail_due.v1")   // next attempt (timeKey), 0x00, ULID → empty: mails not yet sent nor given up
	bucketMailPrefs = []byte("mail_prefs.v1") // user id → JSON domain.MailPrefs: only users who chose
	bucketHandoffs  = []byte("handoffs.v1")   // its sequence numbers the hand-offs' references; reference → thread id
)

// mailMigration creates the mail area's buckets.
func mailMigration(tx kv.Tx) error {
	for _, name := range [][]byte{bucketMail, bucketMailDue, bucketMailPrefs, bucketHandoffs} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// mailMigrationID names mailMigration in migrate.go's list.
const mailMigrationID = "0014_mail"

// mail queues m in this transaction, due now: it is sent if and only if
// the change it tells of commits.
func (t *txn) mail(m domain.Mail) error {
	if m.To == "" {
		return nil
	}
	id, err := t.newID()
	if err != nil {
		return err
	}
	m.ID, m.CreatedAt, m.NextAttempt = id, t.now, t.now
	m.Locale = domain.MailLocale(m.Locale)
	if err := putJSON(t.tx.Bucket(bucketMail), []byte(id), m); err != nil {
		return err
	}
	return t.tx.Bucket(bucketMailDue).Put(mailDueKey(&m), nil)
}

func mailDueKey(m *domain.Mail) []byte {
	return compositeKey(timeKey(m.NextAttempt), []byte(m.ID))
}

// mailPrefs reads a user's choice, or the defaults.
func mailPrefs(t *txn, userID string) (domain.MailPrefs, error) {
	p := domain.DefaultMailPrefs()
	_, err := getJSON(t.tx.Bucket(bucketMailPrefs), []byte(userID), &p)
	return p, err
}

// mailNotification mails notification n to its user when they chose its
// category; payload gives the order and amount the mail names.
func (t *txn) mailNotification(n domain.Notification, payload any) error {
	if domain.MailCategory(n.Type) == "" {
		return nil
	}
	u, err := findUser(t, n.UserID)
	if err != nil || u == nil {
		return err
	}
	prefs, err := mailPrefs(t, u.ID)
	if err != nil {
		return err
	}
	if !domain.WantsMail(u, prefs, n.Type) {
		return nil
	}
	m := domain.Mail{Kind: domain.MailNotification, To: u.Email, Locale: u.Locale, UserID: u.ID, Type: n.Type, Title: n.Title}
	if payload != nil {
		// The payloads are the domain's records (a refund, a claim…) or a
		// map; the facts a mail names have the same JSON names in all.
		var facts struct {
			Order    string `json:"order"`
			Amount   int64  `json:"amount"`
			Currency string `json:"currency"`
			Thread   string `json:"thread_id"`
		}
		if raw, err := json.Marshal(payload); err == nil {
			_ = decodeJSON(raw, &facts)
		}
		m.Order, m.Amount, m.Currency, m.Thread = facts.Order, facts.Amount, facts.Currency, facts.Thread
	}
	return t.mail(m)
}

// MailService is the mail side of the outbox and the users' preferences.
type MailService struct {
	db *DB
}

// NewMailService returns the MailService on db.
func NewMailService(db *DB) *MailService { return &MailService{db: db} }

// DueMail implements domain.MailService: it claims up to n mails due at now,
// the oldest-due first, for domain.ClaimLease, as OutboxService.Due claims
// events: each one's next attempt moves to the lease's end.
func (s *MailService) DueMail(ctx context.Context, now time.Time, n int) ([]domain.Mail, error) {
	if n <= 0 {
		n = 50
	}
	return claimDue(ctx, s.db, bucketMail, bucketMailDue, now, n, func(m *domain.Mail, until time.Time) ([]byte, []byte) {
		m.NextAttempt, m.ClaimedUntil = until, &until
		return mailDueKey(m), []byte(m.ID)
	})
}

func findMail(t *txn, id string) (*domain.Mail, error) {
	var m domain.Mail
	ok, err := getJSON(t.tx.Bucket(bucketMail), []byte(id), &m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.ErrNotFound("Mail")
	}
	return &m, nil
}

// MarkMailSent implements domain.MailService. Errors: not_found.
func (s *MailService) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	return s.db.update(ctx, func(t *txn) error {
		m, err := findMail(t, id)
		if err != nil || m.SentAt != nil {
			return err
		}
		if err := t.tx.Bucket(bucketMailDue).Delete(mailDueKey(m)); err != nil {
			return err
		}
		at = at.UTC()
		m.SentAt, m.Dead, m.ClaimedUntil = &at, false, nil
		m.Attempts++
		m.Excerpt = "" // the message itself stays in its thread, not in the outbox
		return putJSON(t.tx.Bucket(bucketMail), []byte(m.ID), m)
	})
}

// MarkMailFailed implements domain.MailService. Errors: not_found.
func (s *MailService) MarkMailFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error {
	if len(errText) > maxErrorText {
		errText = errText[:maxErrorText]
	}
	return s.db.update(ctx, func(t *txn) error {
		m, err := findMail(t, id)
		if err != nil || m.SentAt != nil || m.Dead {
			return err
		}
		due := t.tx.Bucket(bucketMailDue)
		if err := due.Delete(mailDueKey(m)); err != nil {
			return err
		}
		m.Attempts++
		m.LastError, m.ClaimedUntil = errText, nil
		if dead {
			m.Dead = true
			m.Excerpt = ""
		} else {
			m.NextAttempt = next.UTC()
			if err := due.Put(mailDueKey(m), nil); err != nil {
				return err
			}
		}
		return putJSON(t.tx.Bucket(bucketMail), []byte(m.ID), m)
	})
}

// ListMail implements domain.MailService. Errors: forbidden, unauthorized.
func (s *MailService) ListMail(ctx context.Context, limit int) ([]domain.Mail, error) {
	if err := domain.RequireOperator(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = domain.DefaultPageLimit
	}
	limit = min(limit, domain.MaxPageLimit)
	out := []domain.Mail{}
	err := s.db.view(ctx, func(t *txn) error {
		c := t.tx.Bucket(bucketMail).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var m domain.Mail
			if err := decodeJSON(v, &m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// MailPreferences implements domain.MailService. Errors: unauthorized.
func (s *MailService) MailPreferences(ctx context.Context) (domain.MailPrefs, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return domain.MailPrefs{}, err
	}
	var p domain.MailPrefs
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		p, err = mailPrefs(t, a.UserID)
		return err
	})
	return p, err
}

// SetMailPreferences implements domain.MailService. Errors: unauthorized.
func (s *MailService) SetMailPreferences(ctx context.Context, p domain.MailPrefs) (domain.MailPrefs, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return domain.MailPrefs{}, err
	}
	err := s.db.update(ctx, func(t *txn) error {
		if err := putJSON(t.tx.Bucket(bucketMailPrefs), []byte(a.UserID), p); err != nil {
			return err
		}
		return t.audit("user:"+a.UserID, "mail_prefs.set", "", p)
	})
	return p, err
}

// handoffReference numbers a new hand-off (HC-1001, …) and indexes it.
func handoffReference(t *txn, threadID string) (string, error) {
	b := t.tx.Bucket(bucketHandoffs)
	n, err := b.NextSequence()
	if err != nil {
		return "", err
	}
	ref := domain.HandoffReference(n)
	return ref, b.Put([]byte(ref), []byte(threadID))
}
