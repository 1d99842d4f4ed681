package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain"
)

var _ domain.ThreadService = (*ThreadService)(nil)

// ThreadService stores conversations and their inbox indexes.
type ThreadService struct {
	db     *DB
	policy domain.Policy
	posts  *groupCommit // messages: concurrent posts share one synced commit
}

// NewThreadService returns a ThreadService on db under policy p.
func NewThreadService(db *DB, p domain.Policy) *ThreadService {
	return &ThreadService{db: db, policy: p, posts: &groupCommit{db: db}}
}

// threadRecord is a stored thread: the thread and who has read what.
type threadRecord struct {
	domain.Thread
	Marks domain.ReadMarks `json:"marks"`
}

// threadMaxScan bounds the index entries one list request reads when filters
// the index cannot answer are checked on the records: the page may then be
// short, and its cursor goes on from where the scan stopped.
const threadMaxScan = 1000

// threadNoDue is the due sort key of threads without a running clock: after all.
var threadNoDue = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func getThread(t *txn, id string) (*threadRecord, error) {
	var r threadRecord
	ok, err := getJSON(t.tx.Bucket(bucketThreads), []byte(id), &r)
	if !ok || err != nil {
		return nil, err
	}
	return &r, nil
}

// findVisibleThread reads a thread the actor may see, or NotFound.
func findVisibleThread(t *txn, id string) (*threadRecord, error) {
	r, err := getThread(t, id)
	if err != nil {
		return nil, err
	}
	if r == nil || !domain.CanSeeThread(t.actor, &r.Thread) {
		return nil, domain.ErrNotFound("Thread " + id)
	}
	return r, nil
}

// inboxScope is one inbox a thread is listed in, and the party reading it.
type inboxScope struct {
	key   string
	party domain.Party
}

func threadScopes(th *domain.Thread) []inboxScope {
	s := []inboxScope{{"*", domain.PartyOperator}}
	if th.ShopID != "" && slices.Contains(th.Parties, domain.PartySeller) {
		s = append(s, inboxScope{"s:" + th.ShopID, domain.PartySeller})
	}
	if th.CustomerID != "" && slices.Contains(th.Parties, domain.PartyCustomer) {
		s = append(s, inboxScope{"c:" + th.CustomerID, domain.PartyCustomer})
	}
	return s
}

// inboxOf is the inbox the actor reads (shopID: operators narrowing to
// one shop).
func inboxOf(a domain.Actor, shopID string) (inboxScope, error) {
	in, err := domain.InboxFor(a, shopID)
	if err != nil {
		return inboxScope{}, err
	}
	switch in.Party {
	case domain.PartySeller:
		return inboxScope{"s:" + in.ShopID, in.Party}, nil
	case domain.PartyCustomer:
		return inboxScope{"c:" + in.CustomerID, in.Party}, nil
	}
	return inboxScope{"*", domain.PartyOperator}, nil
}

func indexPrefix(sc, sort, dim, value string) []byte {
	return compositeKey([]byte(sc), []byte(sort), []byte(dim), []byte(value), nil)
}

func replyDueKey(th *domain.Thread) []byte {
	if th.SellerReplyDueAt == nil {
		return threadNoDue
	}
	return timeKey(*th.SellerReplyDueAt)
}

// threadIndexKeys are every index entry of r.
func threadIndexKeys(r *threadRecord) [][]byte {
	th := &r.Thread
	var keys [][]byte
	sorts := [][2][]byte{{[]byte("l"), timeKey(th.LastMessage)}, {[]byte("d"), replyDueKey(th)}}
	for _, sc := range threadScopes(th) {
		for _, s := range sorts {
			add := func(dim, value string) {
				k := append(indexPrefix(sc.key, string(s[0]), dim, value), s[1]...)
				keys = append(keys, append(k, th.ID...))
			}
			add("a", "")
			add("t", domain.NormalTopic(th.Topic))
			add("s", string(th.Status))
			if r.Marks.Unread(sc.party) {
				add("u", "")
			}
		}
	}
	return keys
}

// threadCustomerNames are the names a thread is found by in the customer filter.
func threadCustomerNames(t *txn, th *domain.Thread) []string {
	names := []string{domain.NormalName(th.Customer)}
	if th.CustomerID != "" {
		if u, _ := findUser(t, th.CustomerID); u != nil {
			names = append(names, domain.NormalName(u.Name), domain.NormalName(u.Display))
		}
	}
	slices.Sort(names)
	return slices.Compact(slices.DeleteFunc(names, func(s string) bool { return s == "" || strings.IndexByte(s, 0) >= 0 }))
}

