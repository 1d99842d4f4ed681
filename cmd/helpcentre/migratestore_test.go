package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/demo"
	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/postgres"
	"github.com/marketplace/helpcentre/internal/pgtest"
)

// storeOptions: behaviour, not durability or password strength.
var storeOptions = bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost}

// seedHistoryStore writes the demo world with its sixty days of history and
// one attachment into a bbolt file at path, and returns the attachment's
// sha256.
func seedHistoryStore(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, storeOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := domain.DefaultPolicy()
	svc := bolt.NewServices(db, p)
	ctx := context.Background()
	now := time.Now()
	base := demo.Services{Access: svc.Access, Orders: svc.Orders}
	if _, err := demo.Seed(ctx, base, now); err != nil {
		t.Fatal(err)
	}
	h := demo.History{Services: base, Threads: svc.Threads, Incidents: svc.Incidents, Refunds: svc.Refunds, Claims: svc.Claims,
		AtServices: func(at time.Time) demo.HistoryServices {
			s := bolt.NewServices(db.At(at), p)
			return demo.HistoryServices{Orders: s.Orders, Threads: s.Threads, Incidents: s.Incidents, Refunds: s.Refunds, Claims: s.Claims}
		}}
	if err := demo.SeedHistory(ctx, h, now); err != nil {
		t.Fatal(err)
	}
	ana, err := svc.Access.Authenticate(ctx, demo.Token("ana"))
	if err != nil {
		t.Fatal(err)
	}
	att, err := svc.Attachments.PutAttachment(domain.WithActor(ctx, ana), "receipt.txt", strings.NewReader("Receipt for order 1001: paid 24.85 EUR.\n"))
	if err != nil {
		t.Fatal(err)
	}
	return att.SHA256
}

