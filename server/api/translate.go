package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// messageJSON is a message with what its reader should see: the translation
// into their language when one is done (marked machine-translated), else the
// original. The original and every translation stay in the message.
type messageJSON struct {
	domain.Message
	Display messageDisplay `json:"display"`
}

type messageDisplay struct {
	Text              string `json:"text"`
	Language          string `json:"language"`
	MachineTranslated bool   `json:"machine_translated"`
	Status            string `json:"translation_status,omitempty"` // pending, failed, unsupported: why the original is shown
}

type threadJSON struct {
	domain.Thread
	Lang     string        `json:"lang"` // the language the display texts are for
	Messages []messageJSON `json:"messages,omitempty"`
}

// displayFor chooses what a reader of lang sees of m.
func displayFor(m domain.Message, lang string) messageDisplay {
	d := messageDisplay{Text: m.Body, Language: m.Language}
	if lang == "" || lang == m.Language {
		return d
	}
	tr, ok := m.Translations[lang]
	if !ok {
		return d
	}
	if tr.Status == domain.TranslationDone {
		return messageDisplay{Text: tr.Text, Language: lang, MachineTranslated: true}
	}
	d.Status = tr.Status
	return d
}

// threadForReader is th as the API shows it to a reader of lang (?lang=, or
// the reader's own language).
func (s *Handler) threadForReader(c *fiber.Ctx, th *domain.Thread) threadJSON {
	lang := c.Query("lang")
	if lang == "" || domain.ValidateLocale(lang) != nil {
		lang = web.ReaderLang(c)
	}
	out := threadJSON{Thread: *th, Lang: lang}
	out.Thread.Messages = nil
	for _, m := range th.Messages {
		out.Messages = append(out.Messages, messageJSON{Message: m, Display: displayFor(m, lang)})
	}
	return out
}
