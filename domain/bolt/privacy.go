package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// PrivacyService implements domain.PrivacyService on the bbolt file and the
// attachments folder beside it. The rules (who, what becomes of each field)
// are domain's; this file finds the records and writes them back.
type PrivacyService struct {
	db  *DB
	dir string // attachments
	// ScrubTimeout bounds the wait for older read transactions before the
	// free pages are cleared after an erasure.
	ScrubTimeout time.Duration
	// Flush writes what other services hold in memory for the file
	// (queued help-centre events, the search log) before an erasure looks
	// at it: written after, the customer's words would escape it. Set it
	// before serving.
	Flush []func(context.Context) error
	// Reindex is told, after an erasure, of the threads whose messages
	// changed: an index of message text outside the file must drop the
	// words. (The word index of the inbox's text filter is inside the file
	// and rewritten in the erasure's own transaction.)
	Reindex []func(ctx context.Context, threadIDs []string) error
}

var _ domain.PrivacyService = (*PrivacyService)(nil)

// NewPrivacyService returns the privacy requests' service on db.
func NewPrivacyService(db *DB) *PrivacyService {
	return &PrivacyService{db: db, dir: db.attach, ScrubTimeout: 30 * time.Second}
}

// findCustomer reads the user a privacy request is about.
func findCustomer(t *txn, id string) (*domain.User, error) {
	u, err := findUser(t, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, domain.ErrNotFound("Customer")
	}
	return u, domain.RequireCustomer(u)
}

// customerThreads returns the threads of a customer and the anonymous
// hand-offs made with their email address (a scan of every thread: privacy
// requests are rare, and no index holds typed addresses).
func customerThreads(t *txn, id, email string) (own, anonymous []*threadRecord, err error) {
	var probe *domain.Erasure
	if email != "" {
		probe = &domain.Erasure{UserID: id, Was: domain.User{ID: id, Email: email}}
	}
	err = t.tx.Bucket(bucketThreads).ForEach(func(k, v []byte) error {
		var r threadRecord
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("bolt: thread %q: %w", k, err)
		}
		switch {
		case r.CustomerID == id:
			own = append(own, &r)
		case probe != nil && probe.IsTheirContact(&r.Thread):
			anonymous = append(anonymous, &r)
		}
		return nil
	})
	return own, anonymous, err
}

// threadMessages returns every message of a thread, oldest first.
func threadMessages(t *txn, threadID string) ([]*domain.Message, error) {
	prefix := compositeKey([]byte(threadID), nil)
	c := t.tx.Bucket(bucketMessages).Cursor()
	var out []*domain.Message
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m domain.Message
		if err := decodeJSON(v, &m); err != nil {
			return nil, fmt.Errorf("bolt: message %q: %w", k, err)
		}
		out = append(out, &m)
	}
	return out, nil
}

func putMessage(t *txn, m *domain.Message) error {
	return putJSON(t.tx.Bucket(bucketMessages), compositeKey([]byte(m.ThreadID), []byte(m.ID)), m)
}

// idsUnder returns the last part of every key of b under prefix (index
// entries "owner, 0x00, id").
func idsUnder(b kv.Bucket, prefix []byte) []string {
	var out []string
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, string(k[len(prefix):]))
	}
	return out
}

// customerSessions returns the help-centre sessions of a customer: signed
// in as them or handed off with their email.
func customerSessions(t *txn, e *domain.Erasure) ([]*domain.Session, error) {
	var out []*domain.Session
	err := t.tx.Bucket(bucketDeflectSessions).ForEach(func(k, v []byte) error {
		var s domain.Session
		if err := decodeJSON(v, &s); err != nil {
			return fmt.Errorf("bolt: session %q: %w", k, err)
		}
		if e.IsTheirSession(&s) {
			out = append(out, &s)
		}
		return nil
	})
	return out, err
}

