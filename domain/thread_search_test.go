package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// handlerSearchThreads is the seller inbox handler's search as it was
// written in the handler (server/seller_pages.go, searchThreads):
// SearchThreads must find the same.
func handlerSearchThreads(ctx context.Context, ts ThreadLister, q string, f ThreadFilter) ([]Thread, error) {
	found := map[string]Thread{}
	add := func(ths []Thread) {
		for _, th := range ths {
			found[th.ID] = th
		}
	}
	f.Cursor = ""
	if f.OrderNumber == "" && !strings.ContainsAny(q, " \t") {
		g := f
		g.OrderNumber, g.Limit = q, MaxPageLimit
		page, err := ts.ListThreads(ctx, g)
		if err != nil && ErrorKind(err) != Invalid {
			return nil, err
		}
		if err == nil {
			add(page.Threads)
		}
	}
	if f.Customer == "" {
		g := f
		g.Customer, g.Limit = q, MaxPageLimit
		page, err := ts.ListThreads(ctx, g)
		if err != nil && ErrorKind(err) != Invalid {
			return nil, err
		}
		if err == nil {
			add(page.Threads)
		}
	}
	g := f
	g.Text, g.Limit = q, MaxPageLimit
	for read := 0; read < 4*MaxPageLimit; read += MaxPageLimit {
		page, err := ts.ListThreads(ctx, g)
		if err != nil {
			return nil, err
		}
		add(page.Threads)
		if page.Next == "" {
			break
		}
		g.Cursor = page.Next
	}
	out := make([]Thread, 0, len(found))
	for _, th := range found {
		out = append(out, th)
	}
	slices.SortFunc(out, func(a, b Thread) int { return b.LastMessage.Compare(a.LastMessage) })
	if len(out) > MaxPageLimit {
		out = out[:MaxPageLimit]
	}
	return out, nil
}

// fakeThreads answers ListThreads from a slice: exact order number and
// customer (an order number with a space is invalid), words in subjects,
// newest first, pages of Limit with the offset as cursor.
type fakeThreads struct {
	threads []Thread
	calls   []ThreadFilter
	fail    error
}

func (ft *fakeThreads) ListThreads(ctx context.Context, f ThreadFilter) (*ThreadPage, error) {
	ft.calls = append(ft.calls, f)
	if ft.fail != nil {
		return nil, ft.fail
	}
	if strings.Contains(f.Customer, "!") {
		return nil, Errorf(CodeInvalidFilter, "bad name")
	}
	var all []Thread
	for _, th := range ft.threads {
		if (f.OrderNumber == "" || th.OrderNumber == f.OrderNumber) &&
			(f.Customer == "" || strings.EqualFold(th.Customer, f.Customer)) &&
			(f.Topic == "" || th.Topic == f.Topic) &&
			(f.Text == "" || strings.Contains(strings.ToLower(th.Subject), strings.ToLower(f.Text))) {
			all = append(all, th)
		}
	}
	slices.SortFunc(all, func(a, b Thread) int { return b.LastMessage.Compare(a.LastMessage) })
	off := 0
	fmt.Sscan(f.Cursor, &off)
	page := &ThreadPage{Threads: all[min(off, len(all)):min(off+f.Limit, len(all))]}
	if off+f.Limit < len(all) {
		page.Next = fmt.Sprint(off + f.Limit)
	}
	return page, nil
}

func TestSearchThreadsAsHandler(t *testing.T) {
	var threads []Thread
	for i := range 3*MaxPageLimit + 17 {
		threads = append(threads, Thread{ID: fmt.Sprintf("t%04d", i), OrderNumber: fmt.Sprint(1000 + i%40),
			Customer: []string{"Ana", "Ben", "Carla"}[i%3], Topic: []string{"delivery", "refund"}[i%2],
			Subject: []string{"Where is my parcel", "Broken lid", "Ana asks"}[i%3], LastMessage: t0.Add(time.Duration((i*37)%1000) * time.Minute)})
	}
	filters := []ThreadFilter{{}, {Topic: "refund"}, {OrderNumber: "1003"}, {Customer: "ben"}, {Cursor: "x"}}
	queries := []string{"ana", "1003", "parcel", "broken lid", "nothing", "ben!"}
	for _, f := range filters {
		for _, q := range queries {
			a, b := &fakeThreads{threads: threads}, &fakeThreads{threads: threads}
			got, err := SearchThreads(context.Background(), a, q, f)
			want, werr := handlerSearchThreads(context.Background(), b, q, f)
			if err != nil || werr != nil {
				t.Fatalf("%+v %q: errors %v, %v", f, q, err, werr)
			}
			if !slices.EqualFunc(a.calls, b.calls, func(x, y ThreadFilter) bool { return fmt.Sprint(x) == fmt.Sprint(y) }) {
				t.Errorf("%+v %q: listed %v, want %v", f, q, a.calls, b.calls)
			}
			if !sameThreads(got, want) {
				t.Errorf("%+v %q: got %d threads, want %d", f, q, len(got), len(want))
			}
		}
	}
	fail := &fakeThreads{fail: Errorf(CodeForbidden, "no")}
	if _, err := SearchThreads(context.Background(), fail, "x", ThreadFilter{}); ErrorCode(err) != CodeForbidden {
		t.Errorf("a refusal: got %v, want forbidden", err)
	}
}

// sameThreads compares ids in order (the threads' times are distinct, so
// the order is the same whatever the map's).
func sameThreads(a, b []Thread) bool {
	return slices.EqualFunc(a, b, func(x, y Thread) bool { return x.ID == y.ID })
}
