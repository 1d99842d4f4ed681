package backoffice

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// notificationsView is the customer's notifications page: what they were
// told in-app, and which of those also come by email.
type notificationsView struct {
	Prefs         domain.MailPrefs
	Notifications []domain.Notification
	Email         string
}

// AccountNotifications shows the customer's notifications and their
// choice of emails.
func (s *Handler) AccountNotifications(c *fiber.Ctx) error {
	if s.dom.Mail == nil || s.dom.Outbox == nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	p, err := s.dom.Mail.MailPreferences(ctx)
	if err != nil {
		return err
	}
	ns, err := s.dom.Outbox.Notifications(ctx, false, 30)
	if err != nil {
		return err
	}
	v := notificationsView{Prefs: p, Notifications: ns}
	if u, err := s.dom.Access.FindUser(ctx, domain.ActorFrom(ctx).UserID); err == nil {
		v.Email = u.Email
	}
	return s.renderBO(c, fiber.StatusOK, "account_notifications", boPage{Title: "Notifications", Body: v})
}

// AccountNotificationsSave stores the customer's choice of emails.
func (s *Handler) AccountNotificationsSave(c *fiber.Ctx) error {
	if s.dom.Mail == nil {
		return fiber.ErrNotFound
	}
	p := domain.MailPrefs{Refunds: c.FormValue(domain.MailRefunds) == "on", Replies: c.FormValue(domain.MailReplies) == "on",
		Claims: c.FormValue(domain.MailClaims) == "on"}
	if _, err := s.dom.Mail.SetMailPreferences(c.UserContext(), p); err != nil {
		return err
	}
	return c.Redirect("/account/notifications?done=email_prefs", fiber.StatusSeeOther)
}