// ExportCustomer implements domain.PrivacyService: the records are read in
// one read transaction; the export is then recorded in the audit log.
func (s *PrivacyService) ExportCustomer(ctx context.Context, customerID string) (*domain.CustomerExport, error) {
	if err := domain.MayExportCustomer(domain.ActorFrom(ctx), customerID); err != nil {
		return nil, err
	}
	var x *domain.CustomerExport
	err := s.db.view(ctx, func(t *txn) error {
		var err error
		x, err = exportCustomer(t, customerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Who took a copy of whose data, and when: the audit log keeps it.
	err = s.db.update(ctx, func(t *txn) error {
		return t.audit("user:"+customerID, "customer.exported", "", x.Counts)
	})
	return x, err
}

func exportCustomer(t *txn, id string) (*domain.CustomerExport, error) {
	u, err := findCustomer(t, id)
	if err != nil {
		return nil, err
	}
	x := &domain.CustomerExport{GeneratedAt: t.now, Customer: *u,
		Orders: []domain.Order{}, Threads: []domain.Thread{}, Incidents: []domain.Incident{}, Claims: []domain.Claim{},
		Returns: []domain.Return{}, Refunds: []domain.Refund{}, Sessions: []domain.Session{}, Feedback: []domain.ExportedVote{},
		Notifications: []domain.Notification{}, Attachments: []domain.Attachment{}, Anonymous: []domain.Thread{}}
	reader := domain.Actor{UserID: id, Role: domain.RoleCustomer}

	// Orders: "customer, 0x00, placed at (8 bytes), 0x00, number".
	prefix := compositeKey([]byte(id), nil)
	c := t.tx.Bucket(bucketOrdersByCust).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < len(prefix)+9 {
			continue
		}
		o, err := getOrder(t, string(k[len(prefix)+9:]))
		if err != nil {
			return nil, err
		}
		x.Orders = append(x.Orders, *o)
		for _, rid := range idsUnder(t.tx.Bucket(bucketRefundsByOrder), compositeKey([]byte(o.Number), nil)) {
			r, err := getRefund(t, rid)
			if err != nil {
				return nil, err
			}
			x.Refunds = append(x.Refunds, *r)
		}
	}

	own, anon, err := customerThreads(t, id, u.Email)
	if err != nil {
		return nil, err
	}
	shas := map[string]bool{}
	addThread := func(r *threadRecord, to *[]domain.Thread) error {
		msgs, err := threadMessages(t, r.ID)
		if err != nil {
			return err
		}
		th := r.Thread
		th.Messages = []domain.Message{}
		for _, m := range msgs {
			if domain.CanSeeMessage(reader, m) || (r.CustomerID == "" && m.Unverified) {
				th.Messages = append(th.Messages, *m)
				for _, a := range m.Attachments {
					shas[a.SHA256] = true
				}
			}
		}
		*to = append(*to, th)
		return nil
	}
	for _, r := range own {
		if err := addThread(r, &x.Threads); err != nil {
			return nil, err
		}
	}
	for _, r := range anon {
		if err := addThread(r, &x.Anonymous); err != nil {
			return nil, err
		}
	}
	for sha := range shas {
		var a domain.Attachment
		if ok, err := getJSON(t.tx.Bucket(bucketAttachments), []byte(sha), &a); err != nil {
			return nil, err
		} else if ok {
			x.Attachments = append(x.Attachments, a)
		}
	}

	for _, iid := range idsUnder(t.tx.Bucket(bucketIncidentsByCustomer), prefix) {
		in, err := getIncident(t, iid)
		if err != nil {
			return nil, err
		}
		x.Incidents = append(x.Incidents, *in)
	}
	claims := map[string]bool{}
	for _, cid := range idsUnder(t.tx.Bucket(bucketClaimsByCustomer), prefix) {
		cl, err := getClaim(t, cid)
		if err != nil {
			return nil, err
		}
		claims[cl.ID] = true
		x.Claims = append(x.Claims, *cl)
	}
	if err := t.tx.Bucket(bucketReturns).ForEach(func(k, v []byte) error {
		var r domain.Return
		if err := decodeJSON(v, &r); err != nil {
			return fmt.Errorf("bolt: return %q: %w", k, err)
		}
		if r.CustomerID == id || claims[r.ClaimID] {
			x.Returns = append(x.Returns, r)
		}
		return nil
	}); err != nil {
		return nil, err
	}

	sessions, err := customerSessions(t, &domain.Erasure{UserID: id, Was: *u})
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		x.Sessions = append(x.Sessions, *ss)
		for _, v := range ss.Votes {
			x.Feedback = append(x.Feedback, domain.ExportedVote{Session: ss.ID, Article: v.Article, Helpful: v.Helpful, At: v.At})
		}
	}

	c = t.tx.Bucket(bucketNotifications).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var n domain.Notification
		if err := decodeJSON(v, &n); err != nil {
			return nil, fmt.Errorf("bolt: notification %q: %w", k, err)
		}
		x.Notifications = append(x.Notifications, n)
	}
	x.Count()
	return x, nil
}

