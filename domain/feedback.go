package domain

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reasons a reader may give for a "no" to "Was this helpful?". A "yes" has none.
const (
	ReasonOutdated   = "outdated"
	ReasonUnclear    = "unclear"
	ReasonDidntApply = "didnt_apply" // the answer did not apply to the reader's order
	ReasonOther      = "other"
)

// Limits of feedback input and output.
const (
	MaxArticleIDLen    = 128  // bytes of [A-Za-z0-9._-]
	MaxCommentRunes    = 1000 // characters of a vote's comment
	MaxSessionRunes    = 64   // characters of a vote's session
	RecentVotesLimit   = 20   // votes in FeedbackSummary.Recent
	MaxPopularArticles = 100  // PopularArticles returns at most this many
)

// Reasons returns the valid reasons for a "no", in the order a form shows them.
func Reasons() []string {
	return []string{ReasonOutdated, ReasonUnclear, ReasonDidntApply, ReasonOther}
}

// Vote is one answer to "Was this helpful?" on one article in one locale.
type Vote struct {
	ID        string    `json:"id"` // a ULID, assigned when recorded; sorts by time
	ArticleID string    `json:"article_id"`
	Locale    string    `json:"locale"`
	Helpful   bool      `json:"helpful"`
	Reason    string    `json:"reason,omitempty"`  // one of Reasons(), only for a "no", optional
	Comment   string    `json:"comment,omitempty"` // free text, at most MaxCommentRunes
	Session   string    `json:"-"`                 // identifies a browser: never serialised
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports the first rule v breaks as an Invalid *Error, or nil. It
// does not look at ID and CreatedAt, which the service assigns.
func (v *Vote) Validate() error {
	if err := ValidateArticleID(v.ArticleID); err != nil {
		return err
	}
	if err := ValidateLocale(v.Locale); err != nil {
		return err
	}
	if v.Helpful && v.Reason != "" {
		return Errorf(CodeInvalidReason, "A helpful vote takes no reason.")
	}
	if v.Reason != "" && !validReason(v.Reason) {
		return Errorf(CodeInvalidReason, "Reason must be one of %s.", strings.Join(Reasons(), ", "))
	}
	if !utf8.ValidString(v.Comment) {
		return Errorf(CodeInvalidComment, "Comment is not valid UTF-8.")
	}
	if n := utf8.RuneCountInString(v.Comment); n > MaxCommentRunes {
		return Errorf(CodeInvalidComment, "Comment is %d characters long; the limit is %d.", n, MaxCommentRunes)
	}
	// Editors read comments later: line breaks and tabs are fine, other control
	// characters are never typed by a person.
	for _, r := range v.Comment {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return Errorf(CodeInvalidComment, "Comment contains a control character.")
		}
	}
	if !utf8.ValidString(v.Session) || utf8.RuneCountInString(v.Session) > MaxSessionRunes {
		return Errorf(CodeInvalidSession, "Session must be valid UTF-8 of at most %d characters.", MaxSessionRunes)
	}
	for _, r := range v.Session {
		if unicode.IsControl(r) {
			return Errorf(CodeInvalidSession, "Session contains a control character.")
		}
	}
	return nil
}

func validReason(r string) bool {
	switch r {
	case ReasonOutdated, ReasonUnclear, ReasonDidntApply, ReasonOther:
		return true
	}
	return false
}

// ValidateArticleID returns an Invalid *Error unless id is 1 to 128 characters
// of A-Z, a-z, 0-9, '.', '_' and '-' (the ids of content's front matter).
func ValidateArticleID(id string) error {
	if id == "" || len(id) > MaxArticleIDLen {
		return Errorf(CodeInvalidArticleID, "Article id must be 1 to %d characters long.", MaxArticleIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return Errorf(CodeInvalidArticleID, "Article id may contain only letters, digits, '.', '_' and '-'.")
		}
	}
	return nil
}

// ValidateLocale returns an Invalid *Error unless locale is two lower-case
// ASCII letters ("en", "es").
func ValidateLocale(locale string) error {
	if len(locale) != 2 || locale[0] < 'a' || locale[0] > 'z' || locale[1] < 'a' || locale[1] > 'z' {
		return Errorf(CodeInvalidLocale, "Locale must be two lower-case letters, like \"en\".")
	}
	return nil
}

