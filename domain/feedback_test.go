package domain_test

import (
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/domain"
)

func TestVoteValidate(t *testing.T) {
	valid := func() domain.Vote {
		return domain.Vote{ArticleID: "refund-policy_2.v1", Locale: "en", Helpful: false, Reason: "unclear",
			Comment: "Línea uno\nline two\t✓", Session: "s-123"}
	}
	tests := []struct {
		name   string
		modify func(v *domain.Vote)
		code   domain.Code // "" for valid
	}{
		{"valid no with reason", func(v *domain.Vote) {}, ""},
		{"valid no without reason", func(v *domain.Vote) { v.Reason = "" }, ""},
		{"valid yes", func(v *domain.Vote) { v.Helpful, v.Reason = true, "" }, ""},
		{"article id max length", func(v *domain.Vote) { v.ArticleID = strings.Repeat("a", 128) }, ""},
		{"comment of 1000 runes", func(v *domain.Vote) { v.Comment = strings.Repeat("é", 1000) }, ""},
		{"session of 64 chars", func(v *domain.Vote) { v.Session = strings.Repeat("s", 64) }, ""},

		{"empty article id", func(v *domain.Vote) { v.ArticleID = "" }, domain.CodeInvalidArticleID},
		{"long article id", func(v *domain.Vote) { v.ArticleID = strings.Repeat("a", 129) }, domain.CodeInvalidArticleID},
		{"slash in article id", func(v *domain.Vote) { v.ArticleID = "a/b" }, domain.CodeInvalidArticleID},
		{"space in article id", func(v *domain.Vote) { v.ArticleID = "a b" }, domain.CodeInvalidArticleID},
		{"NUL in article id", func(v *domain.Vote) { v.ArticleID = "a\x00" }, domain.CodeInvalidArticleID},
		{"non-ASCII article id", func(v *domain.Vote) { v.ArticleID = "reembolsó" }, domain.CodeInvalidArticleID},
		{"empty locale", func(v *domain.Vote) { v.Locale = "" }, domain.CodeInvalidLocale},
		{"upper-case locale", func(v *domain.Vote) { v.Locale = "EN" }, domain.CodeInvalidLocale},
		{"region locale", func(v *domain.Vote) { v.Locale = "en-GB" }, domain.CodeInvalidLocale},
		{"unknown reason", func(v *domain.Vote) { v.Reason = "boring" }, domain.CodeInvalidReason},
		{"reason on a yes", func(v *domain.Vote) { v.Helpful = true }, domain.CodeInvalidReason},
		{"comment too long", func(v *domain.Vote) { v.Comment = strings.Repeat("é", 1001) }, domain.CodeInvalidComment},
		{"comment invalid UTF-8", func(v *domain.Vote) { v.Comment = "bad \xff" }, domain.CodeInvalidComment},
		{"comment control char", func(v *domain.Vote) { v.Comment = "bell\a" }, domain.CodeInvalidComment},
		{"session too long", func(v *domain.Vote) { v.Session = strings.Repeat("s", 65) }, domain.CodeInvalidSession},
		{"session invalid UTF-8", func(v *domain.Vote) { v.Session = "\xff" }, domain.CodeInvalidSession},
		{"session newline", func(v *domain.Vote) { v.Session = "a\nb" }, domain.CodeInvalidSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := valid()
			tt.modify(&v)
			err := v.Validate()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if got := domain.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			if got := domain.ErrorKind(err); got != domain.Invalid {
				t.Errorf("kind = %q, want invalid", got)
			}
			if domain.ErrorMessage(err) == "" {
				t.Error("empty message")
			}
		})
	}
	for _, r := range domain.Reasons() {
		v := valid()
		v.Reason = r
		if err := v.Validate(); err != nil {
			t.Errorf("reason %q: %v", r, err)
		}
	}
}

func TestArticleViewsValidate(t *testing.T) {
	tests := []struct {
		av   domain.ArticleViews
		code domain.Code
	}{
		{domain.ArticleViews{ArticleID: "a", Locale: "en", Views: 3}, ""},
		{domain.ArticleViews{ArticleID: "a", Locale: "en", Views: 0}, ""},
		{domain.ArticleViews{ArticleID: "a", Locale: "en", Views: -1}, domain.CodeInvalidViews},
		{domain.ArticleViews{ArticleID: "", Locale: "en", Views: 1}, domain.CodeInvalidArticleID},
		{domain.ArticleViews{ArticleID: "a", Locale: "e", Views: 1}, domain.CodeInvalidLocale},
	}
	for _, tt := range tests {
		if got := domain.ErrorCode(tt.av.Validate()); got != tt.code {
			t.Errorf("%+v: code %q, want %q", tt.av, got, tt.code)
		}
	}
}
