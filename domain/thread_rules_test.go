package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

var (
	ana   = domain.Actor{UserID: "u-ana", Name: "ana", Role: domain.RoleCustomer}
	ben   = domain.Actor{UserID: "u-ben", Name: "ben", Role: domain.RoleCustomer}
	sam   = domain.Actor{UserID: "u-sam", Name: "sam", Role: domain.RoleSeller, ShopID: "shop-1"}
	sue   = domain.Actor{UserID: "u-sue", Name: "sue", Role: domain.RoleSeller, ShopID: "shop-2"}
	olga  = domain.Actor{UserID: "u-olga", Name: "olga", Role: domain.RoleAgent}
	order = &domain.Order{Number: "1001", CustomerID: "u-ana", ShopID: "shop-1"}
)

func TestValidTopic(t *testing.T) {
	for _, tc := range []struct {
		topic string
		ok    bool
	}{
		{domain.TopicDelivery, true},
		{"my parcel is wet", true},
		{strings.Repeat("é", domain.MaxTopicRunes), true},
		{strings.Repeat("é", domain.MaxTopicRunes+1), false},
		{"", false},
		{"   ", false},
		{"line\nbreak", false},
		{"\xff", false},
	} {
		if got := domain.ValidTopic(tc.topic); got != tc.ok {
			t.Errorf("ValidTopic(%q) = %v, want %v", tc.topic, got, tc.ok)
		}
	}
}

func TestNewThreadValidate(t *testing.T) {
	ok := domain.NewThread{Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "Where is it?"}
	sha := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name string
		edit func(nt *domain.NewThread)
		code domain.Code
	}{
		{"valid", func(*domain.NewThread) {}, ""},
		{"bad recipient", func(nt *domain.NewThread) { nt.Recipient = "boss" }, domain.CodeInvalidRecipient},
		{"no topic", func(nt *domain.NewThread) { nt.Topic = "" }, domain.CodeInvalidTopic},
		{"empty body", func(nt *domain.NewThread) { nt.Body = " \n" }, domain.CodeInvalidMessage},
		{"body at the limit", func(nt *domain.NewThread) { nt.Body = strings.Repeat("a", domain.MaxMessageBytes) }, ""},
		{"body over the limit", func(nt *domain.NewThread) { nt.Body = strings.Repeat("a", domain.MaxMessageBytes+1) }, domain.CodeInvalidMessage},
		{"body not UTF-8", func(nt *domain.NewThread) { nt.Body = "a\xffb" }, domain.CodeInvalidMessage},
		{"long subject", func(nt *domain.NewThread) { nt.Subject = strings.Repeat("s", domain.MaxSubjectRunes+1) }, domain.CodeInvalidThread},
		{"attachment", func(nt *domain.NewThread) { nt.Attachments = []domain.AttachmentRef{{SHA256: sha}} }, ""},
		{"bad attachment", func(nt *domain.NewThread) { nt.Attachments = []domain.AttachmentRef{{SHA256: "x"}} }, domain.CodeInvalidAttachment},
		{"too many attachments", func(nt *domain.NewThread) {
			for range domain.MaxAttachmentsPer + 1 {
				nt.Attachments = append(nt.Attachments, domain.AttachmentRef{SHA256: sha})
			}
		}, domain.CodeInvalidAttachment},
	} {
		nt := ok
		tc.edit(&nt)
		if got := domain.ErrorCode(nt.Validate()); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
}

func TestNewMessageValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		from domain.Party
		nm   domain.NewMessage
		code domain.Code
	}{
		{"to seller", domain.PartyCustomer, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "hi"}, ""},
		{"to both", domain.PartyOperator, domain.NewMessage{To: []domain.Party{domain.PartySeller, domain.PartyCustomer}, Body: "hi"}, ""},
		{"no recipients", domain.PartyCustomer, domain.NewMessage{Body: "hi"}, domain.CodeInvalidRecipient},
		{"to self", domain.PartySeller, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "hi"}, domain.CodeInvalidRecipient},
		{"twice", domain.PartySeller, domain.NewMessage{To: []domain.Party{domain.PartyCustomer, domain.PartyCustomer}, Body: "hi"}, domain.CodeInvalidRecipient},
		{"unknown", domain.PartySeller, domain.NewMessage{To: []domain.Party{"boss"}, Body: "hi"}, domain.CodeInvalidRecipient},
		{"internal note", domain.PartySeller, domain.NewMessage{Internal: true, Body: "note"}, ""},
		{"internal with recipients", domain.PartySeller, domain.NewMessage{Internal: true, To: []domain.Party{domain.PartyCustomer}, Body: "note"}, domain.CodeInvalidRecipient},
		{"empty", domain.PartySeller, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}}, domain.CodeInvalidMessage},
	} {
		if got := domain.ErrorCode(tc.nm.Validate(tc.from)); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
}

