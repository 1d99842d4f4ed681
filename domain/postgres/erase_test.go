package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// An erasure on PostgreSQL leaves no version of the customer's words in the
// store's table: not the live rows (the store rewrote them) and not the
// dead tuples PostgreSQL keeps of the rows it replaced, which the erasure's
// VACUUM (Engine.Scrub) removes at once instead of whenever autovacuum
// comes. Checked page by page with pageinspect, which shows dead tuples too.
func TestEraseLeavesNoDeadTuples(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	_, db, w := demoStore(t, url, postgres.Options{})
	p := domain.DefaultPolicy()
	p.MessagesPerMinute = 0
	svc := bolt.NewServices(db, p)
	as := func(name string) context.Context { return demoActor(w, name) }
	words := "Mi lámpara llegó con el cristal roto en tres pedazos"
	th, err := svc.Threads.CreateThread(as("ana"), domain.NewThread{OrderNumber: "1001", Recipient: domain.PartySeller,
		Topic: domain.TopicProduct, Body: words})
	if err != nil {
		t.Fatal(err)
	}
	// The thread's records are rewritten by later writes too: more dead
	// versions holding her words.
	if _, err := svc.Threads.PostMessage(as("sam"), th.ID, domain.NewMessage{To: []domain.Party{domain.PartyCustomer},
		Body: "Lo sentimos mucho, enviamos otra lámpara hoy"}); err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pageinspect"); err != nil {
		t.Fatal(err)
	}
	// tuples counts the tuples of kv's pages, live or dead, whose bytes
	// hold s (values are stored uncompressed: the store's records are far
	// below TOAST's 2 KB threshold, and the count before the erasure
	// proves it).
	tuples := func(s string) (n int) {
		t.Helper()
		err := conn.QueryRow(ctx, `SELECT count(*) FROM generate_series(0, pg_relation_size('kv') / current_setting('block_size')::int - 1) AS blk,
			LATERAL heap_page_items(get_raw_page('kv', blk::int)) AS it
			WHERE it.t_data IS NOT NULL AND position($1::bytea IN it.t_data) > 0`, []byte(s)).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	needles := []string{words, "ana@demo.example"}
	for _, s := range needles {
		if tuples(s) == 0 {
			t.Fatalf("before the erasure no tuple of kv holds %q: the test would prove nothing", s)
		}
	}
	if _, err := bolt.NewPrivacyService(db).EraseCustomer(as("adam"), w.Users["ana"].ID, "ana"); err != nil {
		t.Fatal(err)
	}
	for _, s := range needles {
		if n := tuples(s); n != 0 {
			t.Errorf("after the erasure %d tuples of kv (live or dead) still hold %q", n, s)
		}
	}
}
