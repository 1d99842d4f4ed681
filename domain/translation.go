package domain

import (
	"context"
	"slices"
	"time"
)

// Translator turns text from one language into another (Apertium's APY in
// production). Errors a caller may retry are reported by the adapter (see
// TranslationWorker.Retryable).
type Translator interface {
	// Translate returns text, in language from, in language to.
	// Errors: none of the domain's: the adapter's own, which the worker's
	// Retryable sorts into worth retrying or not.
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// Translation statuses.
const (
	TranslationPending     = "pending"     // queued; the original is shown meanwhile
	TranslationDone        = "done"        // Text holds the translation
	TranslationFailed      = "failed"      // gave up (e.g. too long for the engine); the original stays
	TranslationUnsupported = "unsupported" // no engine for this pair
)

// TranslationJob is one message, or one case's description, to translate
// into one language.
type TranslationJob struct {
	ThreadID  string    `json:"thread_id,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Case      string    `json:"case,omitempty"` // "incident:<id>" or "claim:<id>": its description, not a message
	From      string    `json:"from"`
	To        string    `json:"to"`
	Attempts  int       `json:"attempts"`
	Due       time.Time `json:"due"`               // when it is due (claimed: when its claim ends): part of its queue key
	Claimed   bool      `json:"claimed,omitempty"` // a worker holds it until Due (ClaimLease)
}

// TranslationQueue is where messages wait for their translations: written in
// the message's own transaction, so none is lost, and worked off the request
// path.
type TranslationQueue interface {
	// DueTranslations claims up to n jobs due at now, with the text to
	// translate (the message's original body), for ClaimLease, as
	// OutboxService.Due claims events: each job returned is due at
	// now+ClaimLease, when it comes back unless SaveTranslation settled it.
	// Errors: none.
	DueTranslations(ctx context.Context, now time.Time, n int) ([]TranslationJob, []string, error)
	// SaveTranslation records the outcome of job, as DueTranslations
	// claimed it: tr is stored on the message; retryAt non-nil requeues the
	// job for then. A job no longer claimed by its caller (the lease ran
	// out and another worker claimed it) is left to that worker.
	// Errors: none.
	SaveTranslation(ctx context.Context, job TranslationJob, tr Translation, retryAt *time.Time) error
}

// TranslationTargets are the languages a message must be translated into:
// the languages of the parties who may read it, other than its own. Parties
// with an unknown language are left out.
func TranslationTargets(m *Message, readers map[Party]string) []string {
	var out []string
	for _, p := range []Party{PartyCustomer, PartySeller, PartyOperator} {
		lang := readers[p]
		if lang == "" || lang == m.Language || slices.Contains(out, lang) {
			continue
		}
		if p == m.From || !PartyCanSee(p, m) {
			continue // the author's side reads its own language
		}
		out = append(out, lang)
	}
	return out
}

// TranslationRetry is when a failed attempt is tried again: 5 s, 15 s, 45 s,
// … capped at 10 minutes. The engine being down is not the message's fault:
// it is retried until the engine returns.
func TranslationRetry(attempts int, now time.Time) time.Time {
	d := 5 * time.Second
	for i := 1; i < attempts && d < 10*time.Minute; i++ {
		d *= 3
	}
	return now.Add(min(d, 10*time.Minute))
}

// CaseText is the language of an incident's or claim's description and its
// machine translations, kept like a message's: the original stays, each
// reader sees it in their language when a translator is configured.
type CaseText struct {
	DescriptionLanguage     string                 `json:"description_language,omitempty"`
	DescriptionTranslations map[string]Translation `json:"description_translations,omitempty"`
}

// CaseTranslationTargets are the languages a case's description (in lang)
// must be translated into: those of the customer, the shop and customer
// care, other than its own. Unknown languages are left out.
func CaseTranslationTargets(lang string, readers map[Party]string) []string {
	var out []string
	for _, p := range []Party{PartyCustomer, PartySeller, PartyOperator} {
		if l := readers[p]; l != "" && l != lang && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}
