package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
)

// What one user may write, and how much a read returns (issue 4), and what
// an anonymous hand-off may claim (issue 10).
var limitCases = []testCase{
	{"message_pages", testMessagePages},
	{"message_page_bytes", testMessagePageBytes},
	{"messages_per_minute", testMessagesPerMinute},
	{"upload_quota", testUploadQuota},
	{"sweep_unreferenced_uploads", testSweepUnreferenced},
	{"token_limits", testTokenLimits},
	{"unverified_handoff", testUnverifiedHandoff},
}

func noMessageLimit() domain.Policy {
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0
	return p
}

// A thread is read a page at a time, newest page first, each page in the
// order written, and the cursors walk back to the first message.
func testMessagePages(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, noMessageLimit())
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "message 0"})
	for i := 1; i < 45; i++ {
		w.clock.Add(time.Second)
		w.post(t, "ana", th.ID, fmt.Sprintf("message %d", i), domain.PartySeller)
	}
	sam := w.as(t, "sam")
	got, err := w.Threads.FindThread(sam, th.ID, domain.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != domain.DefaultMessagePage || got.Messages[0].Body != "message 25" || got.Messages[19].Body != "message 44" || got.MessagesNext == "" {
		t.Fatalf("first page: %d messages from %q, next %q", len(got.Messages), got.Messages[0].Body, got.MessagesNext)
	}
	var all []string
	for page, cursor := 0, ""; ; page++ {
		p, err := w.Threads.FindThread(sam, th.ID, domain.MessagePage{Cursor: cursor, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range p.Messages {
			bodies = append(bodies, m.Body)
		}
		all = append(bodies, all...)
		if cursor = p.MessagesNext; cursor == "" || page > 10 {
			break
		}
	}
	if len(all) != 45 || all[0] != "message 0" || all[44] != "message 44" {
		t.Fatalf("walking the cursors: %d messages: %v", len(all), all)
	}
	for i, b := range all {
		if b != fmt.Sprintf("message %d", i) {
			t.Fatalf("message %d is %q", i, b)
		}
	}
	w.refuseAll(t, []refusal{
		{"a cursor not handed out", domain.CodeInvalidCursor, func() error {
			_, err := w.Threads.FindThread(sam, th.ID, domain.MessagePage{Cursor: "%%%"})
			return err
		}},
		{"a page too large", domain.CodeInvalidLimit, func() error {
			_, err := w.Threads.FindThread(sam, th.ID, domain.MessagePage{Limit: domain.MaxMessagePage + 1})
			return err
		}},
	})
}

// One read of a thread of long messages stays small (issue 4: 300 × 100 KB
// messages read at once were 61 MB).
func testMessagePageBytes(t *testing.T, open Opener) {
	w := newWorldPolicy(t, open, noMessageLimit())
	long := strings.Repeat("x", domain.MaxMessageBytes)
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: long})
	for range 12 {
		w.post(t, "ana", th.ID, long, domain.PartySeller)
	}
	got, err := w.Threads.FindThread(w.as(t, "sam"), th.ID, domain.MessagePage{Limit: domain.MaxMessagePage})
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, m := range got.Messages {
		size += len(m.Body)
	}
	if size > domain.MaxMessagePageBytes+domain.MaxMessageBytes || got.MessagesNext == "" {
		t.Fatalf("a page holds %d bytes in %d messages (next %q)", size, len(got.Messages), got.MessagesNext)
	}
}

// A user posts at most Policy.MessagesPerMinute messages a minute; others
// are not held back by them, and the next minute they may go on.
func testMessagesPerMinute(t *testing.T, open Opener) {
	w := newWorld(t, open)
	max := domain.DefaultPolicy().MessagesPerMinute
	th := w.startThread(t, "ana", domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "1"})
	for i := 1; i < max; i++ {
		w.post(t, "ana", th.ID, "more", domain.PartySeller)
	}
	ana := w.as(t, "ana")
	w.refuse(t, "one message too many", domain.CodeTooManyMessages, func() error {
		_, err := w.Threads.PostMessage(ana, th.ID, domain.NewMessage{To: []domain.Party{domain.PartySeller}, Body: "flood"})
		return err
	})
	w.refuse(t, "a new thread past the limit", domain.CodeTooManyMessages, func() error {
		_, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicDelivery, Body: "flood"})
		return err
	})
	if k := domain.CodeTooManyMessages.Kind(); k != domain.TooMany {
		t.Errorf("kind %s", k)
	}
	w.post(t, "sam", th.ID, "sam is not held back", domain.PartyCustomer)
	w.clock.Add(time.Minute)
	w.post(t, "ana", th.ID, "a minute later", domain.PartySeller)
}

// A user uploads at most Policy.UploadsPerDay files a day.
func testUploadQuota(t *testing.T, open Opener) {
	p := domain.DefaultPolicy()
	p.UploadsPerDay = 3
	w := newWorldPolicy(t, open, p)
	ana := w.as(t, "ana")
	for i := range 3 {
		if _, err := w.Attachments.PutAttachment(ana, "a.txt", strings.NewReader(fmt.Sprintf("file %d\n", i))); err != nil {
			t.Fatal(err)
		}
	}
	w.refuse(t, "a fourth upload in a day", domain.CodeUploadQuota, func() error {
		_, err := w.Attachments.PutAttachment(ana, "a.txt", strings.NewReader("file 4\n"))
		return err
	})
	if _, err := w.Attachments.PutAttachment(w.as(t, "ben"), "b.txt", strings.NewReader("ben's\n")); err != nil {
		t.Errorf("ben is held back by ana: %v", err)
	}
	w.clock.Add(24 * time.Hour)
	if _, err := w.Attachments.PutAttachment(ana, "a.txt", strings.NewReader("next day\n")); err != nil {
		t.Errorf("the next day: %v", err)
	}
}

