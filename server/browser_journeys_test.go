package server_test

// Browser tests of the customer journeys the pages must not break: the
// "Yes, this helped" vote by mouse and keyboard in both languages, the
// seller's home, the contact links, what suggestions say to customers, the
// search page's correction and translation notices and one brand across the
// product. Same dependencies as TestBrowser.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

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
	base := serveOn(t, newServer(t)) // before the browser: it is closed first
	b := openTab(t, browserBudget)

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
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
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
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}

// visibleText is what a reader sees on the page, the widgets' Shadow DOM
// included.
const visibleText = `(() => {
	const parts = [document.body.innerText];
	for (const el of document.querySelectorAll("*")) {
		if (el.shadowRoot) for (const c of el.shadowRoot.children) if (c.tagName !== "STYLE") parts.push(c.innerText || "");
	}
	return parts.join("\n");
})()`

// TestBrowserNoEngineDebugText reads every customer page in English and
// Spanish (home with suggestions open, search results, an article, the
// contact page's suggestions and the widget's on another site): no engine
// explanation ("Matched … in title, aliases") reaches customers; a
// suggestion says its topic in the page's language.
func TestBrowserNoEngineDebugText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := r.URL.Query().Get("lang")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nordic Home</title></head><body><main><h1>Nordic Home</h1><p>Your order is on its way.</p></main>
<script src="%s/widget.js" data-entry="widget"></script></body></html>`, lang, base)
	}))
	t.Cleanup(host.Close)
	w := newDeflectWorld(t, deflectOpts{origins: []string{host.URL}})
	served := make(chan error, 1)
	go func() { served <- w.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.srv.Shutdown(ctx)
		<-served
	})
	b := newTab(t)

	noDebug := func(page string) {
		t.Helper()
		text := eval[string](b, "text of "+page, visibleText)
		for _, bad := range []string{"Matched", "Why this article", "Por qué este artículo", "in title", "aliases"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s shows %q to customers: %.300q", page, bad, text[max(0, strings.Index(text, bad)-120):])
			}
		}
	}
	for _, tc := range []struct{ locale, word, question, topic string }{
		{"en", "invoice", "where is my invoce", "Topic: Invoices"},
		{"es", "factura", "dónde está mi factura", "Tema: Facturas"},
	} {
		l := tc.locale
		b.at(l+"-home", nil)
		b.do("home", chromedp.Navigate(base+"/"+l+"/"), chromedp.WaitVisible(chromedp.CSS("#q-home")))
		b.do("type", chromedp.Click(chromedp.CSS("#q-home")))
		b.typeSlowly("#q-home", tc.word)
		b.do("suggestions", chromedp.WaitVisible(chromedp.CSS("#sugg-home [role=option]")))
		noDebug(l + " home")

		b.at(l+"-search", nil)
		b.do("search", chromedp.Navigate(base+"/search?locale="+l+"&q="+url.QueryEscape(tc.question)), chromedp.WaitVisible(chromedp.CSS("ol.results")))
		noDebug(l + " search")

		b.at(l+"-article", nil)
		b.do("article", chromedp.Navigate(base+"/"+l+"/articles/invoice-find"), chromedp.WaitVisible(chromedp.CSS("article.article h1")))
		noDebug(l + " article")

		const flow = "#contact-flow"
		b.at(l+"-contact", nil)
		b.do("contact", chromedp.Navigate(base+"/"+l+"/contact"))
		b.settled()
		b.waitJS("flow mounted", in(flow, `sr.querySelector("#s") !== null`))
		b.typeInto(flow, "#s", tc.question)
		b.waitJS("suggestions", in(flow, `sr.querySelectorAll("li .t").length > 0`))
		noDebug(l + " contact")
		if got := eval[string](b, "topic", in(flow, `sr.querySelector("li .why") ? sr.querySelector("li .why").textContent : ""`)); got != tc.topic {
			t.Errorf("%s contact: the first suggestion says %q, want %q", l, got, tc.topic)
		}
		b.checkPage("contact-suggestions-" + l)

		const widget = "[data-helpcentre-widget]"
		b.at(l+"-widget", nil)
		b.do("host page", chromedp.Navigate(host.URL+"/?lang="+l))
		b.settled()
		b.waitJS("widget loaded", `document.querySelector("[data-helpcentre-widget]") !== null`)
		eval[chromedp.Void](b, "open", in(widget, `sr.querySelector(".launch").click()`))
		b.waitJS("panel open", in(widget, `!sr.querySelector(".panel").hidden`))
		b.typeInto(widget, "#s", tc.question)
		b.waitJS("suggestions", in(widget, `sr.querySelectorAll("li .t").length > 0`))
		noDebug(l + " widget")
		if got := eval[string](b, "topic", in(widget, `sr.querySelector("li .why") ? sr.querySelector("li .why").textContent : ""`)); got != tc.topic {
			t.Errorf("%s widget: the first suggestion says %q, want %q", l, got, tc.topic)
		}
		b.checkA11y("widget suggestions " + l)
		b.screenshots("widget-suggestions-" + l)
	}
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}

// TestBrowserContactLinks: every "Contact us" of the help centre (header,
// footer, zero results, the answer to a "No" vote) leads to the contact
// page of the reader's language, where the contact flow runs.
func TestBrowserContactLinks(t *testing.T) {
	w := newDeflectWorld(t, deflectOpts{})
	b, base := startBrowser(t, w.domainWorld, browserBudget)
	for _, l := range []string{"en", "es"} {
		want := "/" + l + "/contact"
		links := func(page, scope string) {
			t.Helper()
			hrefs := eval[[]string](b, "contact links", `[...document.querySelectorAll(`+fmt.Sprintf("%q", scope+" a")+`)].map(a => a.getAttribute("href")).filter(h => h.includes("contact"))`)
			if len(hrefs) == 0 {
				t.Errorf("%s: no contact link in %s", page, scope)
			}
			for _, h := range hrefs {
				if h != want {
					t.Errorf("%s: a contact link in %s goes to %s, want %s", page, scope, h, want)
				}
			}
		}
		b.at(l+"-home", nil)
		b.do("home", chromedp.Navigate(base+"/"+l+"/"), chromedp.WaitVisible(chromedp.CSS("#q-home")))
		links(l+" home", "header")
		links(l+" home", "footer")
		b.checkPage("contact-link-home-" + l)

		b.at(l+"-zero", nil)
		b.do("zero results", chromedp.Navigate(base+"/search?locale="+l+"&q=zqxv+plorbt"), chromedp.WaitVisible(chromedp.CSS("section.zero")))
		links(l+" zero results", "section.zero")

		b.at(l+"-voted-no", nil)
		b.do("article", chromedp.Navigate(base+"/"+l+"/articles/invoice-find"), chromedp.WaitVisible(chromedp.CSS("details.vote-no summary")))
		b.do("answer no", chromedp.Click(chromedp.CSS("details.vote-no summary")), chromedp.WaitVisible(chromedp.CSS(`input[name=reason][value=unclear]`)),
			chromedp.Click(chromedp.CSS(`input[name=reason][value=unclear]`)))
		b.submit("send no", `button[name=helpful][value=no]`)
		links(l+" after a no", "#feedback .notice")

		b.at(l+"-contact", nil)
		b.submit("follow the header link", "header a.top-contact")
		b.waitJS("contact flow", in("#contact-flow", `sr.querySelector("#s") !== null`))
		if loc := b.location(); loc != want {
			t.Errorf("the header's contact link led to %s, want %s", loc, want)
		}
	}
	b.flushConsole()
	b.do("leave", chromedp.Navigate("about:blank")) // no connection left open for the server's shutdown
	b.at("done", nil)
}
