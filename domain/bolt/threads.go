package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
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
	// NoReplyMarks are when "no reply needed" was said (the last
	// maxNoReplyMarks), for the statistics' reply rate.
	NoReplyMarks []time.Time `json:"no_reply_marks,omitempty"`
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
	for _, n := range names {
		if words := strings.Fields(n); len(words) > 1 {
			names = append(names, words...) // "garcía" finds Ana García
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
	if err := indexThreadWords(t, prev, r); err != nil {
		return err
	}
	if err := putCareDue(t, prev, r); err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bucketThreads), []byte(r.ID), r)
}

// view is the thread as the actor sees it at now: unread for their side,
// overdue, and (page not nil) a page of the messages they may see, newest
// page first, in the order they were written, with the cursor of the page
// before it (MessagesNext).
func (s *ThreadService) view(t *txn, r *threadRecord, page *domain.MessagePage) (*domain.Thread, error) {
	th := r.Thread
	th.Parties = slices.Clone(th.Parties)
	th.Unread = r.Marks.Unread(t.actor.Role.Party())
	th.Overdue = domain.SellerReplyOverdue(s.policy, &th, t.now)
	th.SellerReplyDueAt = domain.SellerReplyDue(s.policy, &th)
	th.CareReplyDueAt = domain.CareReplyDue(s.policy, &th)
	if page == nil {
		th.Transcript = nil
		return &th, nil
	}
	msgs, next, err := messagePage(t, th.ID, *page)
	if err != nil {
		return nil, err
	}
	th.Messages, th.MessagesNext = msgs, next
	return &th, nil
}

// messageMaxScan bounds the messages one page read looks at (those the
// reader may not see are skipped): the page may then be short, with a cursor.
const messageMaxScan = 1000

