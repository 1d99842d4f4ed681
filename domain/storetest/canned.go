package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var cannedCases = []testCase{
	{"per_shop", testCannedPerShop},
	{"refusals", testCannedRefusals},
}

func testCannedPerShop(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam, sue := w.as(t, "sam"), w.as(t, "sue")
	if l, err := w.Canned.ListCannedReplies(sam); err != nil || l == nil || len(l) != 0 {
		t.Fatalf("empty list: %#v %v", l, err)
	}
	b, err := w.Canned.SaveCannedReply(sam, &domain.CannedReply{Title: " Delay ", Body: "Sorry for the delay."})
	if err != nil || b.ID == "" || b.Title != "Delay" {
		t.Fatalf("create: %+v %v", b, err)
	}
	if _, err := w.Canned.SaveCannedReply(sam, &domain.CannedReply{Title: "a returns note", Body: "See /en/articles/returns"}); err != nil {
		t.Fatal(err)
	}
	l, err := w.Canned.ListCannedReplies(sam)
	if err != nil || len(l) != 2 || l[0].Title != "a returns note" || l[1].ShopID != "shop-1" || l[1].CreatedBy != w.id("sam") {
		t.Fatalf("list: %+v %v", l, err)
	}
	if l, _ := w.Canned.ListCannedReplies(sue); len(l) != 0 {
		t.Errorf("sue sees sam's replies: %+v", l)
	}
	w.clock.Add(time.Minute)
	u, err := w.Canned.SaveCannedReply(sam, &domain.CannedReply{ID: b.ID, Title: "Delay", Body: "Sorry, it ships tomorrow."})
	if err != nil || !u.CreatedAt.Equal(b.CreatedAt) || u.Body != "Sorry, it ships tomorrow." {
		t.Fatalf("update: %+v %v", u, err)
	}
	if got, err := w.Canned.FindCannedReply(sam, b.ID); err != nil || got.Body != u.Body {
		t.Errorf("find: %+v %v", got, err)
	}
	if err := w.Canned.DeleteCannedReply(sam, b.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := w.Canned.ListCannedReplies(sam); len(l) != 1 {
		t.Errorf("after delete: %+v", l)
	}
	if _, err := w.Canned.FindCannedReply(sam, b.ID); code(err) != domain.CodeNotFound {
		t.Errorf("find deleted: %v", err)
	}
}

func testCannedRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	sam, sue, ana, olga := w.as(t, "sam"), w.as(t, "sue"), w.as(t, "ana"), w.as(t, "olga")
	var first *domain.CannedReply
	for i := range domain.MaxCannedPerShop {
		r, err := w.Canned.SaveCannedReply(sue, &domain.CannedReply{Title: fmt.Sprintf("reply %03d", i), Body: "text"})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
		}
	}
	mine, err := w.Canned.SaveCannedReply(sam, &domain.CannedReply{Title: "Delay", Body: "Sorry."})
	if err != nil {
		t.Fatal(err)
	}
	save := func(ctx context.Context, r domain.CannedReply) func() error {
		return func() error { _, err := w.Canned.SaveCannedReply(ctx, &r); return err }
	}
	w.refuseAll(t, []refusal{
		{"list as a customer", domain.CodeForbidden, func() error { _, err := w.Canned.ListCannedReplies(ana); return err }},
		{"list as customer care", domain.CodeForbidden, func() error { _, err := w.Canned.ListCannedReplies(olga); return err }},
		{"list anonymous", domain.CodeForbidden, func() error { _, err := w.Canned.ListCannedReplies(anon); return err }},
		{"find as a customer", domain.CodeForbidden, func() error { _, err := w.Canned.FindCannedReply(ana, mine.ID); return err }},
		{"find another shop's", domain.CodeNotFound, func() error { _, err := w.Canned.FindCannedReply(sue, mine.ID); return err }},
		{"find unknown", domain.CodeNotFound, func() error { _, err := w.Canned.FindCannedReply(sam, "no-such-reply"); return err }},
		{"save as a customer", domain.CodeForbidden, save(ana, domain.CannedReply{Title: "x", Body: "y"})},
		{"save as customer care", domain.CodeForbidden, save(olga, domain.CannedReply{Title: "x", Body: "y"})},
		{"save without title", domain.CodeInvalidCannedTitle, save(sam, domain.CannedReply{Title: " ", Body: "y"})},
		{"save too long a title", domain.CodeInvalidCannedTitle, save(sam, domain.CannedReply{Title: strings.Repeat("x", domain.MaxCannedTitleRunes+1), Body: "y"})},
		{"save without body", domain.CodeInvalidCannedBody, save(sam, domain.CannedReply{Title: "x", Body: ""})},
		{"save too long a body", domain.CodeInvalidCannedBody, save(sam, domain.CannedReply{Title: "x", Body: strings.Repeat("x", domain.MaxCannedBodyBytes+1)})},
		{"save one too many", domain.CodeTooManyCanned, save(sue, domain.CannedReply{Title: "x", Body: "y"})},
		{"update another shop's", domain.CodeNotFound, save(sue, domain.CannedReply{ID: mine.ID, Title: "x", Body: "y"})},
		{"update unknown", domain.CodeNotFound, save(sam, domain.CannedReply{ID: "no-such-reply", Title: "x", Body: "y"})},
		{"delete as a customer", domain.CodeForbidden, func() error { return w.Canned.DeleteCannedReply(ana, mine.ID) }},
		{"delete another shop's", domain.CodeNotFound, func() error { return w.Canned.DeleteCannedReply(sue, mine.ID) }},
		{"delete unknown", domain.CodeNotFound, func() error { return w.Canned.DeleteCannedReply(sam, "no-such-reply") }},
	})
	// A full shop may still update its replies.
	if _, err := w.Canned.SaveCannedReply(sue, &domain.CannedReply{ID: first.ID, Title: "renamed", Body: "text"}); err != nil {
		t.Errorf("updating in a full shop: %v", err)
	}
}
