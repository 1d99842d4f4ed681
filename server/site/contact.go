package site

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/deflect"
	"github.com/marketplace/helpcentre/server/web"
)

// The help centre's own contact page runs the widget's flow inline (the same
// script, mounted in the page): subject and question, suggestions as they
// are typed, the form staying on screen, then the hand-off. Without
// JavaScript the same flow runs through plain forms: the question (POST
// /{locale}/contact) → suggestions on the next page → "still need help"
// (POST /{locale}/contact/send) → the confirmation with the reference.
//
// A signed-in customer's hand-off is theirs (the widget gets a customer
// token, the forms use the session): it appears in their account's
// messages, optionally about one of their orders. Anyone else gives an email.

// contactView is what the contact pages show.
type contactView struct {
	Widget   string
	Token    string // a signed-in customer's widget token
	Name     string // the signed-in customer's name
	Orders   []domain.Order
	Order    string // the order picked
	CSRF     string
	Session  string
	Subject  string
	Question string
	Email    string
	Error    string
	Answer   *deflect.Answer
	Sent     *deflect.HandedOff
	Within   string
	Popular  any
}

// contactCaller is the caller of the contact pages: the signed-in customer
// (by the session cookie), or nobody. Staff signed in are nobody here: hand-offs
// come from customers.
func (s *Handler) contactCaller(c *fiber.Ctx) context.Context {
	ctx := c.UserContext()
	if s.sessions == nil {
		return ctx
	}
	a := s.sessions.SignedIn(c)
	if a.Role != domain.RoleCustomer {
		if a.Anonymous() {
			return ctx
		}
		// CSRF tokens are bound to the session either way.
		return domain.WithActor(ctx, domain.Actor{TokenID: a.TokenID})
	}
	ctx = domain.WithActor(ctx, a)
	c.SetUserContext(ctx)
	return ctx
}

// contactView fills what every contact page shows to the caller.
func (s *Handler) newContactView(c *fiber.Ctx, ctx context.Context) *contactView {
	v := &contactView{Widget: s.WidgetPath()}
	c.SetUserContext(ctx)
	if s.sessions != nil {
		v.CSRF = s.sessions.CSRFToken(c)
	}
	a := domain.ActorFrom(ctx)
	if a.Role == domain.RoleCustomer && !a.Anonymous() {
		v.Name = a.Name
		if s.dom != nil && s.dom.Access != nil {
			if u, err := s.dom.Access.FindUser(ctx, a.UserID); err == nil && u.Display != "" {
				v.Name = u.Display
			}
		}
		if s.contact != nil {
			v.Token = s.contact.WidgetToken(a.UserID)
		}
		if s.dom != nil && s.dom.Orders != nil {
			orders, _, err := s.dom.Orders.ListOrders(ctx, "", 20)
			if err != nil {
				s.log.Error("contact page: the customer's orders", "err", err)
			}
			v.Orders = orders
		}
	}
	return v
}

func (s *Handler) renderContact(c *fiber.Ctx, status int, page, locale string, v *contactView) error {
	title := tr(locale, "contact")
	switch page {
	case "contact_sent":
		title = ct(locale, "sent_title")
	case "contact_suggest":
		title = ct(locale, "suggest_title")
	}
	alts := []alternate{{"en", "/en/contact"}, {"es", "/es/contact"}}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, page, pageData{Title: title, Description: tr(locale, "contact_intro"), Locale: locale, NoIndex: page != "contact",
		Canonical: "/" + locale + "/contact", Alternates: alts, Switch: alternate{otherLocale(locale), "/" + otherLocale(locale) + "/contact"}, Body: v})
}

// Contact is the contact page.
func (s *Handler) Contact(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) {
		return fiber.ErrNotFound
	}
	v := s.newContactView(c, s.contactCaller(c))
	v.Popular = s.popular(c, locale, 4)
	return s.renderContact(c, fiber.StatusOK, "contact", locale, v)
}

// contactForm reads the plain form and checks its CSRF token; a refusal is
// shown on the page it came from.
func (s *Handler) contactForm(c *fiber.Ctx, locale string) (context.Context, *contactView, bool) {
	ctx := s.contactCaller(c)
	v := s.newContactView(c, ctx)
	v.Session = strings.TrimSpace(c.FormValue("session"))
	v.Subject, v.Question = strings.TrimSpace(c.FormValue("subject")), strings.TrimSpace(c.FormValue("body"))
	v.Email, v.Order = strings.TrimSpace(c.FormValue("email")), strings.TrimSpace(c.FormValue("order"))
	if s.sessions != nil && s.sessions.CSRFRefusal(c) != "" {
		v.Error = ct(locale, "err_expired")
		return ctx, v, false
	}
	return ctx, v, true
}

// ContactAsk is the plain form's first step: the question, answered with
// suggestions and the "still need help" form.
func (s *Handler) ContactAsk(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) || s.contact == nil {
		return fiber.ErrNotFound
	}
	ctx, v, ok := s.contactForm(c, locale)
	if !ok {
		return s.renderContact(c, fiber.StatusForbidden, "contact", locale, v)
	}
	if v.Subject+v.Question == "" {
		v.Error = ct(locale, "err_text")
		return s.renderContact(c, fiber.StatusUnprocessableEntity, "contact", locale, v)
	}
	a, err := s.contact.Ask(c, ctx, deflect.Question{Session: v.Session, Subject: v.Subject, Body: v.Question, Locale: locale, Order: v.Order})
	if err != nil {
		if domain.ErrorKind(err) == domain.Internal {
			return err
		}
		v.Error = contactError(locale, err)
		return s.renderContact(c, web.Status(err), "contact", locale, v)
	}
	v.Answer, v.Session = a, a.Session
	return s.renderContact(c, fiber.StatusOK, "contact_suggest", locale, v)
}

