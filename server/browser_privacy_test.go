package server_test

// TestBrowserPrivacy walks a privacy request in headless Chromium: Ana
// downloads her data from her account page (the ZIP holds her messages and
// her file), then the admin erases her from her user page (refused until
// her login name is typed), and Ana can no longer sign in.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

func TestBrowserPrivacy(t *testing.T) {
	w := newDomainWorld(t, wideClaimWindow)
	pdf, words := anaWrites(t, w)
	ana := w.world.Users["ana"].ID
	b, base := startBrowser(t, w, 3*time.Minute)

	// 1. Ana downloads her data from her account page.
	b.at("account-your-data", nil)
	b.signIn(base, "ana")
	b.do("open the account", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS("#download-my-data")))
	b.checkPage("account-your-data")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, stepBudget)
	defer cancel()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	b.do("download my data", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
		return err
	}), chromedp.Click(chromedp.CSS("#download-my-data")))
	var zipPath string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			zipPath = filepath.Join(dir, ev.GUID)
			break
		}
	}
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, data)
	if !strings.Contains(string(files["threads.json"]), words[0]) || !strings.Contains(string(files["account.json"]), "ana@demo.example") {
		t.Errorf("her archive lacks her message or account: %v", keys(files))
	}
	found := false
	for name, b := range files {
		found = found || (strings.HasPrefix(name, "attachments/") && string(b) == string(pdf))
	}
	if !found {
		t.Errorf("her archive lacks her file: %v", keys(files))
	}
	b.signOut()

	// 2. The admin erases her from her user page.
	b.at("operator-user-erase", func(m chromedp.ConsoleMessage) bool { // the refused form's own 400
		return m.Source == "network" && strings.Contains(m.Text, "400") && strings.HasSuffix(m.URL, "/erase")
	})
	b.signIn(base, "adam")
	b.do("open Ana's user page", chromedp.Navigate(base+"/operator/admin/users/"+ana), chromedp.WaitVisible(chromedp.CSS("#privacy")))
	b.do("erase without confirming", chromedp.SendKeys(chromedp.CSS("#confirm"), "ben"),
		chromedp.Click(chromedp.CSS(`form[action$="/erase"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#confirm-error")))
	b.checkPage("operator-user-erase-refused")
	if got := w.call(t, "ana", "GET", "/api/v1/me", nil); got.status != 200 {
		t.Fatalf("a refused erasure changed her account: %d", got.status)
	}
	b.do("erase, confirmed", chromedp.SendKeys(chromedp.CSS("#confirm"), "ana"),
		chromedp.Click(chromedp.CSS(`form[action$="/erase"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(".flash"); !strings.Contains(got, "personal data was erased") {
		t.Errorf("after erasing: %q", got)
	}
	if got := b.text("#status"); !strings.Contains(got, "Erased customer") || !strings.Contains(got, "disabled") {
		t.Errorf("her account after erasure: %q", got)
	}
	b.checkPage("operator-user-erased")
	b.signOut()

	// 3. She cannot sign in any more; the thread keeps the seller's words.
	b.at("login-after-erasure", func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.HasSuffix(m.URL, "/login")
	})
	b.do("sign in as ana", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "ana"), chromedp.SendKeys(chromedp.CSS("#password"), "demo"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".form-error")))
	b.do("leave", chromedp.Navigate("about:blank"))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
