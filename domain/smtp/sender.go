// Package smtp sends the outbox's mails (domain.Mail) through an SMTP
// server, written in each recipient's language, retried until the server
// accepts them.
package smtp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/marketplace/helpcentre/domain"
)

// Defaults of Sender.
const (
	DefaultPoll        = 2 * time.Second
	DefaultTimeout     = 20 * time.Second
	DefaultReplyWithin = 24 * time.Hour
	// DefaultMaxAge is how old a mail may be and still be sent: news of a
	// refund or a reply days late (mail was off, or the server refused it
	// for days) is noise, and the in-app list has it anyway.
	DefaultMaxAge = 48 * time.Hour
	batch         = 50
)

// Server is where mail goes: parsed from --smtp-url.
//
//	smtp://[user:password@]host[:port]    port 25 by default; STARTTLS when the server offers it
//	smtps://[user:password@]host[:port]   TLS from the start, port 465 by default
//
// ?starttls=required refuses a server without STARTTLS; ?starttls=off never
// uses it (a local relay or a test server).
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	SSL      bool
	TLS      gomail.TLSPolicy
}

// ParseURL parses an --smtp-url.
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return Server{}, fmt.Errorf("smtp: the server's URL is not smtp://host[:port] or smtps://host[:port]") // it may hold a password
	}
	s := Server{Host: u.Hostname(), TLS: gomail.TLSOpportunistic}
	switch u.Scheme {
	case "smtp":
		s.Port = 25
	case "smtps":
		s.Port, s.SSL = 465, true
	default:
		return Server{}, fmt.Errorf("smtp: scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port <= 0 || s.Port > 65535 {
			return Server{}, fmt.Errorf("smtp: port %q", p)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	switch v := u.Query().Get("starttls"); v {
	case "", "opportunistic":
	case "required":
		s.TLS = gomail.TLSMandatory
	case "off":
		s.TLS = gomail.NoTLS
	default:
		return Server{}, fmt.Errorf("smtp: starttls=%q: use required, opportunistic or off", v)
	}
	return s, nil
}

// String names the server without its password, for logs.
func (s Server) String() string {
	scheme := "smtp"
	if s.SSL {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// Sender sends due mails. Each is marked sent, in a synced write, as soon
// as the server has accepted it, and only then is the next one sent (a mark
// that fails is kept in memory and written on the next round: the mail is
// not sent again by this process meanwhile). Each replica runs a Sender on
// the one database: a round claims its mails (DueMail) for
// domain.ClaimLease, so no two Senders send the same mail, and stops before
// a mail its claim could not cover. A mail the server refuses for good (5xx)
// is given up; any other failure is retried on the outbox's schedule. A
// mail can go out twice only when the process dies between the server's
// acceptance and that write (or that write fails until the claim ends): it
// then goes again with the same Message-ID, which mail systems recognise as
// the same message.
//
// Set the fields, then call Run once; Kick may be called from anywhere.
type Sender struct {
	Mail   domain.MailService
	Server Server
	From   string // the From address, e.g. "Help centre <help@example.com>"
	// Links gives a mail's links (nil: none, the mail still explains).
	Links       func(m domain.Mail) Links
	ReplyWithin time.Duration // what a hand-off's confirmation promises; 0: DefaultReplyWithin
	Now         func() time.Time
	Log         *slog.Logger
	Poll        time.Duration
	Timeout     time.Duration
	MaxAge      time.Duration // older mails are given up unsent; 0: DefaultMaxAge
	Jitter      func() float64

	once sync.Once
	kick chan struct{}
	// unmarked are mails the server accepted whose mark could not be
	// written yet: never sent again by this process, marked on the next round.
	unmarked map[string]time.Time
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.kick = make(chan struct{}, 1)
		s.unmarked = map[string]time.Time{}
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Poll <= 0 {
			s.Poll = DefaultPoll
		}
		if s.Timeout <= 0 {
			s.Timeout = DefaultTimeout
		}
		if s.MaxAge <= 0 {
			s.MaxAge = DefaultMaxAge
		}
		if s.ReplyWithin <= 0 {
			s.ReplyWithin = DefaultReplyWithin
		}
		if s.Jitter == nil {
			s.Jitter = rand.Float64
		}
	})
}

// Kick wakes Run to send due mail now. It never blocks.
func (s *Sender) Kick() {
	s.init()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run sends due mail until ctx is done.
func (s *Sender) Run(ctx context.Context) {
	s.init()
	s.Log.Info("mail: sending through SMTP", "server", s.Server.String(), "from", s.From)
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-s.kick:
		}
		for {
			n, err := s.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.Log.Error("mail: sending", "err", err)
			}
			if err != nil || n < batch {
				break
			}
		}
		poll.Reset(s.Poll)
	}
}

