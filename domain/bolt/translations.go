package bolt

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/kv"
)

// bucketTranslationsDue holds the translations waiting: due time (timeKey),
// 0x00, thread id, 0x00, message id, 0x00, language → JSON domain.TranslationJob.
var bucketTranslationsDue = []byte("translations_due.v1")

func translationsMigration(tx kv.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketTranslationsDue)
	return err
}

// EnableTranslation makes new messages wait for translations into their
// readers' languages (a translator is configured). Call it before serving.
func (db *DB) EnableTranslation() { db.translate = true }

var _ domain.TranslationQueue = (*TranslationQueue)(nil)

// TranslationQueue is the bbolt domain.TranslationQueue.
type TranslationQueue struct{ db *DB }

// NewTranslationQueue returns the queue of db.
func NewTranslationQueue(db *DB) *TranslationQueue { return &TranslationQueue{db: db} }

// readerLanguages are the languages the parties of rec read: the customer's
// (their user's locale, else the thread's), the shop's, and customer care's
// (the assigned agent's, else English).
func readerLanguages(t *txn, rec *threadRecord) map[domain.Party]string {
	langs := map[domain.Party]string{domain.PartyOperator: "en"}
	if rec.CustomerID != "" {
		langs[domain.PartyCustomer] = rec.Locale
		if u, _ := findUser(t, rec.CustomerID); u != nil && u.Locale != "" {
			langs[domain.PartyCustomer] = u.Locale
		}
	} else if rec.Locale != "" {
		langs[domain.PartyCustomer] = rec.Locale
	}
	if rec.ShopID != "" {
		var sh domain.Shop
		if ok, _ := getJSON(t.tx.Bucket(bucketShops), []byte(rec.ShopID), &sh); ok && sh.Locale != "" {
			langs[domain.PartySeller] = sh.Locale
		}
	}
	if a := rec.Assignment; a != nil && a.AgentID != "" {
		if u, _ := findUser(t, a.AgentID); u != nil && u.Locale != "" {
			langs[domain.PartyOperator] = u.Locale
		}
	}
	return langs
}

// enqueueTranslations marks m as waiting for a translation into each
// language its readers need, and queues the jobs, in the message's own
// transaction. Call it before m is written.
func enqueueTranslations(t *txn, rec *threadRecord, m *domain.Message) error {
	if !t.db.translate || m.Language == "" {
		return nil
	}
	for _, lang := range domain.TranslationTargets(m, readerLanguages(t, rec)) {
		if m.Translations == nil {
			m.Translations = map[string]domain.Translation{}
		}
		m.Translations[lang] = domain.Translation{Status: domain.TranslationPending, UpdatedAt: t.now}
		job := domain.TranslationJob{ThreadID: rec.ID, MessageID: m.ID, From: m.Language, To: lang, Due: t.now}
		if err := putJSON(t.tx.Bucket(bucketTranslationsDue), translationKey(job), job); err != nil {
			return err
		}
	}
	return nil
}

func translationKey(j domain.TranslationJob) []byte {
	if j.Case != "" {
		return compositeKey(timeKey(j.Due), []byte(j.Case), []byte("description"), []byte(j.To))
	}
	return compositeKey(timeKey(j.Due), []byte(j.ThreadID), []byte(j.MessageID), []byte(j.To))
}

// caseLanguages are the languages the readers of a case on o read: the
// customer's, the shop's and customer care's (English).
func caseLanguages(t *txn, o *domain.Order) map[domain.Party]string {
	langs := map[domain.Party]string{domain.PartyOperator: "en"}
	if u, _ := findUser(t, o.CustomerID); u != nil {
		langs[domain.PartyCustomer] = u.Locale
	}
	var sh domain.Shop
	if ok, _ := getJSON(t.tx.Bucket(bucketShops), []byte(o.ShopID), &sh); ok {
		langs[domain.PartySeller] = sh.Locale
	}
	return langs
}

// enqueueCaseTranslations detects the language of a new case's description
// (entity "incident:<id>" or "claim:<id>", on order o) and, when a
// translator is configured, queues its translations into its readers'
// languages, in the case's own transaction. Call it before the case is
// written.
func enqueueCaseTranslations(t *txn, entity, description string, o *domain.Order, ct *domain.CaseText) error {
	if description == "" {
		return nil
	}
	_, lang := authorOf(t)
	ct.DescriptionLanguage = domain.DetectLanguage(description, cmp.Or(lang, "en"))
	if !t.db.translate {
		return nil
	}
	for _, to := range domain.CaseTranslationTargets(ct.DescriptionLanguage, caseLanguages(t, o)) {
		if ct.DescriptionTranslations == nil {
			ct.DescriptionTranslations = map[string]domain.Translation{}
		}
		ct.DescriptionTranslations[to] = domain.Translation{Status: domain.TranslationPending, UpdatedAt: t.now}
		job := domain.TranslationJob{Case: entity, From: ct.DescriptionLanguage, To: to, Due: t.now}
		if err := putJSON(t.tx.Bucket(bucketTranslationsDue), translationKey(job), job); err != nil {
			return err
		}
	}
	return nil
}