// EraseCustomer implements domain.PrivacyService: one write transaction
// pseudonymises the account and every record that holds the customer's
// words, then sweeps every record of the file for their name, email and
// words left where others wrote them; then the files only they uploaded are
// deleted and the file's free pages (the old versions) cleared.
func (s *PrivacyService) EraseCustomer(ctx context.Context, customerID, confirm string) (*domain.ErasureReport, error) {
	if err := domain.MayEraseCustomer(domain.ActorFrom(ctx)); err != nil {
		return nil, err
	}
	for _, flush := range s.Flush {
		if err := flush(ctx); err != nil {
			return nil, fmt.Errorf("bolt: erase: writing what is queued first: %w", err)
		}
	}
	var rep *domain.ErasureReport
	var files []string
	err := s.db.update(ctx, func(t *txn) error {
		u, err := findCustomer(t, customerID)
		if err != nil {
			return err
		}
		if err := domain.ConfirmErasure(u, confirm); err != nil {
			return err
		}
		e := domain.ErasureOf(*u, t.now)
		rep = &domain.ErasureReport{UserID: u.ID, ErasureAudit: domain.ErasureAudit{Pseudonym: e.Becomes.Name}}
		files, err = s.erase(t, e, rep)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, sha := range files {
		if err := os.Remove(filepath.Join(s.dir, sha[:2], sha)); err == nil {
			rep.FilesDeleted++
		} else if !errors.Is(err, os.ErrNotExist) {
			return rep, fmt.Errorf("bolt: erase: attachment %s: %w", sha, err)
		}
	}
	for _, reindex := range s.Reindex {
		if err := reindex(ctx, rep.ThreadIDs); err != nil {
			return rep, fmt.Errorf("bolt: erase: updating the index of messages: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.ScrubTimeout)
	defer cancel()
	n, err := s.db.ScrubFreePages(sctx)
	rep.PagesScrubbed = n
	if err != nil {
		return rep, fmt.Errorf("bolt: erase: the data is erased, but %w", err)
	}
	return rep, nil
}

// erase writes the erasure e in t and returns the attachment files to delete
// once it commits.
func (s *PrivacyService) erase(t *txn, e *domain.Erasure, rep *domain.ErasureReport) ([]string, error) {
	id := e.UserID
	own, anon, err := customerThreads(t, id, e.Was.Email)
	if err != nil {
		return nil, err
	}
	// The names the customer's threads are indexed under, before the
	// account changes.
	oldNames := map[string][]string{}
	for _, r := range own {
		oldNames[r.ID] = threadCustomerNames(t, &r.Thread)
	}
	if err := eraseAccount(t, e); err != nil {
		return nil, err
	}

	dropped := map[string]bool{}
	for _, r := range append(own, anon...) {
		prev := *r
		if err := unindexThreadWords(t, r); err != nil {
			return nil, err
		}
		msgs, err := threadMessages(t, r.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if !e.WroteMessage(m) {
				continue
			}
			for _, a := range e.EraseMessage(m) {
				dropped[a.SHA256] = true
			}
			rep.Messages++
			if err := putMessage(t, m); err != nil {
				return nil, err
			}
		}
		e.EraseThread(&r.Thread, r.CreatedBy == id || r.CustomerID == "")
		if err := putThread(t, &prev, r); err != nil {
			return nil, err
		}
		if err := reindexThreadWords(t, r); err != nil {
			return nil, err
		}
		byCust := t.tx.Bucket(bucketThreadsByCustomer)
		for _, n := range oldNames[r.ID] {
			if err := byCust.Delete(compositeKey([]byte(n), []byte(r.ID))); err != nil {
				return nil, err
			}
		}
		if r.CustomerID == id {
			for _, n := range threadCustomerNames(t, &r.Thread) {
				if err := byCust.Put(compositeKey([]byte(n), []byte(r.ID)), nil); err != nil {
					return nil, err
				}
			}
		}
		rep.Threads++
		rep.ThreadIDs = append(rep.ThreadIDs, r.ID)
	}

	files, err := eraseAttachments(t, id, dropped)
	if err != nil {
		return nil, err
	}
	rep.Attachments = len(files)

	prefix := compositeKey([]byte(id), nil)
	for _, iid := range idsUnder(t.tx.Bucket(bucketIncidentsByCustomer), prefix) {
		in, err := getIncident(t, iid)
		if err != nil {
			return nil, err
		}
		if in.OpenedBy == id {
			e.EraseCaseText(&in.Description)
			if err := putJSON(t.tx.Bucket(bucketIncidents), []byte(in.ID), in); err != nil {
				return nil, err
			}
		}
	}
	for _, cid := range idsUnder(t.tx.Bucket(bucketClaimsByCustomer), prefix) {
		cl, err := getClaim(t, cid)
		if err != nil {
			return nil, err
		}
		e.EraseCaseText(&cl.Description)
		if err := putJSON(t.tx.Bucket(bucketClaims), []byte(cl.ID), cl); err != nil {
			return nil, err
		}
	}

	sessions, err := customerSessions(t, e)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		e.EraseSession(ss)
		if err := putJSON(t.tx.Bucket(bucketDeflectSessions), []byte(ss.ID), ss); err != nil {
			return nil, err
		}
		rep.Sessions++
	}

	// Their in-app notifications and undelivered webhooks about them go;
	// the audit log keeps what happened, without what they wrote.
	if err := deletePrefix(t.tx.Bucket(bucketNotifications), prefix); err != nil {
		return nil, err
	}
	if err := eraseOutbox(t, id); err != nil {
		return nil, err
	}
	if err := eraseAudit(t, id); err != nil {
		return nil, err
	}

	n, err := sweep(t.tx, e)
	if err != nil {
		return nil, err
	}
	rep.Records = n
	return files, t.audit("user:"+id, "customer.erased", "erased on the customer's request", rep.ErasureAudit)
}

// eraseAccount pseudonymises the user record and removes every way to sign
// in as it.
func eraseAccount(t *txn, e *domain.Erasure) error {
	id := []byte(e.UserID)
	names := t.tx.Bucket(bucketUsersByName)
	if err := names.Delete([]byte(e.Was.Name)); err != nil {
		return err
	}
	if err := names.Put([]byte(e.Becomes.Name), id); err != nil {
		return err
	}
	if err := putJSON(t.tx.Bucket(bucketUsers), id, e.Becomes); err != nil {
		return err
	}
	if err := t.tx.Bucket(bucketPasswords).Delete(id); err != nil {
		return err
	}
	if err := t.tx.Bucket(bucketLoginAttempts).Delete(loginKey(e.Was.Name)); err != nil {
		return err
	}
	prefix := compositeKey(id, nil)
	for _, tid := range idsUnder(t.tx.Bucket(bucketTokensByUser), prefix) {
		if sha := t.tx.Bucket(bucketTokensByID).Get([]byte(tid)); sha != nil {
			if err := t.tx.Bucket(bucketTokens).Delete(bytes.Clone(sha)); err != nil {
				return err
			}
		}
		if err := t.tx.Bucket(bucketTokensByID).Delete([]byte(tid)); err != nil {
			return err
		}
	}
	return deletePrefix(t.tx.Bucket(bucketTokensByUser), prefix)
}

// eraseAttachments removes the customer's uploads that no one else's
// message carries (metadata and links; the caller deletes the files) and
// forgets that they uploaded the others. It returns the files to delete.
func eraseAttachments(t *txn, id string, dropped map[string]bool) ([]string, error) {
	owners := t.tx.Bucket(bucketAttachmentOwners)
	if err := owners.ForEach(func(k, _ []byte) error {
		if i := bytes.IndexByte(k, 0); i > 0 && string(k[i+1:]) == id {
			dropped[string(k[:i])] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var files []string
	for sha := range dropped {
		still, err := stillCarried(t, sha)
		if err != nil {
			return nil, err
		}
		if still {
			if err := owners.Delete(compositeKey([]byte(sha), []byte(id))); err != nil {
				return nil, err
			}
			continue
		}
		p := compositeKey([]byte(sha), nil)
		for _, b := range []kv.Bucket{owners, t.tx.Bucket(bucketAttachmentThreads)} {
			if err := deletePrefix(b, p); err != nil {
				return nil, err
			}
		}
		if err := t.tx.Bucket(bucketAttachments).Delete([]byte(sha)); err != nil {
			return nil, err
		}
		if len(sha) > 2 {
			files = append(files, sha)
		}
	}
	return files, nil
}

// stillCarried reports whether some message (as written now in the
// transaction) names the file sha.
func stillCarried(t *txn, sha string) (bool, error) {
	for _, tid := range idsUnder(t.tx.Bucket(bucketAttachmentThreads), compositeKey([]byte(sha), nil)) {
		msgs, err := threadMessages(t, tid)
		if err != nil {
			return false, err
		}
		for _, m := range msgs {
			for _, a := range m.Attachments {
				if a.SHA256 == sha {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// eraseOutbox drops the events addressed to the customer (webhooks about
// them not yet delivered, and delivered ones kept for the operator's list).
func eraseOutbox(t *txn, id string) error {
	ob, due, dead := t.tx.Bucket(bucketOutbox), t.tx.Bucket(bucketOutboxDue), t.tx.Bucket(bucketOutboxDead)
	var gone []domain.OutboxEvent
	if err := ob.ForEach(func(k, v []byte) error {
		var ev domain.OutboxEvent
		if err := decodeJSON(v, &ev); err != nil {
			return fmt.Errorf("bolt: outbox event %q: %w", k, err)
		}
		if ev.UserID == id {
			gone = append(gone, ev)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, ev := range gone {
		for _, del := range []func() error{
			func() error { return ob.Delete([]byte(ev.ID)) },
			func() error { return due.Delete(compositeKey(timeKey(ev.NextAttempt), []byte(ev.ID))) },
			func() error { return dead.Delete([]byte(ev.ID)) },
		} {
			if err := del(); err != nil {
				return err
			}
		}
	}
	return nil
}

// eraseAudit keeps the customer's entries in the audit log (what was done,
// when) without their reasons and data, which hold what they wrote.
func eraseAudit(t *txn, id string) error {
	b := t.tx.Bucket(bucketAudit)
	type change struct {
		k []byte
		e domain.AuditEntry
	}
	var changes []change
	if err := b.ForEach(func(k, v []byte) error {
		var e domain.AuditEntry
		if err := decodeJSON(v, &e); err != nil {
			return fmt.Errorf("bolt: audit entry %q: %w", k, err)
		}
		if e.Actor == id && (e.Why != "" || e.Data != nil) {
			e.Why, e.Data = "", nil
			changes = append(changes, change{bytes.Clone(k), e})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, c := range changes {
		if err := putJSON(b, c.k, c.e); err != nil {
			return err
		}
	}
	return nil
}

func deletePrefix(b kv.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// sweep looks at every record of every bucket for the erasure's terms (the
// customer's name, email and words where others' records hold them: a
// seller's reply greeting them, an audit entry, a return label): a JSON
// record has them replaced in its strings, any other value in its bytes; an
// index key holding one is deleted. It returns how many records it changed.
func sweep(tx kv.Tx, e *domain.Erasure) (int, error) {
	raw, plain, keys := e.RawMatcher(), e.Matcher(), e.KeyMatcher()
	if raw == nil {
		return 0, nil
	}
	filter := newTermFilter(e)
	type put struct {
		b    kv.Bucket
		k, v []byte
	}
	var puts []put
	var dels []put
	var walk func(b kv.Bucket, keep func(doc map[string]any) func()) error
	walk = func(b kv.Bucket, keep func(doc map[string]any) func()) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					return walk(nb, nil)
				}
			}
			if keys != nil && filter.mayHold(k) && keys.Match(k) {
				dels = append(dels, put{b: b, k: bytes.Clone(k)})
				return nil
			}
			if !filter.mayHold(v) || !raw.Match(v) {
				return nil
			}
			nv, err := redactValue(v, plain, raw, keep)
			if err != nil {
				return fmt.Errorf("bolt: erase %q: %w", k, err)
			}
			puts = append(puts, put{b, bytes.Clone(k), nv})
			return nil
		})
	}
	id := e.UserID
	// What another person's records keep: a namesake's own name (another
	// "Ana García" keeps hers on her threads and messages, her account and
	// her index entries), which the explicit steps of erase handled for
	// this customer.
	kept := func(field, owner string) func(doc map[string]any) func() {
		return func(doc map[string]any) func() {
			v, ok := doc[field]
			if !ok || doc[owner] == id {
				return func() {}
			}
			return func() { doc[field] = v }
		}
	}
	// The word index holds single folded words, maintained below from the
	// threads the sweep changes (its keys would match a short login name
	// inside other words: "ana" in "banana").
	skip := map[string]bool{string(bucketUsers): true, string(bucketUsersByName): true, string(bucketThreadsByCustomer): true,
		string(bucketThreadWords): true}
	keeps := map[string]func(map[string]any) func(){
		string(bucketThreads):  kept("customer", "customer_id"),
		string(bucketMessages): kept("author", "author_id"),
	}
	if err := tx.ForEach(func(name []byte, b kv.Bucket) error {
		if skip[string(name)] {
			return nil
		}
		return walk(b, keeps[string(name)])
	}); err != nil {
		return 0, err
	}
	// Threads whose record or messages change leave the word index as
	// they were and enter it again as they become.
	t := &txn{tx: tx}
	threads, messages := tx.Bucket(bucketThreads), tx.Bucket(bucketMessages)
	var touched []*threadRecord
	seen := map[string]bool{}
	for _, p := range puts {
		id := ""
		switch p.b {
		case threads:
			id = string(p.k)
		case messages:
			if i := bytes.IndexByte(p.k, 0); i > 0 {
				id = string(p.k[:i])
			}
		}
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		r, err := getThread(t, id)
		if err != nil {
			return 0, err
		}
		if r != nil {
			if err := unindexThreadWords(t, r); err != nil {
				return 0, err
			}
			touched = append(touched, r)
		}
	}
	for _, p := range puts {
		if err := p.b.Put(p.k, p.v); err != nil {
			return 0, err
		}
	}
	for _, d := range dels {
		if err := d.b.Delete(d.k); err != nil {
			return 0, err
		}
	}
	for _, old := range touched {
		r, err := getThread(t, old.ID)
		if err != nil {
			return 0, err
		}
		if err := reindexThreadWords(t, r); err != nil {
			return 0, err
		}
	}
	return len(puts) + len(dels), nil
}

// redactValue replaces the terms in a stored value: in the strings of a
// JSON document (numbers kept exactly), or in the bytes of anything else.
// keep (nil: none) is told of a JSON object before its strings are
// redacted and returns what restores the fields that stay.
func redactValue(v []byte, plain, raw *regexp.Regexp, keep func(doc map[string]any) func()) ([]byte, error) {
	if len(v) > 0 && (v[0] == '{' || v[0] == '[' || v[0] == '"') && json.Valid(v) {
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return nil, err
		}
		if m, ok := doc.(map[string]any); ok && keep != nil {
			restore := keep(m)
			redactJSON(m, plain)
			restore()
			return json.Marshal(m)
		}
		return json.Marshal(redactJSON(doc, plain))
	}
	return raw.ReplaceAllLiteral(bytes.Clone(v), []byte(domain.RedactedText)), nil
}

func redactJSON(v any, m *regexp.Regexp) any {
	switch x := v.(type) {
	case string:
		return m.ReplaceAllLiteralString(x, domain.RedactedText)
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i], m)
		}
	case map[string]any:
		for k := range x {
			x[k] = redactJSON(x[k], m)
		}
	}
	return v
}