// putThread writes r and brings its index entries from prev's (nil for a
// new thread) to its own.
func putThread(t *txn, prev, r *threadRecord) error {
	idx := t.tx.Bucket(bucketThreadIndex)
	old := map[string]bool{}
	if prev != nil {
		for _, k := range threadIndexKeys(prev) {
			old[string(k)] = true
		}
	}
	for _, k := range threadIndexKeys(r) {
		if old[string(k)] {
			delete(old, string(k))
			continue
		}
		if err := idx.Put(k, nil); err != nil {
			return err
		}
	}
	for k := range old {
		if err := idx.Delete([]byte(k)); err != nil {
			return err
		}
	}
	if prev == nil {
		id := []byte(r.ID)
		if r.OrderNumber != "" {
			if err := t.tx.Bucket(bucketThreadsByOrder).Put(compositeKey([]byte(r.OrderNumber), id), nil); err != nil {
				return err
			}
		}
		for _, n := range threadCustomerNames(t, &r.Thread) {
			if err := t.tx.Bucket(bucketThreadsByCustomer).Put(compositeKey([]byte(n), id), nil); err != nil {
				return err
			}
		}
	}
	return putJSON(t.tx.Bucket(bucketThreads), []byte(r.ID), r)
}

// view is the thread as the actor sees it at now: unread for their side,
// overdue, and (withMessages) the messages they may see.
func (s *ThreadService) view(t *txn, r *threadRecord, withMessages bool) (*domain.Thread, error) {
	th := r.Thread
	th.Parties = slices.Clone(th.Parties)
	th.Unread = r.Marks.Unread(t.actor.Role.Party())
	th.Overdue = domain.SellerReplyOverdue(s.policy, &th, t.now)
	th.SellerReplyDueAt = domain.SellerReplyDue(s.policy, &th)
	if !withMessages {
		th.Transcript = nil
		return &th, nil
	}
	th.Messages = []domain.Message{}
	prefix := compositeKey([]byte(th.ID), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var m domain.Message
		if _, err := getJSON(t.tx.Bucket(bucketMessages), k, &m); err != nil {
			return nil, err
		}
		if domain.CanSeeMessage(t.actor, &m) {
			th.Messages = append(th.Messages, m)
		}
	}
	return &th, nil
}

// author returns the display name and language of the actor.
func authorOf(t *txn) (name, lang string) {
	name = t.actor.Name
	if u, _ := findUser(t, t.actor.UserID); u != nil {
		name, lang = cmp.Or(u.Display, u.Name), u.Locale
	}
	return name, lang
}

// newThreadSpec is what createThread writes.
type newThreadSpec struct {
	order      *domain.Order
	shopID     string
	customerID string
	customer   string // display name when there is no customer user
	locale     string
	recipient  domain.Party
	topic      string
	subject    string
	body       string
	atts       []domain.AttachmentRef
	transcript *domain.Transcript
	assignment *domain.Assignment // already routed (hand-off); nil: route now
}

// createThread writes a thread with its first message, routed, indexed,
// notified and audited.
func (s *ThreadService) createThread(t *txn, sp newThreadSpec) (*threadRecord, error) {
	id, err := t.newID()
	if err != nil {
		return nil, err
	}
	th := domain.Thread{
		ID: id, ShopID: sp.shopID, CustomerID: sp.customerID, Customer: sp.customer, Topic: strings.TrimSpace(sp.topic),
		Subject: strings.TrimSpace(sp.subject), Locale: sp.locale, Status: domain.ThreadOpen,
		CreatedAt: t.now, CreatedBy: t.actorID(), LastMessage: t.now, Transcript: sp.transcript,
	}
	if sp.order != nil {
		th.OrderNumber, th.ShopID, th.CustomerID = sp.order.Number, sp.order.ShopID, sp.order.CustomerID
	}
	if th.CustomerID != "" {
		if u, _ := findUser(t, th.CustomerID); u != nil {
			th.Customer = cmp.Or(u.Display, u.Name)
			th.Locale = cmp.Or(th.Locale, u.Locale)
		} else if th.CustomerID == t.actor.UserID {
			th.Customer = cmp.Or(th.Customer, t.actor.Name)
		}
	}
	th.Assignment = sp.assignment
	if th.Assignment == nil {
		if th.Assignment, err = routeWork(t, domain.Work{Topic: th.Topic, Locale: th.Locale, Order: th.OrderNumber, ShopID: th.ShopID}); err != nil {
			return nil, err
		}
	}
	rec := &threadRecord{Thread: th}
	domain.AddParties(&rec.Thread, t.actor.Role.Party(), sp.recipient)
	if _, err := s.addMessage(t, rec, domain.NewMessage{To: []domain.Party{sp.recipient}, Body: sp.body, Attachments: sp.atts}); err != nil {
		return nil, err
	}
	if err := putThread(t, nil, rec); err != nil {
		return nil, err
	}
	return rec, t.audit("thread:"+id, "thread.created", "", map[string]any{"order": th.OrderNumber, "topic": th.Topic, "recipient": sp.recipient, "assignment": th.Assignment})
}