// Uploads no message carries are removed a day after they were made; a
// file a message carries stays.
func testSweepUnreferenced(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ana := w.as(t, "ana")
	put := func(body string) *domain.Attachment {
		a, err := w.Attachments.PutAttachment(ana, "f.txt", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	orphan, kept := put("never sent\n"), put("sent\n")
	if _, err := w.Threads.CreateThread(ana, domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: domain.TopicInvoice, Body: "here",
		Attachments: []domain.AttachmentRef{{SHA256: kept.SHA256}}}); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(23 * time.Hour)
	young := put("young\n")
	if n, err := w.Attachments.SweepUnreferenced(system); err != nil || n != 0 {
		t.Fatalf("sweep before a day: %d %v", n, err)
	}
	w.clock.Add(time.Hour)
	if n, err := w.Attachments.SweepUnreferenced(system); err != nil || n != 1 {
		t.Fatalf("sweep after a day: %d, %v; want 1", n, err)
	}
	if _, _, err := w.Attachments.OpenAttachment(w.as(t, "olga"), orphan.SHA256); code(err) != domain.CodeNotFound {
		t.Errorf("the swept upload still opens: %v", err)
	}
	for _, a := range []*domain.Attachment{kept, young} {
		_, rc, err := w.Attachments.OpenAttachment(w.as(t, "olga"), a.SHA256)
		if err != nil {
			t.Errorf("%s was swept: %v", a.SHA256[:8], err)
			continue
		}
		rc.Close()
	}
}

// Token labels are bounded, and so are the live tokens a user mints.
func testTokenLimits(t *testing.T, open Opener) {
	w := newWorld(t, open)
	ben := w.as(t, "ben")
	w.refuse(t, "a 200 KB label", domain.CodeInvalidToken, func() error {
		_, err := w.Access.CreateToken(ben, w.id("ben"), strings.Repeat("l", 200<<10), time.Hour)
		return err
	})
	var first *domain.Token
	for i := range domain.MaxTokensPerUser {
		tok, err := w.Access.CreateToken(ben, w.id("ben"), fmt.Sprintf("token %d", i), time.Hour)
		if err != nil {
			// ben's demo token is live too.
			if code(err) == domain.CodeTooManyTokens && i == domain.MaxTokensPerUser-1 {
				break
			}
			t.Fatalf("token %d: %v", i, err)
		}
		if first == nil {
			first = tok
		}
	}
	w.refuse(t, "one token too many", domain.CodeTooManyTokens, func() error {
		_, err := w.Access.CreateToken(ben, w.id("ben"), "one more", time.Hour)
		return err
	})
	if _, err := w.Access.CreateSession(ben, time.Hour); err != nil {
		t.Errorf("signing in is not held back by API tokens: %v", err)
	}
	if err := w.Access.RevokeToken(ben, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Access.CreateToken(ben, w.id("ben"), "after revoking one", time.Hour); err != nil {
		t.Errorf("after revoking one: %v", err)
	}
	w.clock.Add(2 * time.Hour)
	if _, err := w.Access.CreateToken(ben, w.id("ben"), "after they expired", time.Hour); err != nil {
		t.Errorf("expired tokens count: %v", err)
	}
}

// An anonymous visitor who types a customer's address is not that customer:
// the thread keeps the address as unverified, names no customer, and the
// customer does not see it as theirs.
func testUnverifiedHandoff(t *testing.T, open Opener) {
	w := newWorld(t, open)
	th, err := w.Threads.Handoff(context.Background(), domain.Handoff{Subject: "Refund me", Body: "I am Ana", Email: "ana@demo.example"})
	if err != nil {
		t.Fatal(err)
	}
	if th.Customer != "" || th.CustomerID != "" || th.UnverifiedEmail != "ana@demo.example" {
		t.Fatalf("customer %q (%q), unverified %q", th.Customer, th.CustomerID, th.UnverifiedEmail)
	}
	olga := w.as(t, "olga")
	got, err := w.Threads.FindThread(olga, th.ID, domain.MessagePage{})
	if err != nil || len(got.Messages) != 1 || !got.Messages[0].Unverified || got.UnverifiedEmail != "ana@demo.example" {
		t.Fatalf("customer care reads: %+v %v", got, err)
	}
	if _, err := w.Threads.FindThread(w.as(t, "ana"), th.ID, domain.MessagePage{}); code(err) != domain.CodeNotFound {
		t.Errorf("ana sees a thread someone opened in her name: %v", err)
	}
	for _, name := range []string{"ana@demo.example", "Ana García"} {
		page, err := w.Threads.ListThreads(olga, domain.ThreadFilter{Customer: name})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Threads {
			if x.ID == th.ID {
				t.Errorf("the customer filter %q finds the unverified hand-off", name)
			}
		}
	}
	mine, err := w.Threads.Handoff(w.as(t, "ana"), domain.Handoff{Subject: "Refund me", Body: "Signed in"})
	if err != nil || mine.UnverifiedEmail != "" || mine.Customer == "" || mine.Messages[0].Unverified {
		t.Fatalf("a signed-in hand-off: %+v %v", mine, err)
	}
}
