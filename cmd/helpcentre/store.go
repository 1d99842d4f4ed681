package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketplace/helpcentre/domain"
	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/postgres"
)

// A store is where the after-sales data lives: the bbolt file under the data
// folder (the default, one process), or a PostgreSQL database that several
// replicas share (--store postgres://…).

// isPostgres reports whether store names a PostgreSQL database.
func isPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// parseStore checks --store: empty (the bbolt file) or a PostgreSQL URL.
func parseStore(cmd, store string) error {
	if store == "" {
		return nil
	}
	if !isPostgres(store) {
		return exitError{2, fmt.Sprintf("helpcentre %s: -store: want a PostgreSQL URL like postgres://user@host:5432/helpcentre, or nothing for the bbolt file under -data", cmd)}
	}
	if _, err := url.Parse(store); err != nil {
		// The error would quote the URL, password and all.
		return exitError{2, fmt.Sprintf("helpcentre %s: -store: not a valid URL", cmd)}
	}
	return nil
}

// redactURL replaces the password of the URL store wherever it appears in s.
func redactURL(s, store string) string {
	u, err := url.Parse(store)
	if err != nil || u.User == nil {
		return s
	}
	if p, ok := u.User.Password(); ok && p != "" {
		s = strings.ReplaceAll(s, p, "xxxxx")
	}
	return s
}

// storeName is how logs and messages name the store: the bbolt file's path,
// or the PostgreSQL URL without its password.
func storeName(store, dataDir string) string {
	if store == "" {
		return filepath.Join(dataDir, "helpcentre.db")
	}
	u, err := url.Parse(store)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// openedStore is the after-sales store serve runs on.
type openedStore struct {
	db     *bolt.DB
	shared bool // several replicas may share the store (PostgreSQL)
}

// openStore opens cfg's store: the bbolt file under cfg.Data, checked page
// by page, or the PostgreSQL database cfg.Store, whose schema is brought up
// to date (replicas starting together migrate once).
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*openedStore, error) {
	if cfg.Store == "" {
		db, err := openDatabase(filepath.Join(cfg.Data, "helpcentre.db"), cfg.Data, cfg.Attachments, log)
		if err != nil {
			return nil, err
		}
		return &openedStore{db: db}, nil
	}
	name := storeName(cfg.Store, cfg.Data)
	start := time.Now()
	eng, err := postgres.Open(ctx, cfg.Store, postgres.Options{})
	if err != nil {
		return nil, exitError{1, fmt.Sprintf("helpcentre serve: the store %s: %s", name, redactURL(err.Error(), cfg.Store))}
	}
	attach := cfg.Attachments
	if attach == "" {
		attach = filepath.Join(cfg.Data, "attachments")
		log.Warn("uploads are kept in this replica's data folder: replicas on one PostgreSQL store must share one folder (-attachments)", "attachments", attach)
	}
	db, err := bolt.OpenOn(eng, cfg.Data, bolt.Options{Attachments: attach})
	if err != nil {
		_ = eng.Close()
		return nil, exitError{1, fmt.Sprintf("helpcentre serve: the store %s: %s", name, redactURL(err.Error(), cfg.Store))}
	}
	log.Info("store opened", "store", "postgres", "url", name, "attachments", attach, "took", time.Since(start).Round(time.Millisecond))
	return &openedStore{db: db, shared: true}, nil
}

// lockWait is how often withLock tries a lock another replica holds.
const lockWait = 200 * time.Millisecond

// withLock runs fn holding the store's lock called name (bolt.DB.TryLock),
// waiting for another replica that holds it, until ctx is done. On the
// bbolt file, which one process opens, the lock is always free.
func (s *openedStore) withLock(ctx context.Context, name string, fn func() error) error {
	for {
		unlock, ok, err := s.db.TryLock(ctx, name)
		if err != nil {
			return fmt.Errorf("store lock %s: %w", name, err)
		}
		if ok {
			defer unlock()
			return fn()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(lockWait):
		}
	}
}

// requireSharedSecret refuses to serve a shared store without
// HELPCENTRE_SECRET: a secret made by each replica would make every
// replica refuse the sessions, CSRF tokens and customer links the others
// signed.
func requireSharedSecret(cfg Config) error {
	if cfg.Store == "" || os.Getenv("HELPCENTRE_SECRET") != "" {
		return nil
	}
	return exitError{2, "helpcentre serve: -store postgres://… needs HELPCENTRE_SECRET (at least 32 characters), the same on every replica: " +
		"sessions, CSRF tokens and customer links signed by one replica must be valid on the others (make one with: openssl rand -hex 32)"}
}

// pgDumpHint is what the bbolt-only operations answer on PostgreSQL.
const pgDumpHint = "the store is PostgreSQL: back it up and restore it with PostgreSQL's own tools (pg_dump, pg_restore, or continuous archiving); see the README, \"Scaling out\""

// refuseOnPostgres answers a bbolt-only command (backup, restore, compact)
// asked to work on a PostgreSQL store.
func refuseOnPostgres(cmd, store string) error {
	if !isPostgres(store) {
		return nil
	}
	return exitError{2, fmt.Sprintf("helpcentre %s: %s", cmd, pgDumpHint)}
}

// backupOf is the server's backup download: a copy of the bbolt file, or on
// PostgreSQL an answer that says to use pg_dump.
func backupOf(st *openedStore, dataDir string) func() (io.ReadCloser, int64, error) {
	if st.shared {
		return func() (io.ReadCloser, int64, error) {
			return nil, 0, domain.Errorf(domain.CodeBackupUnsupported, "%s.", strings.ToUpper(pgDumpHint[:1])+pgDumpHint[1:])
		}
	}
	return backupTo(st.db, dataDir)
}
