package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/kv"
)

// TestTextFilterPathsAgree: the three ways a text filter is answered (the
// word index's few candidates sorted; many candidates checked along the
// inbox index; words too common for the index checked on the records) give
// the same pages, cursors included; and a database whose threads were
// written before the word index existed gets it filled by its migration.
func TestTextFilterPathsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "domain.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	p := domain.DefaultPolicy()
	answers, sorted := textFilterPathsAgree(t, db)

	// Drop the word index and its migration's mark: reopening fills it again.
	if err := db.eng.Update(func(tx kv.Tx) error {
		if err := tx.DeleteBucket(bucketThreadWords); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Bucket(bucketMigrations).Delete([]byte("0020_thread_words"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	ts := NewThreadService(db, p)
	if again := answers(ts); !mapsEqual(again, sorted) {
		t.Errorf("after the migration filled the index:\n%v\n%v", again, sorted)
	}
}

// textFilterPathsAgree writes the threads TestTextFilterPathsAgree lists into
// db (a new store), checks that the three paths agree, and returns the
// answers of a thread service (every filter's pages as sam, olga and ana)
// and those of the sorted path.
func textFilterPathsAgree(t *testing.T, db *DB) (answers func(ts *ThreadService) map[string][]string, sorted map[string][]string) {
	t.Helper()
	p := domain.DefaultPolicy()
	ctx := context.Background()
	w, err := demo.Seed(ctx, demo.Services{Access: NewAccessService(db), Orders: NewOrderService(db, p)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	as := func(name string) context.Context {
		u := w.Users[name]
		return domain.WithActor(ctx, domain.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, ShopID: u.ShopID})
	}
	at := time.Now().Add(-100 * time.Hour)
	words := []string{"parcel", "refund", "invoice", "lamp", "broken"}
	for i := range 60 {
		ts := NewThreadService(db.At(at.Add(time.Duration(i)*time.Hour)), p)
		body := fmt.Sprintf("My %s and my %s, number %d", words[i%5], words[(i/5)%5], i)
		th, err := ts.CreateThread(as("ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller, Topic: []string{domain.TopicDelivery, domain.TopicInvoice}[i%2], Body: body})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := ts.PostMessage(as("sam"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer}, Body: "We are on the lampshade " + words[(i+2)%5]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ts := NewThreadService(db, p)
	filters := []domain.ThreadFilter{
		{Text: "parcel"}, {Text: "parc lamp"}, {Text: "refund", Sort: "due"}, {Text: "invoice", Topic: domain.TopicInvoice},
		{Text: "lamp", Status: "unread"}, {Text: "inv bro"}, {Text: "1"}, {Text: "zzz"}, {Text: "lamp", Status: "overdue"},
	}
	pages := func(ts *ThreadService, who string, f domain.ThreadFilter) []string {
		t.Helper()
		var out []string
		f.Limit = 7
		for range 20 {
			page, err := ts.ListThreads(as(who), f)
			if err != nil {
				t.Fatalf("%s %+v: %v", who, f, err)
			}
			for _, th := range page.Threads {
				out = append(out, th.ID)
			}
			if page.Next == "" {
				return out
			}
			f.Cursor = page.Next
		}
		t.Fatalf("%+v: over 20 pages", f)
		return nil
	}
	answers = func(ts *ThreadService) map[string][]string {
		m := map[string][]string{}
		for _, who := range []string{"sam", "olga", "ana"} {
			for _, f := range filters {
				m[fmt.Sprint(who, f)] = pages(ts, who, f)
			}
		}
		return m
	}
	// A word beginning finds what the word finds; a longer word nothing.
	if a, b := pages(ts, "olga", domain.ThreadFilter{Text: "lam"}), pages(ts, "olga", domain.ThreadFilter{Text: "lamp"}); len(b) == 0 || !slices.Equal(a, b) {
		t.Errorf("lam finds %d threads, lamp %d", len(a), len(b))
	}
	if got := pages(ts, "olga", domain.ThreadFilter{Text: "lampx"}); len(got) != 0 {
		t.Errorf("lampx finds %d threads", len(got))
	}
	sorted = answers(ts)
	found := 0
	for _, ids := range sorted {
		found += len(ids)
	}
	if found == 0 {
		t.Fatal("no filter found anything")
	}
	defer func(c, k, p, ch, n int) {
		maxSortedCandidates, maxCollectedCandidates, maxPrefixWords, textChunk, newestProbe = c, k, p, ch, n
	}(maxSortedCandidates, maxCollectedCandidates, maxPrefixWords, textChunk, newestProbe)
	for _, path := range []struct {
		name                              string
		sorted, listed, pre, chunk, probe int
	}{
		{"walking the inbox index with the matches as a set", 2, 20_000, 200, 64, 256},
		{"walking the inbox index, checking its entries a chunk at a time", 2, 2, 200, 64, 256},
		{"the same, a few entries a chunk (the next sized by the matches seen)", 2, 2, 200, 2, 256},
		{"the newest postings of a few threads first, then listing the rest", 2, 20_000, 200, 64, 3},
		{"the same, then checking the entries a chunk at a time", 2, 2, 200, 2, 3},
		{"the newest postings of one thread first", 2, 20_000, 200, 64, 1},
		{"checking words on the records", 500, 20_000, 0, 64, 256},
	} {
		maxSortedCandidates, maxCollectedCandidates, maxPrefixWords, textChunk, newestProbe = path.sorted, path.listed, path.pre, path.chunk, path.probe
		if got := answers(ts); !mapsEqual(got, sorted) {
			t.Errorf("%s differs from sorting the candidates:\n%v\n%v", path.name, got, sorted)
		}
	}
	maxSortedCandidates, maxCollectedCandidates, maxPrefixWords, textChunk, newestProbe = 500, 20_000, 200, 64, 256
	return answers, sorted
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
