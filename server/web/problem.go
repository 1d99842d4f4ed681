package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
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

// kindStatus is the one table from domain error kinds to HTTP statuses, for
// the API and the pages alike.
var kindStatus = map[domain.Kind]int{
	domain.Invalid:       http.StatusBadRequest,
	domain.Unauthorized:  http.StatusUnauthorized,
	domain.Forbidden:     http.StatusForbidden,
	domain.NotFound:      http.StatusNotFound,
	domain.Conflict:      http.StatusConflict,
	domain.Unprocessable: http.StatusUnprocessableEntity,
	domain.Unavailable:   http.StatusServiceUnavailable,
	domain.Internal:      http.StatusInternalServerError,
	domain.TooMany:       http.StatusTooManyRequests,
}

// fiberCodes names the statuses Fiber and the middleware raise themselves.
var fiberCodes = map[int]struct {
	code   domain.Code
	detail string
}{
	fiber.StatusNotFound:                    {domain.CodeNotFound, "There is nothing at this address."},
	fiber.StatusMethodNotAllowed:            {domain.CodeMethodNotAllowed, "This address does not accept that method."},
	fiber.StatusRequestEntityTooLarge:       {domain.CodeBodyTooLarge, "The request body is too large."},
	fiber.StatusRequestHeaderFieldsTooLarge: {domain.CodeHeadersTooLarge, "The request line or headers are too large."},
	fiber.StatusRequestTimeout:              {domain.CodeRequestTimeout, "The request took too long to arrive."},
	fiber.StatusTooManyRequests:             {domain.CodeRateLimited, "Too many requests; slow down and try again shortly."},
	fiber.StatusLengthRequired:              {domain.CodeLengthRequired, "Send the body with a Content-Length."},
}

// searchErrors are the search engine's refusals, in the user's words.
var searchErrors = []struct {
	err  error
	code domain.Code
	msg  string
}{
	{search.ErrQueryTooLong, domain.CodeQueryTooLong, "The query is too long: shorten it."},
	{search.ErrBadPagination, domain.CodeBadPagination, "That page of results is out of range."},
	{search.ErrUnknownLocale, domain.CodeUnknownLocale, "locale must be one of " + strings.Join(content.Locales, ", ")},
	// The engine bounds each search (search.Options.Timeout); the request's
	// own context has no deadline, so an expired one is the engine's.
	{context.DeadlineExceeded, domain.CodeSearchTimeout, "The search took too long; try again in a moment."},
}

// storageErrnos are the operating system's errors of a full or failing
// disk: a write that meets one may work later, once an operator has freed
// space or replaced the disk.
var storageErrnos = []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG, syscall.EIO, syscall.EROFS}

// StorageFault reports whether err is a failure of the storage underneath:
// a store's (domain.ErrStorageFault) or a file write's (attachments).
func StorageFault(err error) bool {
	if errors.Is(err, domain.ErrStorageFault) {
		return true
	}
	for _, e := range storageErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Status is the HTTP status of err: its domain kind's, Fiber's own, or 500.
func Status(err error) int {
	status, _, _, _ := Describe(err)
	return status
}

// Describe maps any error to its status, code and public detail. Anything
// unknown is internal and its text never reaches the client.
func Describe(err error) (status int, code domain.Code, detail string, internal bool) {
	var fe *fiber.Error
	switch {
	case domain.ErrorKind(err) != domain.Internal:
		return kindStatus[domain.ErrorKind(err)], domain.ErrorCode(err), domain.ErrorMessage(err), false
	case errors.As(err, &fe):
		if fc, ok := fiberCodes[fe.Code]; ok {
			return fe.Code, fc.code, fc.detail, false
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return fe.Code, domain.CodeBadRequest, "The request is malformed.", false
		}
	}
	if StorageFault(err) {
		// Logged (internal) for the operator; the client may retry.
		return http.StatusServiceUnavailable, domain.CodeStorageUnavailable, "We cannot save anything right now; try again in a few minutes.", true
	}
	for _, se := range searchErrors {
		if errors.Is(err, se.err) {
			return kindStatus[se.code.Kind()], se.code, se.msg, false
		}
	}
	return http.StatusInternalServerError, domain.CodeInternal, "Something went wrong on our side. It has been logged.", true
}

// ErrorHandler answers every error: problem JSON for the API and for clients
// that ask for JSON, Page's friendly page for browsers.
func ErrorHandler(log *slog.Logger, page func(c *fiber.Ctx, status int, detail string) error) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, code, detail, internal := Describe(err)
		if internal {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err, "request_id", RequestID(c))
		}
		if status == http.StatusUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="helpcentre"`)
		}
		if (status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests) && len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
			retry := "2"
			if code == domain.CodeStorageUnavailable {
				retry = "30" // someone has to free space first
			}
			c.Set(fiber.HeaderRetryAfter, retry)
		}
		if wantsHTML(c) {
			return page(c, status, detail)
		}
		p := Problem{
			Type:     "https://helpcentre.example/problems/" + strings.ReplaceAll(string(code), "_", "-"),
			Title:    http.StatusText(status),
			Status:   status,
			Detail:   detail,
			Code:     string(code),
			Instance: c.OriginalURL(),
		}
		if len(p.Instance) > 256 {
			p.Instance = p.Instance[:256]
		}
		c.Status(status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
}

// wantsHTML is true for page routes and browsers; the API always gets JSON.
func wantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/metrics" || p == "/healthz" || p == "/readyz" {
		return false
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

// logLevelFor is the level a request is logged at: errors for 5xx, but
// /readyz's 503, which is its answer while the index builds or the store
// fails (a load balancer asks every few seconds; the cause is logged where
// it happens), at Info.
func logLevelFor(route string, status int) slog.Level {
	switch {
	case route == "/readyz" && status == fiber.StatusServiceUnavailable:
		return slog.LevelInfo
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// Observe logs each request and records its latency per route. It answers
// the handler's error itself, so that the status it logs is the one sent.
func Observe(log *slog.Logger, m *Metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		route := c.Route().Path
		if status == fiber.StatusNotFound && (route == "/" && c.Path() != "/" || route == "") {
			route = "unmatched"
		}
		took := time.Since(start)
		m.observe(c.App(), route, c.Method(), status, took)
		// Most requests are logged at Debug, below the usual level: the
		// check first, so that they do not build the line's values (the
		// client's address, eleven boxed values) for nothing.
		if level := logLevelFor(route, status); log.Enabled(c.Context(), level) {
			log.Log(c.Context(), level, "request", "method", c.Method(), "route", route,
				"status", status, "took_ms", float64(took.Microseconds())/1000, "client", ClientIP(c), "request_id", RequestID(c))
		}
		return nil
	}
}
