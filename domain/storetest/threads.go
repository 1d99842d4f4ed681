package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
)

var threadCases = []testCase{
	{"visibility_and_clock", testThreadVisibilityAndClock},
	{"no_reply_needed", testNoReplyNeeded},
	{"who_starts_what", testWhoStartsWhat},
	{"list_filters", testListThreads},
	{"handoff", testHandoff},
	{"concurrent_posts", testConcurrentPosts},
	{"list_text", testListThreadsText},
	{"list_text_index", testListThreadsTextIndex},
	{"close_and_reopen", testCloseThreadAndReopenByMessage},
	{"refusals", testThreadRefusals},
}

func testThreadVisibilityAndClock(t *testing.T, open Opener) {
	w := newWorld(t, open)
	t0 := w.clock.Now()
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Subject: "Where is my lamp?", Body: "It has not arrived."})
	if th.ShopID != "shop-1" || th.Customer != "Ana García" || th.SellerReplyDueAt == nil || !th.SellerReplyDueAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("new thread: %+v", th)
	}
	if th.Assignment == nil || th.Assignment.Team != domain.TeamSeller || th.Assignment.ShopID != "shop-1" {
		t.Fatalf("routing: %+v", th.Assignment)
	}
	for who, to := range map[string]domain.Party{"ben": domain.PartySeller, "sue": domain.PartyCustomer} {
		if _, err := w.Threads.FindThread(w.as(t, who), th.ID, domain.MessagePage{}); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("%s reads another's thread: %v", who, err)
		}
		if _, err := w.Threads.PostMessage(w.as(t, who), th.ID, domain.NewMessage{To: []domain.Party{to}, Body: "x"}); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("%s posts on another's thread: %v", who, err)
		}
	}
	seen, err := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{})
	if err != nil || !seen.Unread {
		t.Fatalf("sam: %+v, %v", seen, err)
	}

	w.clock.Add(time.Hour)
	w.post(t, "sam", th.ID, "to care: courier lost it?", domain.PartyOperator)
	got, _ := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{})
	if got.SellerReplyDueAt == nil || !got.SellerReplyDueAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("a seller message to the operator cleared the clock: %v", got.SellerReplyDueAt)
	}
	w.clock.Add(47*time.Hour - time.Minute) // 47:59 after the customer's message
	if got, _ := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{}); got.Overdue {
		t.Fatal("overdue at 47:59")
	}
	w.clock.Add(2 * time.Minute) // 48:01
	if got, _ := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{}); !got.Overdue {
		t.Fatal("not overdue at 48:01")
	}
	w.post(t, "sam", th.ID, "Sorry, a new one is on its way.", domain.PartyCustomer)
	got, _ = w.Threads.FindThread(w.as(t, "ana"), th.ID, domain.MessagePage{})
	if got.SellerReplyDueAt != nil || got.SellerReplyNeededSince != nil || got.Overdue {
		t.Fatalf("a seller reply to the customer did not clear the clock: %+v", got)
	}
	if want := []string{"It has not arrived.", "Sorry, a new one is on its way."}; !slices.Equal(bodies(got), want) {
		t.Fatalf("ana sees %q, want %q", bodies(got), want)
	}
	if !got.Unread {
		t.Fatal("ana has an unread reply")
	}
	if err := w.Threads.MarkRead(w.as(t, "ana"), th.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Threads.FindThread(w.as(t, "ana"), th.ID, domain.MessagePage{}); got.Unread {
		t.Fatal("read, still unread")
	}
	op, _ := w.Threads.FindThread(w.as(t, "olga"), th.ID, domain.MessagePage{})
	if len(op.Messages) != 3 {
		t.Fatalf("olga sees %q", bodies(op))
	}
	// Internal notes: the seller's side only.
	if _, err := w.Threads.PostMessage(w.as(t, "sam"), th.ID, domain.NewMessage{Internal: true, Body: "note: refund if lost"}); err != nil {
		t.Fatal(err)
	}
	if op, _ := w.Threads.FindThread(w.as(t, "olga"), th.ID, domain.MessagePage{}); len(op.Messages) != 3 {
		t.Fatalf("olga sees the seller's note: %q", bodies(op))
	}
	if s, _ := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{}); len(s.Messages) != 4 {
		t.Fatalf("sam sees %q", bodies(s))
	}
}

