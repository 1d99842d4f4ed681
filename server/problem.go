package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// Problem is an RFC 9457 problem document with a stable code for clients.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Code     string `json:"code"`
	Instance string `json:"instance,omitempty"`
}

// apiError is an error a handler returns to have it answered as a problem.
type apiError struct {
	status int
	code   string
	detail string
}

func (e *apiError) Error() string { return e.code + ": " + e.detail }

func badRequest(code, detail string) error {
	return &apiError{status: http.StatusBadRequest, code: code, detail: detail}
}

func notFound(detail string) error {
	return &apiError{status: http.StatusNotFound, code: "not_found", detail: detail}
}

// domainStatus is the one table from domain error kinds to HTTP statuses.
var domainStatus = map[domain.Kind]int{
	domain.Invalid:      http.StatusBadRequest,
	domain.NotFound:     http.StatusNotFound,
	domain.Conflict:     http.StatusConflict,
	domain.Forbidden:    http.StatusForbidden,
	domain.Unauthorized: http.StatusUnauthorized,
}

// problemFor maps any error to its status, code and public detail. This is the
// one table from errors to HTTP; anything unknown is internal and its text
// never reaches the client.
func problemFor(err error) (status int, code, detail string, internal bool) {
	var ae *apiError
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code, ae.detail, false
	case domain.ErrorKind(err) != domain.Internal:
		return domainStatus[domain.ErrorKind(err)], string(domain.ErrorCode(err)), domain.ErrorMessage(err), false
	case errors.Is(err, search.ErrQueryTooLong):
		return http.StatusBadRequest, "query_too_long", err.Error()[len("search: "):], false
	case errors.Is(err, search.ErrBadPagination):
		return http.StatusBadRequest, "bad_pagination", err.Error()[len("search: "):], false
	case errors.Is(err, search.ErrUnknownLocale):
		return http.StatusBadRequest, "unknown_locale", err.Error()[len("search: "):], false
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "not_found", "There is nothing at this address.", false
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "method_not_allowed", "This address does not accept that method.", false
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "body_too_large", "The request body is too large.", false
		case fiber.StatusRequestHeaderFieldsTooLarge:
			return fe.Code, "headers_too_large", "The request line or headers are too large.", false
		case fiber.StatusRequestTimeout:
			return fe.Code, "request_timeout", "The request took too long to arrive.", false
		case fiber.StatusTooManyRequests:
			return fe.Code, "rate_limited", "Too many requests; slow down and try again shortly.", false
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return fe.Code, "bad_request", "The request is malformed.", false
		}
	}
	return http.StatusInternalServerError, "internal", "Something went wrong on our side. It has been logged.", true
}

// errorHandler answers every error: problem JSON for the API and for clients
// that ask for JSON, a friendly page for browsers.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status, code, detail, internal := problemFor(err)
	if internal {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err, "request_id", requestID(c))
	}
	if status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="helpcentre"`)
	}
	if wantsHTML(c) {
		return s.renderError(c, status, detail)
	}
	p := Problem{
		Type:     "https://helpcentre.example/problems/" + strings.ReplaceAll(code, "_", "-"),
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Code:     code,
		Instance: c.OriginalURL(),
	}
	if len(p.Instance) > 256 {
		p.Instance = p.Instance[:256]
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.JSON(p, "application/problem+json")
}

// wantsHTML is true for page routes and browsers; the API always gets JSON.
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/metrics" || p == "/healthz" || p == "/readyz" {
		return false
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

func logLevelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
