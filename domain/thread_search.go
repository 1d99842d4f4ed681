package domain

import (
	"context"
	"slices"
	"strings"
)

// SearchThreadScan bounds how many threads a text search reads (newest
// first) before it stops: four full pages.
const SearchThreadScan = 4 * MaxPageLimit

// ThreadLister lists threads; ThreadService is one.
type ThreadLister interface {
	// ListThreads lists the caller's inbox, filtered and sorted.
	// Errors: as ThreadService.ListThreads.
	ListThreads(ctx context.Context, f ThreadFilter) (*ThreadPage, error)
}

// SearchThreads finds the caller's threads matching q, with f's other
// filters: q as an order number and as a customer's name (exact, from the
// store's indexes), then q's words in the subject, customer, order, topic and
// messages (ThreadFilter.Text) of the newest SearchThreadScan threads. The
// result is newest last message first, at most MaxPageLimit, with no cursor.
// Stores implement ThreadService.SearchThreads with it.
//
// A q that cannot be an order number or a customer name (an invalid filter)
// only skips that lookup; any other error is returned.
func SearchThreads(ctx context.Context, ts ThreadLister, q string, f ThreadFilter) ([]Thread, error) {
	found := map[string]Thread{}
	add := func(ths []Thread) {
		for _, th := range ths {
			found[th.ID] = th
		}
	}
	f.Cursor = ""
	lookup := func(g ThreadFilter) error {
		g.Limit = MaxPageLimit
		page, err := ts.ListThreads(ctx, g)
		if err != nil && ErrorKind(err) != Invalid {
			return err
		}
		if err == nil {
			add(page.Threads)
		}
		return nil
	}
	if f.OrderNumber == "" && !strings.ContainsAny(q, " \t") {
		g := f
		g.OrderNumber = q
		if err := lookup(g); err != nil {
			return nil, err
		}
	}
	if f.Customer == "" {
		g := f
		g.Customer = q
		if err := lookup(g); err != nil {
			return nil, err
		}
	}
	g := f
	g.Text, g.Limit = q, MaxPageLimit
	for read := 0; read < SearchThreadScan; read += MaxPageLimit {
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