func testNoReplyNeeded(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "Invoice please, thanks!"})
	if _, err := w.Threads.MarkNoReplyNeeded(w.as(t, "ana"), th.ID); domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("the customer stopped the clock: %v", err)
	}
	if _, err := w.Threads.MarkNoReplyNeeded(w.as(t, "sue"), th.ID); domain.ErrorKind(err) != domain.NotFound {
		t.Fatalf("another shop stopped the clock: %v", err)
	}
	got, err := w.Threads.MarkNoReplyNeeded(w.as(t, "sam"), th.ID)
	if err != nil || got.SellerReplyDueAt != nil || !got.NoReplyNeeded {
		t.Fatalf("no reply needed: %+v, %v", got, err)
	}
	w.clock.Add(100 * time.Hour)
	page, err := w.Threads.ListThreads(w.as(t, "sam"), domain.ThreadFilter{Status: "overdue"})
	if err != nil || len(page.Threads) != 0 {
		t.Fatalf("overdue after no reply needed: %+v, %v", page, err)
	}
	w.post(t, "ana", th.ID, "Still waiting", domain.PartySeller)
	got, _ = w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{})
	if got.NoReplyNeeded || got.SellerReplyDueAt == nil || !got.SellerReplyDueAt.Equal(w.clock.Now().Add(48*time.Hour)) {
		t.Fatalf("a new customer message restarts the clock: %+v", got)
	}
}

func testWhoStartsWhat(t *testing.T, open Opener) {
	w := newWorld(t, open)
	for _, tc := range []struct {
		who  string
		nt   domain.NewThread
		code domain.Code
	}{
		{"ana", domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller, Topic: "x", Body: "b"}, domain.CodeNotFound},
		{"ana", domain.NewThread{OrderNumber: "9999", Recipient: domain.PartySeller, Topic: "x", Body: "b"}, domain.CodeNotFound},
		{"sue", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer, Topic: "x", Body: "b"}, domain.CodeNotFound},
		{"ana", domain.NewThread{Recipient: domain.PartySeller, Topic: "x", Body: "b"}, domain.CodeInvalidRecipient},
		{"olga", domain.NewThread{Recipient: domain.PartySeller, ShopID: "shop-9", Topic: "x", Body: "b"}, domain.CodeNotFound},
		{"ana", domain.NewThread{Recipient: domain.PartyOperator, Topic: domain.TopicAccount, Body: "I cannot log in"}, ""},
		{"sam", domain.NewThread{Recipient: domain.PartyOperator, Topic: "payouts", Body: "When is my payout?"}, ""},
		{"olga", domain.NewThread{Recipient: domain.PartySeller, ShopID: "shop-2", Topic: "policy", Body: "New rules"}, ""},
		{"sam", domain.NewThread{OrderNumber: "2001", Recipient: domain.PartyCustomer, Topic: domain.TopicDelivery, Body: "Shipped!"}, ""},
	} {
		_, err := w.Threads.CreateThread(w.as(t, tc.who), tc.nt)
		if got := domain.ErrorCode(err); got != tc.code {
			t.Errorf("%s %+v: code %q, want %q (%v)", tc.who, tc.nt, got, tc.code, err)
		}
	}
	// The account question went to customer care, to olga (skill account).
	page, _ := w.Threads.ListThreads(w.as(t, "ana"), domain.ThreadFilter{Topic: domain.TopicAccount})
	if len(page.Threads) != 1 || page.Threads[0].Assignment.Agent != "olga" || page.Threads[0].Assignment.Rule != "default-account" {
		t.Fatalf("account thread: %+v", page.Threads)
	}
	// Sue sees the operator's thread to her shop; sam does not.
	if p, _ := w.Threads.ListThreads(w.as(t, "sue"), domain.ThreadFilter{}); len(p.Threads) != 1 || p.Threads[0].Topic != "policy" {
		t.Fatalf("sue's inbox: %+v", p.Threads)
	}
}

