package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// The store's metrics: its transactions, its write health and its work
// queues (the outbox by event type, which carries webhooks and any other
// delivery, the mails waiting for SMTP and the translations waiting).

// observeStore registers the store's metrics with reg and makes db report
// its transactions.
func observeStore(reg prometheus.Registerer, db *bolt.DB, log *slog.Logger) {
	tx := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "helpcentre_store_transaction_duration_seconds",
		Help: "Time of a database transaction, by kind (update, batch, group: message posts committed together, view, probe) " +
			"and result (ok; rejected: refused by its own rules, nothing written; failed: the commit failed in storage).",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
	}, []string{"kind", "result"})
	reg.MustRegister(tx, &storeCollector{db: db, log: log})
	db.ObserveTransactions(func(kind, result string, took time.Duration) {
		tx.WithLabelValues(kind, result).Observe(took.Seconds())
	})
}

var (
	descWriteHealthy = prometheus.NewDesc("helpcentre_store_write_healthy",
		"1 while database writes work; 0 after a commit failed in storage (disk full, I/O error) until a write succeeds (/readyz answers 503 meanwhile).", nil, nil)
	descOutboxPending = prometheus.NewDesc("helpcentre_outbox_pending_events",
		"Outbox events not delivered yet, by event type.", []string{"type"}, nil)
	descOutboxRetrying = prometheus.NewDesc("helpcentre_outbox_retrying_events",
		"Pending outbox events whose delivery failed at least once, by event type.", []string{"type"}, nil)
	descOutboxDead = prometheus.NewDesc("helpcentre_outbox_dead_events",
		"Outbox events given up on after the last retry, by event type.", []string{"type"}, nil)
	descOutboxOldest = prometheus.NewDesc("helpcentre_outbox_oldest_pending_age_seconds",
		"Age of the oldest pending outbox event, by event type.", []string{"type"}, nil)
	descMailPending = prometheus.NewDesc("helpcentre_mail_queue_pending_mails",
		"Mails waiting to be sent through SMTP (neither sent nor given up).", nil, nil)
	descMailRetrying = prometheus.NewDesc("helpcentre_mail_queue_retrying_mails",
		"Waiting mails whose sending failed at least once.", nil, nil)
	descMailOldest = prometheus.NewDesc("helpcentre_mail_queue_oldest_age_seconds",
		"Age of the oldest waiting mail (0: none waiting).", nil, nil)
	descTranslations = prometheus.NewDesc("helpcentre_translation_queue_jobs",
		"Message translations waiting for the translation engine.", nil, nil)
	descTranslationsOldest = prometheus.NewDesc("helpcentre_translation_queue_oldest_age_seconds",
		"How long the translation due first has been due (0: none waiting, or not due yet).", nil, nil)
)

// storeCollector reads the store's health and queues at scrape time.
type storeCollector struct {
	db  *bolt.DB
	log *slog.Logger
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWriteHealthy, descOutboxPending, descOutboxRetrying, descOutboxDead, descOutboxOldest, descMailPending, descMailRetrying, descMailOldest, descTranslations, descTranslationsOldest} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	healthy := 1.0
	if c.db.WriteHealth() != nil {
		healthy = 0
	}
	ch <- prometheus.MustNewConstMetric(descWriteHealthy, prometheus.GaugeValue, healthy)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.db.QueueStats(ctx)
	if err != nil {
		// The other metrics still go out; a failed scrape would hide them.
		c.log.Error("metrics: reading the queues", "err", err)
		return
	}
	now := time.Now()
	for typ, s := range st.Outbox {
		ch <- prometheus.MustNewConstMetric(descOutboxPending, prometheus.GaugeValue, float64(s.Pending), typ)
		ch <- prometheus.MustNewConstMetric(descOutboxRetrying, prometheus.GaugeValue, float64(s.Retrying), typ)
		ch <- prometheus.MustNewConstMetric(descOutboxDead, prometheus.GaugeValue, float64(s.Dead), typ)
		age := 0.0
		if !s.Oldest.IsZero() {
			age = max(0, now.Sub(s.Oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(descOutboxOldest, prometheus.GaugeValue, age, typ)
	}
	ch <- prometheus.MustNewConstMetric(descMailPending, prometheus.GaugeValue, float64(st.Mail.Pending))
	ch <- prometheus.MustNewConstMetric(descMailRetrying, prometheus.GaugeValue, float64(st.Mail.Retrying))
	mailAge := 0.0
	if !st.Mail.Oldest.IsZero() {
		mailAge = max(0, now.Sub(st.Mail.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descMailOldest, prometheus.GaugeValue, mailAge)
	ch <- prometheus.MustNewConstMetric(descTranslations, prometheus.GaugeValue, float64(st.Translations))
	age := 0.0
	if !st.TranslationsOldest.IsZero() {
		age = max(0, now.Sub(st.TranslationsOldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descTranslationsOldest, prometheus.GaugeValue, age)
}

// countingOutbox counts the outbox's failed delivery attempts, whichever
// worker reports them (webhooks, or any other sender of outbox events).
type countingOutbox struct {
	domain.OutboxService
	failures *prometheus.CounterVec
}

// observeOutbox registers the delivery failure counter and returns o
// counting into it.
func observeOutbox(reg prometheus.Registerer, o domain.OutboxService) domain.OutboxService {
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "helpcentre_outbox_delivery_failures_total",
		Help: "Failed delivery attempts of outbox events, by whether the event was given up on (dead) or will be retried.",
	}, []string{"outcome"})
	failures.WithLabelValues("retry")
	failures.WithLabelValues("dead")
	reg.MustRegister(failures)
	return &countingOutbox{OutboxService: o, failures: failures}
}

// MarkFailed records the failure (see domain.OutboxService) and counts it.
// Errors: not_found.
func (o *countingOutbox) MarkFailed(ctx context.Context, id string, at time.Time, errText string, next time.Time, dead bool) error {
	err := o.OutboxService.MarkFailed(ctx, id, at, errText, next, dead)
	if err == nil {
		outcome := "retry"
		if dead {
			outcome = "dead"
		}
		o.failures.WithLabelValues(outcome).Inc()
	}
	return err
}
