package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreFlagRefusals: a PostgreSQL store without the shared secret is
// refused at start with what to do, a --store that is no PostgreSQL URL is
// refused, and the bbolt-only commands say to use pg_dump instead of
// failing on a file that is not there. The password of the URL never shows.
func TestStoreFlagRefusals(t *testing.T) {
	t.Setenv("HELPCENTRE_SECRET", "")
	const url = "postgres://helpcentre:s3cretpw@127.0.0.1:1/helpcentre"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"serve without the shared secret", []string{"serve", "--store", url, "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, "needs HELPCENTRE_SECRET"},
		{"serve on something else", []string{"serve", "--store", "mysql://x", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, "want a PostgreSQL URL"},
		{"backup", []string{"backup", "--store", url, "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "b.db")}, "pg_dump"},
		{"restore", []string{"restore", "--store", url, "--data", t.TempDir(), "--from", "x.db"}, "pg_dump"},
		{"compact", []string{"compact", "--store", url, "--data", t.TempDir()}, "pg_dump"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(context.Background(), c.args, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), c.want)
			}
			if strings.Contains(errb.String()+out.String(), "s3cretpw") {
				t.Errorf("the password shows: %s", errb.String())
			}
		})
	}
	// A store that does not answer stops the start with its name, not its
	// password.
	t.Setenv("HELPCENTRE_SECRET", strings.Repeat("x", 40))
	var out, errb0 bytes.Buffer
	code := Run(context.Background(), []string{"serve", "--store", url, "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, &out, &errb0)
	if code != 1 || !strings.Contains(errb0.String(), "127.0.0.1:1") || strings.Contains(errb0.String(), "s3cretpw") {
		t.Errorf("unreachable store: exit %d, %q", code, errb0.String())
	}
	t.Setenv("HELPCENTRE_SECRET", "")
	// HELPCENTRE_STORE works as the flag does.
	t.Setenv("HELPCENTRE_STORE", url)
	var errb bytes.Buffer
	if code := Run(context.Background(), []string{"backup", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "b.db")}, &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "pg_dump") {
		t.Errorf("backup with HELPCENTRE_STORE: exit %d, %q", code, errb.String())
	}
}

// TestContentCommit: the content status names the checkout's HEAD, and
// says when the files differ from it; a folder outside any checkout has
// no commit.
func TestContentCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if c := contentCommit(dir)(context.Background()); c != nil {
		t.Fatalf("no checkout yet, got %+v", c)
	}
	git("init", "-q")
	articles := filepath.Join(dir, "articles")
	if err := os.MkdirAll(articles, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(articles, "a.md"), []byte("# A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "first")
	head := git("rev-parse", "HEAD")
	c := contentCommit(articles)(context.Background()) // the content folder inside the checkout
	if c == nil || c.ID != head || c.Source != "git" || c.Modified {
		t.Fatalf("got %+v, want %s from git, unmodified", c, head)
	}
	if err := os.WriteFile(filepath.Join(articles, "a.md"), []byte("# A changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := contentCommit(articles)(context.Background()); c == nil || c.ID != head || !c.Modified {
		t.Errorf("after an edit: %+v, want %s modified", c, head)
	}
}