// storeShows is what the services show of a store, as the admin sees it:
// every order with its threads, refunds, claims and incidents.
func storeShows(t *testing.T, db *bolt.DB) []string {
	t.Helper()
	svc := bolt.NewServices(db, domain.DefaultPolicy())
	adam, err := svc.Access.Authenticate(context.Background(), demo.Token("adam"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := domain.WithActor(context.Background(), adam)
	var out []string
	cursor := ""
	for {
		orders, next, err := svc.Orders.ListOrders(ctx, cursor, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			line := fmt.Sprintf("order %s %s", o.Number, o.State)
			threads, err := svc.Threads.ListThreads(ctx, domain.ThreadFilter{OrderNumber: o.Number, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range threads.Threads {
				line += fmt.Sprintf(" thread %s %q %s", th.ID, th.Subject, th.Status)
			}
			refunds, _, err := svc.Refunds.ListRefunds(ctx, o.Number, "", 200)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range refunds {
				line += fmt.Sprintf(" refund %s %s %d", r.ID, r.State, r.Amount)
			}
			claims, _, err := svc.Claims.ListClaims(ctx, o.Number, "", 200)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claims {
				line += fmt.Sprintf(" claim %s %s", c.ID, c.State)
			}
			out = append(out, line)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	// The seller's inbox, first page, newest first.
	sam, err := svc.Access.Authenticate(context.Background(), demo.Token("sam"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.Threads.ListThreads(domain.WithActor(context.Background(), sam), domain.ThreadFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range page.Threads {
		out = append(out, "inbox "+th.ID)
	}
	return out
}

func migrate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), append([]string{"migrate-store"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestMigrateStore copies a bbolt store holding the demo world and its
// history into a new PostgreSQL database: the table verifies every bucket,
// the attachment's file is copied, a second run writes nothing, the
// services on PostgreSQL show the same orders, threads, refunds, claims and
// inbox; a tampered target fails verification and the next run repairs
// it; a file a server holds and a target with a newer store are refused.
func TestMigrateStore(t *testing.T) {
	url := pgtest.DB(t)
	data := t.TempDir()
	path := filepath.Join(data, dbName)
	sha := seedHistoryStore(t, path)
	src, err := bolt.Open(path, storeOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := storeShows(t, src)
	src.Close()
	if len(want) < 40 || !strings.Contains(strings.Join(want, "\n"), " refund ") || !strings.Contains(strings.Join(want, "\n"), " claim ") {
		t.Fatalf("the source shows too little to compare: %q", want)
	}

	shared := filepath.Join(t.TempDir(), "attachments")
	code, out, errOut := migrate(t, "--from", path, "--to", url, "--attachments-to", shared, "--chunk", "50")
	if code != 0 {
		t.Fatalf("migrate-store: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("first run:\n%s%s", out, errOut)
	for _, s := range []string{"verified: ", "meta/migrations", "equal", "attachments: 1 file(s)", "1 copied"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if got, err := os.ReadFile(bolt.AttachmentFile(shared, sha)); err != nil || !strings.HasPrefix(string(got), "Receipt for order 1001") {
		t.Errorf("the attachment's file in the shared folder: %q, %v", got, err)
	}

	code, out, errOut = migrate(t, "--from", path, "--to", url, "--attachments-to", shared)
	if code != 0 || !strings.Contains(out, ": 0 written, 0 deleted") || !strings.Contains(out, "0 copied") {
		t.Errorf("second run: exit %d, want nothing written or copied:\n%s\n%s", code, out, errOut)
	}

	// What the services show on PostgreSQL.
	openPG := func() *bolt.DB {
		t.Helper()
		eng, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db, err := bolt.OpenOn(eng, t.TempDir(), storeOptions)
		if err != nil {
			eng.Close()
			t.Fatal(err)
		}
		return db
	}
	pg := openPG()
	got := storeShows(t, pg)
	pg.Close()
	if !slices.Equal(got, want) {
		t.Errorf("PostgreSQL shows other records than bbolt:\n got %d: %.600q\nwant %d: %.600q", len(got), got, len(want), want)
	}

	// Tampered: a thread's record changed behind the store's back.
	eng, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	tamper := func(fn func(tx kv.Tx) error) {
		t.Helper()
		if err := eng.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	var threadsBucket []byte
	tamper(func(tx kv.Tx) error {
		return tx.ForEach(func(name []byte, b kv.Bucket) error {
			if strings.HasPrefix(string(name), "threads.") {
				threadsBucket = bytes.Clone(name)
				k, v := b.Cursor().First()
				return b.Put(k, append(bytes.Clone(v), ' '))
			}
			return nil
		})
	})
	code, out, errOut = migrate(t, "--from", path, "--to", url, "--verify-only")
	if code != 1 || !strings.Contains(errOut, "1 bucket(s) differ") || !strings.Contains(errOut, string(threadsBucket)) || !strings.Contains(out, "DIFFERS") {
		t.Errorf("verify-only on a tampered target: exit %d, want 1 naming %s:\n%s\n%s", code, threadsBucket, out, errOut)
	}
	code, out, errOut = migrate(t, "--from", path, "--to", url)
	if code != 0 || !strings.Contains(out, ": 1 written, 0 deleted") {
		t.Errorf("a run after tampering: exit %d, want the record written back:\n%s\n%s", code, out, errOut)
	}

	// A server holds the file: refused, the copy is made offline.
	served, err := bolt.Open(path, storeOptions)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = migrate(t, "--from", path, "--to", url)
	served.Close()
	if code != 1 || !strings.Contains(errOut, "stop the server first") {
		t.Errorf("a file a server holds: exit %d, want 1 and a clear refusal:\n%s", code, errOut)
	}

	// The target records a migration the source has not: a newer store.
	tamper(func(tx kv.Tx) error {
		return tx.Bucket([]byte("meta")).Bucket([]byte("migrations")).Put([]byte("9999_newer"), []byte("x"))
	})
	code, _, errOut = migrate(t, "--from", path, "--to", url)
	if code != 1 || !strings.Contains(errOut, "9999_newer") || !strings.Contains(errOut, "refusing") {
		t.Errorf("a target with a newer store: exit %d, want 1 and a refusal naming the migration:\n%s", code, errOut)
	}
}
