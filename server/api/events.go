package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/web"
)

type eventJSON struct {
	Type     string `json:"type"`
	QueryID  string `json:"query_id"`
	Article  string `json:"article"`
	Position *int   `json:"position"`
}

type eventsRequest struct {
	Events []eventJSON `json:"events"`
}

// eventResult is one event's outcome: 202, or 400 with its problem.
type eventResult struct {
	Index   int          `json:"index"`
	Status  int          `json:"status"`
	Problem *web.Problem `json:"problem,omitempty"`
}

// Events takes what visitors did with search results (clicks, votes,
// "solved", hand-offs), each naming the query id of its search. Each event
// is checked on its own: the answer is 202 with a result per event, and a
// refused event (400 in its result) is not stored.
func (s *Handler) Events(c *fiber.Ctx) error {
	if s.insights == nil || s.insights.Events == nil {
		return domain.Errorf(domain.CodeEventsUnavailable, "Search events are not being recorded.")
	}
	var req eventsRequest
	// sendBeacon posts text/plain: decode the body whatever its type.
	if len(c.Body()) == 0 {
		return domain.Errorf(domain.CodeInvalidJSON, "The request needs a JSON body.")
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return domain.Errorf(domain.CodeInvalidJSON, "The body is not the JSON this endpoint takes: {\"events\": [...]}.")
	}
	if len(req.Events) == 0 || len(req.Events) > domain.MaxEventsPerPost {
		return domain.Errorf(domain.CodeInvalidBody, "Send from 1 to %d events.", domain.MaxEventsPerPost)
	}
	now := time.Now().UTC()
	visitor, client := s.insights.Visitor(c)
	results := make([]eventResult, len(req.Events))
	accepted := make([]domain.SearchEvent, 0, len(req.Events))
	for i, e := range req.Events {
		ev := domain.SearchEvent{Type: domain.SearchEventType(e.Type), At: now, QueryID: e.QueryID, Visitor: visitor, Client: client,
			Article: e.Article, Position: e.Position}
		err := ev.Validate()
		if err == nil {
			err = s.insights.CheckQueryID(e.QueryID, now)
		}
		if err == nil && !s.knownArticle(e.Article) {
			err = domain.Errorf(domain.CodeInvalidArticleID, "No article has the id %q.", e.Article)
		}
		if err != nil {
			status, code, detail, _ := web.Describe(err)
			results[i] = eventResult{Index: i, Status: status, Problem: &web.Problem{
				Type: "https://helpcentre.example/problems/" + strings.ReplaceAll(string(code), "_", "-"), Title: http.StatusText(status),
				Status: status, Detail: detail, Code: string(code)}}
			continue
		}
		ev.QueryID, ev.Article = strings.Clone(ev.QueryID), strings.Clone(ev.Article)
		accepted = append(accepted, ev)
		results[i] = eventResult{Index: i, Status: fiber.StatusAccepted}
	}
	if len(accepted) > 0 {
		if err := s.insights.Events.Record(c.UserContext(), accepted...); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": len(accepted), "rejected": len(req.Events) - len(accepted), "results": results})
}

// knownArticle reports whether id is an article of any locale.
func (s *Handler) knownArticle(id string) bool {
	for _, l := range content.Locales {
		if _, ok := s.cat.Find(id, l, search.Staff); ok {
			return true
		}
	}
	return false
}

func (s *Handler) learning() (domain.LearningService, error) {
	if s.learn == nil {
		return nil, domain.Errorf(domain.CodeEventsUnavailable, "Learning from search events is not running.")
	}
	return s.learn, nil
}

// LearningApply learns from the search log now and answers with what changed.
func (s *Handler) LearningApply(c *fiber.Ctx) error {
	l, err := s.learning()
	if err != nil {
		return err
	}
	change, err := l.Apply(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(change)
}

// associationJSON is an association with its id and, once promoted, the
// front-matter line to add to the article.
type associationJSON struct {
	ID string `json:"id"`
	domain.Association
	AliasLine string `json:"alias_line,omitempty"`
}

func associationOut(a domain.Association) associationJSON {
	out := associationJSON{ID: a.ID(), Association: a}
	if a.Review == domain.ReviewPromoted {
		out.AliasLine = a.AliasLine()
	}
	return out
}

// Learning lists every learned association with its evidence.
func (s *Handler) Learning(c *fiber.Ctx) error {
	l, err := s.learning()
	if err != nil {
		return err
	}
	as, err := l.List(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]associationJSON, 0, len(as))
	for _, a := range as {
		out = append(out, associationOut(a))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"associations": out})
}

type reviewRequest struct {
	ID       string `json:"id"`
	Decision string `json:"decision"` // reject, promote or pending
}

// ReviewDecision maps the API's and the page's decision words to states.
func ReviewDecision(d string) domain.ReviewState {
	switch d {
	case "reject":
		return domain.ReviewRejected
	case "promote":
		return domain.ReviewPromoted
	case "pending":
		return domain.ReviewPending
	}
	return domain.ReviewState(d)
}

// LearningReview rejects (for good) or promotes an association.
func (s *Handler) LearningReview(c *fiber.Ctx) error {
	l, err := s.learning()
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := l.Review(c.UserContext(), req.ID, ReviewDecision(req.Decision))
	if err != nil {
		return err
	}
	return c.JSON(associationOut(*a))
}

// LoadAnalytics reads the search analytics of the range and locale c asks
// for, with the deflection rate per entry point and the associations
// awaiting review. The page and the API share it.
func (s *Handler) LoadAnalytics(c *fiber.Ctx) (*domain.SearchAnalytics, error) {
	if s.insights == nil || s.insights.Events == nil {
		return nil, domain.Errorf(domain.CodeEventsUnavailable, "Search events are not being recorded.")
	}
	from, to, err := web.ReportRange(c, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	locale := c.Query("locale")
	if locale != "" && !content.KnownLocale(locale) {
		return nil, web.UnknownLocale()
	}
	ctx := c.UserContext()
	a, err := domain.ReadSearchAnalytics(ctx, s.insights.Events, from, to, locale, domain.DefaultBurstGap)
	if err != nil {
		return nil, err
	}
	if s.deflection != nil {
		rep, err := s.deflection.Report(ctx, from, to, locale, "")
		if err != nil {
			return nil, err
		}
		a.ByEntry = rep.ByEntry
	}
	if s.learn != nil {
		as, err := s.learn.List(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range as {
			if x.Review == domain.ReviewPending && x.Applies && (locale == "" || x.Locale == locale) {
				a.ToReview = append(a.ToReview, x)
			}
		}
	}
	return a, nil
}

// Analytics is the search analytics as JSON, or as CSV (?format=csv): one
// row per day, then the top queries.
func (s *Handler) Analytics(c *fiber.Ctx) error {
	a, err := s.LoadAnalytics(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	switch c.Query("format") {
	case "", "json":
		return c.JSON(a)
	case "csv":
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="search-analytics.csv"`)
		return c.Send(web.SearchAnalyticsCSV(a))
	}
	return domain.Errorf(domain.CodeInvalidParameter, "format is json or csv.")
}