func TestCanStartThread(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a     domain.Actor
		o     *domain.Order
		to    domain.Party
		shop  string
		wantK domain.Kind
	}{
		{"customer to seller, own order", ana, order, domain.PartySeller, "", ""},
		{"customer to operator, own order", ana, order, domain.PartyOperator, "", ""},
		{"customer to operator, no order", ana, nil, domain.PartyOperator, "", ""},
		{"customer to seller, no order", ana, nil, domain.PartySeller, "", domain.Invalid},
		{"customer, another's order", ben, order, domain.PartySeller, "", domain.NotFound},
		{"customer to self", ana, order, domain.PartyCustomer, "", domain.Invalid},
		{"seller to customer, own shop", sam, order, domain.PartyCustomer, "", ""},
		{"seller to operator, own shop", sam, order, domain.PartyOperator, "", ""},
		{"seller to operator, no order", sam, nil, domain.PartyOperator, "", ""},
		{"seller to customer, no order", sam, nil, domain.PartyCustomer, "", domain.Invalid},
		{"seller, another shop's order", sue, order, domain.PartyCustomer, "", domain.NotFound},
		{"operator to customer", olga, order, domain.PartyCustomer, "", ""},
		{"operator to seller", olga, order, domain.PartySeller, "", ""},
		{"operator to seller, no order", olga, nil, domain.PartySeller, "shop-1", ""},
		{"operator to seller, no order, no shop", olga, nil, domain.PartySeller, "", domain.Invalid},
		{"operator to customer, no order", olga, nil, domain.PartyCustomer, "", domain.Invalid},
		{"anonymous", domain.Actor{}, order, domain.PartySeller, "", domain.Unauthorized},
	} {
		if got := domain.ErrorKind(domain.CanStartThread(tc.a, tc.o, tc.to, tc.shop)); got != tc.wantK {
			t.Errorf("%s: kind %q, want %q", tc.name, got, tc.wantK)
		}
	}
}

