package backoffice

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/server/web"
)

// safeNext keeps a post-sign-in redirect on this site: a path, not a URL.
func safeNext(next string, r domain.Role) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return homeFor(r)
	}
	return next
}

func (s *Handler) Login(c *fiber.Ctx) error {
	if a := s.sessions.SignedIn(c); !a.Anonymous() {
		return c.Redirect(safeNext(c.Query("next"), a.Role), fiber.StatusSeeOther)
	}
	return s.renderBO(c, fiber.StatusOK, "login", boPage{Title: "Sign in", Form: map[string]string{"next": c.Query("next")}})
}

func (s *Handler) LoginPost(c *fiber.Ctx) error {
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
	tok, err := s.dom.Access.CreateToken(domain.WithActor(c.UserContext(), a), a.UserID, domain.SessionTokenLabel, web.SessionTTL)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: web.SessionCookie, Value: tok.Secret, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", Expires: time.Now().Add(web.SessionTTL)})
	c.ClearCookie(web.PreCookie)
	return c.Redirect(safeNext(form["next"], a.Role), fiber.StatusSeeOther)
}

func (s *Handler) Logout(c *fiber.Ctx) error {
	a := domain.ActorFrom(c.UserContext())
	if err := s.dom.Access.RevokeToken(c.UserContext(), a.TokenID); err != nil && domain.ErrorKind(err) != domain.NotFound {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: web.SessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax", Expires: time.Unix(1, 0)})
	return c.Redirect("/login?done=signed_out", fiber.StatusSeeOther)
}

func (s *Handler) Password(c *fiber.Ctx) error {
	return s.renderBO(c, fiber.StatusOK, "password", boPage{Title: "Change your password"})
}

func (s *Handler) PasswordPost(c *fiber.Ctx) error {
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
