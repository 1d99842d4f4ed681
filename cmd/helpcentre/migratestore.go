package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/marketplace/helpcentre/domain/bolt"
	"github.com/marketplace/helpcentre/domain/kv"
	"github.com/marketplace/helpcentre/domain/postgres"
)

// runMigrateStore copies a whole bbolt store into PostgreSQL (helpcentre
// migrate-store --from FILE --to postgres://…), engine to engine through
// the kv model, in chunks; then verifies every bucket on both sides and
// prints a table. It is idempotent: run again, it writes only what differs.
// The attachments' files live outside the store: it prints what to copy,
// or copies them with --attachments-to.
func runMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("migrate-store", flag.ContinueOnError)
	fset.SetOutput(stderr)
	from := fset.String("from", "", "the bbolt file to copy (data/helpcentre.db, or a backup); no server may hold it")
	to := fset.String("to", envOr("STORE", ""), "the PostgreSQL store to copy into, postgres://user:pass@host/db (HELPCENTRE_STORE)")
	attTo := fset.String("attachments-to", "", "also copy the attachments' files into this folder: the replicas' shared <data>/attachments")
	verifyOnly := fset.Bool("verify-only", false, "copy nothing: compare the two stores and print the table")
	chunk := fset.Int("chunk", 2000, "keys per write transaction on PostgreSQL")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fset.NArg() > 0 {
		return exitError{2, "usage: helpcentre migrate-store --from FILE --to postgres://… [--attachments-to DIR] [--verify-only]"}
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return exitError{2, "helpcentre migrate-store: --to must be a PostgreSQL URL (postgres://user:password@host:5432/db)"}
	}
	src, err := bolt.OpenFileReadOnly(*from, time.Second)
	if errors.Is(err, bolt.ErrServerHoldsFile) {
		return exitError{1, fmt.Sprintf("helpcentre migrate-store: %v", err)}
	}
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to, postgres.Options{})
	if err != nil {
		return fmt.Errorf("open %s: %w", redactedURL(*to), err)
	}
	defer dst.Close()

	var mismatch *bolt.StoreMismatchError
	if err := bolt.CheckMigrations(src, dst); errors.As(err, &mismatch) {
		return exitError{1, "helpcentre migrate-store: " + err.Error()}
	} else if err != nil {
		return err
	}
	start := time.Now()
	if !*verifyOnly {
		fmt.Fprintf(stderr, "helpcentre migrate-store: copying %s into %s\n", *from, redactedURL(*to))
		rep, err := bolt.CopyStore(ctx, src, dst, bolt.CopyOptions{ChunkKeys: *chunk, Progress: func(b bolt.BucketCopy) {
			fmt.Fprintf(stderr, "  %-32s %8d keys, %6d written, %5d deleted, %4d transactions\n", b.Path, b.Keys, b.Written, b.Deleted, b.Txs)
		}})
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		fmt.Fprintf(stdout, "copied %d buckets, %d keys in %.1f s: %d written, %d deleted (keys the source has not), %d transactions\n",
			len(rep.Buckets), rep.Keys, time.Since(start).Seconds(), rep.Written, rep.Deleted, rep.Txs)
		if len(rep.TargetOnly) > 0 {
			fmt.Fprintf(stdout, "left alone: buckets only the target has: %s\n", strings.Join(rep.TargetOnly, ", "))
		}
	}
	checks, err := bolt.VerifyStore(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	bad := printChecks(stdout, checks)
	if len(bad) > 0 {
		return exitError{1, fmt.Sprintf("helpcentre migrate-store: %d bucket(s) differ between %s and the target: %s (run migrate-store again to copy them)",
			len(bad), *from, strings.Join(bad, ", "))}
	}
	return migrateAttachments(src, *from, *attTo, stdout)
}

