// Package deflect is the contact flow's API: suggestions while a question
// is typed, the session's events, the hand-off to customer care, and the
// deflection report.
package deflect

import (
	"context"
	"crypto/hmac"
	"html/template"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/oklog/ulid/v2"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server/web"
)

// Config configures the contact flow: the deflection API, the
// embeddable widget and the contact page.
type Config struct {
	// Service records sessions; nil: the deflection API answers but
	// records nothing, and hand-offs are unavailable.
	Service domain.DeflectionService
	// Origins may embed the widget (scheme://host[:port]); "*" allows any.
	// The help centre's own origin is always allowed.
	Origins []string
	// Loopback also allows every origin on this machine, whatever its port
	// (http://localhost:8000, http://127.0.0.1:5500, http://[::1]:3000):
	// the demo's, so that the documented tag works on a page served
	// locally. Never in production.
	Loopback bool
	// Modes per entry point; entries not named get self_service.
	Modes map[string]domain.DeflectMode
	// RatePerMinute is what one client (by address) may send to each of
	// the public deflection endpoints; 0 means DefaultRate.
	RatePerMinute int
	// Policy gives the refund window and claim deadline for order facts.
	Policy domain.Policy
	// AnswerWithin is customer care's answer time, what a hand-off's
	// confirmation promises; 0: Policy.CareReplyWithin, else
	// DefaultAnswerWithin.
	AnswerWithin time.Duration
}

// DefaultRate is the per-client, per-endpoint limit of requests a
// minute: typing with the widget's 300 ms debounce sends at most ~3 a second.
const DefaultRate = 240

// CustomerTokenTTL is the longest life of a signed customer token.
const CustomerTokenTTL = time.Hour

// Deps is what the deflection handlers are built from.
type Deps struct {
	Config Config
	Engine *search.Engine
	Domain *web.Domain // nil: no customer tokens, order facts or hand-offs
	Signer *web.Signer
	Log    *slog.Logger
	// Articles reports whether an article the audience may read has the id
	// (events naming another are refused); nil accepts any.
	Articles func(id string, aud search.Audience) bool
	// Insights gives each answer a query id and logs it as a search.
	Insights *web.Insights
	// CategoryTitle is a category's title in a locale ("" when it has
	// none): the plain reason customers see beside a suggestion, where the
	// engine's why is for editors. nil: no topic is shown.
	CategoryTitle func(id, locale string) string
}

// Handler serves the deflection API.
type Handler struct {
	cfg      Config
	origins  map[string]bool
	ipSalt   []byte
	engine   *search.Engine
	dom      *web.Domain
	signer   *web.Signer
	log      *slog.Logger
	insights *web.Insights

	articles func(id string, aud search.Audience) bool
	topics   func(id, locale string) string
	handoffs *clientQuota // hand-offs per client address (Policy.HandoffsPerHour)
}

// New builds the deflection handlers.
func New(d Deps) *Handler {
	cfg := d.Config
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = DefaultRate
	}
	if cfg.Policy == (domain.Policy{}) {
		cfg.Policy = domain.DefaultPolicy()
	}
	h := &Handler{cfg: cfg, origins: map[string]bool{}, engine: d.Engine, dom: d.Domain, signer: d.Signer, log: d.Log, insights: d.Insights,
		ipSalt: d.Signer.Key("deflect:ip-salt"), articles: d.Articles, topics: d.CategoryTitle,
		handoffs: newClientQuota(domain.Quota{Max: cfg.Policy.HandoffsPerHour, Per: time.Hour})}
	for _, o := range cfg.Origins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			h.origins[strings.ToLower(o)] = true
		}
	}
	return h
}

// Limit is the per-client limit of one public deflection endpoint.
func (s *Handler) Limit(name string) fiber.Handler { return web.RateLimit(name, s.cfg.RatePerMinute) }

