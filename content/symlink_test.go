package content_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketplace/helpcentre/content"
)

// A symbolic link that leaves the content folder is never read: the file is
// skipped with a diagnostic (issue: passwd.md → /etc/passwd was published).
// A link inside the folder is read as the file it names.
func TestSymlinksOutOfTheTreeAreSkipped(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.md")
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(secret, "---\ntitle: Secret from outside\n---\nroot:x:0:0 zanzibar\n")
	write(filepath.Join(root, "en", "a", "good.md"), "---\ntitle: A good article\n---\nHello.\n")
	write(filepath.Join(root, "shared", "inside.md"), "---\nid: inside\ntitle: Linked from inside\n---\nStill in the tree.\n")
	links := map[string]string{
		filepath.Join(root, "en", "a", "passwd.md"): secret,                                                               // absolute, out
		filepath.Join(root, "en", "a", "climb.md"):  filepath.Join("..", "..", "..", filepath.Base(outside), "secret.md"), // relative, out
		filepath.Join(root, "en", "a", "hop.md"):    "passwd.md",                                                          // inside, to a link that leaves
		filepath.Join(root, "en", "a", "inside.md"): filepath.Join("..", "..", "shared", "inside.md"),                     // inside
	}
	for link, target := range links {
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	set, _, err := content.NewLoader(os.DirFS(root)).Load()
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range set.Sorted() {
		titles = append(titles, a.Title)
		if strings.Contains(a.Text, "root:x") || strings.Contains(a.Title, "Secret") {
			t.Errorf("a file outside the content folder was read: %s (%s)", a.Title, a.Path)
		}
	}
	if !strings.Contains(strings.Join(titles, "|"), "Linked from inside") {
		t.Errorf("the link inside the tree was not read: %v", titles)
	}
	diags := set.Diagnostics.String()
	for _, p := range []string{"en/a/passwd.md:1: error", "en/a/climb.md:1: error", "en/a/hop.md:1: error"} {
		if !strings.Contains(diags, p) {
			t.Errorf("no diagnostic %q in:\n%s", p, diags)
		}
	}
}