// messagePage reads one page of the messages of thread id the actor may
// see, walking back from the newest (or from before the cursor's message).
func messagePage(t *txn, id string, page domain.MessagePage) ([]domain.Message, string, error) {
	if err := page.Validate(); err != nil {
		return nil, "", err
	}
	prefix := compositeKey([]byte(id), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	var k, v []byte
	if page.Cursor != "" {
		before, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		if err != nil || len(before) == 0 || bytes.IndexByte(before, 0) >= 0 {
			return nil, "", domain.ErrInvalidCursor()
		}
		k, _ = c.Seek(append(slices.Clone(prefix), before...))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	} else {
		// The first key after the thread's messages, then one back.
		end := compositeKey([]byte(id), nil)
		end[len(end)-1] = 1
		if k, _ = c.Seek(end); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	out := []domain.Message{}
	size, scanned, last := 0, 0, []byte(nil)
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		if len(out) == page.Size() || (len(out) > 0 && size >= domain.MaxMessagePageBytes) || scanned == messageMaxScan {
			return reversed(out), base64.RawURLEncoding.EncodeToString(last), nil
		}
		scanned++
		last = bytes.Clone(k[len(prefix):])
		var m domain.Message
		if err := decodeJSON(v, &m); err != nil {
			return nil, "", fmt.Errorf("bolt: message %q: %w", k, err)
		}
		if domain.CanSeeMessage(t.actor, &m) {
			out = append(out, m)
			size += len(m.Body)
		}
	}
	return reversed(out), "", nil
}

func reversed(ms []domain.Message) []domain.Message {
	slices.Reverse(ms)
	return ms
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
	unverified string // the email an anonymous visitor typed: no customer user
	locale     string
	recipient  domain.Party
	topic      string
	subject    string
	body       string
	atts       []domain.AttachmentRef
	transcript *domain.Transcript
	assignment *domain.Assignment // already routed (hand-off); nil: route now
	handoff    bool               // a help-centre hand-off: numbered with a short reference
}

// createThread writes a thread with its first message, routed, indexed,
// notified and audited.
func (s *ThreadService) createThread(t *txn, sp newThreadSpec) (*threadRecord, error) {
	id, err := t.newID()
	if err != nil {
		return nil, err
	}
	th := domain.Thread{
		ID: id, ShopID: sp.shopID, CustomerID: sp.customerID, UnverifiedEmail: sp.unverified, Topic: strings.TrimSpace(sp.topic),
		Subject: strings.TrimSpace(sp.subject), Locale: sp.locale, Status: domain.ThreadOpen,
		CreatedAt: t.now, CreatedBy: t.actorID(), LastMessage: t.now, Transcript: sp.transcript,
	}
	if sp.order != nil {
		th.OrderNumber, th.ShopID, th.CustomerID = sp.order.Number, sp.order.ShopID, sp.order.CustomerID
	}
	if sp.handoff {
		if th.Reference, err = handoffReference(t, id); err != nil {
			return nil, err
		}
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
		if th.Assignment, err = routeWork(t, domain.Work{Topic: th.Topic, Locale: th.Locale, Order: th.OrderNumber, ShopID: th.ShopID, Recipient: sp.recipient}); err != nil {
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
	if !t.actor.IsSystem() && !t.actor.Anonymous() {
		if err := takeQuota(t, "messages", s.policy.MessageQuota(), 0, domain.CodeTooManyMessages, "messages"); err != nil {
			return nil, err
		}
	}
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
		To: slices.Clone(nm.To), Internal: nm.Internal, Unverified: t.actor.Anonymous(), Body: nm.Body, Language: domain.DetectLanguage(nm.Body, cmp.Or(lang, rec.Locale)),
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
	if err := indexMessageWords(t, rec, m); err != nil {
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
	notified := messageRecipients(t, rec, m)
	prefetchNotified(t, notified)
	for _, uid := range notified {
		if err := t.notify(uid, "thread.message", title, "thread:"+rec.ID, link, payload); err != nil {
			return nil, err
		}
	}
	if rec.CustomerID == "" && rec.UnverifiedEmail != "" && m.From != domain.PartyCustomer && slices.Contains(m.To, domain.PartyCustomer) {
		// An anonymous hand-off is answered by email, with a link to the
		// conversation (mail.go).
		if err := t.mail(domain.Mail{Kind: domain.MailHandoffReply, To: rec.UnverifiedEmail, Locale: rec.Locale, Thread: rec.ID,
			Reference: rec.Reference, Subject: rec.Subject, Excerpt: truncateText(m.Body, domain.MaxMailExcerpt)}); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// postOn writes the actor's message nm on the thread prev and the thread
// as it becomes, and returns the message.
func (s *ThreadService) postOn(t *txn, prev *threadRecord, nm domain.NewMessage) (*domain.Message, error) {
	rec := *prev
	rec.Parties = slices.Clone(prev.Parties)
	rec.Marks = cloneMarks(prev.Marks)
	m, err := s.addMessage(t, &rec, nm)
	if err != nil {
		return nil, err
	}
	return m, putThread(t, prev, &rec)
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
			if rec.Assignment != nil && rec.Assignment.AgentID != "" {
				ids = append(ids, rec.Assignment.AgentID)
			} else if team, err := careTeam(t); err == nil {
				// Nobody holds it: the team is told (notifyCare's rule).
				ids = append(ids, team...)
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
		if sp.unverified != "" {
			// The address is unverified until its owner follows the link
			// mailed to it (GuestThread).
			if err := t.mail(domain.Mail{Kind: domain.MailHandoffVerify, To: sp.unverified, Locale: rec.Locale, Thread: rec.ID,
				Reference: rec.Reference, Subject: rec.Subject}); err != nil {
				return err
			}
		}
		out, err = s.view(t, rec, &domain.MessagePage{})
		return err
	})
	return out, err
}

// FindThread implements domain.ThreadService: the thread with the messages
// the caller may see. Errors: not_found.
func (s *ThreadService) FindThread(ctx context.Context, id string, page domain.MessagePage) (*domain.Thread, error) {
	if err := domain.RequireSignedIn(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	if err := page.Validate(); err != nil {
		return nil, err
	}
	var out *domain.Thread
	err := s.db.view(ctx, func(t *txn) error {
		r, err := findVisibleThread(t, id)
		if err != nil {
			return err
		}
		out, err = s.view(t, r, &page)
		return err
	})
	return out, err
}

// PostMessage implements domain.ThreadService. Concurrent posts share one
// synced commit (groupCommit) on an engine that groups writes (bbolt; see
// kv.WriteGrouper). Errors: not_found, invalid_message,
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
		// What the post reads first, in one round trip on PostgreSQL.
		kv.Prefetch(t.tx, kv.BucketKey{Bucket: t.tx.Bucket(bucketThreads), Key: []byte(threadID)},
			quotaRead(t, "messages", s.policy.MessageQuota()),
			kv.BucketKey{Bucket: t.tx.Bucket(bucketUsers), Key: []byte(t.actor.UserID)})
		prev, err := findVisibleThread(t, threadID)
		if err != nil {
			return err
		}
		if err := domain.CanPost(a, &prev.Thread, &nm); err != nil {
			return err
		}
		m, err := s.postOn(t, prev, nm)
		if err != nil {
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
		out, err = s.view(t, &rec, nil)
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
		rec.NoReplyMarks = append(rec.NoReplyMarks, t.now)
		if n := len(rec.NoReplyMarks); n > maxNoReplyMarks {
			rec.NoReplyMarks = rec.NoReplyMarks[n-maxNoReplyMarks:]
		}
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
		sp := newThreadSpec{locale: h.Locale, topic: nt.Topic, subject: nt.Subject, body: nt.Body, transcript: &tr, handoff: true}
		if a.Anonymous() {
			// Anyone may type anyone's address: it is kept as what it is,
			// never as a customer's name or account.
			t.actor = domain.Actor{Role: domain.RoleCustomer, Name: h.Email}
			sp.unverified = h.Email
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
		if sp.unverified != "" {
			// The address is unverified until its owner follows the link
			// mailed to it (GuestThread).
			if err := t.mail(domain.Mail{Kind: domain.MailHandoffVerify, To: sp.unverified, Locale: rec.Locale, Thread: rec.ID,
				Reference: rec.Reference, Subject: rec.Subject}); err != nil {
				return err
			}
		}
		out, err = s.view(t, rec, &domain.MessagePage{})
		return err
	})
	return out, err
}