// CORS answers cross-origin requests from the embedding origins:
// no cookies are used (Allow-Credentials is never sent). With strict, an
// origin not on the list is refused with a 403 problem that the page may
// read (its preflight passes, its request is refused before any handler
// runs), so that the widget can say why it cannot help instead of failing
// silently; otherwise it just gets no CORS headers (the browser then hides
// the answer).
func (s *Handler) CORS(strict bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		origin := c.Get(fiber.HeaderOrigin)
		if origin == "" || strings.EqualFold(origin, c.BaseURL()) {
			return c.Next()
		}
		c.Vary(fiber.HeaderOrigin)
		allowed := s.allowed(origin)
		if !allowed && !strict {
			return c.Next()
		}
		c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
		if c.Method() == fiber.MethodOptions {
			c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST")
			c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, Authorization")
			c.Set(fiber.HeaderAccessControlMaxAge, "600")
			return c.SendStatus(fiber.StatusNoContent)
		}
		if !allowed {
			return domain.Errorf(domain.CodeOriginNotAllowed, "This site (%s) may not use the help centre: its origin is not in the help centre's --widget-origins.", origin)
		}
		return c.Next()
	}
}

// allowed reports whether origin may call the API from a page: on the list,
// any origin with "*", or one on this machine with Loopback.
func (s *Handler) allowed(origin string) bool {
	if s.origins[strings.ToLower(origin)] || s.origins["*"] {
		return true
	}
	if !s.cfg.Loopback {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	switch h := u.Hostname(); h {
	case "localhost":
		return true
	default:
		ip, err := netip.ParseAddr(h)
		return err == nil && ip.IsLoopback()
	}
}

// caller resolves an optional bearer token: an API token, or a signed
// customer token (hcc1.…). No token is the anonymous caller; a bad one is
// refused rather than silently ignored.
func (s *Handler) caller(c *fiber.Ctx) (context.Context, error) {
	ctx := c.UserContext()
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return ctx, nil
	}
	if s.dom == nil || s.dom.Access == nil {
		return nil, domain.Errorf(domain.CodeUnauthorized, "Tokens are not accepted here.")
	}
	if strings.HasPrefix(token, customerTokenPrefix) {
		uid, err := verifyCustomerToken(s.signer, token, time.Now())
		if err != nil {
			return nil, err
		}
		sys := domain.WithActor(ctx, domain.SystemActor)
		u, err := s.dom.Access.FindUser(sys, uid)
		if err != nil || u.Role != domain.RoleCustomer || u.Disabled {
			return nil, domain.Errorf(domain.CodeUnauthorized, "The customer token is not valid.")
		}
		return domain.WithActor(ctx, domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role}), nil
	}
	a, err := s.dom.Access.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	return domain.WithActor(ctx, a), nil
}

// Signed customer tokens: a host page that knows its customer passes one to
// the widget (data-token) so that the answers may use that customer's order.
//
//	hcc1.<user id>.<expiry, Unix seconds>.<mac>
//
// where mac is the unpadded base64url HMAC-SHA256, keyed with the server's
// secret (HELPCENTRE_SECRET), of "hcc1.<user id>.<expiry>". Tokens live at
// most CustomerTokenTTL; a longer expiry is refused.
const customerTokenPrefix = "hcc1."

// SignCustomerToken makes a customer token for userID valid until expires.
func SignCustomerToken(signer *web.Signer, userID string, expires time.Time) string {
	msg := customerTokenPrefix + userID + "." + strconv.FormatInt(expires.Unix(), 10)
	return msg + "." + signer.Sign(msg)
}

func verifyCustomerToken(signer *web.Signer, token string, now time.Time) (string, error) {
	bad := domain.Errorf(domain.CodeUnauthorized, "The customer token is not valid or has expired.")
	parts := strings.Split(strings.TrimPrefix(token, customerTokenPrefix), ".")
	if len(parts) != 3 || parts[0] == "" {
		return "", bad
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", bad
	}
	want := SignCustomerToken(signer, parts[0], time.Unix(exp, 0))
	if !hmac.Equal([]byte(want), []byte(token)) {
		return "", bad
	}
	if e := time.Unix(exp, 0); now.After(e) || e.Sub(now) > CustomerTokenTTL+time.Minute {
		return "", bad
	}
	return parts[0], nil
}

// CustomerToken gives a signed-in customer a short-lived token for the
// widget (for host pages that hold an API token server-side).
func (s *Handler) CustomerToken(c *fiber.Ctx) error {
	a := domain.ActorFrom(c.UserContext())
	if a.Role != domain.RoleCustomer {
		return domain.Errorf(domain.CodeForbidden, "Customer tokens are for customers.")
	}
	exp := time.Now().Add(15 * time.Minute).Truncate(time.Second)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": SignCustomerToken(s.signer, a.UserID, exp), "expires_at": exp.UTC()})
}

