package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
)

type voteJSON struct {
	Helpful *bool  `json:"helpful"`
	Reason  string `json:"reason"`
	Comment string `json:"comment"`
	Locale  string `json:"locale"`
}

// Vote records a "Was this helpful?" answer.
func (s *Handler) Vote(c *fiber.Ctx) error {
	var in voteJSON
	if err := c.BodyParser(&in); err != nil || in.Helpful == nil {
		return domain.Errorf(domain.CodeInvalidBody, `send JSON like {"helpful": false, "reason": "unclear", "locale": "en"}`)
	}
	locale := in.Locale
	if locale == "" {
		locale = "en"
	}
	v, err := s.cat.Vote(c.UserContext(), s.feedback, s.auth.Audience(c), c.Params("id"), locale, *in.Helpful, in.Reason, in.Comment)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": v.ID, "article": v.ArticleID, "locale": v.Locale, "helpful": v.Helpful})
}

// FeedbackSummary is an article's votes (operators).
func (s *Handler) FeedbackSummary(c *fiber.Ctx) error {
	if s.feedback == nil {
		return domain.Errorf(domain.CodeFeedbackUnavailable, "Feedback is not being collected right now.")
	}
	sum, err := s.feedback.FeedbackSummary(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(sum)
}
