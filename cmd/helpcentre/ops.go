package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/marketplace/helpcentre/domain/bolt"
)

// dbName is the database file in the data folder.
const dbName = "helpcentre.db"

// backupTo is the server's Backup: a consistent copy of db written to a
// temporary file in the data folder, handed out open; closing it deletes it.
func backupTo(db *bolt.DB, dataDir string) func() (io.ReadCloser, int64, error) {
	return func() (io.ReadCloser, int64, error) {
		f, err := os.CreateTemp(dataDir, "backup-*.tmp")
		if err != nil {
			return nil, 0, err
		}
		tf := &tempFile{f}
		n, err := db.WriteTo(f)
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			tf.Close()
			return nil, 0, err
		}
		return tf, n, nil
	}
}

// tempFile is a file deleted when closed.
type tempFile struct{ *os.File }

func (t *tempFile) Close() error {
	err := t.File.Close()
	_ = os.Remove(t.Name())
	return err
}

// writeFileSynced writes what fill writes into path, whole or not at all:
// a temporary file, fsync, rename.
func writeFileSynced(path string, fill func(w io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// checkBackup verifies a copy of the database (meta pages, size, every
// page).
func checkBackup(path string) error {
	problems, err := bolt.CheckFile(path, time.Second)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s fails its check: %w", path, errors.Join(problems...))
	}
	return nil
}

// runBackup copies the database: through the running server's admin
// endpoint when a server holds the data folder (bbolt lets no second
// process open the file), else straight from the file, read-only.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", envOr("DATA", "./data"), "the data folder (HELPCENTRE_DATA)")
	store := fset.String("store", envOr("STORE", ""), "the store serve uses; this command works on the bbolt file only (HELPCENTRE_STORE)")
	out := fset.String("out", "", "the backup file to write")
	url := fset.String("url", "", "the running server's base URL; default: the address the server recorded in the data folder")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if err := refuseOnPostgres("backup", *store); err != nil {
		return err
	}
	if *out == "" || fset.NArg() > 0 {
		return exitError{2, "usage: helpcentre backup --data DIR --out FILE [--url URL]"}
	}
	lock, err := lockData(*data, "backup")
	var locked errDataLocked
	switch {
	case errors.As(err, &locked):
		base := *url
		if base == "" {
			if locked.owner.Addr == "" {
				return exitError{1, fmt.Sprintf("helpcentre backup: %v, at an address it did not record: pass --url", locked)}
			}
			base = "http://" + loopback(locked.owner.Addr)
		}
		if err := backupOnline(ctx, base, *out); err != nil {
			return fmt.Errorf("backup through %s: %w", base, err)
		}
	case err != nil:
		return err
	default:
		defer lock.release()
		src := filepath.Join(*data, dbName)
		err := writeFileSynced(*out, func(w io.Writer) error {
			_, err := bolt.CopyFile(src, w, time.Second)
			return err
		})
		if err != nil {
			return fmt.Errorf("backup of %s: %w", src, err)
		}
	}
	if err := checkBackup(*out); err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	fmt.Fprintf(stdout, "helpcentre: backed up to %s (%d bytes, checked)\n", *out, st.Size())
	return nil
}

// loopback turns a wildcard listen address into one to connect to.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// backupOnline downloads GET /api/v1/admin/backup with the admin token of
// HELPCENTRE_ADMIN_TOKEN into out.
func backupOnline(ctx context.Context, base, out string) error {
	token := os.Getenv("HELPCENTRE_ADMIN_TOKEN")
	if token == "" {
		return errors.New("a server is running: set HELPCENTRE_ADMIN_TOKEN to the server's admin token to back up through it")
	}
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/admin/backup", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s: %s", res.Status, msg)
	}
	return writeFileSynced(out, func(w io.Writer) error {
		n, err := io.Copy(w, res.Body)
		if err == nil && res.ContentLength >= 0 && n != res.ContentLength {
			err = fmt.Errorf("got %d of %d bytes", n, res.ContentLength)
		}
		return err
	})
}

// runRestore puts a backup in place of the database, with no server
// running: it checks the backup first and keeps the file it replaces.
func runRestore(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("restore", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", envOr("DATA", "./data"), "the data folder (HELPCENTRE_DATA)")
	store := fset.String("store", envOr("STORE", ""), "the store serve uses; this command works on the bbolt file only (HELPCENTRE_STORE)")
	from := fset.String("from", "", "the backup file")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if err := refuseOnPostgres("restore", *store); err != nil {
		return err
	}
	if *from == "" || fset.NArg() > 0 {
		return exitError{2, "usage: helpcentre restore --from FILE --data DIR"}
	}
	lock, err := lockData(*data, "restore")
	var locked errDataLocked
	if errors.As(err, &locked) {
		return exitError{1, fmt.Sprintf("helpcentre restore: %v: stop it first", locked)}
	}
	if err != nil {
		return err
	}
	defer lock.release()
	if err := checkBackup(*from); err != nil {
		return exitError{1, "helpcentre restore: refusing the backup: " + err.Error()}
	}
	dst := filepath.Join(*data, dbName)
	kept := ""
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(dst, kept); err != nil {
			return err
		}
	}
	err = writeFileSynced(dst, func(w io.Writer) error {
		f, err := os.Open(*from)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("restore: %w (the previous file is %s)", err, kept)
	}
	// Open brings the schema up to date (a backup of an older version) and
	// records the database's marker.
	db, err := bolt.Open(dst, bolt.Options{})
	if err != nil {
		return fmt.Errorf("restore: the restored file will not open: %w (the previous file is %s)", err, kept)
	}
	if err := db.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "helpcentre: restored %s from %s\n", dst, *from)
	if kept != "" {
		fmt.Fprintf(stdout, "helpcentre: the file it replaced is %s; delete it once the restored data looks right\n", kept)
	}
	return nil
}

// runCompact rewrites the database without its free pages (bbolt files
// never shrink), with no server running, and swaps the copy in.
func runCompact(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("compact", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", envOr("DATA", "./data"), "the data folder (HELPCENTRE_DATA)")
	store := fset.String("store", envOr("STORE", ""), "the store serve uses; this command works on the bbolt file only (HELPCENTRE_STORE)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if err := refuseOnPostgres("compact", *store); err != nil {
		return err
	}
	lock, err := lockData(*data, "compact")
	var locked errDataLocked
	if errors.As(err, &locked) {
		return exitError{1, fmt.Sprintf("helpcentre compact: %v: stop it first", locked)}
	}
	if err != nil {
		return err
	}
	defer lock.release()
	src := filepath.Join(*data, dbName)
	before, err := os.Stat(src)
	if err != nil {
		return err
	}
	tmp := src + ".compact.tmp"
	_ = os.Remove(tmp)
	if err := bolt.CompactFile(tmp, src, time.Second); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, src); err != nil {
		return err
	}
	after, _ := os.Stat(src)
	fmt.Fprintf(stdout, "helpcentre: compacted %s from %d to %d bytes\n", src, before.Size(), after.Size())
	return nil
}

// runCheckDB verifies a database file offline (check --db FILE).
func runCheckDB(path string, stdout io.Writer) error {
	problems, err := bolt.CheckFile(path, time.Second)
	if err != nil {
		return exitError{2, "helpcentre check: " + err.Error()}
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "%s: %v\n", path, p)
	}
	if len(problems) > 0 {
		return exitError{1, fmt.Sprintf("helpcentre check: %s is damaged (%d problems): restore a backup with helpcentre restore", path, len(problems))}
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return nil
}
