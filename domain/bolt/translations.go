package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/marketplace/helpcentre/domain"
)

// bucketTranslationsDue holds the translations waiting: due time (timeKey),
// 0x00, thread id, 0x00, message id, 0x00, language → JSON domain.TranslationJob.
var bucketTranslationsDue = []byte("translations_due.v1")

func translationsMigration(tx *bbolt.Tx) error {
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
	return compositeKey(timeKey(j.Due), []byte(j.ThreadID), []byte(j.MessageID), []byte(j.To))
}

// DueTranslations implements domain.TranslationQueue (the worker's view: no
// permission check).
func (q *TranslationQueue) DueTranslations(ctx context.Context, now time.Time, n int) ([]domain.TranslationJob, []string, error) {
	var jobs []domain.TranslationJob
	var texts []string
	end := timeKey(now)
	err := q.db.view(ctx, func(t *txn) error {
		c := t.tx.Bucket(bucketTranslationsDue).Cursor()
		for k, v := c.First(); k != nil && len(jobs) < n && bytes.Compare(k[:8], end) <= 0; k, v = c.Next() {
			var j domain.TranslationJob
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("bolt: decode translation job %q: %w", k, err)
			}
			var m domain.Message
			ok, err := getJSON(t.tx.Bucket(bucketMessages), compositeKey([]byte(j.ThreadID), []byte(j.MessageID)), &m)
			if err != nil {
				return err
			}
			if !ok {
				continue // messages are never deleted; nothing to translate
			}
			jobs = append(jobs, j)
			texts = append(texts, m.Body)
		}
		return nil
	})
	return jobs, texts, err
}

// SaveTranslation implements domain.TranslationQueue: the translation is
// stored on the message and the job leaves the queue, or moves to retryAt,
// in one transaction.
func (q *TranslationQueue) SaveTranslation(ctx context.Context, job domain.TranslationJob, tr domain.Translation, retryAt *time.Time) error {
	return q.db.update(ctx, func(t *txn) error {
		due := t.tx.Bucket(bucketTranslationsDue)
		if err := due.Delete(translationKey(job)); err != nil {
			return err
		}
		mkey := compositeKey([]byte(job.ThreadID), []byte(job.MessageID))
		var m domain.Message
		ok, err := getJSON(t.tx.Bucket(bucketMessages), mkey, &m)
		if err != nil || !ok {
			return err
		}
		if m.Translations == nil {
			m.Translations = map[string]domain.Translation{}
		}
		tr.UpdatedAt = t.now
		m.Translations[job.To] = tr
		if err := putJSON(t.tx.Bucket(bucketMessages), mkey, m); err != nil {
			return err
		}
		if retryAt != nil {
			job.Attempts++
			job.Due = retryAt.UTC()
			return putJSON(due, translationKey(job), job)
		}
		return nil
	})
}