// printChecks prints the verification table and returns the buckets that
// differ.
func printChecks(w io.Writer, checks []bolt.BucketCheck) (bad []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "bucket\tsource keys\ttarget keys\tsequence\tsha256 (source)\t\t")
	keys := 0
	for _, c := range checks {
		status := "equal"
		if !c.OK() {
			status = "DIFFERS"
			bad = append(bad, c.Path)
		}
		tk := fmt.Sprint(c.TargetKeys)
		if c.TargetKeys < 0 {
			tk = "missing"
		}
		seq := fmt.Sprint(c.SourceSeq)
		if c.SourceSeq != c.TargetSeq {
			seq = fmt.Sprintf("%d≠%d", c.SourceSeq, c.TargetSeq)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.12s\t%s\t\n", c.Path, c.SourceKeys, tk, seq, c.SourceSum, status)
		keys += c.SourceKeys
	}
	tw.Flush()
	if len(bad) == 0 {
		fmt.Fprintf(w, "verified: %d buckets, %d keys: counts, SHA-256 of the sorted keys and values, and sequences equal on both sides\n", len(checks), keys)
	}
	return bad
}

// migrateAttachments copies the files of the attachments the store
// references from the folder beside the bbolt file into dst, or, when dst
// is "", says what to copy.
func migrateAttachments(src kv.Engine, from, dst string, stdout io.Writer) error {
	refs, err := bolt.AttachmentRefs(src)
	if err != nil {
		return err
	}
	dir := filepath.Join(filepath.Dir(from), "attachments")
	var missing []string
	var size int64
	for _, sha := range refs {
		fi, err := os.Stat(bolt.AttachmentFile(dir, sha))
		if err != nil {
			missing = append(missing, sha)
			continue
		}
		size += fi.Size()
	}
	if len(missing) > 0 {
		fmt.Fprintf(stdout, "warning: %d attachment(s) the store references have no file in %s (already missing before the copy): %s\n",
			len(missing), dir, strings.Join(missing[:min(len(missing), 5)], ", "))
	}
	present := len(refs) - len(missing)
	if dst == "" {
		if present == 0 {
			fmt.Fprintln(stdout, "attachments: none to copy")
			return nil
		}
		fmt.Fprintf(stdout, "attachments: %d file(s), %.1f MB, are not in the store: copy %s/ into the replicas' shared attachments folder (<data>/attachments), e.g.\n"+
			"  rsync -a %s/ /srv/helpcentre/shared/attachments/\n"+
			"or run again with --attachments-to DIR\n", present, float64(size)/(1<<20), dir, dir)
		return nil
	}
	copied, had := 0, 0
	for _, sha := range refs {
		if slices.Contains(missing, sha) {
			continue
		}
		did, err := copyAttachment(bolt.AttachmentFile(dir, sha), bolt.AttachmentFile(dst, sha), sha)
		if err != nil {
			return fmt.Errorf("attachment %s: %w", sha, err)
		}
		if did {
			copied++
		} else {
			had++
		}
	}
	fmt.Fprintf(stdout, "attachments: %d file(s), %.1f MB: %d copied into %s, %d there already\n", present, float64(size)/(1<<20), copied, dst, had)
	return nil
}

// copyAttachment copies the file at src to dst unless dst holds it already
// (same size), through a temporary file checked against the sha256 the
// file is named by, synced, and renamed into place.
func copyAttachment(src, dst, sha string) (bool, error) {
	si, err := os.Stat(src)
	if err != nil {
		return false, err
	}
	if di, err := os.Stat(dst); err == nil && di.Size() == si.Size() {
		return false, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return false, err
	}
	in, err := os.Open(src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), in); err != nil {
		tmp.Close()
		return false, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		tmp.Close()
		return false, fmt.Errorf("%s holds content whose sha256 is %s: damaged, not copied", src, got)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), dst)
}

// redactedURL hides a URL's password for messages.
func redactedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the PostgreSQL URL"
	}
	return u.Redacted()
}
