package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// WorkStats implements the queue and statistics half of domain.WorkService
// (RoutingService has the routing rules; the server composes the two). It
// reads indexes only: active incidents and claims of the shop (or all, for
// customer care), threads by due time, and the shop's cases, orders and
// threads by time within the period.
type WorkStats struct {
	db     *DB
	policy domain.Policy
}

// NewWorkStats returns a WorkStats on db under policy p.
func NewWorkStats(db *DB, p domain.Policy) *WorkStats {
	return &WorkStats{db: db, policy: p}
}

// maxQueueScan bounds the active cases and thread index entries one queue
// request reads.
const maxQueueScan = 5000

// Queue is the caller's work queue, most urgent first (domain.RankQueue):
// sellers get their shop's open incidents, unresolved claims and open
// threads; customer care gets every active incident (those the seller
// marked solved too: they wait for its check), every unresolved claim and
// the open threads customer care takes part in. Customers have no queue.
// Errors: unauthorized, forbidden.
func (s *WorkStats) Queue(ctx context.Context, limit int) ([]domain.QueueItem, error) {
	a := domain.ActorFrom(ctx)
	shopID, err := domain.QueueFor(a)
	if err != nil {
		return nil, err
	}
	var prefix []byte
	scope := "*"
	if shopID != "" {
		prefix, scope = compositeKey([]byte(shopID), nil), "s:"+shopID
	}
	if limit <= 0 {
		limit = domain.DefaultPageLimit
	}
	limit = min(limit, domain.MaxPageLimit)
	items := []domain.QueueItem{}
	err = s.db.view(ctx, func(t *txn) error {
		ids, states := prefixIDs(t.tx.Bucket(bucketIncidentsActive), prefix)
		for i, id := range ids {
			if i >= maxQueueScan {
				break
			}
			if !domain.QueueHasIncident(a, domain.IncidentState(states[i])) {
				continue
			}
			in, err := getIncident(t, id)
			if err != nil {
				return err
			}
			if in != nil {
				items = append(items, domain.IncidentQueueItem(in))
			}
		}
		ids, _ = prefixIDs(t.tx.Bucket(bucketClaimsActive), prefix)
		for i, id := range ids {
			if i >= maxQueueScan {
				break
			}
			c, err := getClaim(t, id)
			if err != nil {
				return err
			}
			if c != nil {
				items = append(items, domain.ClaimQueueItem(s.policy, c, t.now))
			}
		}
		seen := map[string]bool{}
		if a.Role.Operator() {
			if err := careQueueThreads(t, s.policy, limit, &items, seen); err != nil {
				return err
			}
		}
		return s.queueThreads(t, a, scope, limit, &items, seen)
	})
	if err != nil {
		return nil, err
	}
	domain.RankQueue(items)
	if len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

// queueThreads adds up to limit open threads of the scope, soonest reply due
// first (threads without a running clock come after, oldest first), from
// the threads' due index.
func (s *WorkStats) queueThreads(t *txn, a domain.Actor, scope string, limit int, items *[]domain.QueueItem, seen map[string]bool) error {
	prefix := indexPrefix(scope, "d", "s", string(domain.ThreadOpen))
	c := t.tx.Bucket(bucketThreadIndex).Cursor()
	n, scanned := 0, 0
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n < limit && scanned < maxQueueScan; k, _ = c.Next() {
		scanned++
		if len(k) < len(prefix)+8 {
			continue
		}
		r, err := getThread(t, string(k[len(prefix)+8:]))
		if err != nil {
			return err
		}
		if r == nil || seen[r.ID] {
			continue
		}
		th := &r.Thread
		if !domain.QueueHasThread(a, th) {
			continue
		}
		*items = append(*items, domain.ThreadQueueItem(s.policy, th, t.now))
		n++
	}
	return nil
}

// ShopStats computes a shop's figures over [from, to) (zero times: the last
// 30 days) from the shop's indexes by time: incidents, claims and refunds
// opened in the period, orders placed in it (for the incident rate), and
// threads with messages in it. The shop's sellers, admins and agents with
// view_stats may read them. Errors: not_found, forbidden, invalid_period.
func (s *WorkStats) ShopStats(ctx context.Context, shopID string, from, to time.Time) (*domain.ShopStats, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	var st *domain.ShopStats
	err := s.db.view(ctx, func(t *txn) error {
		if err := domain.CanReadShopStats(a, shopID, t.tx.Bucket(bucketShops).Get([]byte(shopID)) != nil); err != nil {
			return err
		}
		var err error
		if from, to, err = domain.StatsPeriod(from, to, t.now); err != nil {
			return err
		}
		st = domain.NewShopStats(shopID, from, to)
		return s.fill(t, st)
	})
	return st, err
}

// inPeriod calls fn with the time, id and value of every entry of b, an
// index keyed owner, 0x00, time (timeKey), id, whose owner is owner and whose
// time is in [from, to).
func inPeriod(b kv.Bucket, owner string, from, to time.Time, fn func(at time.Time, id, value []byte) error) error {
	prefix := compositeKey([]byte(owner), nil)
	end := append(bytes.Clone(prefix), timeKey(to)...)
	c := b.Cursor()
	for k, v := c.Seek(append(bytes.Clone(prefix), timeKey(from)...)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		if len(k) < len(prefix)+9 {
			continue
		}
		at := time.Unix(0, int64(binary.BigEndian.Uint64(k[len(prefix):len(prefix)+8]))).UTC()
		if err := fn(at, k[len(prefix)+9:], v); err != nil {
			return err
		}
	}
	return nil
}

// fill counts the shop's figures into st.
func (s *WorkStats) fill(t *txn, st *domain.ShopStats) error {
	shop, from, to := st.ShopID, st.From, st.To
	err := inPeriod(t.tx.Bucket(bucketIncidentsByShop), shop, from, to, func(at time.Time, _, _ []byte) error {
		st.IncidentsOpened++
		if d := st.Day(at); d != nil {
			d.IncidentsOpened++
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids, _ := prefixIDs(t.tx.Bucket(bucketIncidentsActive), compositeKey([]byte(shop), nil))
	st.OpenIncidentsNow = len(ids)

	err = inPeriod(t.tx.Bucket(bucketClaimsByShop), shop, from, to, func(at time.Time, id, _ []byte) error {
		c, err := getClaim(t, string(id))
		if err != nil || c == nil {
			return err
		}
		st.Claims++
		if rep, _ := domain.ClaimReputation(s.policy, c, t.now); rep == domain.ReputationAffected {
			st.ClaimsAffectingReputation++
		}
		if d := st.Day(at); d != nil {
			d.Claims++
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = inPeriod(t.tx.Bucket(bucketRefundsByShop), shop, from, to, func(at time.Time, id, state []byte) error {
		if domain.RefundState(state) == domain.RefundFailed {
			return nil
		}
		r, err := getRefund(t, string(id))
		if err != nil || r == nil {
			return err
		}
		st.Refunds++
		st.RefundedAmount += r.Amount
		st.Currency = r.Currency
		if d := st.Day(at); d != nil {
			d.Refunds++
		}
		return nil
	})
	if err != nil {
		return err
	}

	// The incident rate: lines of orders placed in the period, and those of
	// them with an incident.
	linesWithIncident := 0
	err = inPeriod(t.tx.Bucket(bucketOrdersByShop), shop, from, to, func(_ time.Time, number, _ []byte) error {
		o, err := getOrder(t, string(number))
		if err != nil || o == nil {
			return err
		}
		st.OrderLines += len(o.Lines)
		hit := map[int]bool{}
		ids, _ := prefixIDs(t.tx.Bucket(bucketIncidentsByOrder), compositeKey(number, nil))
		for _, id := range ids {
			in, err := getIncident(t, id)
			if err != nil {
				return err
			}
			if in != nil && domain.CountsInIncidentRate(in) {
				for _, l := range domain.IncidentLines(in, o) {
					hit[l] = true
				}
			}
		}
		linesWithIncident += len(hit)
		return nil
	})
	if err != nil {
		return err
	}

	n, sum, err := s.replies(t, st)
	if err != nil {
		return err
	}
	st.Finish(linesWithIncident, n, sum)
	return nil
}

// replies counts the customer messages of the period and how they were
// answered, over the shop's threads with a message at or after the period's
// start (the threads' index by last message).
func (s *WorkStats) replies(t *txn, st *domain.ShopStats) (n int, sum time.Duration, err error) {
	prefix := indexPrefix("s:"+st.ShopID, "l", "a", "")
	c := t.tx.Bucket(bucketThreadIndex).Cursor()
	for k, _ := c.Seek(append(bytes.Clone(prefix), timeKey(st.From)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < len(prefix)+8 {
			continue
		}
		threadID := k[len(prefix)+8:]
		var msgs []domain.Message
		mp := compositeKey(threadID, nil)
		mc := t.tx.Bucket(bucketMessages).Cursor()
		for mk, mv := mc.Seek(mp); mk != nil && bytes.HasPrefix(mk, mp); mk, mv = mc.Next() {
			var m domain.Message
			if err := decodeJSON(mv, &m); err != nil {
				return 0, 0, err
			}
			msgs = append(msgs, m)
		}
		var marks []time.Time
		if r, err := getThread(t, string(threadID)); err != nil {
			return 0, 0, err
		} else if r != nil {
			marks = r.NoReplyMarks
		}
		outcomes, first, ok := domain.ReplyStats(s.policy, msgs, st.From, st.To, t.now, marks)
		for _, o := range outcomes {
			st.CustomerMessages++
			d := st.Day(o.At)
			if d != nil {
				d.CustomerMessages++
			}
			if o.Answered {
				st.AnsweredWithin48h++
				if d != nil {
					d.AnsweredWithin48h++
				}
			}
		}
		if ok {
			n++
			sum += first
		}
	}
	return n, sum, nil
}
