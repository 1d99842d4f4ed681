package domain

import (
	"strings"
	"testing"
	"time"
)

func TestRankQueue(t *testing.T) {
	p := DefaultPolicy()
	now := t0.Add(100 * time.Hour)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	ptr := func(x time.Time) *time.Time { return &x }
	items := []QueueItem{
		ThreadQueueItem(p, &Thread{ID: "th-rest", LastMessage: at(1 * time.Hour)}, now),
		ThreadQueueItem(p, &Thread{ID: "th-late", SellerReplyNeededSince: ptr(at(60 * time.Hour)), LastMessage: at(60 * time.Hour)}, now),
		ThreadQueueItem(p, &Thread{ID: "th-soon", SellerReplyNeededSince: ptr(at(55 * time.Hour)), LastMessage: at(55 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-late", Reason: ClaimDefect, OpenedAt: at(50 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-soon", Reason: ClaimDefect, OpenedAt: at(30 * time.Hour)}, now),
		IncidentQueueItem(&Incident{ID: "in-new", State: IncidentOpen, OpenedAt: at(90 * time.Hour)}),
		IncidentQueueItem(&Incident{ID: "in-old", State: IncidentOpen, OpenedAt: at(10 * time.Hour)}),
		ThreadQueueItem(p, &Thread{ID: "th-rest-old", LastMessage: at(0)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-tie-b", Reason: ClaimDefect, OpenedAt: at(40 * time.Hour)}, now),
		ClaimQueueItem(p, &Claim{ID: "cl-tie-a", Reason: ClaimDefect, OpenedAt: at(40 * time.Hour)}, now),
	}
	RankQueue(items)
	var got []string
	for i, it := range items {
		got = append(got, it.ID)
		if it.Rank != i+1 || it.Reason == "" {
			t.Fatalf("item %d: rank %d reason %q", i, it.Rank, it.Reason)
		}
	}
	want := "in-old in-new cl-soon cl-tie-a cl-tie-b cl-late th-soon th-late th-rest-old th-rest"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if d := items[2].DueAt; d == nil || !d.Equal(at(102*time.Hour)) {
		t.Fatalf("claim due %v", d)
	}
	if !strings.Contains(items[2].Reason, "2h00m left") {
		t.Fatalf("claim reason %q", items[2].Reason)
	}
	if !strings.Contains(items[6].Reason, "3h00m left") { // 55 h + 48 h − 100 h
		t.Fatalf("thread reason %q", items[6].Reason)
	}
	if items[8].DueAt != nil || items[8].Priority != PriorityRest {
		t.Fatalf("rest item %+v", items[8])
	}
}
