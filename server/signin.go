package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

// safeNext keeps a post-sign-in redirect on this site: a path, not a URL.
func safeNext(next string, r domain.Role) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return homeFor(r)
	}
	return next
}

func (s *Server) pageLogin(c *fiber.Ctx) error {
	if a := s.signedIn(c); !a.Anonymous() {
		return c.Redirect(safeNext(c.Query("next"), a.Role), fiber.StatusSeeOther)
	}
	return s.renderBO(c, fiber.StatusOK, "login", boPage{Title: "Sign in", Form: map[string]string{"next": c.Query("next")}})
}

func (s *Server) pageLoginPost(c *fiber.Ctx) error {
	name := strings.ToLower(strings.TrimSpace(c.FormValue("name")))
	form := map[string]string{"name": name, "next": c.FormValue("next")}
	if name == "" || c.FormValue("password") == "" {
		errs := map[string]string{}
		if name == "" {
			errs["name"] = "Enter your user name."
		}
		if c.FormValue("password") == "" {
			errs["password"] = "Enter your password."
		}
		return s.renderBO(c, fiber.StatusBadRequest, "login", boPage{Title: "Sign in", Form: form, Errors: errs})
	}
	a, err := s.dom.Access.Login(c.UserContext(), name, c.FormValue("password"))
	if domain.ErrorKind(err) == domain.Unauthorized {
		return s.renderBO(c, fiber.StatusUnauthorized, "login", boPage{Title: "Sign in", Form: form,
			Errors: map[string]string{"": "That user name and password do not match."}})
	}
	if err != nil {
		return err
	}
	tok, err := s.dom.Access.CreateToken(domain.WithActor(c.UserContext(), a), a.UserID, "browser session", SessionTTL)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: tok.Secret, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(SessionTTL)})
	c.ClearCookie(preCookie)
	return c.Redirect(safeNext(form["next"], a.Role), fiber.StatusSeeOther)
}

func (s *Server) pageLogout(c *fiber.Ctx) error {
	a := domain.ActorFrom(c.UserContext())
	if err := s.dom.Access.RevokeToken(c.UserContext(), a.TokenID); err != nil && domain.ErrorKind(err) != domain.NotFound {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax", Expires: time.Unix(1, 0)})
	return c.Redirect("/login?done=signed_out", fiber.StatusSeeOther)
}

func (s *Server) pagePassword(c *fiber.Ctx) error {
	return s.renderBO(c, fiber.StatusOK, "password", boPage{Title: "Change your password"})
}

func (s *Server) pagePasswordPost(c *fiber.Ctx) error {
	a := domain.ActorFrom(c.UserContext())
	current, next, again := c.FormValue("current"), c.FormValue("password"), c.FormValue("again")
	errs := map[string]string{}
	switch {
	case current == "":
		errs["current"] = "Enter your current password."
	case next != again:
		errs["again"] = "The two new passwords differ."
	}
	if err := domain.ValidatePassword(next); err != nil {
		errs["password"] = domain.ErrorMessage(err)
	}
	if len(errs) == 0 {
		err := s.dom.Access.SetPassword(c.UserContext(), a.UserID, current, next)
		switch domain.ErrorCode(err) {
		case "":
			return c.Redirect(homeFor(a.Role)+"?done=password", fiber.StatusSeeOther)
		case domain.CodeBadCredentials:
			errs["current"] = "That is not your current password."
		case domain.CodeInvalidPassword:
			errs["password"] = domain.ErrorMessage(err)
		default:
			return err
		}
	}
	return s.renderBO(c, fiber.StatusBadRequest, "password", boPage{Title: "Change your password", Errors: errs})
}

// formatMoney shows minor units with their currency: 1299 EUR → "€12.99".
func formatMoney(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	sym := map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}[currency]
	if sym == "" {
		return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, currency)
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, sym, amount/100, amount%100)
}

// formatTime shows an instant in UTC, to the minute.
func formatTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2 Jan 2006 15:04 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return formatTime(*v)
	}
	return ""
}

func formatAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// formatUntil says how long is left, or how late it is.
func formatUntil(d time.Duration) string {
	late := d < 0
	if late {
		d = -d
	}
	var s string
	switch {
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 72*time.Hour:
		s = fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if late {
		return s + " overdue"
	}
	return s + " left"
}
