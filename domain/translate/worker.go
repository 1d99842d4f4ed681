// Package translate works off the translations messages wait for: it asks
// the configured engine, stores what comes back on the message, and retries
// while the engine is down, so a conversation never waits for it.
package translate

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// DefaultTimeout bounds one translation when Worker.Timeout is not set (the
// Apertium client's own request timeout).
const DefaultTimeout = 10 * time.Second

// Worker translates queued messages. Set the fields, then Run. Each replica
// runs one: a round claims its jobs (DueTranslations) for domain.ClaimLease,
// so no two workers translate the same job at once.
type Worker struct {
	Queue      domain.TranslationQueue
	Translator domain.Translator
	Engine     string // recorded on each translation, e.g. "apertium"
	// Retryable reports whether an error of Translator is worth retrying
	// (the engine was unreachable or busy); other errors are final.
	Retryable func(error) bool
	// Unsupported reports whether an error means no engine for the pair.
	Unsupported func(error) bool
	Poll        time.Duration // how often to look for work when not kicked (default 1 s)
	Concurrency int           // translations at once (default 2)
	// Timeout bounds one translation (default DefaultTimeout): a job is
	// started only while its claim covers it (domain.ClaimCovers).
	Timeout time.Duration
	Now     func() time.Time
	Log     *slog.Logger

	kick chan struct{}
	once sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.kick = make(chan struct{}, 1)
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
		if w.Concurrency <= 0 {
			w.Concurrency = 2
		}
		if w.Timeout <= 0 {
			w.Timeout = DefaultTimeout
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Retryable == nil {
			w.Retryable = func(error) bool { return true }
		}
		if w.Unsupported == nil {
			w.Unsupported = func(error) bool { return false }
		}
	})
}

// Kick asks the worker to look for work now (after a message was posted).
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run works until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for w.RunOnce(ctx) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
	}
}

// RunOnce claims the jobs due now (up to a batch), translates them and
// returns how many it claimed. A job whose claim would end before its
// translation could time out is left to come back when the claim ends.
func (w *Worker) RunOnce(ctx context.Context) int {
	w.init()
	jobs, texts, err := w.Queue.DueTranslations(ctx, w.Now(), 32)
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("translation queue", "err", err)
		}
		return 0
	}
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	for i := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func(job domain.TranslationJob, text string) {
			defer func() { <-sem; wg.Done() }()
			w.translate(ctx, job, text)
		}(jobs[i], texts[i])
	}
	wg.Wait()
	return len(jobs)
}

func (w *Worker) translate(ctx context.Context, job domain.TranslationJob, text string) {
	if !domain.ClaimCovers(job.Due, w.Now(), w.Timeout) {
		return
	}
	tctx, cancel := context.WithTimeout(ctx, w.Timeout)
	out, err := w.Translator.Translate(tctx, text, job.From, job.To)
	cancel()
	tr := domain.Translation{Engine: w.Engine}
	var retry *time.Time
	switch {
	case err == nil:
		tr.Status, tr.Text = domain.TranslationDone, out
	case ctx.Err() != nil:
		return // shutting down: the job stays queued
	case w.Unsupported(err):
		tr.Status, tr.Error = domain.TranslationUnsupported, "No translation engine for "+job.From+" → "+job.To+"."
	case w.Retryable(err):
		tr.Status, tr.Error = domain.TranslationPending, "The translation engine is unavailable; retrying."
		at := domain.TranslationRetry(job.Attempts+1, w.Now())
		retry = &at
		w.Log.Warn("translation engine unavailable; will retry", "message", job.MessageID, "to", job.To, "at", at, "err", err)
	default:
		tr.Status, tr.Error = domain.TranslationFailed, "The translation engine could not translate this message; the original is shown."
		w.Log.Warn("translation failed", "message", job.MessageID, "to", job.To, "err", err)
	}
	if err := w.Queue.SaveTranslation(ctx, job, tr, retry); err != nil && ctx.Err() == nil {
		w.Log.Error("saving a translation", "message", job.MessageID, "err", err)
	}
}