// Session ids are ULIDs signed with the server's secret, so a request that
// names a session proves it was handed one, without a read.
func (s *Handler) newSessionID() string {
	id := ulid.Make().String()
	return id + "-" + s.sessionMAC(id)
}

func (s *Handler) sessionMAC(id string) string {
	return s.signer.Sign("deflect:session:" + id)[:16]
}

func (s *Handler) validSession(sid string) bool {
	id, mac, ok := strings.Cut(sid, "-")
	return ok && len(id) == 26 && len(mac) == 16 && s.signer.Verify("deflect:session:"+id, mac)
}

func (s *Handler) hashIP(ip string) string {
	return web.SaltedHash(s.ipSalt, ip, 16)
}

type deflectRequest struct {
	Session string `json:"session"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Locale  string `json:"locale"`
	Order   string `json:"order"`
	Entry   string `json:"entry"`
}

type deflectSuggestionJSON struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	URL        string        `json:"url"`
	Category   string        `json:"category,omitempty"`
	Snippet    template.HTML `json:"snippet"`
	Score      float64       `json:"score"`
	Confidence float64       `json:"confidence"`
	Why        string        `json:"why"` // the engine's reasons, for editors and the transcript
	Detail     search.Why    `json:"why_detail"`
	Topic      string        `json:"topic,omitempty"` // the category's title in the asker's language: what customers see
	QueryID    string        `json:"query_id"`        // for POST /api/v1/events
	Position   int           `json:"position"`
}

type deflectResponse struct {
	Session     string                  `json:"session"`
	Mode        domain.DeflectMode      `json:"mode"`
	Entry       string                  `json:"entry"`
	Locale      string                  `json:"locale"`
	Query       string                  `json:"query"`
	QueryID     string                  `json:"query_id"`
	Corrected   string                  `json:"corrected,omitempty"`
	Threshold   float64                 `json:"threshold"`
	Suggestions []deflectSuggestionJSON `json:"suggestions"`
	Order       *domain.OrderFacts      `json:"order,omitempty"`
	SignedIn    bool                    `json:"signed_in"`

	found *search.Deflection // what the snippets are in (Release once encoded)
}

// responses keeps answers and their suggestions' arrays from one request to
// the next (release): ~830 bytes a deflection made new each time
// (BenchmarkAPI/deflect), and garbage is what the collector runs on.
var responses = sync.Pool{New: func() any {
	return &deflectResponse{Suggestions: make([]deflectSuggestionJSON, 0, search.MaxDeflect)}
}}

// release gives r and its deflection's arrays back once r is encoded:
// nothing read from r may be used after.
func (r *deflectResponse) release() {
	r.found.Release()
	sugg := r.Suggestions
	if cap(sugg) > 2*search.MaxDeflect {
		return
	}
	clear(sugg[:cap(sugg)])
	*r = deflectResponse{Suggestions: sugg[:0]}
	responses.Put(r)
}

// capText keeps at most n bytes of s, cut at a character boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// checkRequest normalises a decoded deflection request in place (locale,
// entry) and validates it, and returns its text as searched: valid UTF-8,
// subject and body together at most domain.MaxDeflectBytes.
func (s *Handler) checkRequest(req *deflectRequest) (subject, body string, err error) {
	req.Locale = strings.ToLower(strings.TrimSpace(req.Locale))
	if req.Locale == "" {
		req.Locale = content.DefaultLocale
	}
	if !content.KnownLocale(req.Locale) {
		if base, _, ok := strings.Cut(req.Locale, "-"); ok && content.KnownLocale(base) {
			req.Locale = base // en-GB from the host page's <html lang>
		} else {
			return "", "", web.UnknownLocale()
		}
	}
	if req.Entry == "" {
		req.Entry = "widget"
	}
	if !domain.ValidEntry(req.Entry) {
		return "", "", domain.Errorf(domain.CodeInvalidEntry, "entry names an entry point: lower-case letters, digits, - and _, at most %d.", domain.MaxEntryLen)
	}
	if req.Session != "" && !s.validSession(req.Session) {
		return "", "", domain.Errorf(domain.CodeSessionNotFound, "That session was not handed out by this help centre.")
	}
	subject = capText(strings.ToValidUTF8(req.Subject, ""), domain.MaxDeflectBytes)
	body = capText(strings.ToValidUTF8(req.Body, ""), domain.MaxDeflectBytes-len(subject))
	return subject, body, nil
}

// Deflect suggests articles for a question being typed.
func (s *Handler) Deflect(c *fiber.Ctx) error {
	var req deflectRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx, err := s.caller(c)
	if err != nil {
		return err
	}
	out, err := s.answer(c, ctx, req)
	if err != nil {
		return err
	}
	defer out.release() // encoded below, not kept
	c.Set(fiber.HeaderCacheControl, "no-store")
	return web.SendJSON(c, out)
}

// answer suggests articles for req, asked by the caller of ctx, and records
// the question in its session (a new one when req names none).
func (s *Handler) answer(c *fiber.Ctx, ctx context.Context, req deflectRequest) (*deflectResponse, error) {
	actor := domain.ActorFrom(ctx)
	subject, body, err := s.checkRequest(&req)
	if err != nil {
		return nil, err
	}

	var facts *domain.OrderFacts
	if req.Order != "" && actor.Role == domain.RoleCustomer {
		facts = s.orderFacts(ctx, strings.TrimSpace(req.Order))
	}
	mode := domain.ModeFor(s.cfg.Modes[req.Entry], facts)

	d, err := s.engine.Deflect(ctx, search.DeflectRequest{Subject: subject, Body: body, Locale: req.Locale, Audience: web.AudienceFor(actor)})
	if err != nil {
		return nil, err
	}
	out := responses.Get().(*deflectResponse)
	*out = deflectResponse{Session: req.Session, Mode: mode, Entry: req.Entry, Locale: d.Locale, Query: d.Query, Corrected: d.Corrected,
		Threshold: d.Threshold, Suggestions: slices.Grow(out.Suggestions[:0], len(d.Suggestions)), Order: facts, SignedIn: !actor.Anonymous(), found: d}
	if out.Session == "" {
		out.Session = s.newSessionID()
	}
	now := time.Now().UTC()
	var shown []domain.ShownArticle // nil when none, as before
	if len(d.Suggestions) > 0 {
		shown = make([]domain.ShownArticle, 0, len(d.Suggestions)) // one array, not three as it grows
	}
	for i, sg := range d.Suggestions {
		why := sg.Why.Summary
		if rule := domain.FactRule(facts, sg.Category); rule != "" {
			why = strings.TrimPrefix(why+"; "+rule, "; ")
		}
		if why == "" {
			why = "Close in meaning to the question."
		}
		out.Suggestions = append(out.Suggestions, deflectSuggestionJSON{ID: sg.ID, Title: sg.Title, URL: sg.URL, Category: sg.Category,
			Snippet: sg.Snippet, Score: sg.Score, Confidence: sg.Confidence, Why: why, Detail: sg.Why, Topic: s.topic(sg.Category, req.Locale, sg.Locale)})
		shown = append(shown, domain.ShownArticle{ID: sg.ID, Title: sg.Title, Rank: i + 1, Why: why, Score: sg.Confidence, At: now})
	}
	if s.insights != nil {
		ids := make([]string, len(d.Suggestions))
		for i, sg := range d.Suggestions {
			ids[i] = sg.ID
		}
		qid, err := s.insights.LogSearch(c, "deflect", d.Locale, d.Query, ids, len(ids))
		if err != nil {
			s.log.Error("logging a deflection search failed", "err", err, "request_id", web.RequestID(c))
		}
		out.QueryID = qid
		for i := range out.Suggestions {
			out.Suggestions[i].QueryID, out.Suggestions[i].Position = qid, i+1
		}
	}
	if s.cfg.Service != nil && strings.TrimSpace(subject+body) != "" {
		start := &domain.SessionStart{Locale: req.Locale, Entry: req.Entry, IPHash: s.hashIP(web.ClientIP(c)), Mode: mode}
		if actor.Role == domain.RoleCustomer {
			start.CustomerID = actor.UserID
		}
		if facts != nil {
			start.Order = facts.Order
		}
		ev := domain.Event{Session: out.Session, Type: domain.EventQuery, At: now, Start: start,
			Typed: &domain.TypedText{Subject: subject, Body: body, At: now}, Shown: shown}
		if err := s.cfg.Service.RecordEvents(ctx, ev); err != nil {
			s.log.Error("recording a deflection query failed", "err", err, "request_id", web.RequestID(c))
		}
	}
	return out, nil
}

// orderFacts reads the live facts of the caller's order (domain.ReadOrderFacts);
// none without the after-sales services. A failure is logged, and what
// could be read is used: answers then stay generic.
func (s *Handler) orderFacts(ctx context.Context, number string) *domain.OrderFacts {
	if s.dom == nil {
		return nil
	}
	src := domain.OrderFactSources{Orders: s.dom.Orders, Incidents: s.dom.Incidents, Claims: s.dom.Claims}
	f, err := domain.ReadOrderFacts(ctx, src, s.cfg.Policy, number, time.Now())
	if err != nil {
		s.log.Error("order facts", "err", err)
	}
	return f
}

type deflectEventRequest struct {
	Type    string `json:"type"`
	Article string `json:"article"`
	Reason  string `json:"reason"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Email   string `json:"email"`
}

