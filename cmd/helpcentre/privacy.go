package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/server"
)

// retentionFlags are how long what people typed is kept: hand-off
// transcripts, anonymous visitors' addresses, feedback comments. (The
// contact flow's typed text has -deflect-retention, the search log
// -events-retention.)
type retentionFlags struct {
	transcripts, contactEmails, feedback time.Duration
}

func (r *retentionFlags) register(fset *flag.FlagSet) {
	dur := func(p *time.Duration, name, env string, def time.Duration, help string) {
		v, err := time.ParseDuration(envOr(env, def.String()))
		if err != nil {
			v = def
		}
		fset.DurationVar(p, name, v, help+" (HELPCENTRE_"+env+")")
	}
	dur(&r.transcripts, "transcript-retention", "TRANSCRIPT_RETENTION", domain.DefaultTranscriptRetain,
		"how long a hand-off thread keeps what the customer typed before asking for a person; 0 keeps it")
	dur(&r.contactEmails, "contact-email-retention", "CONTACT_EMAIL_RETENTION", domain.DefaultContactEmailRetain,
		"how long the address an anonymous visitor typed is kept after the thread's last message; 0 keeps it")
	dur(&r.feedback, "feedback-retention", "FEEDBACK_RETENTION", domain.DefaultFeedbackCommentRetain,
		"how long the comments of \"Was this helpful?\" votes are kept (the votes stay); 0 keeps them")
}

func (r *retentionFlags) parse() error {
	if r.transcripts < 0 || r.contactEmails < 0 || r.feedback < 0 {
		return exitError{2, "helpcentre serve: -transcript-retention, -contact-email-retention and -feedback-retention may not be negative"}
	}
	return nil
}

func (r *retentionFlags) values() domain.Retention {
	return domain.Retention{Transcripts: r.transcripts, ContactEmails: r.contactEmails, FeedbackComments: r.feedback}
}

// erasesQueued makes an erasure first write what the services hold in
// memory (help-centre events, the search log): what is queued at the time
// would otherwise reach the file after the erasure.
func erasesQueued(dom *server.Domain, flush ...func(context.Context) error) {
	if p, ok := dom.Privacy.(*bolt.PrivacyService); ok {
		p.Flush = append(p.Flush, flush...)
	}
}

// runRetention forgets what the retention periods say is kept no longer, at
// start and hourly, and logs what it forgot.
func runRetention(ctx context.Context, p *bolt.PrivacyService, r domain.Retention, log *slog.Logger) {
	p.RunRetention(ctx, r, time.Hour, func(rep *domain.PurgeReport, err error) {
		switch {
		case err != nil:
			log.Error("retention: purging expired personal data", "err", err)
		case rep.Transcripts+rep.ContactEmails+rep.FeedbackComments > 0:
			log.Info("retention: purged expired personal data", "transcripts", rep.Transcripts, "contact_emails", rep.ContactEmails, "feedback_comments", rep.FeedbackComments)
		}
	})
}
