package search

import (
	"context"
	"strings"
	"time"
)

// QueryTranslator turns a question into another language (the message
// translator, Apertium). With one, a question in a locale whose articles do
// not answer it is also asked of the default locale's articles, translated,
// and the answer says so.
type QueryTranslator interface {
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// translateTimeout bounds the wait for the engine: a slow or dead engine
// costs a search at most this, then the untranslated answer stands.
const translateTimeout = 400 * time.Millisecond

// SetTranslator gives the engine a query translator (nil: none). Call it
// before serving.
func (e *Engine) SetTranslator(t QueryTranslator) { e.translator = t }

// translateQuery returns q in the default locale, or "" when there is no
// translator, the engine fails or the translation changes nothing.
func (e *Engine) translateQuery(ctx context.Context, q, from string) string {
	if e.translator == nil || from == e.opts.DefaultLocale || strings.TrimSpace(q) == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, translateTimeout)
	defer cancel()
	out, err := e.translator.Translate(ctx, q, from, e.opts.DefaultLocale)
	if err != nil {
		return ""
	}
	out = strings.TrimSpace(out)
	if strings.EqualFold(out, strings.TrimSpace(q)) {
		return ""
	}
	return out
}
