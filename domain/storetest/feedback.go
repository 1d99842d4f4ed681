package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/marketplace/helpcentre/domain"
)

var feedbackCases = []testCase{
	{"record_vote_assigns_id_and_time", testRecordVoteAssignsIDAndTime},
	{"record_vote_errors", testRecordVoteErrors},
	{"feedback_summary_counts", testFeedbackSummaryCounts},
	{"feedback_summary_without_votes", testFeedbackSummaryWithoutVotes},
	{"recent_newest_first", testRecentNewestFirst},
	{"ids_sort_by_time", testIDsSortByTime},
	{"popular_articles", testPopularArticles},
	{"add_views_is_all_or_nothing", testAddViewsIsAllOrNothing},
	{"add_views_saturates", testAddViewsSaturates},
	{"popular_articles_matches_sort", testPopularArticlesMatchesSort},
	{"concurrent_writers", testConcurrentWriters},
}

// openFeedback is the feedback service of a new, empty store, and its clock.
func openFeedback(t *testing.T, open Opener) (domain.FeedbackService, *clock) {
	w := newEmpty(t, open, domain.DefaultPolicy())
	return w.Feedback, w.clock
}

func mustVote(t *testing.T, s domain.FeedbackService, v domain.Vote) domain.Vote {
	t.Helper()
	if err := s.RecordVote(context.Background(), &v); err != nil {
		t.Fatalf("RecordVote(%+v): %v", v, err)
	}
	return v
}
func mustSummary(t *testing.T, s domain.FeedbackService, articleID string) *domain.FeedbackSummary {
	t.Helper()
	sum, err := s.FeedbackSummary(context.Background(), articleID)
	if err != nil {
		t.Fatalf("FeedbackSummary(%q): %v", articleID, err)
	}
	return sum
}
func testRecordVoteAssignsIDAndTime(t *testing.T, open Opener) {
	s, clk := openFeedback(t, open)
	v := mustVote(t, s, domain.Vote{ArticleID: "refunds", Locale: "en", Helpful: true, Session: "abc"})
	id, err := ulid.ParseStrict(v.ID)
	if err != nil {
		t.Fatalf("ID %q is not a ULID: %v", v.ID, err)
	}
	if !v.CreatedAt.Equal(clk.Now()) {
		t.Errorf("CreatedAt = %v, want the clock's %v", v.CreatedAt, clk.Now())
	}
	if got := id.Timestamp(); !got.Equal(clk.Now().Truncate(time.Millisecond)) {
		t.Errorf("ULID time = %v, want %v", got, clk.Now())
	}

	// A caller's CreatedAt and ID are kept.
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	given := ulid.MustNew(ulid.Timestamp(at), nil).String()
	v = mustVote(t, s, domain.Vote{ID: given, ArticleID: "refunds", Locale: "en", Helpful: true, CreatedAt: at})
	if v.ID != given || !v.CreatedAt.Equal(at) {
		t.Errorf("got ID %s at %v, want %s at %v", v.ID, v.CreatedAt, given, at)
	}
	sum := mustSummary(t, s, "refunds")
	if len(sum.Recent) != 2 || sum.Recent[1].ID != given || !sum.Recent[1].CreatedAt.Equal(at) {
		t.Errorf("Recent = %+v, want the caller's vote last", sum.Recent)
	}
	if sum.Recent[0].Session != "abc" {
		t.Errorf("Session = %q, want it stored", sum.Recent[0].Session)
	}
}
func testRecordVoteErrors(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	existing := mustVote(t, s, domain.Vote{ArticleID: "a", Locale: "en", Helpful: true})

	tests := []struct {
		name string
		v    domain.Vote
		kind domain.Kind
		code domain.Code
	}{
		{"bad article", domain.Vote{ArticleID: "a b", Locale: "en", Helpful: true}, domain.Invalid, domain.CodeInvalidArticleID},
		{"bad locale", domain.Vote{ArticleID: "a", Locale: "english", Helpful: true}, domain.Invalid, domain.CodeInvalidLocale},
		{"reason on yes", domain.Vote{ArticleID: "a", Locale: "en", Helpful: true, Reason: "unclear"}, domain.Invalid, domain.CodeInvalidReason},
		{"unknown reason", domain.Vote{ArticleID: "a", Locale: "en", Reason: "meh"}, domain.Invalid, domain.CodeInvalidReason},
		{"long comment", domain.Vote{ArticleID: "a", Locale: "en", Comment: strings.Repeat("x", 1001)}, domain.Invalid, domain.CodeInvalidComment},
		{"long session", domain.Vote{ArticleID: "a", Locale: "en", Session: strings.Repeat("x", 65)}, domain.Invalid, domain.CodeInvalidSession},
		{"bad id", domain.Vote{ID: "not-a-ulid", ArticleID: "a", Locale: "en"}, domain.Invalid, domain.CodeInvalidVoteID},
		{"before 1970", domain.Vote{ArticleID: "a", Locale: "en", CreatedAt: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}, domain.Invalid, domain.CodeInvalidCreatedAt},
		{"duplicate id", domain.Vote{ID: existing.ID, ArticleID: "a", Locale: "en"}, domain.Conflict, domain.CodeVoteExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			err := s.RecordVote(ctx, &v)
			if domain.ErrorKind(err) != tt.kind || domain.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v (kind %q, code %q), want %s/%s", err, domain.ErrorKind(err), domain.ErrorCode(err), tt.kind, tt.code)
			}
			if v.ID != tt.v.ID || !v.CreatedAt.Equal(tt.v.CreatedAt) {
				t.Errorf("a failed RecordVote changed the vote: %+v", v)
			}
		})
	}
	sum := mustSummary(t, s, "a")
	if sum.Helpful != 1 || sum.NotHelpful != 0 || len(sum.Recent) != 1 {
		t.Errorf("failed votes were stored: %+v", sum)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.RecordVote(cancelled, &domain.Vote{ArticleID: "a", Locale: "en", Helpful: true}); err == nil {
		t.Error("RecordVote with a cancelled context succeeded")
	}
	if _, err := s.FeedbackSummary(ctx, "../etc"); domain.ErrorCode(err) != domain.CodeInvalidArticleID {
		t.Errorf("FeedbackSummary(bad id) = %v, want invalid_article_id", err)
	}
}
func testFeedbackSummaryCounts(t *testing.T, open Opener) {
	s, clk := openFeedback(t, open)
	votes := []domain.Vote{
		{ArticleID: "faq", Locale: "en", Helpful: true},
		{ArticleID: "faq", Locale: "en", Helpful: true},
		{ArticleID: "faq", Locale: "en", Reason: domain.ReasonOutdated},
		{ArticleID: "faq", Locale: "en"}, // a "no" without a reason
		{ArticleID: "faq", Locale: "es", Reason: domain.ReasonOutdated},
		{ArticleID: "faq", Locale: "es", Reason: domain.ReasonDidntApply, Comment: "mi pedido es otro"},
		{ArticleID: "faq", Locale: "es", Helpful: true},
		{ArticleID: "faq", Locale: "fr", Reason: domain.ReasonUnclear},
		// Neighbours whose keys sort right before and after faq's: never counted.
		{ArticleID: "fa", Locale: "en", Helpful: true},
		{ArticleID: "faq-2", Locale: "en", Reason: domain.ReasonOther},
		{ArticleID: "faq.1", Locale: "en", Helpful: true},
		{ArticleID: "faqa", Locale: "en", Helpful: true},
	}
	for _, v := range votes {
		mustVote(t, s, v)
		clk.Add(time.Second)
	}

	sum := mustSummary(t, s, "faq")
	if sum.ArticleID != "faq" || sum.Helpful != 3 || sum.NotHelpful != 5 {
		t.Errorf("totals = %s %d/%d, want faq 3/5", sum.ArticleID, sum.Helpful, sum.NotHelpful)
	}
	wantLocales := map[string]domain.LocaleFeedback{
		"en": {Helpful: 2, NotHelpful: 2},
		"es": {Helpful: 1, NotHelpful: 2},
		"fr": {Helpful: 0, NotHelpful: 1},
	}
	if fmt.Sprint(sum.Locales) != fmt.Sprint(wantLocales) {
		t.Errorf("Locales = %v, want %v", sum.Locales, wantLocales)
	}
	wantReasons := map[string]int{"outdated": 2, "didnt_apply": 1, "unclear": 1}
	if fmt.Sprint(sum.Reasons) != fmt.Sprint(wantReasons) {
		t.Errorf("Reasons = %v, want %v", sum.Reasons, wantReasons)
	}
	if len(sum.Recent) != 8 {
		t.Fatalf("Recent has %d votes, want 8", len(sum.Recent))
	}
	for i, v := range sum.Recent {
		if v.ArticleID != "faq" {
			t.Errorf("Recent[%d] is of article %q", i, v.ArticleID)
		}
	}
	if got := sum.Recent[2]; got.Comment != "mi pedido es otro" || got.Locale != "es" || got.Reason != "didnt_apply" {
		t.Errorf("Recent[2] = %+v, want the Spanish didnt_apply vote", got)
	}

	// "fa" has the first keys of the bucket and "faqa" the last, so its
	// recent votes are found from the end of the bucket.
	for _, id := range []string{"fa", "faq.1", "faqa"} {
		if sum := mustSummary(t, s, id); sum.Helpful != 1 || sum.NotHelpful != 0 || len(sum.Recent) != 1 || sum.Recent[0].ArticleID != id {
			t.Errorf("%s: %+v, want one helpful vote", id, sum)
		}
	}
	if sum := mustSummary(t, s, "faq-2"); sum.NotHelpful != 1 || sum.Reasons["other"] != 1 || len(sum.Recent) != 1 {
		t.Errorf("faq-2: %+v", sum)
	}
}
func testFeedbackSummaryWithoutVotes(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	mustVote(t, s, domain.Vote{ArticleID: "other", Locale: "en", Helpful: true})
	sum := mustSummary(t, s, "nobody-voted")
	if sum.ArticleID != "nobody-voted" || sum.Helpful != 0 || sum.NotHelpful != 0 {
		t.Errorf("summary = %+v, want zero", sum)
	}
	if sum.Reasons == nil || sum.Locales == nil || sum.Recent == nil || len(sum.Reasons)+len(sum.Locales)+len(sum.Recent) != 0 {
		t.Errorf("summary = %#v, want empty non-nil maps and slice", sum)
	}
}
func testRecentNewestFirst(t *testing.T, open Opener) {
	s, clk := openFeedback(t, open)
	var ids []string
	for i := range 25 {
		v := mustVote(t, s, domain.Vote{ArticleID: "faq", Locale: "en", Helpful: true, Comment: fmt.Sprint(i)})
		ids = append(ids, v.ID)
		if i%3 == 0 { // several votes share a millisecond
			clk.Add(time.Minute)
		}
	}
	sum := mustSummary(t, s, "faq")
	if len(sum.Recent) != domain.RecentVotesLimit {
		t.Fatalf("Recent has %d votes, want %d", len(sum.Recent), domain.RecentVotesLimit)
	}
	for i, v := range sum.Recent {
		if want := fmt.Sprint(24 - i); v.Comment != want || v.ID != ids[24-i] {
			t.Errorf("Recent[%d] = vote %s (%s), want vote %s", i, v.Comment, v.ID, want)
		}
		if i > 0 && v.CreatedAt.After(sum.Recent[i-1].CreatedAt) {
			t.Errorf("Recent[%d] is newer than Recent[%d]", i, i-1)
		}
	}
	if sum.Helpful != 25 {
		t.Errorf("Helpful = %d, want 25", sum.Helpful)
	}
}
func testIDsSortByTime(t *testing.T, open Opener) {
	s, clk := openFeedback(t, open)
	var ids []string
	for i := range 500 {
		v := mustVote(t, s, domain.Vote{ArticleID: fmt.Sprintf("a%d", i%7), Locale: "en", Helpful: true})
		ids = append(ids, v.ID)
		if i%50 == 0 {
			clk.Add(time.Millisecond)
		}
	}
	if !slices.IsSorted(ids) {
		t.Error("IDs in order of creation are not sorted")
	}
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Error("duplicate IDs")
	}
}
func testPopularArticles(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	flushes := [][]domain.ArticleViews{
		{
			{ArticleID: "returns", Locale: "en", Views: 5},
			{ArticleID: "invoice", Locale: "en", Views: 3},
			{ArticleID: "invoice", Locale: "en", Views: 2}, // repeats add up
			{ArticleID: "shipping", Locale: "en", Views: 9},
			{ArticleID: "devoluciones", Locale: "es", Views: 100},
			{ArticleID: "zero", Locale: "en", Views: 0},
		},
		{
			{ArticleID: "account", Locale: "en", Views: 5},
			{ArticleID: "shipping", Locale: "en", Views: 1},
		},
		nil, // an empty flush is fine
	}
	for _, f := range flushes {
		if err := s.AddViews(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.PopularArticles(ctx, "en", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Views descending, ties by article id; Spanish articles never appear.
	want := []domain.ArticleViews{
		{ArticleID: "shipping", Locale: "en", Views: 10},
		{ArticleID: "account", Locale: "en", Views: 5},
		{ArticleID: "invoice", Locale: "en", Views: 5},
		{ArticleID: "returns", Locale: "en", Views: 5},
	}
	if !slices.Equal(got, want) {
		t.Errorf("PopularArticles(en, 10) = %v, want %v", got, want)
	}
	got, _ = s.PopularArticles(ctx, "en", 2)
	if !slices.Equal(got, want[:2]) {
		t.Errorf("PopularArticles(en, 2) = %v, want %v", got, want[:2])
	}
	if got, _ := s.PopularArticles(ctx, "de", 5); got == nil || len(got) != 0 {
		t.Errorf("PopularArticles(de) = %#v, want an empty slice", got)
	}

	if _, err := s.PopularArticles(ctx, "en", 0); domain.ErrorCode(err) != domain.CodeInvalidLimit {
		t.Errorf("n=0: %v, want invalid_limit", err)
	}
	if _, err := s.PopularArticles(ctx, "EN", 1); domain.ErrorCode(err) != domain.CodeInvalidLocale {
		t.Errorf("locale EN: %v, want invalid_locale", err)
	}
}
func testAddViewsIsAllOrNothing(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	bad := []struct {
		views []domain.ArticleViews
		code  domain.Code
	}{
		{[]domain.ArticleViews{{ArticleID: "a", Locale: "en", Views: 1}, {ArticleID: "b", Locale: "en", Views: -1}}, domain.CodeInvalidViews},
		{[]domain.ArticleViews{{ArticleID: "a", Locale: "en", Views: 1}, {ArticleID: "b/c", Locale: "en", Views: 1}}, domain.CodeInvalidArticleID},
		{[]domain.ArticleViews{{ArticleID: "a", Locale: "en", Views: 1}, {ArticleID: "b", Locale: "", Views: 1}}, domain.CodeInvalidLocale},
	}
	for _, tt := range bad {
		if err := s.AddViews(ctx, tt.views); domain.ErrorCode(err) != tt.code {
			t.Errorf("AddViews(%v) = %v, want %s", tt.views, err, tt.code)
		}
	}
	if got, _ := s.PopularArticles(ctx, "en", 10); len(got) != 0 {
		t.Errorf("a rejected batch wrote %v", got)
	}
}
func testAddViewsSaturates(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	for range 2 {
		if err := s.AddViews(ctx, []domain.ArticleViews{{ArticleID: "a", Locale: "en", Views: math.MaxInt64 - 1}}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.PopularArticles(ctx, "en", 1)
	if len(got) != 1 || got[0].Views != math.MaxInt64 {
		t.Errorf("got %v, want MaxInt64 views", got)
	}
}

// TestPopularArticlesMatchesSort checks the bounded heap against a full sort
// on many articles with many ties, including n above the cap.
func testPopularArticlesMatchesSort(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	totals := map[string]int64{}
	for range 5 {
		var batch []domain.ArticleViews
		for range 400 {
			id := fmt.Sprintf("article-%d", rng.IntN(600))
			n := int64(rng.IntN(4))
			totals[id] += n
			batch = append(batch, domain.ArticleViews{ArticleID: id, Locale: "en", Views: n})
		}
		if err := s.AddViews(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	var all []domain.ArticleViews
	for id, n := range totals {
		if n > 0 {
			all = append(all, domain.ArticleViews{ArticleID: id, Locale: "en", Views: n})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Views != all[j].Views {
			return all[i].Views > all[j].Views
		}
		return all[i].ArticleID < all[j].ArticleID
	})
	for _, n := range []int{1, 7, 50, 100, 500} {
		got, err := s.PopularArticles(ctx, "en", n)
		if err != nil {
			t.Fatal(err)
		}
		want := all[:min(n, domain.MaxPopularArticles, len(all))]
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: got %v\nwant %v", n, got, want)
		}
	}
}
func testConcurrentWriters(t *testing.T, open Opener) {
	s, _ := openFeedback(t, open)
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				v := domain.Vote{ArticleID: "faq", Locale: "en", Helpful: i%2 == 0}
				if err := s.RecordVote(ctx, &v); err != nil {
					t.Error(err)
				}
				if err := s.AddViews(ctx, []domain.ArticleViews{{ArticleID: fmt.Sprint("a", w), Locale: "en", Views: 1}}); err != nil {
					t.Error(err)
				}
				if _, err := s.FeedbackSummary(ctx, "faq"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	sum := mustSummary(t, s, "faq")
	if sum.Helpful+sum.NotHelpful != workers*each {
		t.Errorf("%d votes, want %d", sum.Helpful+sum.NotHelpful, workers*each)
	}
	pop, _ := s.PopularArticles(ctx, "en", 100)
	for _, p := range pop {
		if p.Views != each {
			t.Errorf("%s: %d views, want %d", p.ArticleID, p.Views, each)
		}
	}
	if len(pop) != workers {
		t.Errorf("%d articles, want %d", len(pop), workers)
	}
}
