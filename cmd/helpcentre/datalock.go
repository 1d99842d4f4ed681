package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockName is the file in the data folder whose exclusive lock says a
// process owns the folder. serve takes it before it touches the index or the
// database, and holds it until it exits; restore and compact take it too.
// The operating system drops the lock when the process dies, so a stale
// file (after kill -9) never blocks a start.
const lockName = "helpcentre.lock"

// ownerName is the file beside the lock that names its holder: the lock
// file itself cannot be written while locked on Windows.
const ownerName = "helpcentre.owner"

// lockOwner is what the lock file says about its holder.
type lockOwner struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`        // serve, backup, restore, compact
	Addr    string `json:"addr,omitempty"` // serve's listen address, once known
}

// dataLock is a held lock on a data folder.
type dataLock struct {
	fl  *flock.Flock
	dir string
}

// errDataLocked says another process holds the data folder.
type errDataLocked struct {
	dir   string
	owner lockOwner
}

func (e errDataLocked) Error() string {
	cmd := cmp.Or(e.owner.Command, "serve")
	if e.owner.PID == 0 {
		return fmt.Sprintf("another helpcentre %s is using %s", cmd, e.dir)
	}
	return fmt.Sprintf("another helpcentre %s is using %s (pid %d)", cmd, e.dir, e.owner.PID)
}

// lockData takes the data folder's lock without waiting, creating the folder
// if need be, and records this process, running command, as the owner.
func lockData(dir, command string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	path := filepath.Join(dir, lockName)
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		owner, _ := readLockOwner(dir)
		return nil, errDataLocked{dir: dir, owner: owner}
	}
	l := &dataLock{fl: fl, dir: dir}
	if err := l.record(lockOwner{PID: os.Getpid(), Command: command}); err != nil {
		_ = fl.Unlock()
		return nil, err
	}
	return l, nil
}

// record writes owner beside the lock file. A reader may see the previous
// holder's line for a moment; the lock, not this file, decides.
func (l *dataLock) record(owner lockOwner) error {
	data, _ := json.Marshal(owner)
	path := filepath.Join(l.dir, ownerName)
	if err := os.WriteFile(path+".tmp", append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("lock owner: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("lock owner: %w", err)
	}
	return nil
}

// release drops the lock; the file stays, empty of meaning.
func (l *dataLock) release() error {
	if l == nil {
		return nil
	}
	return l.fl.Unlock()
}

// readLockOwner reads who holds (or last held) the data folder's lock.
func readLockOwner(dir string) (lockOwner, error) {
	var o lockOwner
	data, err := os.ReadFile(filepath.Join(dir, ownerName))
	if err != nil {
		return o, err
	}
	err = json.Unmarshal(data, &o)
	return o, err
}