// Event records what happened in a session, or hands it off.
func (s *Handler) Event(c *fiber.Ctx) error {
	sid := c.Params("session")
	if !s.validSession(sid) {
		return domain.Errorf(domain.CodeSessionNotFound, "That session was not handed out by this help centre.")
	}
	var req deflectEventRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		return err
	}
	ev := domain.Event{Session: sid, Type: domain.EventType(req.Type), At: time.Now().UTC(), Article: req.Article, Reason: req.Reason}
	if err := domain.ValidateEvent(&ev); err != nil {
		return err
	}
	if s.cfg.Service == nil {
		return domain.Errorf(domain.CodeHandoffUnavailable, "Sessions are not being recorded right now.")
	}
	ctx, err := s.caller(c)
	if err != nil {
		return err
	}
	if s.articles != nil {
		aud := web.AudienceFor(domain.ActorFrom(ctx))
		if err := domain.CheckEventArticle(&ev, func(id string) bool { return s.articles(id, aud) }); err != nil {
			return err
		}
	}
	if ev.Type == domain.EventHandoff {
		r, err := s.handOff(c, ctx, sid, req)
		if err != nil {
			return err
		}
		status := fiber.StatusCreated
		if !r.Created {
			status = fiber.StatusOK
		}
		return c.Status(status).JSON(r)
	}
	if err := s.cfg.Service.RecordEvents(ctx, ev); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"recorded": true})
}

