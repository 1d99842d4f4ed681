package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/smtp"
	"github.com/marketplace/helpcentre/server"
)

// mailFlags configure email: --smtp-url and --mail-from. Without a URL no
// mail is sent (said once at start); mails stay queued in the outbox, so
// configuring a server later sends those still fresh (smtp.DefaultMaxAge).
type mailFlags struct {
	url    string
	from   string
	server smtp.Server
}

func (m *mailFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&m.url, "smtp-url", envOr("SMTP_URL", ""), "send email (hand-off confirmations, answers to anonymous visitors, customers' chosen notifications) through this SMTP server: smtp://[user:password@]host[:port] (STARTTLS when offered; ?starttls=required or off) or smtps://host[:port]; empty: no email (HELPCENTRE_SMTP_URL)")
	fset.StringVar(&m.from, "mail-from", envOr("MAIL_FROM", "Help centre <help@localhost>"), "the From address of email (HELPCENTRE_MAIL_FROM)")
}

func (m *mailFlags) parse() error {
	if m.url == "" {
		return nil
	}
	s, err := smtp.ParseURL(m.url)
	if err != nil {
		return exitError{2, "helpcentre serve: -smtp-url: " + err.Error()}
	}
	m.server = s
	return nil
}

// runMail sends the outbox's mails until ctx ends; without a server it
// says so once and returns.
func runMail(ctx context.Context, m mailFlags, mail domain.MailService, srv *server.Server, log *slog.Logger) {
	if m.url == "" {
		log.Info("mail: no SMTP server configured (--smtp-url): email is off; mails wait in the outbox (those older than two days are not sent)")
		return
	}
	snd := &smtp.Sender{Mail: mail, Server: m.server, From: m.from, Log: log,
		Links: func(x domain.Mail) smtp.Links {
			open, prefs := srv.MailLinks(x)
			return smtp.Links{Open: open, Prefs: prefs}
		}}
	snd.Run(ctx)
}