// FeedbackSummary is what readers said about one article, across locales.
type FeedbackSummary struct {
	ArticleID  string                    `json:"article_id"`
	Helpful    int                       `json:"helpful"`
	NotHelpful int                       `json:"not_helpful"`
	Reasons    map[string]int            `json:"reasons"` // "no" votes per given reason; a "no" without a reason is not counted here
	Locales    map[string]LocaleFeedback `json:"locales"`
	Recent     []Vote                    `json:"recent"` // newest first, at most RecentVotesLimit
}

// LocaleFeedback counts the votes on an article in one locale.
type LocaleFeedback struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// ArticleViews is a number of views of an article in a locale: a delta when
// given to AddViews, a total when returned by PopularArticles.
type ArticleViews struct {
	ArticleID string `json:"article_id"`
	Locale    string `json:"locale"`
	Views     int64  `json:"views"`
}

// Validate reports the first rule a breaks as an Invalid *Error, or nil.
func (a *ArticleViews) Validate() error {
	if err := ValidateArticleID(a.ArticleID); err != nil {
		return err
	}
	if err := ValidateLocale(a.Locale); err != nil {
		return err
	}
	if a.Views < 0 {
		return Errorf(CodeInvalidViews, "Views must not be negative.")
	}
	return nil
}

// FeedbackService stores article feedback and view counts. Every error it
// returns is an *Error or, for failures of the store, an error of kind Internal.
type FeedbackService interface {
	// RecordVote validates and stores v. It assigns v.ID (a ULID, sortable by
	// time) and v.CreatedAt (the service's clock) when they are empty; a
	// caller-supplied ID must be a ULID.
	// Errors: invalid_article_id, invalid_locale, invalid_reason,
	// invalid_comment, invalid_session (from Validate), invalid_vote_id,
	// invalid_created_at; vote_exists (Conflict) when the article already has
	// a vote with v.ID.
	RecordVote(ctx context.Context, v *Vote) error

	// FeedbackSummary returns the counts, reasons and recent votes of one
	// article. An article without votes has a zero summary with empty, non-nil
	// maps and slice, not a NotFound error.
	// Errors: invalid_article_id.
	FeedbackSummary(ctx context.Context, articleID string) (*FeedbackSummary, error)

	// AddViews adds each entry's Views to its article's count in its locale,
	// all in one write transaction: either every count moves or none does.
	// Entries may repeat an article; zero views are allowed and change nothing.
	// Errors: invalid_article_id, invalid_locale, invalid_views (a negative
	// count), naming nothing of which entry: callers validate entries as they
	// collect them (ArticleViews.Validate).
	AddViews(ctx context.Context, views []ArticleViews) error

	// PopularArticles returns up to n articles of a locale, most viewed first,
	// ties by article id; n above MaxPopularArticles is capped. A locale
	// without views gives an empty slice.
	// Errors: invalid_locale; invalid_limit when n < 1.
	PopularArticles(ctx context.Context, locale string, n int) ([]ArticleViews, error)
}

// ErrInvalidVoteID refuses a vote id that is not a ULID.
func ErrInvalidVoteID() *Error {
	return Errorf(CodeInvalidVoteID, "Vote id must be a ULID.")
}

// ErrInvalidVoteTime refuses a vote time no ULID can carry.
func ErrInvalidVoteTime() *Error {
	return Errorf(CodeInvalidCreatedAt, "Vote time must be between 1970 and 10889.")
}

// ErrVoteExists refuses recording a vote (by its id) a second time.
func ErrVoteExists() *Error {
	return Errorf(CodeVoteExists, "This vote has already been recorded.")
}

// PopularLimit resolves how many popular articles to return for n: at least
// 1, at most MaxPopularArticles.
func PopularLimit(n int) (int, error) {
	if n < 1 {
		return 0, Errorf(CodeInvalidLimit, "The number of articles must be at least 1.")
	}
	return min(n, MaxPopularArticles), nil
}
