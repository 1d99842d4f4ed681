package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/marketplace/helpcentre/content"
	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/index"
	"github.com/marketplace/helpcentre/search"
	"github.com/marketplace/helpcentre/server"
)

// fullDisk is a FeedbackService whose writes meet a full disk, as the bbolt
// store reports it (a storage fault around the ENOSPC of the commit) or,
// with raw set, as a plain file write does.
type fullDisk struct {
	domain.FeedbackService
	raw bool
}

func (f fullDisk) RecordVote(context.Context, *domain.Vote) error {
	enospc := &os.PathError{Op: "write", Path: "/srv/data/helpcentre.db", Err: syscall.ENOSPC}
	if f.raw {
		return enospc
	}
	return fmt.Errorf("bolt: commit: %w: %w", domain.ErrStorageFault, enospc)
}

// TestStorageFaults is issue 22's fault 7: a full disk answered 500, and
// /readyz said 200 while every write failed. A write that meets a storage
// fault answers 503 storage_unavailable with Retry-After (and the cause is
// logged, never shown); /readyz answers 503 while the store reports its
// writes failing and 200 again once they work.
func TestStorageFaults(t *testing.T) {
	ix, err := index.Open(context.Background(), t.TempDir(), content.Bundled(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "hc.db"), bolt.Options{NoSync: true, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	var health error
	var logs bytes.Buffer
	for _, raw := range []bool{false, true} {
		s, err := server.New(server.Config{AdminToken: adminToken, WriteHealth: func() error { mu.Lock(); defer mu.Unlock(); return health }},
			ix, search.New(ix, search.DefaultOptions()), fullDisk{bolt.NewFeedbackService(db), raw},
			slog.New(slog.NewTextHandler(&logs, nil)), prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/articles/refund-policy/feedback", strings.NewReader(`{"helpful": true, "locale": "en"}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := s.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"code":"storage_unavailable"`) {
			t.Errorf("raw=%v: a vote on a full disk: %d, Retry-After %q, %s", raw, res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if strings.Contains(string(body), "helpcentre.db") || strings.Contains(string(body), "no space") {
			t.Errorf("raw=%v: the client sees the cause: %s", raw, body)
		}
		if !strings.Contains(logs.String(), "no space left on device") {
			t.Errorf("raw=%v: the cause is not logged:\n%s", raw, logs.String())
		}

		if r := get(t, s, "/readyz"); r.status != http.StatusOK {
			t.Errorf("readyz with healthy writes: %d", r.status)
		}
		mu.Lock()
		health = errors.New("bolt: writes failing since …: no space left on device")
		mu.Unlock()
		if r := get(t, s, "/readyz"); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Errorf("readyz while writes fail: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
		if r := get(t, s, "/healthz"); r.status != http.StatusOK {
			t.Errorf("healthz while writes fail: %d (the process is alive; restarting it helps nothing)", r.status)
		}
		mu.Lock()
		health = nil
		mu.Unlock()
		if r := get(t, s, "/readyz"); r.status != http.StatusOK {
			t.Errorf("readyz once writes work again: %d", r.status)
		}
	}
}
