package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/index"
)

// lockDataFolder takes the data folder for serve before anything touches
// it: a second serve on the same folder used to open (and move aside) the
// running one's index before it found the database locked.
func lockDataFolder(dir string, addr net.Addr) (*dataLock, error) {
	lock, err := lockData(dir, "serve")
	var locked errDataLocked
	if errors.As(err, &locked) {
		return nil, exitError{1, "helpcentre serve: " + locked.Error()}
	}
	if err != nil {
		return nil, err
	}
	if err := lock.record(lockOwner{PID: os.Getpid(), Command: "serve", Addr: addr.String()}); err != nil {
		_ = lock.release()
		return nil, err
	}
	return lock, nil
}

// restoreHint tells the operator what to do about a damaged database.
const restoreHint = "restore the latest backup with: helpcentre restore --from BACKUP --data %s (see the README, \"Operating it\")"

// openDatabase opens the database and checks every page of it once: a
// damaged file stops the start with what to do, rather than failing (or
// faulting) in some request later.
func openDatabase(path, dataDir, attachments string, log *slog.Logger) (*bolt.DB, error) {
	db, err := bolt.Open(path, bolt.Options{Attachments: attachments})
	if errors.Is(err, bolt.ErrDamaged) {
		return nil, exitError{1, fmt.Sprintf("helpcentre serve: %v\n"+restoreHint, err, dataDir)}
	}
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := db.Check(); err != nil {
		_ = db.Close()
		return nil, exitError{1, fmt.Sprintf("helpcentre serve: %v\n"+restoreHint, err, dataDir)}
	}
	log.Info("database checked", "path", path, "took", time.Since(start).Round(time.Millisecond))
	return db, nil
}

// startIndex builds the index while the server answers; once it is ready
// it frees the build's garbage and starts watching the content folder.
// failed receives the build's error; done is closed when the build is over.
func startIndex(ctx context.Context, ix *index.Index, cfg Config, log *slog.Logger) (failed <-chan error, done <-chan struct{}) {
	errc := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if err := ix.Build(ctx); err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
		limitMemory(log)
		for _, d := range ix.Content().Diagnostics {
			log.Warn("content problem", "file", d.Path, "line", d.Line, "severity", d.Severity.String(), "problem", d.Message)
		}
		if cfg.Content != "" {
			go func() {
				if err := ix.Watch(ctx, cfg.Content, index.WatchOptions{Poll: cfg.Poll}); err != nil {
					log.Error("file watching stopped; use SIGHUP or POST /api/v1/admin/reload", "err", err)
				}
			}()
		}
	}()
	return errc, finished
}