func testListThreads(t *testing.T, open Opener) {
	w := newWorld(t, open)
	topics := []string{domain.TopicDelivery, domain.TopicInvoice, "Wrong colour"}
	var ids []string
	for i := range 30 {
		order, who := "1001", "ana"
		if i%3 == 2 {
			order, who = "2001", "ben"
		}
		to := domain.PartySeller
		if i%5 == 4 {
			to = domain.PartyOperator
		}
		th := w.startThread(t, who, domain.NewThread{OrderNumber: order, Recipient: to, Topic: topics[i%3], Body: fmt.Sprintf("message %d", i)})
		ids = append(ids, th.ID)
		if i%4 == 0 && to == domain.PartySeller {
			w.post(t, "sam", th.ID, "answer", domain.PartyCustomer)
		}
		w.clock.Add(time.Hour)
	}
	w.clock.Add(20 * time.Hour) // the first threads' clocks ran out

	all := func(who string, f domain.ThreadFilter) []domain.Thread {
		t.Helper()
		var out []domain.Thread
		f.Limit = 4
		for range 100 {
			p, err := w.Threads.ListThreads(w.as(t, who), f)
			if err != nil {
				t.Fatalf("%s %+v: %v", who, f, err)
			}
			out = append(out, p.Threads...)
			if p.Next == "" {
				return out
			}
			f.Cursor = p.Next
		}
		t.Fatal("pagination does not end")
		return nil
	}
	// Truth: every thread as sam sees it.
	var truth []*domain.Thread
	for _, id := range ids {
		if th, err := w.Threads.FindThread(w.as(t, "sam"), id, domain.MessagePage{}); err == nil {
			truth = append(truth, th)
		}
	}
	now := w.clock.Now()
	since, until := now.Add(-40*time.Hour), now.Add(-30*time.Hour)
	for _, tc := range []struct {
		name string
		f    domain.ThreadFilter
		keep func(th *domain.Thread) bool
	}{
		{"all", domain.ThreadFilter{}, func(*domain.Thread) bool { return true }},
		{"topic", domain.ThreadFilter{Topic: "wrong colour"}, func(th *domain.Thread) bool { return th.Topic == "Wrong colour" }},
		{"customer", domain.ThreadFilter{Customer: "BEN CARTER"}, func(th *domain.Thread) bool { return th.Customer == "Ben Carter" }},
		{"customer login", domain.ThreadFilter{Customer: "ben"}, func(th *domain.Thread) bool { return th.Customer == "Ben Carter" }},
		// Part of a name: the start of the name or of any word of it.
		{"customer part", domain.ThreadFilter{Customer: "cart"}, func(th *domain.Thread) bool { return th.Customer == "Ben Carter" }},
		{"customer start", domain.ThreadFilter{Customer: "Ben C"}, func(th *domain.Thread) bool { return th.Customer == "Ben Carter" }},
		{"customer part with order", domain.ThreadFilter{Customer: "carter", OrderNumber: "2001"}, func(th *domain.Thread) bool {
			return th.Customer == "Ben Carter" && th.OrderNumber == "2001"
		}},
		{"order", domain.ThreadFilter{OrderNumber: "2001"}, func(th *domain.Thread) bool { return th.OrderNumber == "2001" }},
		{"order by due", domain.ThreadFilter{OrderNumber: "1001", Sort: "due"}, func(th *domain.Thread) bool { return th.OrderNumber == "1001" }},
		{"since until", domain.ThreadFilter{Since: &since, Until: &until}, func(th *domain.Thread) bool {
			return !th.LastMessage.Before(since) && th.LastMessage.Before(until)
		}},
		{"since until by due", domain.ThreadFilter{Since: &since, Until: &until, Sort: "due"}, func(th *domain.Thread) bool {
			return !th.LastMessage.Before(since) && th.LastMessage.Before(until)
		}},
		{"unread", domain.ThreadFilter{Status: "unread"}, func(th *domain.Thread) bool { return th.Unread }},
		{"overdue", domain.ThreadFilter{Status: "overdue"}, func(th *domain.Thread) bool { return th.Overdue }},
		{"open", domain.ThreadFilter{Status: "open"}, func(*domain.Thread) bool { return true }},
		{"closed", domain.ThreadFilter{Status: "closed"}, func(*domain.Thread) bool { return false }},
		{"topic unread", domain.ThreadFilter{Topic: domain.TopicDelivery, Status: "unread"}, func(th *domain.Thread) bool { return th.Unread && th.Topic == domain.TopicDelivery }},
		{"topic by due", domain.ThreadFilter{Topic: domain.TopicInvoice, Sort: "due"}, func(th *domain.Thread) bool { return th.Topic == domain.TopicInvoice }},
		{"due", domain.ThreadFilter{Sort: "due"}, func(*domain.Thread) bool { return true }},
	} {
		got := all("sam", tc.f)
		var want []*domain.Thread
		for _, th := range truth {
			if tc.keep(th) {
				want = append(want, th)
			}
		}
		byDue := tc.f.Sort == "due" || tc.f.Status == "overdue"
		slices.SortStableFunc(want, func(a, b *domain.Thread) int {
			if byDue {
				return compareDue(a, b)
			}
			if c := b.LastMessage.Compare(a.LastMessage); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		var gotIDs, wantIDs []string
		for _, th := range got {
			gotIDs = append(gotIDs, th.ID)
		}
		for _, th := range want {
			wantIDs = append(wantIDs, th.ID)
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: got %d threads %v\nwant %d %v", tc.name, len(gotIDs), gotIDs, len(wantIDs), wantIDs)
		}
	}
	if len(truth) != 24 { // the 6 threads to the operator are not the seller's
		t.Fatalf("sam sees %d threads, want 24", len(truth))
	}
	// Customers see their own threads only, operators all.
	if got := all("ben", domain.ThreadFilter{}); len(got) != 10 {
		t.Fatalf("ben sees %d threads, want 10", len(got))
	}
	if got := all("ben", domain.ThreadFilter{OrderNumber: "1001"}); len(got) != 0 {
		t.Fatalf("ben sees %d threads of ana's order", len(got))
	}
	if got := all("olga", domain.ThreadFilter{}); len(got) != 30 {
		t.Fatalf("olga sees %d threads, want 30", len(got))
	}
	if got := all("sue", domain.ThreadFilter{}); len(got) != 0 {
		t.Fatalf("sue sees %d threads of shop-1", len(got))
	}
	if got := all("olga", domain.ThreadFilter{ShopID: "shop-1"}); len(got) != 24 {
		t.Fatalf("olga sees %d threads of shop-1, want 24", len(got))
	}
	if _, err := w.Threads.ListThreads(w.as(t, "sam"), domain.ThreadFilter{Cursor: "bm9wZQ"}); domain.ErrorCode(err) != domain.CodeInvalidCursor {
		t.Fatalf("a forged cursor: %v", err)
	}
}

func compareDue(a, b *domain.Thread) int {
	switch {
	case a.SellerReplyDueAt == nil && b.SellerReplyDueAt == nil:
	case a.SellerReplyDueAt == nil:
		return 1
	case b.SellerReplyDueAt == nil:
		return -1
	default:
		if c := a.SellerReplyDueAt.Compare(*b.SellerReplyDueAt); c != 0 {
			return c
		}
	}
	return strings.Compare(a.ID, b.ID)
}

func testHandoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	tr := domain.Transcript{Session: "s1", Typed: []domain.TypedText{{Subject: "password", Body: "I can't reset my password"}},
		Shown: []domain.ShownArticle{{ID: "reset-password", Rank: 1, Why: "title match"}}}
	th, err := w.Threads.Handoff(w.as(t, "ana"), domain.Handoff{Subject: "Password reset fails", Body: "I can't reset my password", Locale: "es", Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	if th.Assignment.Team != domain.TeamCustomerCare || th.Assignment.Agent != "olga" || th.Transcript == nil || th.Transcript.Typed[0].Body != tr.Typed[0].Body {
		t.Fatalf("hand-off without order: %+v", th)
	}
	if th.Messages[0].To[0] != domain.PartyOperator {
		t.Fatalf("addressed to %v", th.Messages[0].To)
	}
	th, err = w.Threads.Handoff(w.as(t, "ana"), domain.Handoff{Subject: "Lamp broken", Body: "It arrived broken", Locale: "es", OrderNumber: "1001", Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	if th.Assignment.Team != domain.TeamSeller || th.Messages[0].To[0] != domain.PartySeller || th.SellerReplyDueAt == nil {
		t.Fatalf("hand-off about an order: %+v", th)
	}
	if _, err := w.Threads.Handoff(w.as(t, "ben"), domain.Handoff{Subject: "x", Body: "y", OrderNumber: "1001"}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("hand-off on another's order: %v", err)
	}
	th, err = w.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Help", Body: "I have no account", Email: "x@example.com"})
	if err != nil || th.UnverifiedEmail != "x@example.com" || th.Customer != "" {
		t.Fatalf("anonymous hand-off: %+v, %v", th, err)
	}
	if _, err := w.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Help", Body: "no email"}); domain.ErrorKind(err) != domain.Invalid {
		t.Fatalf("anonymous hand-off without email: %v", err)
	}
}

func testRoutingRulesAssign(t *testing.T, open Opener) {
	w := newWorld(t, open)
	rs := w.Work
	rules, err := rs.ListRoutingRules(w.as(t, "olga"))
	if err != nil || len(rules) != len(domain.DefaultRoutingRules()) {
		t.Fatalf("defaults: %v, %v", rules, err)
	}
	if _, err := rs.ListRoutingRules(w.as(t, "sam")); domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("a seller lists rules: %v", err)
	}
	r := &domain.RoutingRule{Name: "everything to care", Priority: 1, Team: domain.TeamCustomerCare}
	if err := rs.CreateRoutingRule(w.as(t, "olga"), r); domain.ErrorKind(err) != domain.Forbidden {
		t.Fatalf("an agent without the grant: %v", err)
	}
	if err := rs.CreateRoutingRule(w.as(t, "adam"), &domain.RoutingRule{Name: "bad", Team: "nobody"}); domain.ErrorCode(err) != domain.CodeInvalidRoutingRule {
		t.Fatalf("a bad rule: %v", err)
	}
	if err := rs.CreateRoutingRule(w.as(t, "adam"), r); err != nil || r.ID == "" {
		t.Fatalf("admin creates: %+v, %v", r, err)
	}
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "hello"})
	if th.Assignment.Rule != r.ID || th.Assignment.Team != domain.TeamCustomerCare || !strings.Contains(th.Assignment.Why, "everything to care") {
		t.Fatalf("assignment: %+v", th.Assignment)
	}
	// Least loaded: olga has one thread now; a second agent with none gets the next.
	ctx := domain.WithActor(context.Background(), demo.System)
	u := &domain.User{Name: "oscar", Display: "Oscar", Role: domain.RoleAgent, Locale: "en", Team: domain.TeamCustomerCare}
	if err := w.Access.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	th = w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "hello"})
	if th.Assignment.Agent != "oscar" {
		t.Fatalf("least loaded: %+v", th.Assignment)
	}
}