// caseText reads the case a job is about: its description and where its
// translations go. Nil: no such case (cases are never deleted).
func caseText(t *txn, entity string) (description string, ct *domain.CaseText, put func() error, err error) {
	kind, id, _ := strings.Cut(entity, ":")
	switch kind {
	case "incident":
		in, err := getIncident(t, id)
		if in == nil || err != nil {
			return "", nil, nil, err
		}
		return in.Description, &in.CaseText, func() error { return putJSON(t.tx.Bucket(bucketIncidents), []byte(in.ID), in) }, nil
	case "claim":
		c, err := getClaim(t, id)
		if c == nil || err != nil {
			return "", nil, nil, err
		}
		return c.Description, &c.CaseText, func() error { return putJSON(t.tx.Bucket(bucketClaims), []byte(c.ID), c) }, nil
	}
	return "", nil, nil, nil
}

// DueTranslations implements domain.TranslationQueue (the worker's view: no
// permission check): it claims up to n jobs due at now, the oldest-due
// first, for domain.ClaimLease, as OutboxService.Due claims events: each
// job's key moves to the lease's end, and the job returned is due then
// (SaveTranslation finds it by that key). A job whose message or case is
// gone leaves the queue.
func (q *TranslationQueue) DueTranslations(ctx context.Context, now time.Time, n int) ([]domain.TranslationJob, []string, error) {
	if n <= 0 {
		n = 32
	}
	if some, err := q.db.anyDue(ctx, bucketTranslationsDue, now); err != nil || !some {
		return nil, nil, err
	}
	lease := now.Add(domain.ClaimLease).UTC()
	var jobs []domain.TranslationJob
	var texts []string
	err := q.db.update(ctx, func(t *txn) error {
		jobs, texts = nil, nil // fn may run again (kv.Engine.Update)
		due := t.tx.Bucket(bucketTranslationsDue)
		for _, e := range dueEntries(due, now, n) {
			if err := due.Delete(e.key); err != nil {
				return err
			}
			var j domain.TranslationJob
			if err := decodeJSON(e.value, &j); err != nil {
				return fmt.Errorf("bolt: decode translation job %q: %w", e.key, err)
			}
			var text string
			if j.Case != "" {
				desc, ct, _, err := caseText(t, j.Case)
				if err != nil {
					return err
				}
				if ct == nil {
					continue // cases are never deleted; nothing to translate
				}
				text = desc
			} else {
				var m domain.Message
				ok, err := getJSON(t.tx.Bucket(bucketMessages), compositeKey([]byte(j.ThreadID), []byte(j.MessageID)), &m)
				if err != nil {
					return err
				}
				if !ok {
					continue // messages are never deleted; nothing to translate
				}
				text = m.Body
			}
			j.Due, j.Claimed = lease, true
			if err := putJSON(due, translationKey(j), j); err != nil {
				return err
			}
			jobs = append(jobs, j)
			texts = append(texts, text)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return jobs, texts, nil
}

// SaveTranslation implements domain.TranslationQueue: the translation is
// stored on the message and the job leaves the queue, or moves to retryAt,
// in one transaction. job is as DueTranslations claimed it: when its key is
// no longer in the queue (the claim ran out and another worker claimed the
// job again, or saved it), the job is that worker's and nothing changes.
func (q *TranslationQueue) SaveTranslation(ctx context.Context, job domain.TranslationJob, tr domain.Translation, retryAt *time.Time) error {
	return q.db.update(ctx, func(t *txn) error {
		due := t.tx.Bucket(bucketTranslationsDue)
		key := translationKey(job)
		if due.Get(key) == nil {
			return nil
		}
		if err := due.Delete(key); err != nil {
			return err
		}
		tr.UpdatedAt = t.now
		if job.Case != "" {
			_, ct, put, err := caseText(t, job.Case)
			if err != nil || ct == nil {
				return err
			}
			if ct.DescriptionTranslations == nil {
				ct.DescriptionTranslations = map[string]domain.Translation{}
			}
			ct.DescriptionTranslations[job.To] = tr
			if err := put(); err != nil {
				return err
			}
		} else {
			mkey := compositeKey([]byte(job.ThreadID), []byte(job.MessageID))
			var m domain.Message
			ok, err := getJSON(t.tx.Bucket(bucketMessages), mkey, &m)
			if err != nil || !ok {
				return err
			}
			if m.Translations == nil {
				m.Translations = map[string]domain.Translation{}
			}
			m.Translations[job.To] = tr
			if err := putJSON(t.tx.Bucket(bucketMessages), mkey, m); err != nil {
				return err
			}
		}
		if retryAt != nil {
			next := job // job stays as given: fn may run again (kv.Engine.Update)
			next.Attempts++
			next.Due, next.Claimed = retryAt.UTC(), false
			return putJSON(due, translationKey(next), next)
		}
		return nil
	})
}
