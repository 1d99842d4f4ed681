package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
)

// DecodeJSON reads a JSON body into v; a malformed body is the client's
// mistake, answered with invalid_json.
func DecodeJSON(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return domain.Errorf(domain.CodeInvalidJSON, "The request needs a JSON body.")
	}
	if err := c.BodyParser(v); err != nil {
		return domain.Errorf(domain.CodeInvalidJSON, "The body is not the JSON this endpoint takes: %s", jsonErrorDetail(err))
	}
	return nil
}

// DecodeOptionalJSON reads a JSON body into v when there is one: actions
// whose fields are all optional may be posted without a body.
func DecodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return DecodeJSON(c, v)
}

// jsonErrorDetail keeps a decoder's message short and free of Go type names.
func jsonErrorDetail(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// QueryInt reads an optional integer parameter; junk is the client's mistake.
func QueryInt(c *fiber.Ctx, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 9 {
		return 0, domain.Errorf(domain.CodeInvalidParameter, "%s must be a whole number up to 9 digits", name)
	}
	return n, nil
}

// QueryBool reads a true/false query parameter; absent is false.
func QueryBool(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, domain.Errorf(domain.CodeInvalidParameter, "%s must be true or false", name)
	}
	return b, nil
}

// QueryTime reads an RFC 3339 time parameter; empty means none.
func QueryTime(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalidParameter, "%s must be an RFC 3339 time, e.g. 2026-03-01T12:00:00Z", name)
	}
	return &t, nil
}

// UnknownLocale is the error for a locale the help centre does not have.
func UnknownLocale() error {
	return domain.Errorf(domain.CodeUnknownLocale, "locale must be one of %s", strings.Join(content.Locales, ", "))
}

// QueryLocale reads the locale parameter: empty means the default.
func QueryLocale(c *fiber.Ctx) (string, error) {
	l := strings.ToLower(strings.TrimSpace(c.Query("locale")))
	if l == "" {
		return content.DefaultLocale, nil
	}
	if !content.KnownLocale(l) {
		return "", UnknownLocale()
	}
	return l, nil
}

// SearchRequest decodes and validates the search parameters the API and the
// search page share.
func SearchRequest(c *fiber.Ctx, aud search.Audience) (search.Request, error) {
	locale, err := QueryLocale(c)
	if err != nil {
		return search.Request{}, err
	}
	page, err := QueryInt(c, "page")
	if err != nil {
		return search.Request{}, err
	}
	per, err := QueryInt(c, "per_page")
	if err != nil {
		return search.Request{}, err
	}
	if page < 0 || per < 0 {
		return search.Request{}, domain.Errorf(domain.CodeBadPagination, "page and per_page must be positive")
	}
	return search.Request{
		Query:    c.Query("q"),
		Locale:   locale,
		Category: c.Query("category"),
		Page:     page,
		PerPage:  per,
		Audience: aud,
		Facets:   true,
	}, nil
}

// SendJSON is c.JSON for the hot routes (search, suggest, deflect): it
// encodes into the response's own pooled body buffer instead of into a new
// slice that c.JSON then hands over, which was an eighth of what a search
// allocated. The body is the same JSON plus a final newline.
func SendJSON(c *fiber.Ctx, v any) error {
	resp := c.Response()
	resp.ResetBody()
	if err := json.NewEncoder(resp.BodyWriter()).Encode(v); err != nil {
		resp.ResetBody()
		return err
	}
	resp.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

// FormValues reads the named fields of the posted form, to show them again
// when the form has an error.
func FormValues(c *fiber.Ctx, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.FormValue(n)
	}
	return m
}

// FormInt reads a whole number from a form field; "" is 0.
func FormInt(c *fiber.Ctx, name string) (int, bool) {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && len(v) <= 9
}

// FormMoney reads an amount typed in major units ("12.50" or "12,50") as
// minor units; "" is 0.
func FormMoney(c *fiber.Ctx, name string) (int64, bool) {
	v := strings.TrimSpace(strings.ReplaceAll(c.FormValue(name), ",", "."))
	if v == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || len(whole) > 10 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 {
		return 0, false
	}
	return w*100 + f, true
}

// SafeFilename keeps a download name to characters that cannot break the header.
func SafeFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r == '"' || r == '\\' || r == '/' || r > 0x7e {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "attachment"
	}
	return b.String()
}

// ReportRange reads from and to: dates (2006-01-02, to inclusive) or
// RFC 3339 instants; by default the last 30 days.
func ReportRange(c *fiber.Ctx, now time.Time) (time.Time, time.Time, error) {
	parse := func(name string, def time.Time, endOfDay bool) (time.Time, error) {
		v := c.Query(name)
		if v == "" {
			return def, nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			if endOfDay {
				t = t.Add(24 * time.Hour)
			}
			return t, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), nil
		}
		return time.Time{}, domain.Errorf(domain.CodeInvalidRange, "%s must be a date like 2025-01-31 or an RFC 3339 time.", name)
	}
	to, err := parse("to", now, true)
	if err != nil {
		return to, to, err
	}
	from, err := parse("from", to.Add(-30*24*time.Hour), false)
	return from, to, err
}