// addMessage writes a message of the actor on rec (which the caller then
// puts), applies it to the thread and tells its recipients.
func (s *ThreadService) addMessage(t *txn, rec *threadRecord, nm domain.NewMessage) (*domain.Message, error) {
	atts, err := resolveAttachments(t, nm.Attachments)
	if err != nil {
		return nil, err
	}
	id, err := t.newID()
	if err != nil {
		return nil, err
	}
	name, lang := authorOf(t)
	m := &domain.Message{
		ID: id, ThreadID: rec.ID, AuthorID: t.actorID(), AuthorName: name, From: t.actor.Role.Party(),
		To: slices.Clone(nm.To), Internal: nm.Internal, Body: nm.Body, Language: cmp.Or(lang, rec.Locale),
		Attachments: atts, CreatedAt: t.now,
	}
	if m.To == nil {
		m.To = []domain.Party{}
	}
	if err := enqueueTranslations(t, rec, m); err != nil {
		return nil, err
	}
	if err := putJSON(t.tx.Bucket(bucketMessages), compositeKey([]byte(rec.ID), []byte(id)), m); err != nil {
		return nil, err
	}
	if err := linkAttachments(t, rec.ID, id, atts); err != nil {
		return nil, err
	}
	domain.ApplyMessage(s.policy, &rec.Thread, &rec.Marks, m)
	if m.Internal {
		return m, nil
	}
	title := "New message from " + name
	if rec.Subject != "" {
		title += ": " + truncateText(rec.Subject, 80)
	}
	link := "/api/v1/threads/" + rec.ID
	payload := map[string]any{"thread_id": rec.ID, "message_id": id, "from": m.From, "order": rec.OrderNumber}
	for _, uid := range messageRecipients(t, rec, m) {
		if err := t.notify(uid, "thread.message", title, "thread:"+rec.ID, link, payload); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// recipients are the users told of m: the customer, the shop's seller
// users, the agent the thread is assigned to; never the author.
func messageRecipients(t *txn, rec *threadRecord, m *domain.Message) []string {
	var ids []string
	for _, p := range m.To {
		switch p {
		case domain.PartyCustomer:
			ids = append(ids, rec.CustomerID)
		case domain.PartySeller:
			if rec.ShopID != "" {
				ids = append(ids, shopUsers(t, rec.ShopID)...)
			}
		case domain.PartyOperator:
			if rec.Assignment != nil {
				ids = append(ids, rec.Assignment.AgentID)
			}
		}
	}
	return slices.DeleteFunc(ids, func(id string) bool { return id == "" || id == m.AuthorID })
}

func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// CreateThread implements domain.ThreadService. Errors: invalid_thread,
// invalid_topic, invalid_message, invalid_recipient, invalid_attachment,
// not_found (an order or shop that is not the caller's).
func (s *ThreadService) CreateThread(ctx context.Context, nt domain.NewThread) (*domain.Thread, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	if err := nt.Validate(); err != nil {
		return nil, err
	}
	var out *domain.Thread
	err := s.db.update(ctx, func(t *txn) error {
		sp := newThreadSpec{recipient: nt.Recipient, topic: nt.Topic, subject: nt.Subject, body: nt.Body, atts: nt.Attachments}
		if nt.OrderNumber != "" {
			o, err := getOrder(t, nt.OrderNumber)
			if err != nil {
				return err
			}
			if o == nil {
				return domain.ErrNotFound("Order " + nt.OrderNumber)
			}
			if err := domain.CanStartThread(a, o, nt.Recipient, ""); err != nil {
				return err
			}
			sp.order = o
		} else {
			if err := domain.CanStartThread(a, nil, nt.Recipient, nt.ShopID); err != nil {
				return err
			}
			switch a.Role.Party() {
			case domain.PartyCustomer:
				sp.customerID = a.UserID
			case domain.PartySeller:
				sp.shopID = a.ShopID
			case domain.PartyOperator:
				if t.tx.Bucket(bucketShops).Get([]byte(nt.ShopID)) == nil {
					return domain.ErrNotFound("Shop " + nt.ShopID)
				}
				sp.shopID = nt.ShopID
			}
		}
		rec, err := s.createThread(t, sp)
		if err != nil {
			return err
		}
		out, err = s.view(t, rec, true)
		return err
	})
	return out, err
}

// FindThread implements domain.ThreadService: the thread with the messages
// the caller may see. Errors: not_found.
func (s *ThreadService) FindThread(ctx context.Context, id string) (*domain.Thread, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var out *domain.Thread
	err := s.db.view(ctx, func(t *txn) error {
		r, err := findVisibleThread(t, id)
		if err != nil {
			return err
		}
		out, err = s.view(t, r, true)
		return err
	})
	return out, err
}

// PostMessage implements domain.ThreadService. Concurrent posts share one
// synced commit (groupCommit). Errors: not_found, invalid_message,
// invalid_recipient, invalid_attachment.
func (s *ThreadService) PostMessage(ctx context.Context, threadID string, nm domain.NewMessage) (*domain.Message, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.RequireSignedIn(a); err != nil {
		return nil, err
	}
	if err := nm.Validate(a.Role.Party()); err != nil {
		return nil, err
	}
	var out *domain.Message
	err := s.posts.do(ctx, func(t *txn) error {
		prev, err := findVisibleThread(t, threadID)
		if err != nil {
			return err
		}
		if err := domain.CanPost(a, &prev.Thread, &nm); err != nil {
			return err
		}
		rec := *prev
		rec.Parties = slices.Clone(prev.Parties)
		rec.Marks = cloneMarks(prev.Marks)
		m, err := s.addMessage(t, &rec, nm)
		if err != nil {
			return err
		}
		if err := putThread(t, prev, &rec); err != nil {
			return err
		}
		out = m
		return t.audit("thread:"+threadID, "thread.message", "", map[string]any{"message": m.ID, "to": m.To, "internal": m.Internal})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func cloneMarks(m domain.ReadMarks) domain.ReadMarks {
	return domain.ReadMarks{LastIn: clonePartyTimes(m.LastIn), ReadAt: clonePartyTimes(m.ReadAt)}
}

func clonePartyTimes(m map[domain.Party]time.Time) map[domain.Party]time.Time {
	if m == nil {
		return nil
	}
	out := make(map[domain.Party]time.Time, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// change applies fn to a thread the caller may see, in one transaction, and
// returns the thread as they then see it.
func (s *ThreadService) change(ctx context.Context, id string, fn func(t *txn, rec *threadRecord) error) (*domain.Thread, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	var out *domain.Thread
	err := s.db.update(ctx, func(t *txn) error {
		prev, err := findVisibleThread(t, id)
		if err != nil {
			return err
		}
		rec := *prev
		rec.Marks = cloneMarks(prev.Marks)
		if err := fn(t, &rec); err != nil {
			return err
		}
		if err := putThread(t, prev, &rec); err != nil {
			return err
		}
		out, err = s.view(t, &rec, false)
		return err
	})
	return out, err
}

// MarkNoReplyNeeded implements domain.ThreadService: the seller (or
// customer care) stops the seller's reply clock. Errors: not_found, forbidden.
func (s *ThreadService) MarkNoReplyNeeded(ctx context.Context, threadID string) (*domain.Thread, error) {
	return s.change(ctx, threadID, func(t *txn, rec *threadRecord) error {
		if err := domain.CanStopSellerClock(t.actor); err != nil {
			return err
		}
		was := rec.SellerReplyNeededSince
		domain.StopSellerClock(&rec.Thread)
		return t.audit("thread:"+rec.ID, "thread.no_reply_needed", "", map[string]any{"reply_needed_since": was})
	})
}

// CloseThread implements domain.ThreadService. Errors: not_found.
func (s *ThreadService) CloseThread(ctx context.Context, threadID, why string) (*domain.Thread, error) {
	return s.change(ctx, threadID, func(t *txn, rec *threadRecord) error {
		if rec.Status == domain.ThreadClosed {
			return nil
		}
		rec.Status = domain.ThreadClosed
		domain.StopSellerClock(&rec.Thread)
		return t.audit("thread:"+rec.ID, "thread.closed", why, nil)
	})
}

// MarkRead implements domain.ThreadService: the caller's side has read the
// thread. Errors: not_found.
func (s *ThreadService) MarkRead(ctx context.Context, threadID string) error {
	_, err := s.change(ctx, threadID, func(t *txn, rec *threadRecord) error {
		rec.Marks.Read(t.actor.Role.Party(), t.now)
		return nil
	})
	return err
}

// Handoff implements domain.ThreadService: the help-centre question becomes
// a thread to customer care, or to the order's seller when routing sends it
// there, carrying the transcript. Anonymous customers give an email. It is
// written with a synced update before it returns.
// Errors: invalid_thread, invalid_message, not_found (an order not theirs).
func (s *ThreadService) Handoff(ctx context.Context, h domain.Handoff) (*domain.Thread, error) {
	a := domain.ActorFrom(ctx)
	if err := domain.CanHandoff(a, h); err != nil {
		return nil, err
	}
	body := h.Body
	if strings.TrimSpace(body) == "" {
		body = h.Subject
	}
	nt := domain.NewThread{Recipient: domain.PartyOperator, Topic: domain.TopicOther, Subject: truncateText(h.Subject, domain.MaxSubjectRunes), Body: body}
	if err := nt.Validate(); err != nil {
		return nil, err
	}
	tr := h.Transcript
	if err := domain.CheckTranscript(tr); err != nil {
		return nil, err
	}
	tr.Locale = cmp.Or(tr.Locale, h.Locale)
	tr.Order = cmp.Or(tr.Order, h.OrderNumber)
	var out *domain.Thread
	err := s.db.update(ctx, func(t *txn) error {
		sp := newThreadSpec{locale: h.Locale, topic: nt.Topic, subject: nt.Subject, body: nt.Body, transcript: &tr}
		if a.Anonymous() {
			t.actor = domain.Actor{Role: domain.RoleCustomer, Name: h.Email}
			sp.customer = h.Email
		} else {
			sp.customerID = a.UserID
		}
		w := domain.Work{Topic: nt.Topic, Locale: h.Locale}
		if h.OrderNumber != "" {
			o, err := findVisibleOrder(t, h.OrderNumber)
			if err != nil {
				return err
			}
			sp.order, w.Order, w.ShopID = o, o.Number, o.ShopID
		}
		as, err := routeWork(t, w)
		if err != nil {
			return err
		}
		sp.assignment = as
		sp.recipient = domain.PartyOperator
		if as.Team == domain.TeamSeller {
			sp.recipient = domain.PartySeller
		}
		rec, err := s.createThread(t, sp)
		if err != nil {
			return err
		}
		out, err = s.view(t, rec, true)
		return err
	})
	return out, err
}

// ListThreads implements domain.ThreadService: the caller's inbox (customers:
// their threads; sellers: their shop's; customer care: all, or one shop's),
// filtered and sorted by an index. Filters an index cannot answer alone are
// checked on the records of at most threadMaxScan entries a request.
// Errors: invalid_filter, invalid_limit, invalid_cursor.
func (s *ThreadService) ListThreads(ctx context.Context, f domain.ThreadFilter) (*domain.ThreadPage, error) {
	a := domain.ActorFrom(ctx)
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sc, err := inboxOf(a, f.ShopID)
	if err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = domain.DefaultPageLimit
	}
	page := &domain.ThreadPage{Threads: []domain.Thread{}}
	err = s.db.view(ctx, func(t *txn) error {
		var recs []*threadRecord
		var err error
		switch {
		case f.OrderNumber != "" || f.Customer != "":
			recs, page.Next, err = s.listSmall(t, sc, f)
		default:
			recs, page.Next, err = s.listIndexed(t, sc, f)
		}
		if err != nil {
			return err
		}
		for _, r := range recs {
			th, err := s.view(t, r, false)
			if err != nil {
				return err
			}
			page.Threads = append(page.Threads, *th)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// threadInScope reports whether r is listed in sc.
func threadInScope(r *threadRecord, sc inboxScope) bool {
	return slices.ContainsFunc(threadScopes(&r.Thread), func(s inboxScope) bool { return s.key == sc.key })
}

// matches checks the filters on a record (dims says which the index answered).
func (s *ThreadService) matches(r *threadRecord, sc inboxScope, f domain.ThreadFilter, now time.Time) bool {
	th := &r.Thread
	if f.Topic != "" && domain.NormalTopic(th.Topic) != domain.NormalTopic(f.Topic) {
		return false
	}
	if f.Since != nil && th.LastMessage.Before(*f.Since) {
		return false
	}
	if f.Until != nil && !th.LastMessage.Before(*f.Until) {
		return false
	}
	switch f.Status {
	case "open", "closed":
		if string(th.Status) != f.Status {
			return false
		}
	case "unread":
		if !r.Marks.Unread(sc.party) {
			return false
		}
	case "overdue":
		if !domain.SellerReplyOverdue(s.policy, th, now) {
			return false
		}
	}
	return true
}

// listIndexed reads one page from the index that answers most of f.
func (s *ThreadService) listIndexed(t *txn, sc inboxScope, f domain.ThreadFilter) ([]*threadRecord, string, error) {
	sortBy := "l"
	if f.Sort == "due" || f.Status == "overdue" {
		sortBy = "d" // overdue lists read the due index: soonest (most late) first
	}
	dim, value := "a", ""
	answered := domain.ThreadFilter{Since: f.Since, Until: f.Until, Status: f.Status, Topic: f.Topic}
	switch {
	case f.Topic != "":
		dim, value = "t", domain.NormalTopic(f.Topic)
		answered.Topic = ""
	case f.Status == "unread":
		dim = "u"
		answered.Status = ""
	case f.Status == "open" || f.Status == "closed":
		dim, value = "s", f.Status
		answered.Status = ""
	}
	prefix := indexPrefix(sc.key, sortBy, dim, value)
	reverse := sortBy == "l"
	if sortBy == "l" {
		answered.Since, answered.Until = nil, nil // the key range answers them
	}
	needRecordCheck := answered.Topic != "" || answered.Status != "" || answered.Since != nil || answered.Until != nil
	words := searchWords(f.Text)

	c := t.tx.Bucket(bucketThreadIndex).Cursor()
	var k []byte
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || !bytes.HasPrefix(after, prefix) {
			return nil, "", domain.ErrInvalidCursor()
		}
		k = seekPast(c, after, reverse)
	} else {
		switch {
		case reverse && f.Until != nil:
			k = seekPast(c, append(bytes.Clone(prefix), timeKey(*f.Until)...), true)
		case reverse:
			k = seekLast(c, prefix)
		default:
			k, _ = c.Seek(prefix)
		}
	}
	var out []*threadRecord
	scanned := 0
	var last []byte
	for ; k != nil && bytes.HasPrefix(k, prefix); k = step(c, reverse) {
		sk := k[len(prefix) : len(prefix)+8]
		if reverse && f.Since != nil && bytes.Compare(sk, timeKey(*f.Since)) < 0 {
			return out, "", nil // older than since: the rest is too
		}
		if reverse && f.Until != nil && bytes.Compare(sk, timeKey(*f.Until)) >= 0 {
			continue // a cursor from before; skip to the range
		}
		if f.Status == "overdue" && bytes.Compare(sk, timeKey(t.now)) >= 0 {
			return out, "", nil // due now or later: not late
		}
		if len(out) == f.Limit {
			return out, base64.RawURLEncoding.EncodeToString(last), nil
		}
		if scanned == threadMaxScan {
			return out, base64.RawURLEncoding.EncodeToString(last), nil
		}
		scanned++
		last = bytes.Clone(k)
		r, err := getThread(t, string(k[len(prefix)+8:]))
		if err != nil {
			return nil, "", err
		}
		if r == nil || (needRecordCheck && !s.matches(r, sc, answered, t.now)) {
			continue
		}
		if len(words) > 0 {
			ok, err := threadHasWords(t, r, words)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out, "", nil
}

// seekAfter positions c on the first key after `after` in the direction of
// reading (before it when reverse).
func seekPast(c *bbolt.Cursor, after []byte, reverse bool) []byte {
	k, _ := c.Seek(after)
	if reverse {
		if k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, after) >= 0 {
			k, _ = c.Prev()
		}
		return k
	}
	if k != nil && bytes.Equal(k, after) {
		k, _ = c.Next()
	}
	return k
}

// listSmall answers the order and customer filters, whose index entries are
// few (an order's threads, a customer's threads): it reads them, checks the
// scope and the other filters, and sorts in memory.
func (s *ThreadService) listSmall(t *txn, sc inboxScope, f domain.ThreadFilter) ([]*threadRecord, string, error) {
	var b []byte
	var prefix []byte
	if f.OrderNumber != "" {
		b, prefix = bucketThreadsByOrder, compositeKey([]byte(f.OrderNumber), nil)
	} else {
		b, prefix = bucketThreadsByCustomer, compositeKey([]byte(domain.NormalName(f.Customer)), nil)
	}
	type item struct {
		key []byte // sort key, thread id: the cursor
		r   *threadRecord
	}
	var items []item
	c := t.tx.Bucket(b).Cursor()
	scanned := 0
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if scanned++; scanned > threadMaxScan {
			break
		}
		r, err := getThread(t, string(k[len(prefix):]))
		if err != nil {
			return nil, "", err
		}
		if r == nil || !threadInScope(r, sc) || !s.matches(r, sc, f, t.now) {
			continue
		}
		if words := searchWords(f.Text); len(words) > 0 {
			ok, err := threadHasWords(t, r, words)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
		}
		if f.OrderNumber != "" && f.Customer != "" && !slices.Contains(threadCustomerNames(t, &r.Thread), domain.NormalName(f.Customer)) {
			continue
		}
		sk := timeKey(r.LastMessage)
		if f.Sort == "due" || f.Status == "overdue" {
			sk = replyDueKey(&r.Thread)
		}
		items = append(items, item{append(bytes.Clone(sk), r.ID...), r})
	}
	due := f.Sort == "due" || f.Status == "overdue"
	slices.SortFunc(items, func(x, y item) int {
		if due {
			return bytes.Compare(x.key, y.key)
		}
		return bytes.Compare(y.key, x.key)
	})
	if f.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || len(after) < 8 {
			return nil, "", domain.ErrInvalidCursor()
		}
		i := slices.IndexFunc(items, func(it item) bool {
			if due {
				return bytes.Compare(it.key, after) > 0
			}
			return bytes.Compare(it.key, after) < 0
		})
		if i < 0 {
			i = len(items)
		}
		items = items[i:]
	}
	next := ""
	if len(items) > f.Limit {
		items = items[:f.Limit]
		next = base64.RawURLEncoding.EncodeToString(items[len(items)-1].key)
	}
	out := make([]*threadRecord, len(items))
	for i, it := range items {
		out[i] = it.r
	}
	return out, next, nil
}

// searchWords are the words of a text filter, lower-cased without accents.
func searchWords(text string) []string {
	return strings.Fields(foldText(text))
}

// foldText lower-cases s and strips the accents of Latin letters, so that
// "factura" finds "Factura" and "envio" finds "envío".
func foldText(s string) string {
	return strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		if f, ok := unaccent[r]; ok {
			return f
		}
		return r
	}, s)
}

var unaccent = map[rune]rune{'á': 'a', 'à': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ú': 'u', 'ù': 'u', 'û': 'u',
	'ü': 'u', 'ñ': 'n', 'ç': 'c'}

// threadHasWords reports whether every word is in the thread's subject,
// customer, order or topic, or in a message the reader may see.
func threadHasWords(t *txn, r *threadRecord, words []string) (bool, error) {
	var hay strings.Builder
	hay.WriteString(foldText(r.Subject + " " + r.Customer + " " + r.OrderNumber + " " + strings.ReplaceAll(r.Topic, "_", " ")))
	prefix := compositeKey([]byte(r.ID), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m domain.Message
		if err := json.Unmarshal(v, &m); err != nil {
			return false, fmt.Errorf("bolt: decode message %q: %w", k, err)
		}
		if domain.CanSeeMessage(t.actor, &m) {
			hay.WriteByte(' ')
			hay.WriteString(foldText(m.Body))
		}
	}
	h := hay.String()
	for _, w := range words {
		if !strings.Contains(h, w) {
			return false, nil
		}
	}
	return true, nil
}
