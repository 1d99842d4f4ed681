package server_test

// Browser tests of the customer journeys the pages must not break: the
// "Yes, this helped" vote by mouse and keyboard in both languages, the
// seller's home, the contact links, what suggestions say to customers, the
// search page's correction and translation notices and one brand across the
// product. Same dependencies as TestBrowser.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// voteCounts reads an article's feedback summary through the admin API.
type voteCounts struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
	Locales    map[string]struct {
		Helpful    int `json:"helpful"`
		NotHelpful int `json:"not_helpful"`
	} `json:"locales"`
}

func votesOf(t *testing.T, base, id string) voteCounts {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/articles/"+url.PathEscape(id)+"/feedback", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET feedback of %s: status %d", id, res.StatusCode)
	}
	var v voteCounts
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBrowserVoteYes answers "Yes" on English and Spanish articles, with
// the mouse and with the keyboard (Tab to the button, then Enter or Space):
// the thank-you shows and the vote is stored. The closed "No" answer's
// required reason must not block it.
func TestBrowserVoteYes(t *testing.T) {
	b := openTab(t, browserBudget)
	base := serveOn(t, newServer(t))

	for _, tc := range []struct {
		name, locale, id, how, thanks string
	}{
		{"en-mouse", "en", "invoice-download", "mouse", "Thanks for letting us know!"},
		{"en-keyboard", "en", "refund-timing", "enter", "Thanks for letting us know!"},
		{"es-mouse", "es", "invoice-find", "mouse", "¡Gracias por decírnoslo!"},
		{"es-keyboard", "es", "return-label", "space", "¡Gracias por decírnoslo!"},
	} {
		b.at("vote-yes-"+tc.name, nil)
		b.do("open "+tc.id, chromedp.Navigate(base+"/"+tc.locale+"/articles/"+tc.id), chromedp.WaitVisible(chromedp.CSS(`button[name=helpful][value=yes]`)))
		b.settled()
		switch tc.how {
		case "mouse":
			b.do("click yes", chromedp.Click(chromedp.CSS(`button[name=helpful][value=yes]`)))
		default:
			// Tab from the feedback heading's predecessor until Yes has the focus.
			eval[chromedp.Void](b, "focus before the vote", `(() => { const h = document.getElementById("fb-title"); h.tabIndex = -1; h.focus(); })()`)
			b.do("tab to yes", chromedp.KeyEvent(kb.Tab))
			if got := eval[string](b, "focused", `document.activeElement.name + "=" + document.activeElement.value`); got != "helpful=yes" {
				t.Fatalf("%s: Tab from the question focuses %q, want the Yes button", tc.name, got)
			}
			if tc.how == "enter" {
				b.do("press enter", pressEnter)
			} else {
				b.do("press space", chromedp.KeyEvent(" "))
			}
		}
		b.do("thank-you", chromedp.WaitVisible(chromedp.CSS("#feedback .notice")))
		if got := b.text("#feedback .notice"); got != tc.thanks {
			t.Errorf("%s: after voting yes the notice says %q, want %q", tc.name, got, tc.thanks)
		}
		if v := votesOf(t, base, tc.id); v.Helpful != 1 || v.NotHelpful != 0 || v.Locales[tc.locale].Helpful != 1 {
			t.Errorf("%s: feedback of %s = %+v, want one %s yes", tc.name, tc.id, v, tc.locale)
		}
		b.checkPage("vote-yes-" + tc.name)
	}
	b.flushConsole()
	b.at("done", nil)
}

// TestBrowserSellerHome follows the README's address: /seller signs a
// seller in and lands on the inbox, not on the 404 page.
func TestBrowserSellerHome(t *testing.T) {
	w := newSellerWorld(t)
	b, base := startBrowser(t, w.domainWorld, browserBudget)
	b.at("seller-home-login", nil)
	b.do("open /seller", chromedp.Navigate(base+"/seller"), chromedp.WaitVisible(chromedp.CSS("#name")))
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Errorf("/seller signed out shows %s, want the sign-in page", loc)
	}
	b.at("seller-home", nil)
	b.do("sign in as sam", chromedp.SendKeys(chromedp.CSS("#name"), "sam"), chromedp.SendKeys(chromedp.CSS("#password"), "demo"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".who")))
	if loc := b.location(); loc != "/seller/messages" {
		t.Errorf("sam lands on %s, want /seller/messages", loc)
	}
	if h1 := b.text("main h1"); strings.Contains(h1, "couldn't find") {
		t.Errorf("sam's home is the 404 page: %q", h1)
	}
	b.do("open /seller signed in", chromedp.Navigate(base+"/seller"), chromedp.WaitVisible(chromedp.CSS(".who")))
	if loc := b.location(); loc != "/seller/messages" {
		t.Errorf("/seller signed in shows %s, want /seller/messages", loc)
	}
	b.checkPage("seller-home")
	b.flushConsole()
	b.at("done", nil)
}