func TestCanSeeThread(t *testing.T) {
	th := &domain.Thread{ID: "t", CustomerID: "u-ana", ShopID: "shop-1", Parties: []domain.Party{domain.PartyCustomer, domain.PartySeller}}
	toOperator := &domain.Thread{ID: "t2", CustomerID: "u-ana", ShopID: "shop-1", Parties: []domain.Party{domain.PartyCustomer, domain.PartyOperator}}
	for _, tc := range []struct {
		name string
		a    domain.Actor
		th   *domain.Thread
		want bool
	}{
		{"customer", ana, th, true},
		{"other customer", ben, th, false},
		{"seller", sam, th, true},
		{"other seller", sue, th, false},
		{"operator", olga, th, true},
		{"seller not a party", sam, toOperator, false},
		{"customer with operator", ana, toOperator, true},
		{"anonymous", domain.Actor{}, th, false},
	} {
		if got := domain.CanSeeThread(tc.a, tc.th); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCanSeeMessage(t *testing.T) {
	sam2 := domain.Actor{UserID: "u-sam2", Role: domain.RoleSeller, ShopID: "shop-1"}
	adam := domain.Actor{UserID: "u-adam", Role: domain.RoleAdmin}
	toOperator := &domain.Message{AuthorID: "u-sam", From: domain.PartySeller, To: []domain.Party{domain.PartyOperator}}
	toCustomer := &domain.Message{AuthorID: "u-olga", From: domain.PartyOperator, To: []domain.Party{domain.PartyCustomer}}
	sellerNote := &domain.Message{AuthorID: "u-sam", From: domain.PartySeller, Internal: true}
	custToSeller := &domain.Message{AuthorID: "u-ana", From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}}
	for _, tc := range []struct {
		name string
		a    domain.Actor
		m    *domain.Message
		want bool
	}{
		{"seller→operator: customer", ana, toOperator, false},
		{"seller→operator: operator", olga, toOperator, true},
		{"seller→operator: author", sam, toOperator, true},
		{"seller→operator: author's colleague", sam2, toOperator, true},
		{"operator→customer: seller", sam, toCustomer, false},
		{"operator→customer: customer", ana, toCustomer, true},
		{"operator→customer: another agent", adam, toCustomer, true},
		{"seller note: colleague", sam2, sellerNote, true},
		{"seller note: operator", olga, sellerNote, false},
		{"seller note: customer", ana, sellerNote, false},
		{"seller note: author", sam, sellerNote, true},
		{"customer→seller: seller", sam, custToSeller, true},
		{"customer→seller: operator", olga, custToSeller, true},
	} {
		if got := domain.CanSeeMessage(tc.a, tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func at(base time.Time, d time.Duration) time.Time { return base.Add(d) }

// TestSellerClock walks the 48-hour clock through message sequences, with
// the time injected.
func TestSellerClock(t *testing.T) {
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	msg := func(from domain.Party, d time.Duration, internal bool, to ...domain.Party) *domain.Message {
		return &domain.Message{From: from, To: to, Internal: internal, CreatedAt: at(t0, d)}
	}
	cust := domain.PartyCustomer
	sell := domain.PartySeller
	op := domain.PartyOperator
	for _, tc := range []struct {
		name      string
		msgs      []*domain.Message
		noReply   bool // "no reply needed" after the messages
		wantSince *time.Duration
		now       time.Duration
		overdue   bool
	}{
		{"customer to seller starts it", []*domain.Message{msg(cust, 0, false, sell)}, false, ptr(0), 47*time.Hour + 59*time.Minute, false},
		{"48:00 exactly is not late", []*domain.Message{msg(cust, 0, false, sell)}, false, ptr(0), 48 * time.Hour, false},
		{"48:01 is late", []*domain.Message{msg(cust, 0, false, sell)}, false, ptr(0), 48*time.Hour + time.Minute, true},
		{"oldest unanswered counts", []*domain.Message{msg(cust, 0, false, sell), msg(cust, 10*time.Hour, false, sell)}, false, ptr(0), 48*time.Hour + time.Minute, true},
		{"seller reply to customer clears", []*domain.Message{msg(cust, 0, false, sell), msg(sell, time.Hour, false, cust)}, false, nil, 100 * time.Hour, false},
		{"seller to operator does not clear", []*domain.Message{msg(cust, 0, false, sell), msg(sell, time.Hour, false, op)}, false, ptr(0), 48*time.Hour + time.Minute, true},
		{"seller internal note does not clear", []*domain.Message{msg(cust, 0, false, sell), msg(sell, time.Hour, true)}, false, ptr(0), 49 * time.Hour, true},
		{"operator to customer does not clear", []*domain.Message{msg(cust, 0, false, sell), msg(op, time.Hour, false, cust)}, false, ptr(0), 49 * time.Hour, true},
		{"customer to operator does not start", []*domain.Message{msg(cust, 0, false, op)}, false, nil, 100 * time.Hour, false},
		{"customer writes again after a reply", []*domain.Message{msg(cust, 0, false, sell), msg(sell, time.Hour, false, cust), msg(cust, 2*time.Hour, false, sell)}, false, ptr(2 * time.Hour), 49*time.Hour + 59*time.Minute, false},
		{"customer writes again after a reply, 48:01", []*domain.Message{msg(cust, 0, false, sell), msg(sell, time.Hour, false, cust), msg(cust, 2*time.Hour, false, sell)}, false, ptr(2 * time.Hour), 50*time.Hour + time.Minute, true},
		{"no reply needed stops it", []*domain.Message{msg(cust, 0, false, sell)}, true, nil, 100 * time.Hour, false},
		{"to seller and operator starts it", []*domain.Message{msg(cust, 0, false, sell, op)}, false, ptr(0), 49 * time.Hour, true},
	} {
		th := &domain.Thread{Status: domain.ThreadOpen}
		var r domain.ReadMarks
		for _, m := range tc.msgs {
			domain.ApplyMessage(p, th, &r, m)
		}
		if tc.noReply {
			domain.StopSellerClock(th)
		}
		var want *time.Time
		if tc.wantSince != nil {
			w := t0.Add(*tc.wantSince)
			want = &w
		}
		if !eqTime(th.SellerReplyNeededSince, want) {
			t.Errorf("%s: since %v, want %v", tc.name, th.SellerReplyNeededSince, want)
		}
		if want != nil && (th.SellerReplyDueAt == nil || !th.SellerReplyDueAt.Equal(want.Add(48*time.Hour))) {
			t.Errorf("%s: due %v, want %v", tc.name, th.SellerReplyDueAt, want.Add(48*time.Hour))
		}
		if want == nil && th.SellerReplyDueAt != nil {
			t.Errorf("%s: due %v, want none", tc.name, th.SellerReplyDueAt)
		}
		if got := domain.SellerReplyOverdue(p, th, t0.Add(tc.now)); got != tc.overdue {
			t.Errorf("%s: overdue at %s = %v, want %v", tc.name, tc.now, got, tc.overdue)
		}
	}
}

func TestNoReplyNeededThenCustomerWritesAgain(t *testing.T) {
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	th := &domain.Thread{Status: domain.ThreadOpen}
	var r domain.ReadMarks
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}, CreatedAt: t0})
	domain.StopSellerClock(th)
	if !th.NoReplyNeeded || th.SellerReplyDueAt != nil {
		t.Fatalf("after no reply needed: %+v", th)
	}
	later := t0.Add(5 * time.Hour)
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}, CreatedAt: later})
	if th.NoReplyNeeded || !eqTime(th.SellerReplyNeededSince, &later) {
		t.Fatalf("a new customer message restarts the clock: %+v", th)
	}
}

