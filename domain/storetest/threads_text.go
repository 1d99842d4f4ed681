package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// testListThreadsTextIndex: the text filter matches word beginnings, keeps
// each party to what it may read (a party joining a thread later finds only
// the messages addressed to it), narrows customer care to one shop, and pages
// in the list's order with cursors, as every other filter does.
func testListThreadsTextIndex(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, olga := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "olga")
	ids := func(ctx context.Context, f domain.ThreadFilter) []string {
		t.Helper()
		page, err := w.Threads.ListThreads(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, th := range page.Threads {
			out = append(out, th.ID)
		}
		return out
	}
	text := func(q string) domain.ThreadFilter { return domain.ThreadFilter{Text: q} }

	// A thread between ana and customer care; sam joins later.
	care := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyOperator, Topic: domain.TopicAccount, Body: "Mi contraseña no funciona: zebra"})
	if got := ids(sam, text("zebra")); len(got) != 0 {
		t.Fatalf("sam finds a thread he is not in: %v", got)
	}
	w.clock.Add(time.Minute)
	w.post(t, "olga", care.ID, "Could the shop check the yak-shaped lamp?", domain.PartySeller)
	if got := ids(sam, text("yak")); !slices.Equal(got, []string{care.ID}) {
		t.Errorf("sam, having joined, finds the message addressed to him: %v", got)
	}
	if got := ids(sam, text("zebra")); len(got) != 0 {
		t.Errorf("sam finds the words of a message addressed to customer care only: %v", got)
	}
	if got := ids(olga, text("contrase zebr")); !slices.Equal(got, []string{care.ID}) {
		t.Errorf("word beginnings, folded: %v", got)
	}
	if got := ids(olga, domain.ThreadFilter{Text: "yak", ShopID: "shop-2"}); len(got) != 0 {
		t.Errorf("care narrowed to another shop: %v", got)
	}
	if got := ids(olga, domain.ThreadFilter{Text: "zebra", ShopID: "shop-1"}); !slices.Equal(got, []string{care.ID}) {
		t.Errorf("care narrowed to the thread's shop reads what care may see: %v", got)
	}

	// An internal note stays with its side.
	w.clock.Add(time.Minute)
	if _, err := w.Threads.PostMessage(sam, care.ID, domain.NewMessage{Internal: true, Body: "note to self: walrus"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(sam, text("walrus")); !slices.Equal(got, []string{care.ID}) {
		t.Errorf("sam finds his own note: %v", got)
	}
	for who, ctx := range map[string]context.Context{"olga": olga, "ana": ana} {
		if got := ids(ctx, text("walrus")); len(got) != 0 {
			t.Errorf("%s finds the seller's internal note: %v", who, got)
		}
	}

	// Pages of a common word, newest first, then by due time, with cursors.
	var want []string
	for i := range 25 {
		w.clock.Add(time.Minute)
		th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery,
			Subject: fmt.Sprintf("Parcel %d", i), Body: "Where is my parcel?"})
		want = append(want, th.ID)
	}
	slices.Reverse(want)
	for _, f := range []domain.ThreadFilter{{Text: "parcel"}, {Text: "parcel", Sort: "due"}, {Text: "parc", Topic: domain.TopicDelivery}} {
		var got []string
		f.Limit = 10
		for range 5 {
			page, err := w.Threads.ListThreads(sam, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range page.Threads {
				got = append(got, th.ID)
			}
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
		exp := want
		if f.Sort == "due" {
			exp = slices.Clone(want)
			slices.Reverse(exp) // due soonest first: the oldest customer message
		}
		if !slices.Equal(got, exp) {
			t.Errorf("%+v: pages gave %d threads, want the %d in order", f, len(got), len(exp))
		}
	}
}
