package bolt

import (
	"bytes"
	"context"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// alertDeadline is a deadline someone must act before, as a source of
// deadlines (threads, claims) reports it.
type alertDeadline struct {
	entity string // "thread:01J…", "claim:01J…"
	typ    string // domain.EventReplyDueSoon, domain.EventClaimDueSoon
	at     time.Time
	title  string
	link   string
	users  []string // who is told
	data   any      // the webhook's payload
}

// deadlineSource reports, in t, every deadline in [from, to] from its index.
type deadlineSource func(t *txn, from, to time.Time, yield func(alertDeadline) error) error

// ScheduleAlerts implements domain.OutboxService: one notification to each
// person who must act, for every deadline that domain.AlertDue says is near,
// each deadline once (alerts_sent.v1 remembers). Deadlines are read from the
// threads' due-time index and the open claims' opening-time index, only
// those within the policy's advance notice of now: the work is proportional
// to the alerts (plus one seek per shop), not to the threads or claims.
//
// Every replica runs it (its webhook worker, every minute) and needs no
// lock: the mark is read and written in the transaction that writes the
// alert, so of two runs at once one writes the alert and the other finds
// the mark: on bbolt because writes take turns; on a serializable engine
// because the second conflicts with the first and runs again on fresh data
// (which is why n is reset at the start of the function).
func (s *OutboxService) ScheduleAlerts(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.db.update(ctx, func(t *txn) error {
		n = 0
		sent, err := bucket(t.tx, bucketAlertsSent)
		if err != nil {
			return err
		}
		// Deadlines that have passed can never be alerted again: forget them.
		c := sent.Cursor()
		end := timeKey(now)
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
			if err := sent.Delete(k); err != nil {
				return err
			}
		}
		from, to := now, now.Add(s.policy.AlertBefore)
		for _, src := range s.deadlineSources() {
			err := src(t, from, to, func(d alertDeadline) error {
				if !domain.AlertDue(s.policy, d.at, now) {
					return nil
				}
				key := compositeKey(timeKey(d.at), []byte(d.entity))
				if sent.Get(key) != nil {
					return nil
				}
				for _, u := range d.users {
					if err := t.notify(u, d.typ, d.title, d.entity, d.link, d.data); err != nil {
						return err
					}
				}
				if err := t.audit(d.entity, d.typ, "deadline "+d.at.Format(time.RFC3339), map[string]any{"deadline": d.at, "told": d.users}); err != nil {
					return err
				}
				n++
				return sent.Put(key, timeKey(now))
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// deadlineSources are the indexes ScheduleAlerts reads.
func (s *OutboxService) deadlineSources() []deadlineSource {
	return []deadlineSource{threadReplyDeadlines, s.claimDeadlines, careReplyDeadlines}
}

// claimDeadlines reads the open claims (cases: claims_active.v1, per shop by
// opening time) whose 72 h deadline falls in [from, to], i.e. opened
// ClaimResolveWithin before: one seek per shop. The shop's seller users and
// the agent of the claim's conversation are told.
func (s *OutboxService) claimDeadlines(t *txn, from, to time.Time, yield func(alertDeadline) error) error {
	lo, hi := timeKey(from.Add(-s.policy.ClaimResolveWithin)), timeKey(to.Add(-s.policy.ClaimResolveWithin))
	c := t.tx.Bucket(bucketClaimsActive).Cursor()
	return t.tx.Bucket(bucketShops).ForEach(func(shop, _ []byte) error {
		prefix := compositeKey(shop, nil)
		end := append(bytes.Clone(prefix), hi...)
		for k, _ := c.Seek(append(bytes.Clone(prefix), lo...)); k != nil && bytes.HasPrefix(k, prefix) && len(k) > len(end)+1; k, _ = c.Next() {
			if bytes.Compare(k[:len(end)], end) > 0 {
				break
			}
			cl, err := getClaim(t, string(k[len(end)+1:]))
			if err != nil {
				return err
			}
			if cl == nil {
				continue
			}
			domain.SetClaimReputation(s.policy, cl, from)
			due := domain.OpenClaimDeadline(cl)
			if due == nil {
				continue
			}
			users := shopUsers(t, cl.ShopID)
			if cl.ThreadID != "" {
				if th, err := getThread(t, cl.ThreadID); err != nil {
					return err
				} else if th != nil && th.Assignment != nil && th.Assignment.AgentID != "" {
					users = append(users, th.Assignment.AgentID)
				}
			}
			err = yield(alertDeadline{
				entity: "claim:" + cl.ID,
				typ:    domain.EventClaimDueSoon,
				at:     *due,
				title:  "Resolve the claim on order " + cl.OrderNumber + " by " + due.UTC().Format("2 Jan 15:04") + " UTC to spare your reputation",
				link:   "/api/v1/claims/" + cl.ID,
				users:  users,
				data:   map[string]any{"claim_id": cl.ID, "order": cl.OrderNumber, "shop_id": cl.ShopID, "deadline": due},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// threadReplyDeadlines reads the customer-care inbox sorted by the seller's
// reply due time (threads.go: scope "*", sort "d", all threads), from from to
// to. The shop's seller users and the agent the thread is assigned to are
// told.
func threadReplyDeadlines(t *txn, from, to time.Time, yield func(alertDeadline) error) error {
	prefix := indexPrefix("*", "d", "a", "")
	end := append(bytes.Clone(prefix), timeKey(to)...)
	c := t.tx.Bucket(bucketThreadIndex).Cursor()
	for k, _ := c.Seek(append(bytes.Clone(prefix), timeKey(from)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if bytes.Compare(k[:len(end)], end) > 0 {
			break
		}
		r, err := getThread(t, string(k[len(end):]))
		if err != nil {
			return err
		}
		if r == nil || r.SellerReplyDueAt == nil || r.Status != domain.ThreadOpen || r.NoReplyNeeded {
			continue
		}
		var users []string
		if r.ShopID != "" {
			users = shopUsers(t, r.ShopID)
		}
		if r.Assignment != nil && r.Assignment.AgentID != "" {
			users = append(users, r.Assignment.AgentID)
		}
		title := replyDueTitle("Reply due by ", *r.SellerReplyDueAt, r)
		err = yield(alertDeadline{
			entity: "thread:" + r.ID,
			typ:    domain.EventReplyDueSoon,
			at:     *r.SellerReplyDueAt,
			title:  title,
			link:   "/api/v1/threads/" + r.ID,
			users:  users,
			data:   map[string]any{"thread_id": r.ID, "order": r.OrderNumber, "shop_id": r.ShopID, "due_at": r.SellerReplyDueAt},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// replyDueTitle is a reply deadline alert's title: what, when (UTC), the
// order and the subject.
func replyDueTitle(what string, due time.Time, r *threadRecord) string {
	title := what + due.UTC().Format("2 Jan 15:04") + " UTC"
	if r.OrderNumber != "" {
		title += " on order " + r.OrderNumber
	}
	if r.Subject != "" {
		title += ": " + truncateText(r.Subject, 80)
	}
	return title
}
