package bolt

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// Customer care's share of the store: who the care team is and how it is
// told of work (new incidents and claims, a seller's "solved", failed
// refunds, messages to customer care), and customer care's reply deadlines,
// indexed for alerts and the queue.

// bucketCareDue indexes the open threads whose customer-care reply clock
// runs: due time (timeKey), thread id → empty.
var bucketCareDue = []byte("care_due.v1")

// maxNoReplyMarks bounds the "no reply needed" times a thread keeps.
const maxNoReplyMarks = 50

// careMigration (0015) creates the care-due index from the stored threads,
// stores the default routing rules when none are (so that adding a rule adds
// to them), and puts agents created without a team into customer care (they
// never got work).
func careMigration(tx kv.Tx) error {
	// The threads written before this version carry no care clock: they
	// get one with the next message to customer care.
	if _, err := tx.CreateBucketIfNotExists(bucketCareDue); err != nil {
		return err
	}
	rules := tx.Bucket(bucketRoutingRules)
	if k, _ := rules.Cursor().First(); k == nil {
		for _, r := range domain.DefaultRoutingRules() {
			r.CreatedBy = domain.SystemUserID
			if err := putJSON(rules, []byte(r.ID), r); err != nil {
				return err
			}
		}
	}
	users := tx.Bucket(bucketUsers)
	var fix []domain.User
	err := users.ForEach(func(k, v []byte) error {
		var u domain.User
		if err := decodeJSON(v, &u); err != nil {
			return fmt.Errorf("decode user %q: %w", k, err)
		}
		if u.Role == domain.RoleAgent && u.Team == "" {
			u.Team = domain.TeamCustomerCare
			fix = append(fix, u)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, u := range fix {
		if err := putJSON(users, []byte(u.ID), u); err != nil {
			return err
		}
	}
	return nil
}

// careTeam returns the ids of the care team (domain.CareTeamMember).
func careTeam(t *txn) ([]string, error) {
	var ids []string
	err := t.tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
		var u domain.User
		if err := decodeJSON(v, &u); err != nil {
			return fmt.Errorf("bolt: decode user %q: %w", k, err)
		}
		if domain.CareTeamMember(&u) {
			ids = append(ids, u.ID)
		}
		return nil
	})
	return ids, err
}

// notifyCare tells customer care of a change: every member of the care
// team and the agent the work is assigned to (agentID, may be ""), once
// each, never the person who made the change.
func notifyCare(t *txn, agentID, typ, title, entity, link string, payload any) error {
	ids, err := careTeam(t)
	if err != nil {
		return err
	}
	if agentID != "" && !slices.Contains(ids, agentID) {
		ids = append(ids, agentID)
	}
	for _, id := range ids {
		if id == t.actorID() {
			continue
		}
		if err := t.notify(id, typ, title, entity, link, payload); err != nil {
			return err
		}
	}
	return nil
}

// shopName is a shop's name for people, or its id when it has none.
func shopName(t *txn, id string) string {
	var sh domain.Shop
	if v := t.tx.Bucket(bucketShops).Get([]byte(id)); v != nil && decodeJSON(v, &sh) == nil && sh.Name != "" {
		return sh.Name
	}
	return id
}

// threadAgent is the agent thread id is assigned to, or "".
func threadAgent(t *txn, threadID string) string {
	if threadID == "" {
		return ""
	}
	r, err := getThread(t, threadID)
	if err != nil || r == nil || r.Assignment == nil {
		return ""
	}
	return r.Assignment.AgentID
}

// careDueKey is r's entry in the care-due index, or nil for none.
func careDueKey(r *threadRecord) []byte {
	if r == nil || r.CareReplyDueAt == nil || r.Status != domain.ThreadOpen {
		return nil
	}
	return append(timeKey(*r.CareReplyDueAt), r.ID...)
}

// putCareDue brings r's care-due index entry from prev's (nil: new) to its
// own.
func putCareDue(t *txn, prev, r *threadRecord) error {
	old, cur := careDueKey(prev), careDueKey(r)
	if bytes.Equal(old, cur) {
		return nil
	}
	b := t.tx.Bucket(bucketCareDue)
	if old != nil {
		if err := b.Delete(old); err != nil {
			return err
		}
	}
	if cur != nil {
		return b.Put(cur, nil)
	}
	return nil
}

// careReplyDeadlines reads the care-due index from from to to: the agent
// the thread is assigned to is told, or the care team when nobody is.
func careReplyDeadlines(t *txn, from, to time.Time, yield func(alertDeadline) error) error {
	end := timeKey(to)
	c := t.tx.Bucket(bucketCareDue).Cursor()
	for k, _ := c.Seek(timeKey(from)); k != nil && bytes.Compare(k[:8], end) <= 0; k, _ = c.Next() {
		if len(k) <= 8 {
			continue
		}
		r, err := getThread(t, string(k[8:]))
		if err != nil {
			return err
		}
		if r == nil || r.CareReplyDueAt == nil || r.Status != domain.ThreadOpen {
			continue
		}
		var users []string
		if r.Assignment != nil && r.Assignment.AgentID != "" {
			users = []string{r.Assignment.AgentID}
		} else if users, err = careTeam(t); err != nil {
			return err
		}
		title := replyDueTitle("Customer care's reply due by ", *r.CareReplyDueAt, r)
		err = yield(alertDeadline{
			entity: "thread:" + r.ID,
			typ:    domain.EventCareReplyDue,
			at:     *r.CareReplyDueAt,
			title:  title,
			link:   "/api/v1/threads/" + r.ID,
			users:  users,
			data:   map[string]any{"thread_id": r.ID, "order": r.OrderNumber, "care_due_at": r.CareReplyDueAt},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// careQueueThreads adds to items the open threads whose customer-care
// clock runs, soonest due first (at most limit), for customer care's queue;
// queueThreads adds the rest.
func careQueueThreads(t *txn, p domain.Policy, limit int, items *[]domain.QueueItem, seen map[string]bool) error {
	c := t.tx.Bucket(bucketCareDue).Cursor()
	n := 0
	for k, _ := c.First(); k != nil && n < limit; k, _ = c.Next() {
		if len(k) <= 8 {
			continue
		}
		r, err := getThread(t, string(k[8:]))
		if err != nil {
			return err
		}
		if r == nil || r.Status != domain.ThreadOpen {
			continue
		}
		*items = append(*items, domain.CareQueueItem(p, &r.Thread, t.now))
		seen[r.ID] = true
		n++
	}
	return nil
}
