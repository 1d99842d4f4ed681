package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
)

// servesThreads reports whether serve's domain has threads and the outbox.
func servesThreads(t *testing.T) bool {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "probe.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := newDomain(db, domain.DefaultPolicy())
	return d.Threads != nil && d.Outbox != nil
}

// TestBenchDomainCommand runs bench --domain small and short: the seeding,
// the child server with --demo, every inbox filter and the posting phase
// work and report. It checks no timings.
func TestBenchDomainCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads it for a few seconds")
	}
	if !servesThreads(t) {
		t.Skip("serve does not wire the thread service yet (newDomain)")
	}
	t.Setenv("HELPCENTRE_BENCH_CHILD", "1")
	var out, errb bytes.Buffer
	err := runBenchDomain(context.Background(), []string{"--domain", "--threads", "300", "--orders", "40", "--customers", "10",
		"--duration", "500ms", "--inbox-duration", "200ms", "--clients", "8", "--json"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var rep domainReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not the report: %v\n%s", err, out.String())
	}
	if m := rep.Messages; m.Posted == 0 || m.Errors != 0 || m.PerSecond <= 0 || m.P99 <= 0 || m.Clients != 8 {
		t.Errorf("messages = %+v", m)
	}
	if rep.Inbox.Threads != 300 || len(rep.Inbox.Filters) != 8 {
		t.Fatalf("inbox = %+v", rep.Inbox)
	}
	for _, f := range rep.Inbox.Filters {
		if f.Requests == 0 || f.Errors != 0 || f.P99 <= 0 {
			t.Errorf("filter %s: %+v", f.Name, f)
		}
		if f.Name != "status=unread" && f.Rows == 0 {
			t.Errorf("filter %s found nothing (%s)", f.Name, f.Query)
		}
	}
	t.Logf("%s", out.String())
}