// HandedOff is what a hand-off answers: the thread, its short reference
// (what the customer quotes) and what happens next.
type HandedOff struct {
	Thread    string `json:"thread"`
	Reference string `json:"reference"`
	Session   string `json:"session"`
	// AnswerWithin is how long customer care takes to answer, in hours.
	AnswerWithin int `json:"answer_within_hours"`
	// By is where the answer comes: "account" (the customer's messages) or
	// "email" (the address given, which the mailed link confirms).
	By      string `json:"answer_by"`
	Created bool   `json:"-"`
}

// handOff turns the session into a thread carrying its transcript, written
// synchronously, and marks the session. A second hand-off of the same
// session answers with the thread the first made.
func (s *Handler) handOff(c *fiber.Ctx, ctx context.Context, sid string, req deflectEventRequest) (*HandedOff, error) {
	out, err := s.handOffThread(c, ctx, sid, req)
	if err != nil {
		return nil, err
	}
	out.Session, out.AnswerWithin, out.By = sid, int(s.answerWithin().Hours()), "account"
	if domain.ActorFrom(ctx).Anonymous() {
		out.By = "email"
	}
	return out, nil
}

// answerWithin is what customers are told of customer care's answer time:
// the configured one, else customer care's reply deadline
// (--care-reply-within), else DefaultAnswerWithin.
func (s *Handler) answerWithin() time.Duration {
	switch {
	case s.cfg.AnswerWithin > 0:
		return s.cfg.AnswerWithin
	case s.cfg.Policy.CareReplyWithin > 0:
		return s.cfg.Policy.CareReplyWithin
	}
	return DefaultAnswerWithin
}

// DefaultAnswerWithin is customer care's promised answer time.
const DefaultAnswerWithin = 24 * time.Hour

