package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// feedbackLimit keeps one client from flooding the votes: 20 a minute.
func (s *Server) feedbackLimit() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          20,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "fb:" + c.IP() },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}

// vote validates and stores one "Was this helpful?" answer for a public article.
func (s *Server) vote(c *fiber.Ctx, id, locale string, helpful bool, reason, comment string) (*domain.Vote, error) {
	if s.feedback == nil {
		return nil, &apiError{status: fiber.StatusServiceUnavailable, code: "feedback_unavailable", detail: "Feedback is not being collected right now."}
	}
	a, ok := s.findArticle(id, locale, s.audience(c))
	if !ok {
		return nil, notFound("No article has the id \"" + id + "\".")
	}
	v := &domain.Vote{ArticleID: a.ID, Locale: a.Locale, Helpful: helpful, Reason: strings.TrimSpace(reason), Comment: strings.TrimSpace(comment)}
	if helpful {
		v.Reason = ""
	}
	if err := s.feedback.RecordVote(c.UserContext(), v); err != nil {
		return nil, err
	}
	return v, nil
}

// pageFeedback takes the article page's form (no script needed) and
// redirects back to the article, which then thanks the reader.
func (s *Server) pageFeedback(c *fiber.Ctx) error {
	locale := c.Params("locale")
	helpful := c.FormValue("helpful")
	if helpful != "yes" && helpful != "no" {
		return badRequest("invalid_vote", "helpful must be yes or no")
	}
	v, err := s.vote(c, c.Params("id"), locale, helpful == "yes", c.FormValue("reason"), c.FormValue("comment"))
	if err != nil {
		return err
	}
	a, _ := s.findArticle(v.ArticleID, v.Locale, search.Anonymous)
	return c.Redirect(a.URL()+"?feedback="+helpful+"#feedback", fiber.StatusSeeOther)
}

type voteJSON struct {
	Helpful *bool  `json:"helpful"`
	Reason  string `json:"reason"`
	Comment string `json:"comment"`
	Locale  string `json:"locale"`
}

func (s *Server) apiVote(c *fiber.Ctx) error {
	var in voteJSON
	if err := c.BodyParser(&in); err != nil || in.Helpful == nil {
		return badRequest("invalid_body", `send JSON like {"helpful": false, "reason": "unclear", "locale": "en"}`)
	}
	locale := in.Locale
	if locale == "" {
		locale = "en"
	}
	v, err := s.vote(c, c.Params("id"), locale, *in.Helpful, in.Reason, in.Comment)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": v.ID, "article": v.ArticleID, "locale": v.Locale, "helpful": v.Helpful})
}

func (s *Server) apiFeedbackSummary(c *fiber.Ctx) error {
	if s.feedback == nil {
		return &apiError{status: fiber.StatusServiceUnavailable, code: "feedback_unavailable", detail: "Feedback is not being collected right now."}
	}
	sum, err := s.feedback.FeedbackSummary(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(sum)
}