func testConcurrentPosts(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, noMessageLimit()) // faster than Policy.MessagesPerMinute on purpose
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "start"})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who, to := "ana", domain.PartySeller
			if i%2 == 1 {
				who, to = "sam", domain.PartyCustomer
			}
			for j := range 5 {
				if _, err := w.Threads.PostMessage(w.as(t, who), th.ID, domain.NewMessage{To: []domain.Party{to}, Body: fmt.Sprintf("%d/%d", i, j)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := w.Threads.FindThread(w.as(t, "olga"), th.ID, domain.MessagePage{Limit: domain.MaxMessagePage})
	if err != nil || len(got.Messages) != 81 {
		t.Fatalf("%d messages, %v", len(got.Messages), err)
	}
	// Index entries stay consistent: one entry per list.
	p, _ := w.Threads.ListThreads(w.as(t, "sam"), domain.ThreadFilter{})
	if len(p.Threads) != 1 {
		t.Fatalf("sam's inbox has %d entries", len(p.Threads))
	}
}

func testListThreadsText(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, sue := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "sue")
	th, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "¿Me enviáis la factura con mi NIF?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is the lamp?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Threads.PostMessage(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyOperator}, Body: "Secret word: pineapple"}); err != nil {
		t.Fatal(err)
	}
	find := func(ctx context.Context, text string) []string {
		t.Helper()
		page, err := w.Threads.ListThreads(ctx, domain.ThreadFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, th := range page.Threads {
			ids = append(ids, th.ID)
		}
		return ids
	}
	if got := find(sam, "factura nif"); len(got) != 1 || got[0] != th.ID {
		t.Errorf("sam searching the message text: %v", got)
	}
	if got := find(sam, "ENVIAIS"); len(got) != 1 {
		t.Errorf("case and accents aside: %v", got)
	}
	if got := find(sam, "pineapple"); len(got) != 0 {
		t.Errorf("a message to the operator only is not searched for the seller: %v", got)
	}
	if got := find(ana, "pineapple"); len(got) != 1 {
		t.Errorf("its author finds it: %v", got)
	}
	if got := find(sue, "factura"); len(got) != 0 {
		t.Errorf("another shop finds nothing: %v", got)
	}
	if got := find(sam, "lamp"); len(got) != 1 {
		t.Errorf("lamp: %v", got)
	}
}

func testCloseThreadAndReopenByMessage(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, sue := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "sue")
	th, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Threads.CloseThread(sue, th.ID, ""); domain.ErrorKind(err) != domain.NotFound {
		t.Errorf("another shop closes: %v", err)
	}
	closed, err := w.Threads.CloseThread(sam, th.ID, "Delivered today.")
	if err != nil || closed.Status != domain.ThreadClosed || closed.SellerReplyDueAt != nil {
		t.Fatalf("close: %+v %v", closed, err)
	}
	page, _ := w.Threads.ListThreads(sam, domain.ThreadFilter{Status: "closed"})
	if len(page.Threads) != 1 {
		t.Errorf("closed list: %d", len(page.Threads))
	}
	if _, err := w.Threads.PostMessage(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "It did not arrive."}); err != nil {
		t.Fatal(err)
	}
	again, _ := w.Threads.FindThread(sam, th.ID, domain.MessagePage{})
	if again.Status != domain.ThreadOpen || again.SellerReplyDueAt == nil {
		t.Errorf("after a new message: %s, due %v", again.Status, again.SellerReplyDueAt)
	}
	page, _ = w.Threads.ListThreads(sam, domain.ThreadFilter{Status: "closed"})
	if len(page.Threads) != 0 {
		t.Errorf("closed list after reopening: %d", len(page.Threads))
	}
}

