package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/marketplace/helpcentre/internal/proc"
)

// TestBenchDomainCommand runs bench --domain small and short: the seeding,
// the child server with --demo, every inbox filter and the posting phase
// work and report. It checks no timings.
func TestBenchDomainCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads it for a few seconds")
	}
	var out, errb bytes.Buffer
	err := RunDomain(t.Context(), DomainOptions{Threads: 300, Orders: 40, Customers: 10, Duration: 500 * time.Millisecond,
		InboxDuration: 200 * time.Millisecond, Clients: 8, InboxClients: 1, JSON: true, Exe: serverExe(t)}, &out, &errb)
	if runtime.GOOS != "linux" {
		// The server's CPU time is read from /proc.
		if !errors.Is(err, proc.ErrNotAvailable) {
			t.Fatalf("got %v, want proc.ErrNotAvailable", err)
		}
		return
	}
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
	if rep.Inbox.SettleS < 2 { // two quiet seconds at least, before the inbox is timed
		t.Errorf("settle_s = %v", rep.Inbox.SettleS)
	}
	if rep.Inbox.Threads != 300 || len(rep.Inbox.Filters) != 12 {
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