func TestPolicyChangesTheClock(t *testing.T) {
	p := domain.DefaultPolicy()
	p.SellerReplyWithin = 24 * time.Hour
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	th := &domain.Thread{Status: domain.ThreadOpen}
	var r domain.ReadMarks
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}, CreatedAt: t0})
	if !domain.SellerReplyOverdue(p, th, t0.Add(24*time.Hour+time.Second)) || domain.SellerReplyOverdue(p, th, t0.Add(24*time.Hour)) {
		t.Fatalf("a 24 h policy: due %v", th.SellerReplyDueAt)
	}
}

func TestUnreadPerParty(t *testing.T) {
	p := domain.DefaultPolicy()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	th := &domain.Thread{Status: domain.ThreadOpen}
	var r domain.ReadMarks
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartyCustomer, To: []domain.Party{domain.PartySeller}, CreatedAt: t0})
	if !r.Unread(domain.PartySeller) || r.Unread(domain.PartyCustomer) || r.Unread(domain.PartyOperator) {
		t.Fatalf("after customer→seller: %+v", r)
	}
	r.Read(domain.PartySeller, t0.Add(time.Minute))
	if r.Unread(domain.PartySeller) {
		t.Fatal("read, still unread")
	}
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartySeller, To: []domain.Party{domain.PartyOperator}, CreatedAt: t0.Add(2 * time.Minute)})
	if !r.Unread(domain.PartyOperator) || r.Unread(domain.PartyCustomer) || r.Unread(domain.PartySeller) {
		t.Fatalf("after seller→operator: %+v", r)
	}
	domain.ApplyMessage(p, th, &r, &domain.Message{From: domain.PartySeller, Internal: true, CreatedAt: t0.Add(3 * time.Minute)})
	if r.Unread(domain.PartyCustomer) {
		t.Fatal("an internal note made the thread unread for the customer")
	}
	if want := []domain.Party{domain.PartyCustomer, domain.PartySeller, domain.PartyOperator}; len(th.Parties) != 3 || th.Parties[0] != want[0] || th.Parties[2] != want[2] {
		t.Fatalf("parties %v, want %v", th.Parties, want)
	}
}

func TestCanPost(t *testing.T) {
	th := &domain.Thread{ID: "t", CustomerID: "u-ana", ShopID: "shop-1", Status: domain.ThreadOpen, Parties: []domain.Party{domain.PartyCustomer, domain.PartySeller}}
	noShop := &domain.Thread{ID: "t2", CustomerID: "u-ana", Status: domain.ThreadOpen, Parties: []domain.Party{domain.PartyCustomer, domain.PartyOperator}}
	closed := *th
	closed.Status = domain.ThreadClosed
	to := func(ps ...domain.Party) *domain.NewMessage { return &domain.NewMessage{To: ps, Body: "hello"} }
	for _, tc := range []struct {
		name string
		a    domain.Actor
		th   *domain.Thread
		nm   *domain.NewMessage
		code domain.Code
	}{
		{"customer to seller", ana, th, to(domain.PartySeller), ""},
		{"other customer", ben, th, to(domain.PartySeller), domain.CodeNotFound},
		{"other shop", sue, th, to(domain.PartyCustomer), domain.CodeNotFound},
		{"to a seller of no shop", ana, noShop, to(domain.PartySeller), domain.CodeInvalidRecipient},
		{"operator pulls in the seller", olga, th, to(domain.PartySeller, domain.PartyCustomer), ""},
		{"closed: a message reopens it", ana, &closed, to(domain.PartySeller), ""},
	} {
		if got := domain.ErrorCode(domain.CanPost(tc.a, tc.th, tc.nm)); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
}

func TestThreadFilterValidate(t *testing.T) {
	now := time.Now()
	before := now.Add(-time.Hour)
	for _, tc := range []struct {
		f    domain.ThreadFilter
		code domain.Code
	}{
		{domain.ThreadFilter{}, ""},
		{domain.ThreadFilter{Status: "overdue", Sort: "due"}, ""},
		{domain.ThreadFilter{Status: "late"}, domain.CodeInvalidFilter},
		{domain.ThreadFilter{Sort: "name"}, domain.CodeInvalidFilter},
		{domain.ThreadFilter{Limit: domain.MaxPageLimit + 1}, domain.CodeInvalidLimit},
		{domain.ThreadFilter{Since: &now, Until: &before}, domain.CodeInvalidFilter},
	} {
		if got := domain.ErrorCode(tc.f.Validate()); got != tc.code {
			t.Errorf("%+v: code %q, want %q", tc.f, got, tc.code)
		}
	}
}

func ptr(d time.Duration) *time.Duration { return &d }

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
