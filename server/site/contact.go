package site

import (
	"github.com/gofiber/fiber/v2"
	"github.com/marketplace/helpcentre/server/deflect"
)

// The help centre's own contact page runs the widget's flow inline (the same
// script, mounted in the page): subject and question, suggestions as they
// are typed, the form staying on screen, then the hand-off.

// Contact is the contact page.
func (s *Handler) Contact(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) {
		return fiber.ErrNotFound
	}
	alts := []alternate{{"en", "/en/contact"}, {"es", "/es/contact"}}
	return s.render(c, fiber.StatusOK, "contact", pageData{Title: tr(locale, "contact"), Description: tr(locale, "contact_intro"), Locale: locale,
		Canonical: "/" + locale + "/contact", Alternates: alts, Switch: alternate{otherLocale(locale), "/" + otherLocale(locale) + "/contact"},
		Body: map[string]any{"Widget": s.WidgetPath(), "Popular": s.popular(c, locale, 4)}})
}

// DeflectionReportRedirect sends the report's old address to its page in
// customer care's back office.
func (s *Handler) DeflectionReportRedirect(c *fiber.Ctx) error {
	return c.Redirect("/operator/deflection"+deflect.ReportQuery(c), fiber.StatusFound)
}

// ContactRedirect sends /contact to the contact page of the reader's language.
func (s *Handler) ContactRedirect(c *fiber.Ctx) error {
	return c.Redirect("/"+pageLocale(c)+"/contact", fiber.StatusFound)
}