// SendDue sends the mails due now over one connection and records each
// outcome; it reports how many it attempted.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	s.init()
	rec := context.WithoutCancel(ctx) // an accepted mail is recorded even on shutdown
	for id, at := range s.unmarked {
		if err := s.Mail.MarkMailSent(rec, id, at); err == nil || domain.ErrorKind(err) == domain.NotFound {
			delete(s.unmarked, id)
		}
	}
	due, err := s.Mail.DueMail(ctx, s.Now(), batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	n := len(due)
	fresh, stale := due[:0], 0
	for i := range due {
		if _, ok := s.unmarked[due[i].ID]; ok {
			continue // accepted already: only its mark is missing
		}
		if age := s.Now().Sub(due[i].CreatedAt); age > s.MaxAge {
			why := fmt.Sprintf("stale: written %v ago; mail is sent at most %v after it was written", age.Round(time.Minute), s.MaxAge)
			if err := s.Mail.MarkMailFailed(rec, due[i].ID, s.Now(), why, time.Time{}, true); err != nil {
				s.Log.Error("mail: recording a stale mail", "id", due[i].ID, "err", err)
			}
			stale++
			continue
		}
		fresh = append(fresh, due[i])
	}
	if stale > 0 {
		s.Log.Info("mail: not sending mails written too long ago (mail was off, or the server refused them for days)", "mails", stale, "max_age", s.MaxAge)
	}
	if due = fresh; len(due) == 0 {
		return n, nil
	}
	c, err := s.client()
	if err == nil {
		dctx, cancel := context.WithTimeout(ctx, s.Timeout)
		err = c.DialWithContext(dctx)
		cancel()
	}
	if err != nil {
		for i := range due {
			s.failed(rec, &due[i], "connecting: "+err.Error(), true)
		}
		return n, nil
	}
	defer c.Close()
	for i := range due {
		if ctx.Err() != nil {
			return n - len(due) + i, nil
		}
		m := &due[i]
		if !domain.ClaimCovers(m.NextAttempt, s.Now(), s.Timeout) {
			// The claim ends before this mail could time out: it and the
			// rest come back when it ends, here or on another replica.
			return n, nil
		}
		msg, err := s.message(m)
		if err != nil {
			s.failed(rec, m, err.Error(), false)
			continue
		}
		if err := c.Send(msg); err != nil {
			var se *gomail.SendError
			temp := !errors.As(err, &se) || se.IsTemp() || se.ErrorCode() == 0
			s.failed(rec, m, err.Error(), temp)
			if temp {
				_ = c.Reset() // the next mail starts afresh
			}
			continue
		}
		if at := s.Now(); s.Mail.MarkMailSent(rec, m.ID, at) != nil {
			s.unmarked[m.ID] = at
			s.Log.Error("mail: recording a sent mail failed; it will not be sent again, and is marked later", "id", m.ID)
			continue
		}
		s.Log.Info("mail: sent", "id", m.ID, "kind", m.Kind, "type", m.Type, "attempt", m.Attempts+1)
	}
	return n, nil
}

// failed records a failed attempt: retried on the outbox's schedule while
// temporary, else given up.
func (s *Sender) failed(ctx context.Context, m *domain.Mail, errText string, temporary bool) {
	now := s.Now()
	next, dead := domain.NextDelivery(m.Attempts+1, now, s.Jitter())
	if !temporary {
		dead = true
	}
	if dead {
		s.Log.Error("mail: giving up on a mail", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts+1, "error", errText)
	} else {
		s.Log.Warn("mail: sending failed; will retry", "id", m.ID, "attempt", m.Attempts+1, "next", next, "error", errText)
	}
	if err := s.Mail.MarkMailFailed(ctx, m.ID, now, errText, next, dead); err != nil {
		s.Log.Error("mail: recording a failed mail", "id", m.ID, "err", err)
	}
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.Server.Port), gomail.WithTimeout(s.Timeout), gomail.WithTLSPortPolicy(s.Server.TLS)}
	if s.Server.SSL {
		opts = append(opts, gomail.WithSSLPort(false))
	}
	if s.Server.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Server.Username), gomail.WithPassword(s.Server.Password))
	}
	return gomail.NewClient(s.Server.Host, opts...)
}

// message writes m as an email, its Message-ID the mail's id (the same on
// every attempt).
func (s *Sender) message(m *domain.Mail) (*gomail.Msg, error) {
	var links Links
	if s.Links != nil {
		links = s.Links(*m)
	}
	l := Write(*m, links, s.ReplyWithin)
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return nil, fmt.Errorf("the From address %q: %w", s.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("the address %q: %w", m.To, err)
	}
	msg.Subject(l.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + fromDomain(s.From))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader(gomail.HeaderContentLang, m.Locale)
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, l.Body)
	return msg, nil
}

func fromDomain(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		return strings.Trim(from[i+1:], "> ")
	}
	return "helpcentre.invalid"
}