// ContactSend is the plain form's last step: the hand-off, confirmed with
// its reference and what happens next.
func (s *Handler) ContactSend(c *fiber.Ctx) error {
	locale := c.Params("locale")
	if !hasUI(locale) || s.contact == nil {
		return fiber.ErrNotFound
	}
	ctx, v, ok := s.contactForm(c, locale)
	v.Answer = &deflect.Answer{Session: v.Session}
	if !ok {
		return s.renderContact(c, fiber.StatusForbidden, "contact_suggest", locale, v)
	}
	email := v.Email
	if !domain.ActorFrom(ctx).Anonymous() {
		email = ""
	}
	sent, err := s.contact.HandOff(c, ctx, v.Session, v.Subject, v.Question, email)
	if err != nil {
		if domain.ErrorKind(err) == domain.Internal {
			return err
		}
		v.Error = contactError(locale, err)
		return s.renderContact(c, web.Status(err), "contact_suggest", locale, v)
	}
	v.Sent = sent
	v.Within = inWords(locale, s.contact.AnswerWithin())
	return s.renderContact(c, fiber.StatusOK, "contact_sent", locale, v)
}

// ContactRedirect sends /contact to the contact page of the reader's language.
func (s *Handler) ContactRedirect(c *fiber.Ctx) error {
	return c.Redirect("/"+pageLocale(c)+"/contact", fiber.StatusFound)
}

// DeflectionReportRedirect sends the report's old address to its page in
// customer care's back office.
func (s *Handler) DeflectionReportRedirect(c *fiber.Ctx) error {
	return c.Redirect("/operator/deflection"+deflect.ReportQuery(c), fiber.StatusFound)
}

// nextText is the confirmation's "what happens next".
func nextText(locale string, v *contactView) string {
	if v.Sent != nil && v.Sent.By == "email" {
		return fmt.Sprintf(ct(locale, "next_email"), v.Within, v.Email)
	}
	return fmt.Sprintf(ct(locale, "next_account"), v.Within)
}

// guestView is an anonymous visitor's conversation, opened by a mailed link.
type guestView struct {
	Thread   *domain.Thread
	Verified bool // this visit confirmed the address
	Sent     bool
	Token    string
	CSRF     string
	Body     string
	Error    string
	Invalid  bool
}

// guest resolves a mailed link to the visitor's thread and address.
func (s *Handler) guest(c *fiber.Ctx) (threadID, email string, ok bool) {
	guests, _ := s.threads().(domain.GuestThreads)
	if guests == nil || s.contact == nil {
		return "", "", false
	}
	token := c.Params("token")
	id := deflect.GuestThreadOf(token)
	email, err := guests.HandoffEmail(c.UserContext(), id)
	if err != nil || !s.contact.CheckGuestToken(token, email, time.Now()) {
		return "", "", false
	}
	return id, email, true
}

func (s *Handler) threads() domain.ThreadService {
	if s.dom == nil {
		return nil
	}
	return s.dom.Threads
}

// GuestThread shows an anonymous visitor their conversation with customer
// care (GET) or takes their answer (POST), through the link mailed to them.
func (s *Handler) GuestThread(c *fiber.Ctx) error {
	id, email, ok := s.guest(c)
	v := &guestView{Token: c.Params("token")}
	if s.sessions != nil {
		v.CSRF = s.sessions.CSRFToken(c)
	}
	locale := pageLocale(c)
	if !ok {
		v.Invalid = true
		return s.renderGuest(c, fiber.StatusNotFound, locale, v)
	}
	guests := s.threads().(domain.GuestThreads)
	status := fiber.StatusOK
	if c.Method() == fiber.MethodPost {
		v.Body = strings.TrimSpace(c.FormValue("body"))
		switch {
		case s.sessions != nil && s.sessions.CSRFRefusal(c) != "":
			v.Error, status = "err_expired", fiber.StatusForbidden
		default:
			if _, err := guests.GuestReply(c.UserContext(), id, email, v.Body); err != nil {
				if domain.ErrorKind(err) == domain.Internal {
					return err
				}
				v.Error, status = "", web.Status(err)
				v.Error = contactErrorKey(err)
			} else {
				return c.Redirect("/contact/c/"+v.Token+"?sent=1#latest", fiber.StatusSeeOther)
			}
		}
	}
	th, err := guests.GuestThread(c.UserContext(), id, email, domain.MessagePage{Cursor: c.Query("before")})
	if err != nil {
		return err
	}
	v.Thread, v.Sent = th, c.Query("sent") == "1"
	v.Verified = th.EmailVerifiedAt != nil && time.Since(*th.EmailVerifiedAt) < time.Minute
	return s.renderGuest(c, status, domain.MailLocale(th.Locale), v)
}

func contactErrorKey(err error) string {
	switch domain.ErrorCode(err) {
	case domain.CodeInvalidMessage:
		return "err_text"
	case domain.CodeTooManyMessages:
		return "err_busy"
	}
	return "err_other"
}

func (s *Handler) renderGuest(c *fiber.Ctx, status int, locale string, v *guestView) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer") // the link is a secret
	return s.render(c, status, "contact_thread", pageData{Title: ct(locale, "conv_title"), Locale: locale, NoIndex: true,
		Switch: alternate{otherLocale(locale), "/" + otherLocale(locale) + "/contact"}, Body: v})
}
