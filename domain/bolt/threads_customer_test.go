package bolt

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/kv"
)

// TestCustomerWordsMigration: threads written before 0018 were indexed by
// whole names only; after it, the customer filter finds them by a word.
func TestCustomerWordsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	before := slices.DeleteFunc(migrations(), func(m migration) bool { return m.id == "0018_thread_customer_words" })
	db, err := open(path, fastOptions(nil), before)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewServices(db, domain.DefaultPolicy())
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Services{Access: svc.Access, Orders: svc.Orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	ben, err := svc.Access.Authenticate(ctx, demo.Token("ben"))
	if err != nil {
		t.Fatal(err)
	}
	th, err := svc.Threads.CreateThread(domain.WithActor(ctx, ben), domain.NewThread{OrderNumber: "2001", Recipient: domain.PartySeller,
		Topic: domain.TopicProduct, Body: "Is the throw machine washable?"})
	if err != nil {
		t.Fatal(err)
	}
	// As an older version wrote it: whole names only.
	if err := db.eng.Update(func(tx kv.Tx) error {
		return tx.Bucket(bucketThreadsByCustomer).Delete(compositeKey([]byte("carter"), []byte(th.ID)))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = open(path, fastOptions(nil), migrations())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc = NewServices(db, domain.DefaultPolicy())
	sam, err := svc.Access.Authenticate(ctx, demo.Token("sam"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.Threads.ListThreads(domain.WithActor(ctx, sam), domain.ThreadFilter{Customer: "cart"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Threads) != 1 || page.Threads[0].ID != th.ID {
		t.Errorf("after 0018, \"cart\" finds %d threads, want Ben Carter's", len(page.Threads))
	}
}