func testThreadRefusals(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana, sam, olga, ben := w.as(t, "ana"), w.as(t, "sam"), w.as(t, "olga"), w.as(t, "ben")
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"})
	robot := domain.WithActor(context.Background(), domain.Actor{UserID: "u-robot", Name: "robot", Role: "robot"})
	sha := strings.Repeat("ab", 32)
	create := func(ctx context.Context, nt domain.NewThread) func() error {
		return func() error { _, err := w.Threads.CreateThread(ctx, nt); return err }
	}
	post := func(ctx context.Context, id string, nm domain.NewMessage) func() error {
		return func() error { _, err := w.Threads.PostMessage(ctx, id, nm); return err }
	}
	list := func(ctx context.Context, f domain.ThreadFilter) func() error {
		return func() error { _, err := w.Threads.ListThreads(ctx, f); return err }
	}
	handoff := func(ctx context.Context, h domain.Handoff) func() error {
		return func() error { _, err := w.Threads.Handoff(ctx, h); return err }
	}
	toSeller := []domain.Party{domain.PartySeller}
	many := make([]domain.TypedText, domain.MaxTranscriptEvents+1)
	for i := range many {
		many[i] = domain.TypedText{Subject: "x"}
	}
	w.refuseAll(t, []refusal{
		{"create anonymous", domain.CodeUnauthorized, create(anon, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: "x", Body: "b"})},
		{"create as a role without a side", domain.CodeForbidden, create(robot, domain.NewThread{Recipient: domain.PartyOperator, Topic: "x", Body: "b"})},
		{"create bad recipient", domain.CodeInvalidRecipient, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: "boss", Topic: "x", Body: "b"})},
		{"create to own side", domain.CodeInvalidRecipient, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartyCustomer, Topic: "x", Body: "b"})},
		{"create bad topic", domain.CodeInvalidTopic, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: strings.Repeat("x", domain.MaxTopicRunes+1), Body: "b"})},
		{"create bad subject", domain.CodeInvalidThread, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: "x", Subject: "a\nb", Body: "b"})},
		{"create empty body", domain.CodeInvalidMessage, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: "x", Body: " "})},
		{"create bad attachment", domain.CodeInvalidAttachment, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: "x", Body: "b", Attachments: []domain.AttachmentRef{{SHA256: "nope"}}})},
		{"create unknown attachment", domain.CodeInvalidAttachment, create(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: "x", Body: "b", Attachments: []domain.AttachmentRef{{SHA256: sha}}})},
		{"operator to a seller without shop", domain.CodeInvalidThread, create(olga, domain.NewThread{Recipient: domain.PartySeller, Topic: "x", Body: "b"})},
		{"find anonymous", domain.CodeUnauthorized, func() error { _, err := w.Threads.FindThread(anon, th.ID, domain.MessagePage{}); return err }},
		{"find another's", domain.CodeNotFound, func() error { _, err := w.Threads.FindThread(ben, th.ID, domain.MessagePage{}); return err }},
		{"find unknown", domain.CodeNotFound, func() error { _, err := w.Threads.FindThread(olga, "no-such-thread", domain.MessagePage{}); return err }},
		{"list anonymous", domain.CodeUnauthorized, list(anon, domain.ThreadFilter{})},
		{"list without an inbox", domain.CodeForbidden, list(robot, domain.ThreadFilter{})},
		{"list bad status", domain.CodeInvalidFilter, list(sam, domain.ThreadFilter{Status: "lost"})},
		{"list bad sort", domain.CodeInvalidFilter, list(sam, domain.ThreadFilter{Sort: "random"})},
		{"list bad limit", domain.CodeInvalidLimit, list(sam, domain.ThreadFilter{Limit: domain.MaxPageLimit + 1})},
		{"list forged cursor", domain.CodeInvalidCursor, list(sam, domain.ThreadFilter{Cursor: "bm9wZQ"})},
		{"list forged due cursor", domain.CodeInvalidCursor, list(sam, domain.ThreadFilter{Sort: "due", Cursor: "!!"})},
		{"post anonymous", domain.CodeUnauthorized, post(anon, th.ID, domain.NewMessage{To: toSeller, Body: "x"})},
		{"post on another's", domain.CodeNotFound, post(ben, th.ID, domain.NewMessage{To: toSeller, Body: "x"})},
		{"post on unknown", domain.CodeNotFound, post(ana, "no-such-thread", domain.NewMessage{To: toSeller, Body: "x"})},
		{"post without recipients", domain.CodeInvalidRecipient, post(ana, th.ID, domain.NewMessage{Body: "x"})},
		{"post to own side", domain.CodeInvalidRecipient, post(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "x"})},
		{"post a note with recipients", domain.CodeInvalidRecipient, post(sam, th.ID, domain.NewMessage{Internal: true, To: []domain.Party{domain.PartyCustomer}, Body: "x"})},
		{"post empty", domain.CodeInvalidMessage, post(ana, th.ID, domain.NewMessage{To: toSeller, Body: ""})},
		{"post too long", domain.CodeInvalidMessage, post(ana, th.ID, domain.NewMessage{To: toSeller, Body: strings.Repeat("x", domain.MaxMessageBytes+1)})},
		{"post too many attachments", domain.CodeInvalidAttachment, post(ana, th.ID, domain.NewMessage{To: toSeller, Body: "x", Attachments: make([]domain.AttachmentRef, domain.MaxAttachmentsPer+1)})},
		{"post unknown attachment", domain.CodeInvalidAttachment, post(ana, th.ID, domain.NewMessage{To: toSeller, Body: "x", Attachments: []domain.AttachmentRef{{SHA256: sha}}})},
		{"no reply needed by the customer", domain.CodeForbidden, func() error { _, err := w.Threads.MarkNoReplyNeeded(ana, th.ID); return err }},
		{"no reply needed by another shop", domain.CodeNotFound, func() error { _, err := w.Threads.MarkNoReplyNeeded(w.as(t, "sue"), th.ID); return err }},
		{"no reply needed anonymous", domain.CodeUnauthorized, func() error { _, err := w.Threads.MarkNoReplyNeeded(anon, th.ID); return err }},
		{"close another's", domain.CodeNotFound, func() error { _, err := w.Threads.CloseThread(ben, th.ID, ""); return err }},
		{"close anonymous", domain.CodeUnauthorized, func() error { _, err := w.Threads.CloseThread(anon, th.ID, ""); return err }},
		{"mark another's read", domain.CodeNotFound, func() error { return w.Threads.MarkRead(ben, th.ID) }},
		{"mark read anonymous", domain.CodeUnauthorized, func() error { return w.Threads.MarkRead(anon, th.ID) }},
		{"handoff by a seller", domain.CodeForbidden, handoff(sam, domain.Handoff{Subject: "x", Body: "y"})},
		{"handoff anonymous without email", domain.CodeInvalidThread, handoff(anon, domain.Handoff{Subject: "x", Body: "y"})},
		{"handoff anonymous with an order", domain.CodeInvalidThread, handoff(anon, domain.Handoff{Subject: "x", Body: "y", Email: "x@example.com", OrderNumber: "1001"})},
		{"handoff transcript too long", domain.CodeInvalidThread, handoff(ana, domain.Handoff{Subject: "x", Body: "y", Transcript: domain.Transcript{Typed: many}})},
		{"handoff on another's order", domain.CodeNotFound, handoff(ben, domain.Handoff{Subject: "x", Body: "y", OrderNumber: "1001"})},
	})
}

func bodies(th *domain.Thread) []string {
	var out []string
	for _, m := range th.Messages {
		out = append(out, m.Body)
	}
	return out
}
