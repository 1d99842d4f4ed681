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

// readerLang is the language a reader reads display texts in: ?lang=, or
// their own.
func readerLang(c *fiber.Ctx) string {
	lang := c.Query("lang")
	if lang == "" || domain.ValidateLocale(lang) != nil {
		lang = web.ReaderLang(c)
	}
	return lang
}

// incidentJSON and claimJSON are a case with its description as its reader
// should see it, chosen as a message's display is.
type incidentJSON struct {
	*domain.Incident
	DescriptionDisplay *messageDisplay `json:"description_display,omitempty"`
}

type claimJSON struct {
	*domain.Claim
	DescriptionDisplay *messageDisplay `json:"description_display,omitempty"`
}

// caseDisplay is what a reader of lang sees of a case's description; nil
// when there is none.
func caseDisplay(text string, ct domain.CaseText, lang string) *messageDisplay {
	if text == "" {
		return nil
	}
	d := displayFor(domain.Message{Body: text, Language: ct.DescriptionLanguage, Translations: ct.DescriptionTranslations}, lang)
	return &d
}

// threadForReader is th as the API shows it to a reader of lang (?lang=, or
// the reader's own language).
func (s *Handler) threadForReader(c *fiber.Ctx, th *domain.Thread) threadJSON {
	lang := readerLang(c)
	out := threadJSON{Thread: *th, Lang: lang}
	domain.HideInternals(domain.ActorFrom(c.UserContext()), &out.Thread)
	out.Thread.Messages = nil
	for _, m := range th.Messages {
		out.Messages = append(out.Messages, messageJSON{Message: m, Display: displayFor(m, lang)})
	}
	return out
}
