package bolt

import (
	"context"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.GuestThreads = (*ThreadService)(nil)

// guestActor is the anonymous visitor of a hand-off, acting through the
// link mailed to them: a customer with no account, named by the address.
func guestActor(email string) domain.Actor {
	return domain.Actor{Role: domain.RoleCustomer, Name: email}
}

// findGuestThread reads the anonymous hand-off to email, or NotFound.
func findGuestThread(t *txn, id, email string) (*threadRecord, error) {
	r, err := getThread(t, id)
	if err != nil {
		return nil, err
	}
	if r == nil || !domain.CanGuestSee(&r.Thread, email) {
		return nil, domain.ErrNotFound("Thread " + id)
	}
	return r, nil
}

// HandoffEmail implements domain.GuestThreads. Errors: not_found.
func (s *ThreadService) HandoffEmail(ctx context.Context, threadID string) (string, error) {
	var email string
	err := s.db.view(ctx, func(t *txn) error {
		r, err := getThread(t, threadID)
		if err != nil {
			return err
		}
		if r == nil || r.CustomerID != "" || r.UnverifiedEmail == "" {
			return domain.ErrNotFound("Thread " + threadID)
		}
		email = r.UnverifiedEmail
		return nil
	})
	return email, err
}

// GuestThread implements domain.GuestThreads: the first visit verifies the
// address. Errors: not_found.
func (s *ThreadService) GuestThread(ctx context.Context, threadID, email string, page domain.MessagePage) (*domain.Thread, error) {
	if err := page.Validate(); err != nil {
		return nil, err
	}
	var out *domain.Thread
	err := s.db.update(ctx, func(t *txn) error {
		t.actor = guestActor(email)
		prev, err := findGuestThread(t, threadID, email)
		if err != nil {
			return err
		}
		rec := *prev
		rec.Marks = cloneMarks(prev.Marks)
		rec.Marks.Read(domain.PartyCustomer, t.now)
		if rec.EmailVerifiedAt == nil {
			at := t.now
			rec.EmailVerifiedAt = &at
			if err := t.audit("thread:"+rec.ID, "thread.email_verified", "followed the link mailed to the address", nil); err != nil {
				return err
			}
		}
		if err := putThread(t, prev, &rec); err != nil {
			return err
		}
		out, err = s.view(t, &rec, &page)
		if out != nil {
			out.Transcript, out.Assignment = nil, nil // customer care's, not the visitor's
		}
		return err
	})
	return out, err
}

// GuestReply implements domain.GuestThreads: the visitor writes to
// customer care. Errors: not_found, invalid_message, too_many_messages.
func (s *ThreadService) GuestReply(ctx context.Context, threadID, email, body string) (*domain.Message, error) {
	nm := domain.NewMessage{To: []domain.Party{domain.PartyOperator}, Body: body}
	if err := nm.Validate(domain.PartyCustomer); err != nil {
		return nil, err
	}
	var out *domain.Message
	err := s.db.update(ctx, func(t *txn) error {
		t.actor = guestActor(email)
		prev, err := findGuestThread(t, threadID, email)
		if err != nil {
			return err
		}
		// An anonymous visitor has no account to count messages against:
		// the thread does (the same quota per minute).
		if err := takeQuota(t, "guest:"+threadID, s.policy.MessageQuota(), 0, domain.CodeTooManyMessages, "messages"); err != nil {
			return err
		}
		m, err := s.postOn(t, prev, nm)
		if err != nil {
			return err
		}
		out = m
		return t.audit("thread:"+threadID, "thread.message", "by the link mailed to the address", map[string]any{"message": m.ID, "to": m.To})
	})
	return out, err
}