func (s *Handler) handOffThread(c *fiber.Ctx, ctx context.Context, sid string, req deflectEventRequest) (*HandedOff, error) {
	if s.dom == nil || s.dom.Threads == nil {
		return nil, domain.Errorf(domain.CodeHandoffUnavailable, "Messages to customer care cannot be taken right now; please try again later.")
	}
	actor := domain.ActorFrom(ctx)
	email := strings.TrimSpace(req.Email)
	if actor.Anonymous() {
		if email == "" {
			return nil, domain.Errorf(domain.CodeEmailRequired, "Give the email address we should answer to.")
		}
		if err := domain.ValidateHandoffEmail(email); err != nil {
			return nil, err
		}
	} else {
		email = ""
	}
	subject, body := strings.TrimSpace(req.Subject), strings.TrimSpace(req.Body)
	if subject == "" && body == "" {
		return nil, domain.Errorf(domain.CodeInvalidMessage, "Write what you need help with.")
	}
	if err := s.handoffs.take(s.hashIP(web.ClientIP(c)), time.Now(), domain.CodeTooManyHandoffs, "hand-offs"); err != nil {
		return nil, err
	}
	svc := s.cfg.Service
	sess, err := svc.Session(ctx, sid)
	if domain.ErrorCode(err) == domain.CodeSessionNotFound {
		// Nothing was typed in the search before the form was sent: the
		// session starts with the hand-off itself.
		now := time.Now().UTC()
		start := &domain.SessionStart{Locale: content.DefaultLocale, Entry: "widget", IPHash: s.hashIP(web.ClientIP(c)), Mode: domain.ModeSelfService}
		if actor.Role == domain.RoleCustomer {
			start.CustomerID = actor.UserID
		}
		if l := strings.ToLower(c.Query("locale")); content.KnownLocale(l) {
			start.Locale = l
		}
		if e := c.Query("entry"); domain.ValidEntry(e) {
			start.Entry = e
		}
		if err := svc.RecordEvents(ctx, domain.Event{Session: sid, Type: domain.EventQuery, At: now, Start: start,
			Typed: &domain.TypedText{Subject: capText(subject, domain.MaxDeflectBytes), At: now}}); err != nil {
			return nil, err
		}
		sess, err = svc.Session(ctx, sid)
	}
	if err != nil {
		return nil, err
	}
	if sess.Handoff != nil {
		return &HandedOff{Thread: sess.Handoff.Thread, Reference: sess.Handoff.Reference}, nil
	}
	order := sess.Order
	if actor.Anonymous() {
		order = ""
	}
	th, err := s.dom.Threads.Handoff(ctx, domain.Handoff{Subject: subject, Body: body, Locale: sess.Locale, OrderNumber: order,
		Email: email, Transcript: sess.Transcript()})
	if err != nil {
		return nil, err
	}
	if err := svc.Handoff(ctx, sid, domain.HandoffMark{Thread: th.ID, Reference: th.Reference, At: time.Now().UTC(), Subject: subject, Body: body, Email: email}); err != nil {
		// The thread holds the transcript already; only the report's mark is missing.
		s.log.Error("marking a hand-off failed", "err", err, "session", sid, "thread", th.ID)
	}
	return &HandedOff{Thread: th.ID, Reference: th.Reference, Created: true}, nil
}

// LoadReport reads the report of the range and filters c asks for.
func (s *Handler) LoadReport(c *fiber.Ctx) (*domain.DeflectionReport, error) {
	if s.cfg.Service == nil {
		return nil, domain.Errorf(domain.CodeDeflectionUnavailable, "Sessions are not being recorded.")
	}
	from, to, err := web.ReportRange(c, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	locale, entry := c.Query("locale"), c.Query("entry")
	if locale != "" && !content.KnownLocale(locale) {
		return nil, web.UnknownLocale()
	}
	if entry != "" && !domain.ValidEntry(entry) {
		return nil, domain.Errorf(domain.CodeInvalidEntry, "entry names an entry point.")
	}
	return s.cfg.Service.Report(c.UserContext(), from, to, locale, entry)
}

// Report is the deflection report as JSON.
func (s *Handler) Report(c *fiber.Ctx) error {
	rep, err := s.LoadReport(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(rep)
}

// ReportQuery keeps the report's filters for links.
func ReportQuery(c *fiber.Ctx) string {
	v := url.Values{}
	for _, k := range []string{"from", "to", "locale", "entry"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// topic is a suggestion's category title in the first of locales that has
// one.
func (s *Handler) topic(category string, locales ...string) string {
	if s.topics == nil || category == "" {
		return ""
	}
	for _, l := range locales {
		if t := s.topics(category, l); t != "" {
			return t
		}
	}
	return ""
}

// The contact page without JavaScript runs the same flow as the widget
// through plain forms (site.Contact…): Ask, then HandOff.

// Question is what the contact page's plain form asks.
type Question struct {
	Session string // "" for the first question
	Subject string
	Body    string
	Locale  string
	Order   string // a signed-in customer's order, if they picked one
}

// Suggested is one article suggested to a customer: what they see.
type Suggested struct {
	Title   string
	URL     string
	Snippet template.HTML
	Topic   string // the article's topic in the customer's language
}

// Answer is what the contact page shows for a question.
type Answer struct {
	Session     string
	Suggestions []Suggested
	Notices     []string // about the customer's order (refund window, open incident…)
	Corrected   string
}

// Ask answers a question from the contact page as the caller of ctx (a
// signed-in customer, or nobody), recording it in the session.
func (s *Handler) Ask(c *fiber.Ctx, ctx context.Context, q Question) (*Answer, error) {
	if domain.ActorFrom(ctx).Role != domain.RoleCustomer {
		q.Order = ""
	}
	d, err := s.answer(c, ctx, deflectRequest{Session: q.Session, Subject: q.Subject, Body: q.Body, Locale: q.Locale, Order: q.Order, Entry: "contact"})
	if err != nil {
		return nil, err
	}
	out := &Answer{Session: d.Session, Corrected: d.Corrected}
	for _, sg := range d.Suggestions {
		out.Suggestions = append(out.Suggestions, Suggested{Title: sg.Title, URL: sg.URL, Snippet: sg.Snippet, Topic: sg.Topic})
	}
	if d.Order != nil {
		out.Notices = d.Order.Notices
	}
	return out, nil
}

// HandOff hands the session (from Ask) to customer care as the caller of
// ctx; an anonymous caller gives the email to answer to.
func (s *Handler) HandOff(c *fiber.Ctx, ctx context.Context, session, subject, body, email string) (*HandedOff, error) {
	if !s.validSession(session) {
		return nil, domain.Errorf(domain.CodeSessionNotFound, "That session was not handed out by this help centre.")
	}
	if s.cfg.Service == nil {
		return nil, domain.Errorf(domain.CodeHandoffUnavailable, "Messages to customer care cannot be taken right now; please try again later.")
	}
	return s.handOff(c, ctx, session, deflectEventRequest{Type: string(domain.EventHandoff), Subject: subject, Body: body, Email: email})
}

// AnswerWithin is customer care's promised answer time.
func (s *Handler) AnswerWithin() time.Duration { return s.answerWithin() }

// WidgetToken is a short-lived customer token for the widget of a page
// served to a signed-in customer (data-token), so that the widget's
// hand-off is theirs.
func (s *Handler) WidgetToken(userID string) string {
	return SignCustomerToken(s.signer, userID, time.Now().Add(CustomerTokenTTL/2).Truncate(time.Second))
}

// Guest links: an anonymous visitor's hand-off is opened by a link mailed
// to the address they gave,
//
//	/contact/c/<thread id>.<expiry, Unix seconds>.<mac>
//
// where mac is the first 22 characters of the signature of
// "guest:<thread id>:<address, lower-case>:<expiry>". Only that address
// received it; it works until the expiry (domain.GuestLinkTTL).

// GuestToken is the token of a link to thread for email, valid until exp.
func (s *Handler) GuestToken(thread, email string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return thread + "." + e + "." + s.guestMAC(thread, email, e)
}

func (s *Handler) guestMAC(thread, email, exp string) string {
	return s.signer.Sign("guest:" + thread + ":" + strings.ToLower(strings.TrimSpace(email)) + ":" + exp)[:22]
}

// GuestThreadOf reads the thread a guest token names (before its check).
func GuestThreadOf(token string) string {
	id, _, _ := strings.Cut(token, ".")
	return id
}

// CheckGuestToken reports whether token was made for thread and email and
// has not expired at now.
func (s *Handler) CheckGuestToken(token, email string, now time.Time) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[2]) != 22 {
		return false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.After(time.Unix(exp, 0)) {
		return false
	}
	return s.signer.Verify("guest:"+parts[0]+":"+strings.ToLower(strings.TrimSpace(email))+":"+parts[1], parts[2])
}
